// The row of steps at the top (the chosen mode's steps). A step can be opened when every step before it is complete; during a flash
// only the flash step is open, and afterwards only the results (then "Flash more" leads back).
import { useWizard } from '../store/context.tsx';
import { stepReady } from '../store/selectors.ts';
import { stepsOf, type StepId, type WizardState } from '../store/store.ts';

export const STEP_TITLES: Record<StepId, string> = {
  start: 'Start',
  profile: 'Profile',
  image: 'Image',
  source: 'Source',
  targets: 'Targets',
  options: 'Options',
  review: 'Review',
  flash: 'Flash',
  done: 'Done',
};

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
    <nav aria-label="Steps">
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
              {STEP_TITLES[step]}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
