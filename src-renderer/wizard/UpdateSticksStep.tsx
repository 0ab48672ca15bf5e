// Update, step 2: which iios sticks get the new system. Every plugged-in stick is read (as `iios inspect` reads
// it) and listed with its name, profile and what each A/B slot holds; a stick that cannot take an update says
// why and cannot be ticked. An image file saved from a stick can be added by its path.
import { useEffect, useState } from 'react';
import { t } from '../../src-shared/i18n/index.ts';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import type { StickAb } from '../../src-shared/contract/domains/sticks.ts';
import { useWizard } from '../store/context.tsx';
import { payloadable, stickFits, updatable, updateCandidates, type UpdateCandidate } from '../store/update-view.ts';
import type { WizardMode } from '../store/modes.ts';
import { ChooseButton } from './ChooseButton.tsx';
import { ShowAllDrives } from './ShowAllDrives.tsx';
import { StepHeading } from './StepHeading.tsx';

export function UpdateSticksStep() {
  const state = useWizard((s) => s);
  const candidates = updateCandidates(state);
  const devices = candidates
    .filter((c) => c.drive)
    .map((c) => `${c.path}:${c.drive!.sizeBytes}`)
    .join(',');
  const readStickInfos = state.readStickInfos;
  useEffect(() => {
    readStickInfos(devices ? devices.split(',').map((d) => d.slice(0, d.lastIndexOf(':'))) : []);
  }, [devices, readStickInfos]);
  const [file, setFile] = useState('');

  return (
    <section>
      {state.mode === 'payload' ? (
        <StepHeading title={t('payload.sticksHeading')}>{t('payload.sticksLead')}</StepHeading>
      ) : (
        <StepHeading title={t('update.sticksHeading')}>{t('update.sticksLead')}</StepHeading>
      )}
      <ShowAllDrives />
      <ul className="drive-list" aria-label={t('update.listLabel')}>
        {!state.drivesLoaded && <li className="muted">{t('targets.looking')}</li>}
        {state.drivesLoaded && candidates.length === 0 && <li className="muted">{t('update.none')}</li>}
        {candidates.map((c) => (
          <StickRow key={c.path} mode={state.mode} candidate={c} checked={state.updateTargets.includes(c.path)} onToggle={(on) => state.toggleUpdateTarget(c.path, on)} />
        ))}
      </ul>
      <form
        className="field"
        style={{ marginTop: 12 }}
        onSubmit={(e) => {
          e.preventDefault();
          state.addUpdateFile(file);
          setFile('');
        }}
      >
        <label htmlFor="update-file-path">{t('update.fileLabel')}</label>
        <div className="row">
          <input
            id="update-file-path"
            className="text-input grow mono"
            type="text"
            spellCheck={false}
            placeholder={t('update.filePlaceholder')}
            value={file}
            onChange={(e) => setFile(e.target.value)}
          />
          <ChooseButton
            request={() => ({ mode: 'open-file', title: t('update.fileTitle'), filters: [{ name: t('targets.saveFilter'), extensions: ['img', 'raw'] }] })}
            onPicked={([path]) => path && state.addUpdateFile(path)}
          />
          <button type="submit" className="btn" disabled={!file.trim().startsWith('/')}>
            {t('update.addFile')}
          </button>
        </div>
      </form>
    </section>
  );
}

function StickRow({ mode, candidate, checked, onToggle }: { mode: WizardMode; candidate: UpdateCandidate; checked: boolean; onToggle: (on: boolean) => void }) {
  const u = stickFits(mode, candidate.entry);
  const ab = updatable(candidate.entry);
  const kiosk = payloadable(candidate.entry);
  const loading = !candidate.entry || candidate.entry.status === 'loading';
  const inputId = `update-${candidate.path.replace(/[^A-Za-z0-9]/g, '-')}`;
  const size = candidate.drive?.sizeBytes ?? (candidate.entry?.status === 'ok' ? candidate.entry.info.sizeBytes : null);
  return (
    <li className={`drive${checked && u.ok ? ' selected' : ''}${u.ok || loading ? '' : ' disabled'}`} data-device={candidate.path}>
      <input id={inputId} type="checkbox" checked={checked && u.ok} disabled={!u.ok} onChange={(e) => onToggle(e.target.checked)} />
      <label htmlFor={inputId} style={{ display: 'block', minWidth: 0, cursor: u.ok ? 'pointer' : 'default' }}>
        <div className="name">{candidate.label}</div>
        <div className="sub mono">{[candidate.path, candidate.drive?.busType].filter(Boolean).join(' · ')}</div>
        {u.ok && candidate.entry?.status === 'ok' ? (
          <>
            <div className="sub" data-testid="stick-summary">
              {t('update.stickSummary', { name: candidate.entry.info.iios!.hostname, profile: candidate.entry.info.iios!.profile })}
            </div>
            {mode === 'payload' && kiosk.ok ? <PayloadLine payload={kiosk.payload} /> : ab.ok && <SlotLines ab={ab.ab} />}
          </>
        ) : (
          <div className={loading ? 'sub' : 'reason'} data-testid="stick-summary">
            {!u.ok && u.reason}
          </div>
        )}
      </label>
      <div className="size num">{size !== null ? formatBytes(size) : ''}</div>
    </li>
  );
}

/** A kiosk stick's payload now: its files and the partition's size. */
function PayloadLine({ payload }: { payload: { sizeBytes: number; files: { path: string; sizeBytes: number }[] } }) {
  const files = payload.files.map((f) => `${f.path.split('/').pop()} (${formatBytes(f.sizeBytes)})`).join(', ');
  return (
    <div className="sub" data-testid="payload-now">
      {payload.files.length ? t('payload.now', { files, size: formatBytes(payload.sizeBytes) }) : t('payload.nowEmpty', { size: formatBytes(payload.sizeBytes) })}
    </div>
  );
}

/** Each slot as `iios inspect` shows it: version and state, and an update that did not finish. */
export function SlotLines({ ab }: { ab: StickAb }) {
  return (
    <ul className="slot-lines" data-testid="slot-lines">
      {ab.slots.map((x) => (
        <li key={x.slot} data-slot={x.slot} data-state={x.state}>
          {x.version ? t('update.slotLine', { slot: x.slot.toUpperCase(), version: x.version, state: slotState(x.state) }) : t('update.slotEmpty', { slot: x.slot.toUpperCase() })}
        </li>
      ))}
      {ab.interrupted && <li className="reason">{t('update.interrupted', { version: ab.interrupted.version, slot: ab.interrupted.slot.toUpperCase(), active: ab.active.toUpperCase() })}</li>}
    </ul>
  );
}

export function slotState(state: StickAb['slots'][number]['state']): string {
  switch (state) {
    case 'active':
      return t('update.state.active');
    case 'pending':
      return t('update.state.pending');
    case 'bad':
      return t('update.state.bad');
    case 'incomplete':
      return t('update.state.incomplete');
    case 'fallback':
      return t('update.state.fallback');
  }
}
