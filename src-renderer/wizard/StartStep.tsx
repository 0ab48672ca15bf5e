// Step 1: what to do. One card per mode of the wizard (store/modes.ts); the steps that follow are that mode's.
// The cards are one radio group with a single tab stop; the arrow keys move and choose, as on the profile step.
import { useRef } from 'react';
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';
import { WIZARD_MODES } from '../store/modes.ts';
import { arrowTarget } from './roving-focus.ts';
import { StepHeading } from './StepHeading.tsx';

export function StartStep() {
  const mode = useWizard((s) => s.mode);
  const chooseMode = useWizard((s) => s.chooseMode);
  const cards = useRef<(HTMLButtonElement | null)[]>([]);
  const chosenIndex = Math.max(0, WIZARD_MODES.findIndex((m) => m.id === mode));

  const onKeyDown = (e: React.KeyboardEvent, index: number) => {
    const to = arrowTarget(e.key, index, WIZARD_MODES.length);
    if (to === null) return;
    e.preventDefault();
    chooseMode(WIZARD_MODES[to]!.id);
    cards.current[to]?.focus();
  };

  return (
    <section>
      <StepHeading title={t('start.heading')} />
      <div className="cards" role="radiogroup" aria-label={t('start.groupLabel')}>
        {WIZARD_MODES.map((m, i) => (
          <button
            key={m.id}
            ref={(el) => {
              cards.current[i] = el;
            }}
            type="button"
            role="radio"
            aria-checked={m.id === mode}
            tabIndex={i === chosenIndex ? 0 : -1}
            className="card"
            data-mode={m.id}
            onClick={() => chooseMode(m.id)}
            onKeyDown={(e) => onKeyDown(e, i)}
          >
            <span className="card-title">{t(m.title)}</span>
            <span className="card-desc">{t(m.description)}</span>
          </button>
        ))}
      </div>
    </section>
  );
}
