// Step 6: the flash. One progress row per target; cancel leaves every unfinished target marked incomplete.
import { formatTimeLeft, percentOf } from '../../src-shared/progress/display.ts';
import { t } from '../../src-shared/i18n/index.ts';
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
  const finished = targets.filter((x) => x.state === 'verified' || x.state === 'written' || x.state === 'failed' || x.state === 'cancelled').length;

  return (
    <section>
      <StepHeading title={stationActive ? t('station.heading') : t('flash.heading')}>{t('flash.lead')}</StepHeading>
      {stationActive && <StationPanel />}
      <ul className="progress-list" aria-label={t('flash.listLabel')}>
        {targets.map((target) => (
          <ProgressRow key={target.id} target={target} />
        ))}
      </ul>
      {batch && current.length > 1 && (
        <div className="row batch" style={{ marginTop: 12 }}>
          <div
            className="bar grow"
            role="progressbar"
            aria-label={t('flash.allSticks')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percentOf(batch.fraction)}
            aria-valuetext={t('flash.barText', { percent: percentOf(batch.fraction), time: formatTimeLeft(batch.secondsLeft) })}
            data-testid="batch-bar"
          >
            <div className="fill" style={{ width: `${batch.fraction * 100}%` }} />
          </div>
          <span className="num">{percentOf(batch.fraction)} %</span>
          <span className="num" title={t('flash.untilLast')}>{status === 'finished' ? '' : t('flash.timeLeft', { time: formatTimeLeft(batch.secondsLeft) })}</span>
        </div>
      )}
      <div className="row" style={{ marginTop: 12 }}>
        <span className="grow muted num" role="status" data-testid="flash-status">
          {status === 'starting' && t('flash.starting')}
          {status === 'running' && t('flash.running', { finished, total: targets.length })}
          {status === 'idle' && stationActive && t('station.waiting', { finished })}
          {status === 'cancelling' && t('flash.cancellingStatus')}
        </span>
        <button type="button" className="btn" onClick={() => void cancelFlash()} disabled={status === 'cancelling' || status === 'finished' || status === 'idle'}>
          {status === 'cancelling' ? t('flash.cancelling') : t('flash.cancel')}
        </button>
      </div>
    </section>
  );
}
