// Step 3: where to write. The live drive list (sticks appear and vanish as they are plugged in and pulled),
// several at once. System drives and loop devices only show under "show all drives"; drives that cannot be
// written are disabled with the reason beside them. An image file can be a target too (typed, or chosen with
// the desktop's save dialog in the app, which suggests and enforces the .img name).
import { useEffect, useState } from 'react';
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { driveVerdict, visibleDrives } from '../store/selectors.ts';
import { IMAGE_FILE_KEY } from '../store/selection-slice.ts';
import type { Drive } from '../store/types.ts';
import { ChooseButton } from './ChooseButton.tsx';
import { DriveBadges } from './DriveBadges.tsx';
import { driveDistinction, driveMake, driveName } from '../../src-shared/drives/drive-label.ts';
import { PlaceName } from './PlaceName.tsx';
import { StepHeading } from './StepHeading.tsx';

const GB = 1000 ** 3;

export function TargetsStep() {
  const state = useWizard((s) => s);
  const drives = visibleDrives(state);
  const hidden = state.drives.length - drives.length;
  const img = state.imageTarget;
  const imgPlan = state.plans[IMAGE_FILE_KEY];

  return (
    <section>
      <StepHeading title={t('targets.heading')}>{t('targets.lead')}</StepHeading>
      <div className="row" style={{ marginBottom: 8 }}>
        <label className="switch">
          <input type="checkbox" checked={state.showAllDrives} onChange={(e) => state.setShowAllDrives(e.target.checked)} />
          {t('targets.showAll')}
        </label>
        <span className="muted grow" aria-live="polite">
          {hidden > 0 && !state.showAllDrives ? t('targets.hidden', { count: hidden }) : ''}
        </span>
        <SelectAllNone drives={drives} />
      </div>
      {state.drivesError && (
        <div className="alert error" role="alert">
          <strong>{t('targets.listFailed')}</strong> {state.drivesError}
        </div>
      )}
      <ul className="drive-list" aria-label={t('targets.listLabel')}>
        {!state.drivesLoaded && <li className="muted">{t('targets.looking')}</li>}
        {state.drivesLoaded && drives.length === 0 && <li className="muted">{t('targets.none')}</li>}
        {drives.map((d) => (
          <DriveRow key={d.id} drive={d} />
        ))}
      </ul>
      <StationSwitch />
      <div className={`drive image-target${img.enabled ? ' selected' : ''}`}>
        <input id="image-file-on" type="checkbox" checked={img.enabled} onChange={(e) => state.setImageTarget({ enabled: e.target.checked })} />
        <div style={{ minWidth: 0 }}>
          <label htmlFor="image-file-on" className="name" style={{ cursor: 'pointer' }}>
            {t('targets.imageFile')}
          </label>
          {img.enabled && (
            <>
              <div className="row">
                <label htmlFor="image-file-path" className="sr-only">
                  {t('targets.imagePath')}
                </label>
                <input
                  id="image-file-path"
                  className="text-input mono"
                  type="text"
                  spellCheck={false}
                  placeholder={t('targets.imagePlaceholder')}
                  value={img.path}
                  onChange={(e) => state.setImageTarget({ path: e.target.value })}
                />
                <ChooseButton
                  request={() => ({
                    mode: 'save-file',
                    title: t('targets.saveTitle'),
                    filters: [{ name: t('targets.saveFilter'), extensions: ['img'] }],
                    defaultPath: img.path.trim().startsWith('/') ? img.path.trim() : `iios-${state.profileId ?? 'stick'}.img`,
                  })}
                  onPicked={([path]) => path && state.setImageTarget({ path })}
                />
                <label htmlFor="image-file-size">{t('targets.sizeGb')}</label>
                <SizeField bytes={img.sizeBytes} onChange={(sizeBytes) => state.setImageTarget({ sizeBytes })} />
              </div>
              <div className="sub">{t('targets.sparse')}</div>
              <ImageFolderSays />
              {imgPlan?.status === 'error' && (
                <div className="reason" role="alert">
                  {imgPlan.minBytes ? t('targets.imageTooSmall', { size: formatBytes(imgPlan.minBytes) }) : imgPlan.reason}
                </div>
              )}
            </>
          )}
        </div>
        <div className="size num">{img.enabled ? formatBytes(img.sizeBytes) : ''}</div>
      </div>
    </section>
  );
}

/** How often a folder that stood in the way is looked at again (the user may make it in another window). */
const RECHECK_MS = 2000;

