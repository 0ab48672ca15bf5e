// The running station: the next name, Stop, the sound switch, and the sticks it saw arrive but did not flash by
// itself — refused (with why) or plugged back in after it flashed them (flashed again only when the teacher says so).
import { t } from '../../src-shared/i18n/index.ts';
import { expandName } from '../../src-shared/job/names.ts';
import { Rich } from '../i18n/Rich.tsx';
import { useWizard } from '../store/context.tsx';

export function StationPanel() {
  const pattern = useWizard((s) => s.namePattern);
  const nextNumber = useWizard((s) => s.stationNextNumber);
  const notes = useWizard((s) => s.stationNotes);
  const queue = useWizard((s) => s.stationQueue);
  const stop = useWizard((s) => s.stopStation);
  const flashAgain = useWizard((s) => s.flashAgain);
  const dismiss = useWizard((s) => s.dismissNote);
  const sound = useWizard((s) => s.soundOnDone);
  const setSound = useWizard((s) => s.setSoundOnDone);
  let nextName = '—';
  try {
    nextName = expandName(pattern.trim(), nextNumber);
  } catch {
    // the pattern was checked before the station started; nothing better to show
  }
  return (
    <div className="panel station" data-testid="station">
      <div className="row">
        <span className="grow" role="status">
          <Rich k="station.next" vars={{ name: <strong className="mono" data-testid="station-next-name">{nextName}</strong> }} />
          {queue.length > 0 ? ` ${t('station.queued', { count: queue.length })}` : ''}
        </span>
        <label className="switch">
          <input type="checkbox" checked={sound} onChange={(e) => setSound(e.target.checked)} />
          {t('station.sound')}
        </label>
        <button type="button" className="btn" onClick={stop}>
          {t('station.stop')}
        </button>
      </div>
      {notes.length > 0 && (
        <ul className="station-notes" aria-label={t('station.notesLabel')}>
          {notes.map((n) => (
            <li key={n.driveId} data-note={n.kind} data-device={n.driveId}>
              <strong>{n.label}</strong> <span className="mono muted">{n.driveId}</span>: {n.text}
              {n.kind === 'replugged' && (
                <>
                  {' '}
                  <button type="button" className="btn small" onClick={() => flashAgain(n.driveId)}>
                    {t('station.flashAgain')}
                  </button>{' '}
                  <button type="button" className="btn small" onClick={() => dismiss(n.driveId)}>
                    {t('station.leave')}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
