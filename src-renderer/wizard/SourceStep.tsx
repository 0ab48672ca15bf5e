// Clone, step 2: which stick to copy. The plugged-in sticks are listed with what each holds (an iios stick's
// name, profile and when it was made; any other disk as a raw clone of its used part); an image file saved from
// a stick can be typed instead. An iios stick is copied whole or fresh (empty @home and @state).
import { useEffect } from 'react';
import { useWizard } from '../store/context.tsx';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { cloneSourceDrives } from '../store/selectors.ts';
import type { Drive, StickSourceView } from '../store/types.ts';
import type { StickInfoEntry } from '../store/state.ts';
import { ChooseButton } from './ChooseButton.tsx';
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
      <StepHeading title="Which stick to clone?">Nothing is written to it: it is only read.</StepHeading>
      <label className="switch" style={{ marginBottom: 8, display: 'flex' }}>
        <input type="checkbox" checked={state.showAllDrives} onChange={(e) => state.setShowAllDrives(e.target.checked)} />
        Show all drives
      </label>
      <ul className="drive-list" aria-label="Source sticks">
        {!state.drivesLoaded && <li className="muted">Looking for drives…</li>}
        {state.drivesLoaded && drives.length === 0 && <li className="muted">No stick found. Plug in the stick to clone; it appears here within two seconds.</li>}
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
        <label htmlFor="clone-source-path">Or an image file saved from a stick</label>
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
            request={() => ({ mode: 'open-file', title: 'Choose a stick image', filters: [{ name: 'Disk images', extensions: ['img', 'raw'] }] })}
            onPicked={([path]) => path && void state.chooseCloneSource(path)}
          />
          <button type="submit" className="btn" disabled={state.cloneSourceLoading}>
            {state.cloneSourceLoading ? 'Reading…' : 'Use this file'}
          </button>
        </div>
      </form>
      {state.cloneSourceError && (
        <div className="alert error" role="alert">
          <strong>This source cannot be cloned.</strong> <span data-testid="clone-source-error">{state.cloneSourceError}</span>
        </div>
      )}
      {source && <SourceFacts source={source} />}
      {source?.iios && (
        <fieldset className="panel" style={{ marginTop: 12 }}>
          <legend>What to copy</legend>
          <label className="switch" style={{ display: 'flex' }}>
            <input type="radio" name="clone-kind" checked={!state.cloneFresh} onChange={() => state.setCloneFresh(false)} />
            Full copy: everything the stick holds, its users' files and changes included
          </label>
          <label className="switch" style={{ display: 'flex' }}>
            <input type="radio" name="clone-kind" checked={state.cloneFresh} onChange={() => state.setCloneFresh(true)} />
            Fresh: the same system, bundles and caches, with empty home and state (a stick as new)
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
  if (!entry || entry.status === 'loading') return 'Reading…';
  if (entry.status === 'error') return `Cannot be read: ${entry.reason}`;
  const i = entry.info;
  if (i.iios) return `iios stick "${i.iios.hostname}" (${i.iios.profile})${i.iios.createdAt ? `, made ${i.iios.createdAt.slice(0, 10)}` : ''}`;
  if (i.partitions.length === 0) return `no partition table: raw clone of the whole disk, ${formatBytes(i.usedBytes)}`;
  return `not an iios stick: raw clone, ${formatBytes(i.usedBytes)} used`;
}

function SourceFacts({ source }: { source: StickSourceView }) {
  return (
    <div className="panel" aria-live="polite" style={{ marginTop: 12 }} data-testid="clone-source">
      <dl className="facts">
        <dt>Source</dt>
        <dd className="mono">{source.path}</dd>
        {source.iios ? (
          <>
            <dt>Name</dt>
            <dd className="mono" data-testid="source-name">{source.iios.hostname}</dd>
            <dt>Profile</dt>
            <dd data-testid="source-profile">{source.iios.profile}</dd>
            <dt>Made</dt>
            <dd className="num">{source.iios.createdAt ?? 'unknown'}</dd>
            {source.iios.clonedFrom && (
              <>
                <dt>Cloned from</dt>
                <dd className="mono">{source.iios.clonedFrom.name}</dd>
              </>
            )}
          </>
        ) : (
          <>
            <dt>Kind</dt>
            <dd>not an iios stick: raw clone</dd>
          </>
        )}
        <dt>{source.iios ? 'Size' : 'Copied'}</dt>
        <dd className="num">{source.iios ? formatBytes(source.sizeBytes) : `${formatBytes(source.usedBytes)} of ${formatBytes(source.sizeBytes)}`}</dd>
      </dl>
      <p className="muted">{source.note}.</p>
    </div>
  );
}