/** What the services found about the image file's folder: what stops the write (and what to do), or a notice. */
function ImageFolderSays() {
  const entry = useWizard((s) => s.imageFolder);
  const check = useWizard((s) => s.checkImageFolder);
  const problem = entry?.status === 'done' ? entry.problem : null;
  useEffect(() => {
    if (!problem) return;
    const timer = setInterval(() => void check(true), RECHECK_MS);
    return () => clearInterval(timer);
  }, [problem, check]);
  if (entry?.status !== 'done') return null;
  if (problem) {
    return (
      <div className="reason image-folder-problem" role="alert">
        {problem}
      </div>
    );
  }
  return entry.notice ? <div className="sub image-folder-notice">{entry.notice}</div> : null;
}

/** Whole gigabytes; the text is the user's while typing (an empty field is allowed on the way to a number). */
function SizeField({ bytes, onChange }: { bytes: number; onChange: (bytes: number) => void }) {
  const [text, setText] = useState(String(Math.round(bytes / GB)));
  return (
    <input
      id="image-file-size"
      className="text-input size-input num"
      type="number"
      min={1}
      step={1}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        const gb = Number(e.target.value);
        if (e.target.value !== '' && Number.isInteger(gb) && gb > 0) onChange(gb * GB);
      }}
    />
  );
}

function DriveRow({ drive }: { drive: Drive }) {
  const state = useWizard((s) => s);
  const verdict = driveVerdict(drive, state);
  const checked = state.selectedDrives.includes(drive.id);
  const inputId = `drive-${drive.id.replace(/[^A-Za-z0-9]/g, '-')}`;
  const reasonId = `${inputId}-reason`;
  const sub = [driveDistinction(drive), drive.device, drive.busType, drive.backingFile ? t('targets.over', { file: drive.backingFile }) : null].filter(Boolean).join(' · ');
  const mounted = drive.mountpoints.length > 0 && !drive.system;
  return (
    <li className={`drive${checked ? ' selected' : ''}${verdict.selectable ? '' : ' disabled'}`} data-device={drive.device} data-system={drive.system ? 'true' : 'false'}>
      <input
        id={inputId}
        type="checkbox"
        checked={checked && verdict.selectable}
        disabled={!verdict.selectable}
        aria-describedby={verdict.reason ? reasonId : undefined}
        onChange={(e) => state.toggleDrive(drive.id, e.target.checked)}
      />
      <div style={{ minWidth: 0 }}>
      <label htmlFor={inputId} style={{ display: 'block', minWidth: 0, cursor: verdict.selectable ? 'pointer' : 'not-allowed' }}>
        <div className="name">
          {driveMake(drive)}
          <DriveBadges badges={verdict.badges} />
        </div>
        <div className="sub mono">{sub}</div>
        {verdict.reason && (
          <div className="reason drive-reason" id={reasonId}>
            {verdict.reason}
          </div>
        )}
        {state.unmountError[drive.id] && <div className="reason" role="alert">{t('targets.unmountFailed', { error: state.unmountError[drive.id]! })}</div>}
      </label>
      {/* where it is plugged in, by the name the teacher gave that port (the raw port stays in the line above) */}
      <PlaceName drive={drive} label={driveName(drive)} />
      </div>
      <div className="size num">
        <div>{formatBytes(drive.sizeBytes)}</div>
        {mounted && (
          <button type="button" className="btn small" onClick={() => void state.unmountDrive(drive.id)} aria-label={t('targets.unmountLabel', { label: driveName(drive) })}>
            {t('targets.unmount')}
          </button>
        )}
      </div>
    </li>
  );
}

/** Ticks every drive that can be chosen, or none. */
function SelectAllNone({ drives }: { drives: Drive[] }) {
  const state = useWizard((s) => s);
  const selectable = drives.filter((d) => driveVerdict(d, state).selectable).map((d) => d.id);
  return (
    <span className="row" role="group" aria-label={t('targets.selectGroup')}>
      <button type="button" className="btn small" disabled={selectable.length === 0} onClick={() => state.selectDrives(selectable)}>
        {t('targets.selectAll')}
      </button>
      <button type="button" className="btn small" disabled={state.selectedDrives.length === 0} onClick={() => state.selectDrives([])}>
        {t('targets.selectNone')}
      </button>
    </span>
  );
}

/** Station mode: after the first confirmation every new stick that passes the checks is flashed with the next name. */
function StationSwitch() {
  const wanted = useWizard((s) => s.stationWanted);
  const setWanted = useWizard((s) => s.setStationWanted);
  return (
    <div className="panel station-switch">
      <label className="switch">
        <input type="checkbox" checked={wanted} onChange={(e) => setWanted(e.target.checked)} />
        {t('station.switch')}
      </label>
      <div className="sub muted">{t('station.switchHelp')}</div>
    </div>
  );
}
