// The wizard's frame: header, step bar, the current step (the only part that scrolls), and the footer with
// Back / Next and a hint saying what is missing when Next is disabled.
import { t } from '../../src-shared/i18n/index.ts';
import { useWizard } from '../store/context.tsx';
import { stepReady } from '../store/selectors.ts';
import { stepsOf, type StepId } from '../store/store.ts';
import { ThemeToggle } from '../theme/ThemeToggle.tsx';
import { CachesStep } from './CachesStep.tsx';
import { DoneStep } from './DoneStep.tsx';
import { FlashStep } from './FlashStep.tsx';
import { ImageStep } from './ImageStep.tsx';
import { OptionsStep } from './OptionsStep.tsx';
import { PayloadFilesStep } from './PayloadFilesStep.tsx';
import { ProfileStep } from './ProfileStep.tsx';
import { ReviewStep } from './ReviewStep.tsx';
import { SourceStep } from './SourceStep.tsx';
import { StartStep } from './StartStep.tsx';
import { StepNav, stepTitle } from './StepNav.tsx';
import { TargetsStep } from './TargetsStep.tsx';
import { UpdateSticksStep } from './UpdateSticksStep.tsx';
import { UpdateSystemStep } from './UpdateSystemStep.tsx';

const BODY: Record<StepId, () => React.ReactNode> = {
  start: StartStep,
  profile: ProfileStep,
  image: ImageStep,
  source: SourceStep,
  sticks: UpdateSticksStep,
  system: UpdateSystemStep,
  files: PayloadFilesStep,
  targets: TargetsStep,
  options: OptionsStep,
  caches: CachesStep,
  review: ReviewStep,
  flash: FlashStep,
  done: DoneStep,
};

export function Wizard({ headerExtra }: { headerExtra?: React.ReactNode }) {
  const state = useWizard((s) => s);
  const Body = BODY[state.step];
  const steps = stepsOf(state.mode);
  const index = steps.indexOf(state.step);
  const editable = index <= steps.indexOf('review') && state.flashStatus === 'idle';
  const ready = stepReady(state, state.step);
  const next = steps[index + 1];
  const prev = steps[index - 1];

  return (
    <div className="app">
      <header className="app-header">
        <h1>iios</h1>
        <span className="muted">{t('app.tagline')}</span>
        <span className="spacer" />
        {headerExtra}
        <ThemeToggle />
      </header>
      <StepNav />
      <main className="app-main" key={state.step} data-step={state.step}>
        <Body />
      </main>
      <footer className="app-footer">
        {editable && prev && (
          <button type="button" className="btn" onClick={() => state.goTo(prev)}>
            {t('nav.back')}
          </button>
        )}
        <span className="spacer" />
        <span className="hint" role="status">
          {editable && !ready.ok ? ready.hint : ''}
        </span>
        {editable && next && state.step !== 'review' && (
          <button type="button" className="btn primary" disabled={!ready.ok} onClick={() => state.goTo(next)}>
            {t('nav.next', { step: stepTitle(next) })}
          </button>
        )}
      </footer>
    </div>
  );
}
