// Step 4: names (one per stick from a pattern, previewed per target), kiosk payload files, offline caches; a
// clone's names only (the rest comes from its source).
import { useState } from 'react';
import { useWizard } from '../store/context.tsx';
import { chosenTargets, currentProfile, targetNames } from '../store/selectors.ts';
import { formatBytes } from '../../src-shared/format/bytes.ts';
import { ChooseButton } from './ChooseButton.tsx';
import { StepHeading } from './StepHeading.tsx';

export function OptionsStep() {
  const state = useWizard((s) => s);
  // A clone takes its profile, payload and caches from the source stick: only the names are chosen here.
  const cloning = state.mode === 'clone';
  const profile = cloning ? null : currentProfile(state);
  const targets = chosenTargets(state);
  const names = targetNames(state);
  const [payloadPath, setPayloadPath] = useState('');

  return (
    <section>
      <StepHeading title="Options">
        {cloning ? 'Names for the clones: the system, payload and caches are the source stick’s.' : `Names for the sticks${profile?.payload ? ', payload files' : ''} and offline caches.`}
      </StepHeading>
      <div className="two-col">
        <div className="panel">
          <div className="field">
            <label htmlFor="name-pattern">Name pattern</label>
            <input
              id="name-pattern"
              className="text-input mono"
              type="text"
              spellCheck={false}
              value={state.namePattern}
              onChange={(e) => state.setNamePattern(e.target.value)}
              aria-describedby="name-help"
              aria-invalid={!names.ok || undefined}
            />
            <span id="name-help" className="muted">
              {'{nn}'} becomes 01, 02, …; {'{n}'} becomes 1, 2, …. Each name is the stick's hostname.
            </span>
          </div>
          <div className="field">
            <label htmlFor="first-number">First number</label>
            <input
              id="first-number"
              className="text-input num"
              type="number"
              min={1}
              step={1}
              value={Number.isFinite(state.firstNumber) ? state.firstNumber : ''}
              onChange={(e) => state.setFirstNumber(e.target.valueAsNumber)}
              aria-invalid={!names.ok || undefined}
            />
          </div>
          {profile?.persistence !== null && profile?.persistence !== undefined && (
            <label className="switch" style={{ display: 'flex' }}>
              <input type="checkbox" checked={state.persistence ?? profile.persistence} onChange={(e) => state.setPersistence(e.target.checked)} />
              Add a persistence partition after the image
            </label>
          )}
          {!names.ok && (
            <div className="alert error" role="alert">
              {names.reason}
            </div>
          )}
          <ul className="name-preview" aria-label="Names per target">
            {targets.map((t, i) => (
              <li key={t.key}>
                <span className="mono">{t.path || t.label}</span>
                <strong className="mono" data-testid="name-preview">{names.ok ? names.names[i] : '—'}</strong>
              </li>
            ))}
          </ul>
        </div>
        <div>
          {profile?.payload && (
            <div className="panel" style={{ marginBottom: 12 }}>
              <form
                className="field"
                onSubmit={(e) => {
                  e.preventDefault();
                  state.addPayload(payloadPath);
                  setPayloadPath('');
                }}
              >
                <label htmlFor="payload-path">Payload files (copied onto the kiosk's payload partition)</label>
                <div className="row">
                  <input
                    id="payload-path"
                    className="text-input grow mono"
                    type="text"
                    value={payloadPath}
                    placeholder="/home/teacher/kiosk/start.html"
                    onChange={(e) => setPayloadPath(e.target.value)}
                  />
                  <button type="submit" className="btn" disabled={!payloadPath.trim().startsWith('/')}>
                    Add
                  </button>
                  <ChooseButton
                    request={() => ({ mode: 'open-files', title: 'Choose payload files for the kiosk' })}
                    onPicked={(paths) => paths.forEach((p) => state.addPayload(p))}
                  />
                </div>
              </form>
              {state.payload.length === 0 ? (
                <p className="muted">No payload files yet.</p>
              ) : (
                <ul className="file-list">
                  {state.payload.map((p) => (
                    <li key={p}>
                      <span className="grow mono">{p}</span>
                      <button type="button" className="btn small" onClick={() => state.removePayload(p)} aria-label={`Remove ${p}`}>
                        Remove
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {!cloning && (
          <fieldset className="panel" style={{ margin: 0 }}>
            <legend className="label" style={{ fontWeight: 600 }}>Offline caches</legend>
            {state.availableCaches === null && <p className="muted">Looking for cache sets…</p>}
            {state.cachesError && <p className="muted">Cache sets could not be listed: {state.cachesError}</p>}
            {state.availableCaches?.length === 0 && !state.cachesError && <p className="muted">None available yet.</p>}
            {state.availableCaches?.map((c) => (
              <label key={c.path} className="switch" style={{ display: 'flex' }}>
                <input type="checkbox" checked={state.caches.includes(c.path)} onChange={(e) => state.toggleCache(c.path, e.target.checked)} />
                {c.kind} <span className="mono muted">{c.path}</span>
                <span className="num muted">
                  {c.files} files, {formatBytes(c.sizeBytes)}
                </span>
              </label>
            ))}
          </fieldset>
          )}
        </div>
      </div>
    </section>
  );
}
