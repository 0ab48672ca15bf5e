// Clone, step 2: which stick to copy. The plugged-in sticks are listed with what each holds (an iios stick's
// name, profile and when it was made; any other disk as a raw clone of its used part); an image file saved from
// a stick can be typed instead. An iios stick is copied whole or fresh (empty @home and @state).
import { useEffect } from 'react';
import { useWizard } from '../store/context.tsx';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { formatDate, formatDateTime } from '../../src-shared/format/date-time.ts';
import { t } from '../../src-shared/i18n/index.ts';
import { cloneSourceDrives } from '../store/selectors.ts';
import type { Drive, StickSourceView } from '../store/types.ts';
import type { StickInfoEntry } from '../store/state.ts';
import { ChooseButton } from './ChooseButton.tsx';
import { ShowAllDrives } from './ShowAllDrives.tsx';
import { StepHeading } from './StepHeading.tsx';

export function SourceStep() {
  const state = useWizard((s) => s);
  const drives = cloneSourceDrives(state);
  const devices = drives.map((d) => `${d.device}:${d.sizeBytes}`).join(',');
  const readStickInfos = state.readStickInfos;
  useEffect(() => {
    readStickInfos(devices ? devices.split(',').map((d) => d.slice(0, d.lastIndexOf(':'))) : []);
  }, [devices, readStickInfos]);
  const source = state.cloneSource;
  const typedIsDrive = drives.some((d) => d.device === state.cloneSourcePath);

  return (
    <section>
      <StepHeading title={t('clone.heading')}>{t('clone.lead')}</StepHeading>
      <ShowAllDrives />
      <ul className="drive-list" aria-label={t('clone.sourcesLabel')}>
        {!state.drivesLoaded && <li className="muted">{t('targets.looking')}</li>}
        {state.drivesLoaded && drives.length === 0 && <li className="muted">{t('clone.none')}</li>}
        {drives.map((d) => (
          <SourceRow key={d.id} drive={d} entry={state.stickInfos[d.device]} checked={state.cloneSourcePath === d.device} onChoose={() => void state.chooseCloneSource(d.device)} />
        ))}
      </ul>
      <form
        className="field"
        style={{ marginTop: 12 }}
        onSubmit={(e) => {
          e.preventDefault();
          void state.chooseCloneSource();
        }}
      >
        <label htmlFor="clone-source-path">{t('clone.fileLabel')}</label>
        <div className="row">
          <input
            id="clone-source-path"
            className="text-input grow mono"
            type="text"
            spellCheck={false}
            placeholder="/home/teacher/class-stick.img"
            value={typedIsDrive ? '' : state.cloneSourcePath}
            onChange={(e) => state.setCloneSourcePath(e.target.value)}
          />
          <ChooseButton
            request={() => ({ mode: 'open-file', title: t('update.fileTitle'), filters: [{ name: t('image.filterImages'), extensions: ['img', 'raw'] }] })}
            onPicked={([path]) => path && void state.chooseCloneSource(path)}
          />
          <button type="submit" className="btn" disabled={state.cloneSourceLoading}>
            {state.cloneSourceLoading ? t('update.reading') : t('clone.useFile')}
          </button>
        </div>
      </form>
      {state.cloneSourceError && (
        <div className="alert error" role="alert">
          <strong>{t('clone.cannot')}</strong> <span data-testid="clone-source-error">{state.cloneSourceError}</span>
        </div>
      )}
      {source && <SourceFacts source={source} />}
      {source?.iios && (
        <fieldset className="panel" style={{ marginTop: 12 }}>
          <legend>{t('clone.whatToCopy')}</legend>
          <label className="switch" style={{ display: 'flex' }}>
            <input type="radio" name="clone-kind" checked={!state.cloneFresh} onChange={() => state.setCloneFresh(false)} />
            {t('clone.full')}
          </label>
          <label className="switch" style={{ display: 'flex' }}>
            <input type="radio" name="clone-kind" checked={state.cloneFresh} onChange={() => state.setCloneFresh(true)} />
            {t('clone.fresh')}
          </label>
        </fieldset>
      )}
    </section>
  );
}

function SourceRow({ drive, entry, checked, onChoose }: { drive: Drive; entry: StickInfoEntry | undefined; checked: boolean; onChoose: () => void }) {
  const inputId = `source-${drive.id.replace(/[^A-Za-z0-9]/g, '-')}`;
  return (
    <li className={`drive${checked ? ' selected' : ''}`} data-device={drive.device}>
      <input id={inputId} type="radio" name="clone-source" checked={checked} onChange={onChoose} />
      <label htmlFor={inputId} style={{ display: 'block', minWidth: 0, cursor: 'pointer' }}>
        <div className="name">{drive.description || drive.device}</div>
        <div className="sub mono">{[drive.device, drive.busType].filter(Boolean).join(' · ')}</div>
        <div className="sub" data-testid="source-summary">{summary(entry)}</div>
      </label>
      <div className="size num">{formatBytes(drive.sizeBytes)}</div>
    </li>
  );
}

function summary(entry: StickInfoEntry | undefined): string {
  if (!entry || entry.status === 'loading') return t('update.reading');
  if (entry.status === 'error') return t('update.unreadable', { reason: entry.reason });
  const i = entry.info;
  if (i.iios) {
    const who = { name: i.iios.hostname, profile: i.iios.profile ?? '?' };
    return i.iios.createdAt ? t('clone.summaryIiosMade', { ...who, date: formatDate(new Date(i.iios.createdAt)) }) : t('clone.summaryIios', who);
  }
  if (i.partitions.length === 0) return t('clone.summaryNoTable', { size: formatBytes(i.usedBytes) });
  return t('clone.summaryRaw', { size: formatBytes(i.usedBytes) });
}

function SourceFacts({ source }: { source: StickSourceView }) {
  return (
    <div className="panel" aria-live="polite" style={{ marginTop: 12 }} data-testid="clone-source">
      <dl className="facts">
        <dt>{t('clone.fact.source')}</dt>
        <dd className="mono">{source.path}</dd>
        {source.iios ? (
          <>
            <dt>{t('clone.fact.name')}</dt>
            <dd className="mono" data-testid="source-name">{source.iios.hostname}</dd>
            <dt>{t('clone.fact.profile')}</dt>
            <dd data-testid="source-profile">{source.iios.profile}</dd>
            <dt>{t('clone.fact.made')}</dt>
            <dd className="num">{source.iios.createdAt ? formatDateTime(new Date(source.iios.createdAt)) : t('time.unknown')}</dd>
            {source.iios.clonedFrom && (
              <>
                <dt>{t('clone.fact.clonedFrom')}</dt>
                <dd className="mono">{source.iios.clonedFrom.name}</dd>
              </>
            )}
          </>
        ) : (
          <>
            <dt>{t('clone.fact.kind')}</dt>
            <dd>{t('clone.kindRaw')}</dd>
          </>
        )}
        <dt>{source.iios ? t('clone.fact.size') : t('clone.fact.copied')}</dt>
        <dd className="num">{source.iios ? formatBytes(source.sizeBytes) : t('clone.copiedOf', { used: formatBytes(source.usedBytes), size: formatBytes(source.sizeBytes) })}</dd>
      </dl>
      <p className="muted">{source.iios ? t('clone.noteIios', { profile: source.iios.profile ?? '?' }) : t('clone.noteRaw', { size: formatBytes(source.usedBytes) })}</p>
    </div>
  );
}
