// Step 1: what kind of stick. One card per built-in profile: its title, one line on what it makes, and a
// to-scale picture of its layout on a 16 GiB stick (with the chosen bundle).
import { useWizard } from '../store/context.tsx';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { PREVIEW_BYTES } from '../store/plans-slice.ts';
import { LayoutBar } from './LayoutBar.tsx';
import { StepHeading } from './StepHeading.tsx';

export function ProfileStep() {
  const profiles = useWizard((s) => s.profiles);
  const profilesError = useWizard((s) => s.profilesError);
  const profileId = useWizard((s) => s.profileId);
  const previews = useWizard((s) => s.previews);
  const chooseProfile = useWizard((s) => s.chooseProfile);

  return (
    <section aria-labelledby="step-profile">
      <StepHeading title="What kind of stick?">Pick a profile. Pictures show the layout on a {formatBytes(PREVIEW_BYTES)} stick.</StepHeading>
      {profilesError && (
        <div className="alert error" role="alert">
          <strong>The profiles could not be loaded.</strong> {profilesError}
          <div className="todo">Restart iios; if it happens again, reinstall it.</div>
        </div>
      )}
      {!profilesError && profiles.length === 0 && <p className="muted">Loading profiles…</p>}
      <div className="cards" role="radiogroup" aria-label="Profiles">
        {profiles.map((p) => {
          const preview = previews[p.id];
          return (
            <button
              key={p.id}
              type="button"
              role="radio"
              aria-checked={p.id === profileId}
              className="card"
              data-profile={p.id}
              onClick={() => chooseProfile(p.id)}
            >
              <span className="card-title">{p.title}</span>
              <span className="card-desc">{p.description}</span>
              {preview?.status === 'ok' ? (
                <LayoutBar plan={preview.plan} small legend />
              ) : (
                <span className="muted">
                  {p.source === 'image' ? 'Layout follows the disk image you choose.' : preview?.status === 'error' ? `No picture: ${preview.reason}` : 'Working out the layout…'}
                </span>
              )}
            </button>
          );
        })}
      </div>
    </section>
  );
}
