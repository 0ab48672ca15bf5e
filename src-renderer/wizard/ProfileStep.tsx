// Step 1: what kind of stick. One card per profile saying what it is for in plain words, a to-scale picture of
// its layout on a 16 GB stick (with the chosen bundle), and one marked as the usual choice. The cards are a
// radio group: one tab stop, the arrow keys move and choose. The technical layout of the chosen profile opens
// on demand below.
import { useRef } from 'react';
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { PREVIEW_BYTES } from '../store/plans-slice.ts';
import { LayoutBar } from './LayoutBar.tsx';
import { profileWords, USUAL_PROFILE } from './profile-words.ts';
import { arrowTarget } from './roving-focus.ts';
import { StepHeading } from './StepHeading.tsx';

export function ProfileStep() {
  const profiles = useWizard((s) => s.profiles);
  const profilesError = useWizard((s) => s.profilesError);
  const profileId = useWizard((s) => s.profileId);
  const previews = useWizard((s) => s.previews);
  const chooseProfile = useWizard((s) => s.chooseProfile);
  const cards = useRef<(HTMLButtonElement | null)[]>([]);
  const chosenIndex = profiles.findIndex((p) => p.id === profileId);
  // the group's one tab stop: the chosen card, or the first while none is chosen
  const tabStop = chosenIndex === -1 ? 0 : chosenIndex;
  const chosen = chosenIndex === -1 ? null : profiles[chosenIndex]!;

  const onKeyDown = (e: React.KeyboardEvent, index: number) => {
    const to = arrowTarget(e.key, index, profiles.length);
    if (to === null) return;
    e.preventDefault();
    chooseProfile(profiles[to]!.id);
    cards.current[to]?.focus();
  };

  return (
    <section>
      <StepHeading title={t('profile.heading')}>{t('profile.lead', { size: formatBytes(PREVIEW_BYTES) })}</StepHeading>
      {profilesError && (
        <div className="alert error" role="alert">
          <strong>{t('profile.loadFailed')}</strong> {profilesError}
          <div className="todo">{t('profile.loadFailedTodo')}</div>
        </div>
      )}
      {!profilesError && profiles.length === 0 && <p className="muted">{t('profile.loading')}</p>}
      <div className="cards" role="radiogroup" aria-label={t('profile.groupLabel')}>
        {profiles.map((p, i) => {
          const preview = previews[p.id];
          const words = profileWords(p);
          const descId = `profile-${p.id}-desc`;
          return (
            <button
              key={p.id}
              ref={(el) => {
                cards.current[i] = el;
              }}
              type="button"
              role="radio"
              aria-checked={p.id === profileId}
              aria-describedby={descId}
              tabIndex={i === tabStop ? 0 : -1}
              className="card"
              data-profile={p.id}
              onClick={() => chooseProfile(p.id)}
              onKeyDown={(e) => onKeyDown(e, i)}
            >
              <span className="card-title">
                {words.title}
                {p.id === USUAL_PROFILE && <span className="badge info usual">{t('profile.usual')}</span>}
              </span>
              <span className="card-desc" id={descId}>
                {words.purpose ?? words.layout}
              </span>
              {preview?.status === 'ok' ? (
                <LayoutBar plan={preview.plan} small legend />
              ) : (
                <span className="muted">
                  {p.source === 'image'
                    ? t('profile.layoutFollowsImage')
                    : preview?.status === 'error'
                      ? t('profile.noPicture', { reason: preview.reason })
                      : t('profile.workingOut')}
                </span>
              )}
            </button>
          );
        })}
      </div>
      {chosen && profileWords(chosen).purpose && (
        <details className="technical" data-testid="technical-layout">
          <summary>{t('profile.technical', { title: profileWords(chosen).title })}</summary>
          <p>{profileWords(chosen).layout}</p>
        </details>
      )}
    </section>
  );
}
