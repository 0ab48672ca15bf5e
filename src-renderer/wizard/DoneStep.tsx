// Step 7: the result per target — verified, or failed with the reason and what to do — eject, flash more.
import { useWizard } from '../store/context.tsx';
import type { FlashTarget } from '../store/state.ts';
import { StepHeading } from './StepHeading.tsx';

export function DoneStep() {
  const targets = useWizard((s) => s.flashTargets);
  const flashError = useWizard((s) => s.flashError);
  const logPath = useWizard((s) => s.flashLogPath);
  const ejected = useWizard((s) => s.ejected);
  const ejectTarget = useWizard((s) => s.ejectTarget);
  const flashMore = useWizard((s) => s.flashMore);
  const good = targets.filter((t) => t.state === 'verified' || t.state === 'written').length;

  return (
    <section>
      <StepHeading title={good === targets.length ? 'All done' : good === 0 ? 'The flash failed' : 'Partly done'}>
        {good} of {targets.length} target{targets.length === 1 ? '' : 's'} ready.
      </StepHeading>
      {flashError && (
        <div className="alert error" role="alert">
          <strong>The writer stopped.</strong> {flashError}
        </div>
      )}
      <ul className="result-list" aria-label="Results">
        {targets.map((t) => {
          const ok = t.state === 'verified' || t.state === 'written';
          const ej = ejected[t.key];
          return (
            <li key={t.id} className={`result ${ok ? 'ok' : 'bad'}`} data-result={t.id} data-state={t.state}>
              <span className="icon" aria-hidden="true">{ok ? '✔' : '✖'}</span>
              <div>
                <div>
                  <strong>{t.label}</strong> <span className="mono muted">{t.path}</span> — <span className="mono">{t.hostname}</span>
                </div>
                <div className="what" data-testid="result-text">{resultText(t)}</div>
                {!ok && <div className="todo">{whatToDo(t)}</div>}
                {typeof ej === 'object' && <div className="todo">Eject failed: {ej.error}</div>}
              </div>
              {t.kind === 'device' && (
                <button
                  type="button"
                  className="btn small"
                  disabled={ej === 'ejecting' || ej === 'ejected'}
                  onClick={() => void ejectTarget(t.key)}
                  aria-label={`Eject ${t.label}`}
                >
                  {ej === 'ejected' ? 'Ejected' : ej === 'ejecting' ? 'Ejecting…' : 'Eject'}
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
