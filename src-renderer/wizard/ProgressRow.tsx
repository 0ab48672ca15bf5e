// One target while flashing: its name, a bar over its whole job, and fixed-width columns (percent, state,
// phase, speed, time left) with tabular figures, so the row never changes size as the numbers tick. The bar
// itself tells where the target is (aria-valuetext for screen readers; data-state / data-phase for tests and
// styles). Every number is the services' (src-shared/progress), written the way the CLI writes it.
import { formatTimeLeft, percentOf } from '../../src-shared/progress/display.ts';
import { formatSpeed } from '../../src-shared/progress/speed.ts';
import type { FlashTarget } from '../store/state.ts';

const PHASE_TEXT: Record<string, string> = {
  check: 'checking',
  wipe: 'wiping',
  partition: 'partitioning',
  esp: 'boot files',
  slots: 'writing system',
  verity: 'writing verity',
  btrfs: 'data partition',
  payload: 'payload',
  caches: 'caches',
  stamp: 'stamp',
  verify: 'reading back',
  complete: 'complete',
};

const STATE_TEXT: Record<FlashTarget['state'], string> = {
  pending: 'waiting',
  writing: 'writing',
  verifying: 'verifying',
  verified: 'verified',
  written: 'written',
  failed: 'failed',
  cancelled: 'incomplete',
};

export function ProgressRow({ target }: { target: FlashTarget }) {
  const fraction = target.fraction;
  const percent = percentOf(fraction);
  const finished = target.state === 'verified' || target.state === 'written' || target.state === 'failed' || target.state === 'cancelled';
  return (
    <li className={`progress-row ${target.state}`} data-target={target.id} data-state={target.state} data-phase={target.phase ?? ''}>
      <div className="who">
        {/* Large enough to copy onto the stick's own label. */}
        <div className="hostname mono" data-testid="row-hostname" aria-label={`name: ${target.hostname}`}>
          {target.hostname}
        </div>
        <div className="name" title={target.label}>{target.label}</div>
        <div className="sub">
          <span className="mono">{target.path}</span>
        </div>
      </div>
      <div
        className="bar"
        role="progressbar"
        aria-label={`${target.label}: ${STATE_TEXT[target.state]}`}
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
        <span className="state" data-testid="target-state">{STATE_TEXT[target.state]}</span>
        <span title={historyText(target)}>{target.phase && !finished ? PHASE_TEXT[target.phase] : ''}</span>
        <span title="speed">{finished ? '' : formatSpeed(target.speedBps)}</span>
        <span title="time left for this stick">{finished ? (target.message ?? '') : `${formatTimeLeft(target.secondsLeft)} left`}</span>
      </div>
    </li>
  );
}

/** "23 %, writing (writing system)", "72 %, verifying (reading back)", "100 %, verified": what the bar says aloud. */
function barText(percent: number, target: FlashTarget, finished: boolean): string {
  const state = STATE_TEXT[target.state];
  const phase = target.phase && !finished ? PHASE_TEXT[target.phase] : undefined;
  return `${percent} %, ${state}${phase && phase !== state ? ` (${phase})` : ''}`;
}

/** "check 13:31:43 · wipe 13:31:45 · …": what happened so far, also after the window was reloaded. */
function historyText(target: FlashTarget): string {
  return target.history.map((v) => `${PHASE_TEXT[v.phase] ?? v.phase} ${new Date(v.at).toLocaleTimeString()}`).join(' · ');
}
