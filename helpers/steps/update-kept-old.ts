// What an A/B update that stops says: until the new slot's boot entry is on, the stick still boots its old
// system (update-run.ts's order), so its failure says that, typed (update-kept-old), with what stopped it.
import type { SaidFailure } from '../context.ts';

/**
 * A TargetCtx.frameFailure for an update: before `entryOn()` the failure becomes update-kept-old (the old slot,
 * its version when the stamp names one, and the failure as its cause); after it, the failure as it is.
 */
export function keptOldFrame(activeSlot: string, version: string | null, entryOn: () => boolean): (said: SaidFailure) => SaidFailure {
  return (said) => {
    if (entryOn() || said.failure.key === 'update-kept-old') return said;
    return {
      message: `${said.message}; the stick still boots slot ${activeSlot} (${version ?? 'its old system'})`,
      failure: { key: 'update-kept-old', slot: activeSlot, version, cause: said.failure },
    };
  };
}
