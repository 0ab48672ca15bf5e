// Step 7: the result per target — verified, or failed with the reason and what to do — eject, flash more.
// When the writer could not get administrator rights, the step is named after why, with the services' advice,
// and "Try again" where a second prompt can help.
import { adviceSentence, elevationView } from '../store/elevation-text.ts';
import { useWizard } from '../store/context.tsx';
import type { FlashTarget } from '../store/state.ts';
import { canEject, ejectKind, ejectSentence } from '../../src-shared/drives/eject-kind.ts';
import { StepHeading } from './StepHeading.tsx';

export function DoneStep() {
  const targets = useWizard((s) => s.flashTargets);
  const flashError = useWizard((s) => s.flashError);
  const logPath = useWizard((s) => s.flashLogPath);
  const ejected = useWizard((s) => s.ejected);
  const ejectTarget = useWizard((s) => s.ejectTarget);
  const drives = useWizard((s) => s.drives);
  const flashMore = useWizard((s) => s.flashMore);
  const retryFlash = useWizard((s) => s.retryFlash);
  const elevation = elevationView(useWizard((s) => s.flashErrorDetails));
  const good = targets.filter((t) => t.state === 'verified' || t.state === 'written').length;
  const title = elevation ? elevation.heading : good === targets.length ? 'All done' : good === 0 ? 'The flash failed' : 'Partly done';

  return (
    <section>
      <StepHeading title={title}>
        {good} of {targets.length} target{targets.length === 1 ? '' : 's'} ready.
      </StepHeading>
      {elevation ? (
        <div className="alert error" role="alert" data-elevation={elevation.reason}>
          <span data-testid="elevation-advice">{adviceSentence(flashError ?? 'iios could not get administrator rights. Nothing was written.')}</span>
          {elevation.canRetry && (
            <div className="row" style={{ marginTop: 8 }}>
              <button type="button" className="btn primary" onClick={() => void retryFlash()}>
                Try again
              </button>
              <span className="muted">Starts the same flash again, with the same choices.</span>
            </div>
          )}
        </div>
      ) : (
        flashError && (
          <div className="alert error" role="alert">
            <strong>The writer stopped.</strong> {flashError}
          </div>
        )
      )}
      <ul className="result-list" aria-label="Results">
        {targets.map((t) => {
          const ok = t.state === 'verified' || t.state === 'written';
          const ej = ejected[t.key];
          const drive = drives.find((d) => d.id === t.key);
          // No Eject where it means nothing (a loop device over a file, an internal disk) or the stick is gone.
          const kind = drive ? ejectKind(drive) : null;
          return (
            <li key={t.id} className={`result ${ok ? 'ok' : 'bad'}`} data-result={t.id} data-state={t.state}>
              <span className="icon" aria-hidden="true">{ok ? '✔' : '✖'}</span>
              <div>
                <div>
                  <strong>{t.label}</strong> <span className="mono muted">{t.path}</span> — <span className="mono">{t.hostname}</span>
                </div>
                <div className="what" data-testid="result-text">{elevation ? 'Not written: iios never got to it, it is as it was.' : resultText(t)}</div>
                {!ok && !elevation && <div className="todo">{whatToDo(t)}</div>}
                {typeof ej === 'object' && 'error' in ej && <div className="todo">Eject: {ej.error}</div>}
                {typeof ej === 'object' && 'done' in ej && <div className="what" data-testid="eject-text">{ej.done}</div>}
              </div>
              {t.kind === 'device' && (
                <button
                  type="button"
                  className="btn small"
                  disabled={ej === 'ejecting' || ej === 'ejected' || (typeof ej === 'object' && 'done' in ej) || !kind || !canEject(kind)}
                  title={!kind ? 'The stick is no longer plugged in' : !canEject(kind) ? ejectSentence(kind, false, 0) : undefined}
                  onClick={() => void ejectTarget(t.key)}
                  aria-label={`Eject ${t.label}`}
                >
                  {ej === 'ejected' || (typeof ej === 'object' && 'done' in ej) ? 'Ejected' : ej === 'ejecting' ? 'Ejecting…' : 'Eject'}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {logPath && (
        <p className="muted" data-testid="job-log">
          Every command this job ran is logged in <span className="mono">{logPath}</span>
        </p>
      )}
      <div className="row" style={{ marginTop: 14 }}>
        <button type="button" className="btn primary" onClick={flashMore}>
          Flash more
        </button>
        <span className="muted">Keeps the profile, image, names and options; plug in the next sticks.</span>
      </div>
    </section>
  );
}

function resultText(t: FlashTarget): string {
  switch (t.state) {
    case 'verified':
      return 'Verified: written and read back, every check passed.';
    case 'written':
      return 'Written (not verified).';
    case 'cancelled':
      return `Cancelled: the stick is marked incomplete.${t.message ? ` (${t.message})` : ''}`;
    case 'failed':
      return `Failed: ${t.message ?? 'the write did not complete'}`;
    default:
      return 'Not finished.';
  }
}

function whatToDo(t: FlashTarget): string {
  if (t.state === 'cancelled') return 'Do not use it as it is: flash it again (Flash more) when you are ready.';
  if (t.kind === 'image-file') return 'Check that the folder exists and has enough free space, then flash again.';
  return 'Check that the stick is still plugged in and not write-protected, then flash it again. If it fails twice, the stick may be worn out: use another one.';
}
