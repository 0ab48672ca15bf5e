// Step 7: the result per target — verified, or failed with the reason and what to do — eject, flash more.
// When the writer could not get administrator rights, the step is named after why, with the services' advice,
// and "Try again" where a second prompt can help.
import { t } from '../../src-shared/i18n/index.ts';
import { adviceSentence, elevationView } from '../store/elevation-text.ts';
import { useWizard } from '../store/context.tsx';
import type { FlashTarget } from '../store/state.ts';
import { canEject, ejectKind, ejectSentence } from '../../src-shared/drives/eject-kind.ts';
import { Rich } from '../i18n/Rich.tsx';
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
  const updating = useWizard((s) => s.mode === 'update' || s.mode === 'payload');
  const payloadMode = useWizard((s) => s.mode === 'payload');
  const good = targets.filter((target) => target.state === 'verified' || target.state === 'written').length;
  const title = elevation ? elevation.heading : good === targets.length ? t('done.allDone') : good === 0 ? t('done.failed') : t('done.partly');

  return (
    <section>
      <StepHeading title={title}>{t('done.ready', { good, count: targets.length })}</StepHeading>
      {elevation ? (
        <div className="alert error" role="alert" data-elevation={elevation.reason}>
          <span data-testid="elevation-advice">{adviceSentence(elevation.advice)}</span>
          {elevation.canRetry && (
            <div className="row" style={{ marginTop: 8 }}>
              <button type="button" className="btn primary" onClick={() => void retryFlash()}>
                {t('done.tryAgain')}
              </button>
              <span className="muted">{t('done.tryAgainHelp')}</span>
            </div>
          )}
        </div>
      ) : (
        flashError && (
          <div className="alert error" role="alert">
            <strong>{t('done.writerStopped')}</strong> {flashError}
          </div>
        )
      )}
      <ul className="result-list" aria-label={t('done.results')}>
        {targets.map((target) => {
          const ok = target.state === 'verified' || target.state === 'written';
          const ej = ejected[target.key];
          const drive = drives.find((d) => d.id === target.key);
          // No Eject where it means nothing (a loop device over a file, an internal disk) or the stick is gone.
          const kind = drive ? ejectKind(drive) : null;
          const ejectDone = ej === 'ejected' || (typeof ej === 'object' && 'done' in ej);
          const ejectText = ejectDone ? t('done.ejected') : ej === 'ejecting' ? t('done.ejecting') : t('done.eject');
          return (
            <li key={target.id} className={`result ${ok ? 'ok' : 'bad'}`} data-result={target.id} data-state={target.state}>
              <span className="icon" aria-hidden="true">{ok ? '✔' : '✖'}</span>
              <div>
                <div>
                  <strong>{target.label}</strong> <span className="mono muted">{target.path}</span> — <span className="mono">{target.hostname}</span>
                </div>
                <div className="what" data-testid="result-text">{elevation ? t('done.notWritten') : updating && target.state === 'verified' ? (payloadMode ? t('result.payloadReplaced') : t('result.updated')) : resultText(target)}</div>
                {!ok && !elevation && <div className="todo">{whatToDo(target)}</div>}
                {typeof ej === 'object' && 'error' in ej && <div className="todo">{t('done.ejectFailed', { error: ej.error })}</div>}
                {typeof ej === 'object' && 'done' in ej && <div className="what" data-testid="eject-text">{ej.done}</div>}
              </div>
              {target.kind === 'device' && (
                <button
                  type="button"
                  className="btn small"
                  disabled={ej === 'ejecting' || ejectDone || !kind || !canEject(kind)}
                  title={!kind ? t('done.ejectGone') : !canEject(kind) ? ejectSentence(kind, false, 0) : undefined}
                  onClick={() => void ejectTarget(target.key)}
                  // starts with the visible text, so a speech user can say what they see (WCAG 2.5.3)
                  aria-label={t('done.ejectLabel', { action: ejectText, label: target.label })}
                >
                  {ejectText}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {logPath && (
        <p className="muted" data-testid="job-log">
          <Rich k="done.log" vars={{ path: <span className="mono">{logPath}</span> }} />
        </p>
      )}
      <div className="row" style={{ marginTop: 14 }}>
        <button type="button" className="btn primary" onClick={flashMore}>
          {updating ? t('done.updateMore') : t('done.flashMore')}
        </button>
        <span className="muted">{updating ? t('done.updateMoreHelp') : t('done.flashMoreHelp')}</span>
      </div>
    </section>
  );
}

function resultText(target: FlashTarget): string {
  switch (target.state) {
    case 'verified':
      return t('result.verified');
    case 'written':
      return t('result.written');
    case 'cancelled':
      return target.message ? t('result.cancelledWhy', { message: target.message }) : t('result.cancelled');
    case 'failed':
      return target.message ? t('result.failed', { message: target.message }) : t('result.failedUnknown');
    default:
      return t('result.unfinished');
  }
}

function whatToDo(target: FlashTarget): string {
  if (target.state === 'cancelled') return t('todo.cancelled');
  if (target.kind === 'image-file') return t('todo.imageFile');
  return t('todo.device');
}
