// Step 5: the last look before erasing. Each target's layout to scale, what will be erased where, and a
// deliberate confirmation: type the number of targets, then press the erase button.
import { useState } from 'react';
import { useWizard } from '../store/context.tsx';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { chosenTargets, currentProfile, targetNames, type ChosenTarget } from '../store/selectors.ts';
import { sourceLocation } from '../store/selection-slice.ts';
import { LayoutBar } from './LayoutBar.tsx';
import type { PlanView, StickSourceView } from '../store/types.ts';
import { StepHeading } from './StepHeading.tsx';

export function ReviewStep() {
  const state = useWizard((s) => s);
  const targets = chosenTargets(state);
  const names = targetNames(state);
  const profile = currentProfile(state);
  const [typed, setTyped] = useState('');
  const [starting, setStarting] = useState(false);
  const count = targets.length;
  const confirmed = typed.trim() === String(count);
  const clone = state.mode === 'clone' ? state.cloneSource : null;
  const verb = clone ? 'clone' : 'flash';

  const start = async () => {
    setStarting(true);
    await state.startFlash();
    setStarting(false);
  };

  return (
    <section>
      {clone ? (
        <>
          <StepHeading title="Review">
            {state.cloneFresh ? 'A fresh clone' : 'A full copy'} of <span className="mono">{clone.iios ? clone.iios.hostname : clone.path}</span> onto {count} target
            {count === 1 ? '' : 's'}.
          </StepHeading>
          <div className="panel review-target review-source" data-review-source={clone.path}>
            <h3>
              <span>Source (only read)</span>
              <span className="mono muted">{clone.path}</span>
              <span className="num muted">{formatBytes(clone.sizeBytes)}</span>
            </h3>
            <LayoutBar plan={sourceLayout(clone)} legend />
            <p className="muted">{clone.note}.</p>
          </div>
        </>
      ) : (
        <StepHeading title="Review">
          {profile?.title ?? '—'} from <span className="mono">{state.source ? sourceLocation(state.source) : '—'}</span> onto {count} target
          {count === 1 ? '' : 's'}.
        </StepHeading>
      )}
      {targets.map((t, i) => (
        <div key={t.key} className="panel review-target" data-review-target={t.path}>
          <h3>
            <span>{t.label}</span>
            <span className="mono muted">{t.path}</span>
            <span className="num muted">{formatBytes(t.sizeBytes)}</span>
            <span className="muted">→ name</span>
            <span className="mono">{names.ok ? names.names[i] : '—'}</span>
          </h3>
          {t.plan && !clone ? (
            <LayoutBar plan={t.plan} legend />
          ) : (
            <p className="muted">{clone ? (clone.iios ? 'Laid out for its own size with the profile the source carries.' : 'The source’s partitions, byte for byte.') : 'No layout yet.'}</p>
          )}
          <p className="erase">{eraseText(t)}</p>
        </div>
      ))}
      {state.flashError && (
        <div className="alert error" role="alert">
          <strong>The {verb} did not start.</strong> {state.flashError}
          <div className="todo">Fix what it says and press the button again.</div>
        </div>
      )}
      <div className="confirm panel">
        <label htmlFor="confirm-count">
          To confirm, type the number of targets (<strong className="num">{count}</strong>):
        </label>
        <input
          id="confirm-count"
          className="text-input count num"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && confirmed && !starting) void start();
          }}
        />
        <button type="button" className="btn danger" disabled={!confirmed || starting || count === 0} onClick={() => void start()}>
          Erase and {verb} {count} target{count === 1 ? '' : 's'}
        </button>
      </div>
    </section>
  );
}

function eraseText(t: ChosenTarget): string {
  if (t.kind === 'image-file') return `The file ${t.path} will be created, or replaced if it exists (${formatBytes(t.sizeBytes)}, sparse).`;
  const d = t.drive;
  const mounted = d && d.mountpoints.length > 0 ? ` Its mounted filesystems (${d.mountpoints.map((m) => m.path).join(', ')}) will be unmounted first.` : '';
  return `Everything on ${t.path} (${t.label}, ${formatBytes(t.sizeBytes)}) will be erased.${mounted}`;
}

/** The source stick's partitions as a picture (their roles read from the names iios gives them). */
function sourceLayout(source: StickSourceView): PlanView {
  return {
    diskBytes: source.sizeBytes,
    partitions: source.partitions.map((p) => ({
      index: p.index,
      role: p.name.toLowerCase().replace(/^iios-/, ''),
      name: p.name || `partition ${p.index}`,
      startBytes: p.startBytes,
      sizeBytes: p.sizeBytes,
      filesystem: '',
      readOnly: false,
    })),
  };
}
