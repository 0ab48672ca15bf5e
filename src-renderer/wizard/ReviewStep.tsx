// Step 5: the last look before erasing. Each target's layout to scale, what will be erased where, and a
// deliberate confirmation: type the number of targets, then press the erase button.
import { useState } from 'react';
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { chosenCacheSet } from '../store/cache-selectors.ts';
import { chosenTargets, currentProfile, targetNames, type ChosenTarget } from '../store/selectors.ts';
import { sourceLocation } from '../store/selection-slice.ts';
import { expandName } from '../../src-shared/job/names.ts';
import { LayoutBar } from './LayoutBar.tsx';
import { profileWords } from './profile-words.ts';
import { Rich } from '../i18n/Rich.tsx';
import type { PlanView, StickSourceView } from '../store/types.ts';
import { StepHeading } from './StepHeading.tsx';
import { PayloadReview, UpdateReview } from './UpdateReview.tsx';

export function ReviewStep() {
  const mode = useWizard((s) => s.mode);
  return mode === 'update' ? <UpdateReview /> : mode === 'payload' ? <PayloadReview /> : <WriteReview />;
}

function WriteReview() {
  const state = useWizard((s) => s);
  const targets = chosenTargets(state);
  const names = targetNames(state);
  const profile = currentProfile(state);
  const [typed, setTyped] = useState('');
  const [starting, setStarting] = useState(false);
  const count = targets.length;
  const confirmed = typed.trim() === String(count);
  const clone = state.mode === 'clone' ? state.cloneSource : null;
  const cacheSet = chosenCacheSet(state);

  const start = async () => {
    setStarting(true);
    await (state.stationWanted ? state.startStation() : state.startFlash());
    setStarting(false);
  };

  return (
    <section>
      {clone ? (
        <>
          <StepHeading title={t('review.heading')}>
            <Rich
              k={state.cloneFresh ? 'review.cloneFreshLead' : 'review.cloneFullLead'}
              vars={{ source: <span className="mono">{clone.iios ? clone.iios.hostname : clone.path}</span>, count }}
            />
          </StepHeading>
          <div className="panel review-target review-source" data-review-source={clone.path}>
            <h3>
              <span>{t('review.cloneSource')}</span>
              <span className="mono muted">{clone.path}</span>
              <span className="num muted">{formatBytes(clone.sizeBytes)}</span>
            </h3>
            <LayoutBar plan={sourceLayout(clone)} legend />
            <p className="muted">{clone.note}.</p>
          </div>
        </>
      ) : (
        <StepHeading title={t('review.heading')}>
          <Rich
            k="review.lead"
            vars={{ profile: profile ? profileWords(profile).title : '—', source: <span className="mono">{state.source ? sourceLocation(state.source) : '—'}</span>, count }}
          />
        </StepHeading>
      )}
      {!clone && cacheSet && (
        <p className="review-caches" data-testid="review-cache-set">
          {t('review.cacheSet', { set: cacheSet.title, size: formatBytes(cacheSet.builtBytes), kinds: cacheSet.kinds.map((k) => k.kind).join(', ') })}
        </p>
      )}
      {targets.map((target, i) => (
        <div key={target.key} className="panel review-target" data-review-target={target.path}>
          <h3>
            <span>{target.label}</span>
            <span className="mono muted">{target.path}</span>
            <span className="num muted">{formatBytes(target.sizeBytes)}</span>
            <span className="muted">{t('review.toName')}</span>
            <span className="mono">{names.ok ? names.names[i] : '—'}</span>
          </h3>
          {target.plan && !clone ? (
            <LayoutBar plan={target.plan} legend />
          ) : (
            <p className="muted">{clone ? (clone.iios ? t('review.cloneOwnSize') : t('review.cloneRaw')) : t('review.noLayout')}</p>
          )}
          <p className="erase">{eraseText(target)}</p>
        </div>
      ))}
      {state.flashError && (
        <div className="alert error" role="alert">
          <strong>{clone ? t('review.cloneDidNotStart') : t('review.didNotStart')}</strong> {state.flashError}
          <div className="todo">{t('review.fixTodo')}</div>
        </div>
      )}
      {state.stationWanted && (
        <div className="panel station-review" data-testid="station-review">
          <Rich
            k={count === 0 ? 'station.reviewNone' : 'station.reviewAfter'}
            vars={{ name: <span className="mono">{stationFirstName(state.namePattern, state.firstNumber + count)}</span> }}
          />
        </div>
      )}
      <div className="confirm panel">
        <label htmlFor="confirm-count">
          <Rich k="review.confirmLabel" vars={{ count: <strong className="num">{count}</strong> }} />
        </label>
        <input
          id="confirm-count"
          className="text-input count num"
          type="text"
          inputMode="numeric"
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && confirmed && !starting) void start();
          }}
        />
        <button type="button" className="btn danger" disabled={!confirmed || starting || (count === 0 && (clone !== null || !state.stationWanted))} onClick={() => void start()}>
          {state.stationWanted ? (count === 0 ? t('station.start') : t('station.eraseThenKeep', { count })) : clone ? t('review.eraseClone', { count }) : t('review.erase', { count })}
        </button>
      </div>
    </section>
  );
}

function eraseText(target: ChosenTarget): string {
  if (target.kind === 'image-file') return t('review.eraseFile', { path: target.path, size: formatBytes(target.sizeBytes) });
  const d = target.drive;
  const what = { path: target.path, label: target.label, size: formatBytes(target.sizeBytes) };
  if (d && d.mountpoints.length > 0) return t('review.eraseDeviceMounted', { ...what, mounts: d.mountpoints.map((m) => m.path).join(', ') });
  return t('review.eraseDevice', what);
}

function stationFirstName(pattern: string, n: number): string {
  try {
    return expandName(pattern.trim(), n);
  } catch {
    return '—';
  }
}

/** The source stick's partitions as a picture (their roles read from the names iios gives them). */
function sourceLayout(source: StickSourceView): PlanView {
  return {
    diskBytes: source.sizeBytes,
    partitions: source.partitions.map((p) => ({
      index: p.index,
      role: p.name.toLowerCase().replace(/^iios-/, ''),
      name: p.name || `partition ${p.index}`,
      startBytes: p.startBytes,
      sizeBytes: p.sizeBytes,
      filesystem: '',
      readOnly: false,
    })),
  };
}
