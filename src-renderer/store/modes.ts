// What the wizard can do, as its first step offers it: one entry per mode, each with the steps it walks
// through after the first. A new mode is one more entry here, its steps' bodies in Wizard.tsx and their titles
// in StepNav.tsx; the step bar, Back/Next and which step may be opened all follow this list.
export const ALL_STEPS = ['start', 'profile', 'image', 'source', 'targets', 'options', 'review', 'flash', 'done'] as const;
export type StepId = (typeof ALL_STEPS)[number];

export interface WizardModeSpec {
  id: string;
  /** The choice's words on the first step. */
  title: string;
  /** One line: what this mode makes of what. */
  description: string;
  /** The steps after the first, in order; the last three are always review, flash and done. */
  steps: readonly StepId[];
}

export const WIZARD_MODES = [
  {
    id: 'write',
    title: 'Make new sticks',
    description: 'Write a system bundle or a disk image onto blank sticks or image files, each with its own name.',
    steps: ['profile', 'image', 'targets', 'options', 'review', 'flash', 'done'],
  },
  {
    id: 'clone',
    title: 'Clone a stick',
    description: 'Copy a stick you have (or an image file saved from one) onto other sticks of any size it fits on, offline.',
    steps: ['source', 'targets', 'options', 'review', 'flash', 'done'],
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
