// Step 5: the last look before erasing. Each target's layout to scale, what will be erased where, and a
// deliberate confirmation: type the number of targets, then press the erase button.
import { useState } from 'react';
import { useWizard } from '../store/context.tsx';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { chosenTargets, currentProfile, targetNames, type ChosenTarget } from '../store/selectors.ts';
import { sourceLocation } from '../store/selection-slice.ts';
import { expandName } from '../../src-shared/job/names.ts';
import { LayoutBar } from './LayoutBar.tsx';
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

  const start = async () => {
    setStarting(true);
    await (state.stationWanted ? state.startStation() : state.startFlash());
    setStarting(false);
  };

  return (
    <section>
      <StepHeading title="Review">
        {profile?.title ?? '—'} from <span className="mono">{state.source ? sourceLocation(state.source) : '—'}</span> onto {count} target
        {count === 1 ? '' : 's'}.
      </StepHeading>
      {targets.map((t, i) => (
        <div key={t.key} className="panel review-target" data-review-target={t.path}>
          <h3>
            <span>{t.label}</span>
            <span className="mono muted">{t.path}</span>
            <span className="num muted">{formatBytes(t.sizeBytes)}</span>
            <span className="muted">→ name</span>
            <span className="mono">{names.ok ? names.names[i] : '—'}</span>
          </h3>
          {t.plan ? <LayoutBar plan={t.plan} legend /> : <p className="muted">No layout yet.</p>}
          <p className="erase">{eraseText(t)}</p>
        </div>
      ))}
      {state.flashError && (
        <div className="alert error" role="alert">
          <strong>The flash did not start.</strong> {state.flashError}
          <div className="todo">Fix what it says and press the button again.</div>
        </div>
      )}
      {state.stationWanted && (
        <div className="panel station-review" data-testid="station-review">
          <strong>Then keep flashing.</strong> After {count === 0 ? 'you confirm' : 'these'}, every new stick plugged in that passes the checks is erased and
          flashed with the next name, starting at <span className="mono">{stationFirstName(state.namePattern, state.firstNumber + count)}</span>, until you press
          Stop.
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
        <button type="button" className="btn danger" disabled={!confirmed || starting || (count === 0 && !state.stationWanted)} onClick={() => void start()}>
          {state.stationWanted
            ? count === 0
              ? 'Start flashing sticks as they are plugged in'
              : `Erase and flash ${count} target${count === 1 ? '' : 's'}, then keep flashing`
            : `Erase and flash ${count} target${count === 1 ? '' : 's'}`}
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

function stationFirstName(pattern: string, n: number): string {
  try {
    return expandName(pattern.trim(), n);
  } catch {
    return '—';
  }
}
