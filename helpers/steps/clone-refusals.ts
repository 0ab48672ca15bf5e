// The typed form of a clone job's refusals (src-shared/job/clone-refusal.ts): a source that cannot be cloned
// refuses with its reason alone; a target with its own reasons and the drive rules' reasons together.
import type { CloneRefusal } from '../../src-shared/job/clone-refusal.ts';
import type { TargetFailure } from '../../src-shared/job/target-failure.ts';

type CloneRefused = Extract<TargetFailure, { key: 'clone-refused' }>;

/** A source's refusal, spread into a FailureError's `{ key: 'clone-refused', … }`: no target, no drive rule. */
export function sourceRefusal(r: CloneRefusal): Omit<CloneRefused, 'key'> {
  return { refusals: [r], target: '', reasons: [] };
}

/** One target's problems: each an English sentence (the log) and, when it has one, its typed form. */
export class TargetProblems {
  readonly texts: string[] = [];
  readonly refusals: CloneRefusal[] = [];
  readonly reasons: CloneRefused['reasons'] = [];
  /** Problems with no typed form (a plan the layout cannot make for another reason than size). */
  untyped = 0;

  constructor(readonly target: string) {}

  add(text: string, refusal: CloneRefusal | null): void {
    this.texts.push(text);
    if (refusal) this.refusals.push(refusal);
    else this.untyped++;
  }

  addRule(text: string, reason: CloneRefused['reasons'][number]): void {
    this.texts.push(text);
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }

  get count(): number {
    return this.texts.length;
  }

  /** The English sentence and the typed failure: untyped problems keep the whole sentence in a translated frame. */
  said(): { message: string; failure: TargetFailure } {
    const message = [...new Set(this.texts)].join('; ');
    const failure: TargetFailure = this.untyped ? { key: 'refused-text', text: message } : { key: 'clone-refused', refusals: this.refusals, target: this.target, reasons: this.reasons };
    return { message, failure };
  }
}
