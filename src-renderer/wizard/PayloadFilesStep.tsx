// Replace payload, step 3: the files that become the kiosk stick's whole payload (the system is not touched).
import { useState } from 'react';
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';
import { ChooseButton } from './ChooseButton.tsx';
import { StepHeading } from './StepHeading.tsx';

export function PayloadFilesStep() {
  const payload = useWizard((s) => s.payload);
  const addPayload = useWizard((s) => s.addPayload);
  const removePayload = useWizard((s) => s.removePayload);
  const [path, setPath] = useState('');
  return (
    <section>
      <StepHeading title={t('payload.filesHeading')}>{t('payload.filesLead')}</StepHeading>
      <div className="panel">
        <form
          className="field"
          onSubmit={(e) => {
            e.preventDefault();
            addPayload(path);
            setPath('');
          }}
        >
          <label htmlFor="payload-path">{t('options.payloadLabel')}</label>
          <div className="row">
            <input id="payload-path" className="text-input grow mono" type="text" value={path} placeholder={t('options.payloadPlaceholder')} onChange={(e) => setPath(e.target.value)} />
            <button type="submit" className="btn" disabled={!path.trim().startsWith('/')}>
              {t('options.add')}
            </button>
            <ChooseButton request={() => ({ mode: 'open-files', title: t('options.choosePayload') })} onPicked={(paths) => paths.forEach((p) => addPayload(p))} />
          </div>
        </form>
        {payload.length === 0 ? (
          <p className="muted">{t('options.noPayload')}</p>
        ) : (
          <ul className="file-list">
            {payload.map((p) => (
              <li key={p}>
                <span className="grow mono">{p}</span>
                <button type="button" className="btn small" onClick={() => removePayload(p)} aria-label={t('options.removeLabel', { path: p })}>
                  {t('options.remove')}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </section>
  );
}
