// The row of steps at the top (the chosen mode's steps). A step can be opened when every step before it is complete; during a flash
// only the flash step is open, and afterwards only the results (then "Flash more" leads back).
import { t, type PlainKey } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';
import { stepReady } from '../store/selectors.ts';
import { stepsOf, type StepId, type WizardState } from '../store/store.ts';

const STEP_KEYS: Record<StepId, PlainKey> = {
  start: 'step.start',
  source: 'step.source',
  sticks: 'step.sticks',
  system: 'step.system',
  files: 'step.files',
  profile: 'step.profile',
  image: 'step.image',
  targets: 'step.targets',
  options: 'step.options',
  caches: 'step.caches',
  review: 'step.review',
  flash: 'step.flash',
  done: 'step.done',
};

export function stepTitle(step: StepId): string {
  return t(STEP_KEYS[step]);
}

/** Whether the user may open `step` now. */
export function canOpen(s: WizardState, step: StepId): boolean {
  if (s.flashStatus !== 'idle') return step === (s.flashStatus === 'finished' ? 'done' : 'flash');
  if (step === 'flash' || step === 'done') return false;
  const steps = stepsOf(s.mode);
  const index = steps.indexOf(step);
  return index >= 0 && steps.slice(0, index).every((before) => stepReady(s, before).ok);
}

export function StepNav() {
  const state = useWizard((s) => s);
  const steps = stepsOf(state.mode);
  const current = steps.indexOf(state.step);
  return (
    <nav aria-label={t('nav.label')}>
      <ol className="stepnav">
        {steps.map((step, i) => (
          <li key={step} className={i === current ? 'current' : i < current ? 'done' : ''}>
            <button
              type="button"
              disabled={!canOpen(state, step)}
              aria-current={i === current ? 'step' : undefined}
              onClick={() => state.goTo(step)}
            >
              <span className="index">{i + 1}</span>
              {stepTitle(step)}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
