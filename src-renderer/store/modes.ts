// What the wizard can do, as its first step offers it: one entry per mode, each with the steps it walks
// through after the first. A new mode is one more entry here, its steps' bodies in Wizard.tsx and their titles
// in StepNav.tsx; the step bar, Back/Next and which step may be opened all follow this list.
import type { PlainKey } from '../../src-shared/i18n/index.ts';

export const ALL_STEPS = ['start', 'profile', 'image', 'source', 'sticks', 'system', 'files', 'targets', 'options', 'caches', 'review', 'flash', 'done'] as const;
export type StepId = (typeof ALL_STEPS)[number];

export interface WizardModeSpec {
  id: string;
  /** The choice's words on the first step (catalogue keys). */
  title: PlainKey;
  /** One line: what this mode makes of what. */
  description: PlainKey;
  /** The steps after the first, in order; the last three are always review, flash and done. */
  steps: readonly StepId[];
}

export const WIZARD_MODES = [
  {
    id: 'write',
    title: 'mode.write.title',
    description: 'mode.write.description',
    steps: ['profile', 'image', 'targets', 'options', 'caches', 'review', 'flash', 'done'],
  },
  {
    id: 'clone',
    title: 'mode.clone.title',
    description: 'mode.clone.description',
    steps: ['source', 'targets', 'options', 'review', 'flash', 'done'],
  },
  {
    id: 'update',
    title: 'mode.update.title',
    description: 'mode.update.description',
    steps: ['sticks', 'system', 'review', 'flash', 'done'],
  },
  {
    id: 'payload',
    title: 'mode.payload.title',
    description: 'mode.payload.description',
    steps: ['sticks', 'files', 'review', 'flash', 'done'],
  },
] as const satisfies readonly WizardModeSpec[];

export type WizardMode = (typeof WIZARD_MODES)[number]['id'];

export function modeSpec(mode: WizardMode): WizardModeSpec {
  return WIZARD_MODES.find((m) => m.id === mode)!;
}

/** Every step of a mode, the first (choosing the mode) included. */
export function stepsOf(mode: WizardMode): readonly StepId[] {
  return ['start', ...modeSpec(mode).steps];
}
