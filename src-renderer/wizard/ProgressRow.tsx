// One target while flashing: its name, a bar over its whole job, and fixed-width columns (percent, state,
// phase, speed, time left) with tabular figures, so the row never changes size as the numbers tick. The bar
// itself tells where the target is (aria-valuetext for screen readers; data-state / data-phase for tests and
// styles). Every number is the services' (src-shared/progress), written the way the CLI writes it.
import { formatTimeLeft, percentOf } from '../../src-shared/progress/display.ts';
import { formatSpeed } from '../../src-shared/progress/speed.ts';
import { formatTime } from '../../src-shared/format/date-time.ts';
import { phaseWords } from '../../src-shared/errors/failure-words.ts';
import { t, type PlainKey } from '../../src-shared/i18n/index.ts';
import type { FlashTarget } from '../store/state.ts';
import { useWizard } from '../store/context.tsx';
import { placeOf, placeText } from '../../src-shared/drives/usb-port.ts';

const STATE_KEY: Record<FlashTarget['state'], PlainKey> = {
  pending: 'state.pending',
  writing: 'state.writing',
  verifying: 'state.verifying',
  verified: 'state.verified',
  written: 'state.written',
  failed: 'state.failed',
  cancelled: 'state.cancelled',
};

/** A phase in words; one the services add later shows as they name it until it is in the catalogue. */
const phaseText = phaseWords;

const stateText = (state: FlashTarget['state']) => t(STATE_KEY[state]);

export function ProgressRow({ target }: { target: FlashTarget }) {
  // where the stick is plugged in, by the name the teacher gave that port: the failed one is found in a hub of twenty
  const drive = useWizard((s) => (target.kind === 'device' ? s.drives.find((d) => d.id === target.key) : undefined));
  const names = useWizard((s) => s.portLabels);
  const spot = drive ? placeOf(drive) : null;
  const place = drive ? placeText(drive, names) : null;
  // a loop device's file name is data (like the path beside it); a port's words and a given name are words
  const placeIsData = !!spot && spot.key.startsWith('file:') && names[spot.key] === undefined;
  const fraction = target.fraction;
  const percent = percentOf(fraction);
  const finished = target.state === 'verified' || target.state === 'written' || target.state === 'failed' || target.state === 'cancelled';
  return (
    <li className={`progress-row ${target.state}`} data-target={target.id} data-state={target.state} data-phase={target.phase ?? ''}>
      <div className="who">
        {/* Large enough to copy onto the stick's own label. */}
        <div className="hostname mono" data-testid="row-hostname" aria-label={t('progress.name', { name: target.hostname })}>
          {target.hostname}
        </div>
        <div className="name" title={target.label}>{target.label}</div>
        <div className="sub">
          {place && (
            <span className={placeIsData ? 'place-label mono' : 'place-label'} data-testid="row-place">
              {place}
              {' · '}
            </span>
          )}
          <span className="mono">{target.path}</span>
        </div>
      </div>
      <div
        className="bar"
        role="progressbar"
        aria-label={t('progress.barLabel', { label: target.label, state: stateText(target.state) })}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={barText(percent, target, finished)}
        data-path={target.path}
        data-state={target.state}
        data-phase={target.phase ?? ''}
      >
        <div className="fill" style={{ width: `${fraction * 100}%` }} />
      </div>
      <div className="stats">
        <span>{percent} %</span>
        <span className="state" data-testid="target-state">{stateText(target.state)}</span>
        <span title={historyText(target)}>{target.phase && !finished ? phaseText(target.phase) : ''}</span>
        <span title={t('progress.speed')}>{finished ? '' : formatSpeed(target.speedBps)}</span>
        <span title={t('progress.timeLeftTitle')}>{finished ? (target.message ?? '') : t('flash.timeLeft', { time: formatTimeLeft(target.secondsLeft) })}</span>
      </div>
    </li>
  );
}

/** "23 %, writing (writing system)", "72 %, verifying (reading back)", "100 %, verified": what the bar says aloud. */
function barText(percent: number, target: FlashTarget, finished: boolean): string {
  const state = stateText(target.state);
  const phase = target.phase && !finished ? phaseText(target.phase) : undefined;
  return phase && phase !== state ? t('progress.barPhase', { percent, state, phase }) : t('progress.bar', { percent, state });
}

/** "check 13:31:43 · wipe 13:31:45 · …": what happened so far, also after the window was reloaded. */
function historyText(target: FlashTarget): string {
  return target.history.map((v) => `${phaseText(v.phase)} ${formatTime(new Date(v.at))}`).join(' · ');
}
