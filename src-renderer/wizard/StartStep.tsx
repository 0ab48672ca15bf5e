// Step 1: what to do. One card per mode of the wizard (store/modes.ts); the steps that follow are that mode's.
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';
import { WIZARD_MODES } from '../store/modes.ts';
import { StepHeading } from './StepHeading.tsx';

export function StartStep() {
  const mode = useWizard((s) => s.mode);
  const chooseMode = useWizard((s) => s.chooseMode);
  return (
    <section>
      <StepHeading title={t('start.heading')} />
      <div className="cards" role="radiogroup" aria-label={t('start.groupLabel')}>
        {WIZARD_MODES.map((m) => (
          <button key={m.id} type="button" role="radio" aria-checked={m.id === mode} className="card" data-mode={m.id} onClick={() => chooseMode(m.id)}>
            <span className="card-title">{t(m.title)}</span>
            <span className="card-desc">{t(m.description)}</span>
          </button>
        ))}
      </div>
    </section>
  );
}
