// Update, review: per stick, which slot gets the new system and which stays as the fallback
// ("A: 1.0 (active) → B: 1.1 (will boot next)"), and whether it fits that slot — if not, the size it needs and
// that only writing the stick again with a larger slot makes room. Nothing is erased, so one button starts it.
import { useState } from 'react';
import { t } from '../../src-shared/i18n/index.ts';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { useWizard } from '../store/context.tsx';
import { chosenUpdateSticks, payloadable, stickUpdatePlan, updatable, updateContent, type StickUpdatePlan } from '../store/update-view.ts';
import { StepHeading } from './StepHeading.tsx';

/** Replace payload, review: the stick, what its payload holds now and the files that replace it all. */
export function PayloadReview() {
  const state = useWizard((s) => s);
  const [starting, setStarting] = useState(false);
  const sticks = chosenUpdateSticks(state);
  const stick = sticks.length === 1 ? sticks[0]! : null;
  const kiosk = stick ? payloadable(stick.entry) : null;
  const start = async () => {
    setStarting(true);
    await state.startFlash();
    setStarting(false);
  };
  return (
    <section>
      <StepHeading title={t('review.heading')}>{t('payload.reviewLead', { count: state.payload.length })}</StepHeading>
      {stick && (
        <div className="panel review-target" data-review-target={stick.path}>
          <h3>
            <span>{stick.label}</span>
            <span className="mono muted">{stick.path}</span>
            {kiosk?.ok && <span className="mono">{kiosk.info.iios!.hostname}</span>}
          </h3>
          {kiosk?.ok && (
            <p className="muted" data-testid="payload-replaced">
              {t('payload.replaces', { count: kiosk.payload.files.length, size: formatBytes(kiosk.payload.sizeBytes) })}
            </p>
          )}
          <ul className="file-list" data-testid="payload-new">
            {state.payload.map((p) => (
              <li key={p} className="mono">
                {p}
              </li>
            ))}
          </ul>
          <p className="muted">{t('payload.keeps')}</p>
        </div>
      )}
      {state.flashError && (
        <div className="alert error" role="alert">
          <strong>{t('payload.didNotStart')}</strong> {state.flashError}
          <div className="todo">{t('review.fixTodo')}</div>
        </div>
      )}
      <div className="confirm panel">
        <button type="button" className="btn primary" disabled={!kiosk?.ok || state.payload.length === 0 || starting} onClick={() => void start()}>
          {t('payload.start')}
        </button>
      </div>
    </section>
  );
}

export function UpdateReview() {
  const state = useWizard((s) => s);
  const [starting, setStarting] = useState(false);
  const content = updateContent(state.updateSource);
  const sticks = chosenUpdateSticks(state).map((c) => {
    const u = updatable(c.entry);
    return { c, u, plan: u.ok && content ? stickUpdatePlan(u.ab, content) : null };
  });
  const count = sticks.length;
  const blocked = !content || sticks.some((x) => !x.u.ok || x.plan?.fit?.fits === false);

  const start = async () => {
    setStarting(true);
    await state.startFlash();
    setStarting(false);
  };

  return (
    <section>
      <StepHeading title={t('review.heading')}>{content ? t('update.reviewLead', { name: content.name, version: content.version, count }) : ''}</StepHeading>
      {sticks.map(({ c, u, plan }) => (
        <div key={c.path} className="panel review-target" data-review-target={c.path}>
          <h3>
            <span>{c.label}</span>
            <span className="mono muted">{c.path}</span>
            {u.ok && <span className="mono">{u.info.iios!.hostname}</span>}
          </h3>
          {!u.ok && <p className="reason">{u.reason}</p>}
          {plan && content && <StickChange plan={plan} version={content.version} />}
        </div>
      ))}
      {state.flashError && (
        <div className="alert error" role="alert">
          <strong>{t('update.didNotStart')}</strong> {state.flashError}
          <div className="todo">{t('review.fixTodo')}</div>
        </div>
      )}
      <div className="confirm panel">
        <button type="button" className="btn primary" disabled={blocked || starting || count === 0} onClick={() => void start()}>
          {t('update.start', { count })}
        </button>
        {blocked && count > 0 && <span className="muted">{t('update.blocked')}</span>}
      </div>
    </section>
  );
}

function StickChange({ plan, version }: { plan: StickUpdatePlan; version: string }) {
  const { active, inactive, fit } = plan;
  if (!active || !inactive) return null;
  const from = active.slot.toUpperCase();
  const to = inactive.slot.toUpperCase();
  return (
    <>
      <p className="slot-change" data-testid="slot-change">
        {t('update.change', { from, fromVersion: active.version ?? '—', to, toVersion: version })}
      </p>
      {fit === null ? (
        <p className="muted">{t('update.sizeUnknown', { slot: to, room: formatBytes(inactive.rootBytes) })}</p>
      ) : fit.fits ? (
        <p className="muted" data-testid="fit">
          {t('update.fits', { slot: to, room: formatBytes(fit.room.rootBytes), size: formatBytes(fit.rootfsBytes) })}
        </p>
      ) : (
        <p className="reason" role="alert" data-testid="fit">
          {t('update.noFit', {
            slot: to,
            room: formatBytes(fit.room.rootBytes),
            verityRoom: formatBytes(fit.room.verityBytes),
            needed: formatBytes(fit.neededRootBytes),
            verityNeeded: formatBytes(fit.neededVerityBytes),
          })}
        </p>
      )}
      <p className="muted">{t('update.keeps', { slot: from, version: active.version ?? '—' })}</p>
    </>
  );
}
