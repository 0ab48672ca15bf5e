// Step 4: names (one per stick from a pattern, previewed per target) and kiosk payload files; a clone's names
// only (the rest comes from its source). Offline caches have their own step (CachesStep).
import { useState } from 'react';
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';
import { chosenTargets, currentProfile, targetNames } from '../store/selectors.ts';
import { ChooseButton } from './ChooseButton.tsx';
import { StepHeading } from './StepHeading.tsx';

export function OptionsStep() {
  const state = useWizard((s) => s);
  // A clone takes its profile and payload from the source stick: only the names are chosen here.
  const cloning = state.mode === 'clone';
  const profile = cloning ? null : currentProfile(state);
  const targets = chosenTargets(state);
  const names = targetNames(state);
  const [payloadPath, setPayloadPath] = useState('');

  return (
    <section>
      <StepHeading title={t('options.heading')}>{cloning ? t('options.leadClone') : profile?.payload ? t('options.leadPayload') : t('options.lead')}</StepHeading>
      <div className="two-col">
        <div className="panel">
          <div className="field">
            <label htmlFor="name-pattern">{t('options.namePattern')}</label>
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
              {t('options.nameHelp', { nn: '{nn}', n: '{n}' })}
            </span>
          </div>
          <div className="field">
            <label htmlFor="first-number">{t('options.firstNumber')}</label>
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
              {t('options.persistence')}
            </label>
          )}
          {/* a clone's targets can be counterfeit sticks as much as a write's */}
          <div className="field">
            <label className="switch" style={{ display: 'flex' }}>
              <input type="checkbox" checked={state.capacityCheck} onChange={(e) => state.setCapacityCheck(e.target.checked)} aria-describedby="capacity-help" />
              {t('options.capacityCheck')}
            </label>
            <span id="capacity-help" className="muted">
              {t('options.capacityHelp')}
            </span>
          </div>
          {!names.ok && (
            <div className="alert error" role="alert">
              {names.reason}
            </div>
          )}
          <ul className="name-preview" aria-label={t('options.namesLabel')}>
            {targets.map((target, i) => (
              <li key={target.key}>
                <span className="mono">{target.path || target.label}</span>
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
                <label htmlFor="payload-path">{t('options.payloadLabel')}</label>
                <div className="row">
                  <input
                    id="payload-path"
                    className="text-input grow mono"
                    type="text"
                    value={payloadPath}
                    placeholder={t('options.payloadPlaceholder')}
                    onChange={(e) => setPayloadPath(e.target.value)}
                  />
                  <button type="submit" className="btn" disabled={!payloadPath.trim().startsWith('/')}>
                    {t('options.add')}
                  </button>
                  <ChooseButton
                    request={() => ({ mode: 'open-files', title: t('options.choosePayload') })}
                    onPicked={(paths) => paths.forEach((p) => state.addPayload(p))}
                  />
                </div>
              </form>
              {state.payload.length === 0 ? (
                <p className="muted">{t('options.noPayload')}</p>
              ) : (
                <ul className="file-list">
                  {state.payload.map((p) => (
                    <li key={p}>
                      <span className="grow mono">{p}</span>
                      <button type="button" className="btn small" onClick={() => state.removePayload(p)} aria-label={t('options.removeLabel', { path: p })}>
                        {t('options.remove')}
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
        </div>
      </div>
    </section>
  );
}
