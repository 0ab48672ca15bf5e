// Step 6: the flash. One progress row per target; cancel leaves every unfinished target marked incomplete.
import { formatTimeLeft, percentOf } from '../../src-shared/progress/display.ts';
import { useWizard } from '../store/context.tsx';
import { ProgressRow } from './ProgressRow.tsx';
import { StationPanel } from './StationPanel.tsx';
import { StepHeading } from './StepHeading.tsx';

export function FlashStep() {
  const current = useWizard((s) => s.flashTargets);
  const stationRows = useWizard((s) => s.stationRows);
  const stationActive = useWizard((s) => s.stationActive);
  const targets = stationRows.length ? [...stationRows, ...current] : current;
  const status = useWizard((s) => s.flashStatus);
  const cancelFlash = useWizard((s) => s.cancelFlash);
  const batch = useWizard((s) => s.flashBatch);
  const finished = targets.filter((t) => t.state === 'verified' || t.state === 'written' || t.state === 'failed' || t.state === 'cancelled').length;

  return (
    <section>
      <StepHeading title={stationActive ? 'Flashing sticks as they are plugged in' : 'Flashing'}>
        Keep the sticks plugged in. Each is verified after it is written.
      </StepHeading>
      {stationActive && <StationPanel />}
      <ul className="progress-list" aria-label="Targets">
        {targets.map((t) => (
          <ProgressRow key={t.id} target={t} />
        ))}
      </ul>
      {batch && current.length > 1 && (
        <div className="row batch" style={{ marginTop: 12 }}>
          <div
            className="bar grow"
            role="progressbar"
            aria-label="All sticks"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percentOf(batch.fraction)}
            aria-valuetext={`${percentOf(batch.fraction)} %, ${formatTimeLeft(batch.secondsLeft)} left`}
            data-testid="batch-bar"
          >
            <div className="fill" style={{ width: `${batch.fraction * 100}%` }} />
          </div>
          <span className="num">{percentOf(batch.fraction)} %</span>
          <span className="num" title="until the last stick is done">{status === 'finished' ? '' : `${formatTimeLeft(batch.secondsLeft)} left`}</span>
        </div>
      )}
      <div className="row" style={{ marginTop: 12 }}>
        <span className="grow muted num" role="status" data-testid="flash-status">
          {status === 'starting' && 'Starting the writer (you may be asked for the administrator password)…'}
          {status === 'running' && `${finished} of ${targets.length} finished`}
          {status === 'idle' && stationActive && `${finished} finished; waiting for the next stick`}
          {status === 'cancelling' && 'Cancelling: cleaning up, the unfinished sticks will be marked incomplete…'}
        </span>
        <button type="button" className="btn" onClick={() => void cancelFlash()} disabled={status === 'cancelling' || status === 'finished' || status === 'idle'}>
          {status === 'cancelling' ? 'Cancelling…' : 'Cancel'}
        </button>
      </div>
    </section>
  );
}
