// Names continue across batches: a teacher who made class-01 … class-12, pressed "Flash more" or left the
// station running, gets class-13 next, never a second class-01. The counter remembers, per name pattern, the
// highest number written since iios started; the start number stays editable (an explicit higher start wins).
import { hasCounter } from '../job/names.ts';

/** Pattern → the highest number a written stick got from it. */
export type WrittenNumbers = Readonly<Record<string, number>>;

const escape = (s: string) => s.replace(/[.*+?^$()|[\]\\-]/g, '\\$&');

/** The number a name got from a pattern (`class-{nn}`, `class-07` → 7), or null when the name is not the pattern's. */
export function numberInName(pattern: string, name: string): number | null {
  if (!hasCounter(pattern)) return null;
  const parts = pattern.split(/\{n+\}/);
  const re = new RegExp(`^${parts.map(escape).join('(\\d+)')}$`);
  const m = re.exec(name);
  if (!m) return null;
  const numbers = m.slice(1).map(Number);
  // `{nn}-{nn}` repeats one number; `03-04` was not made by it.
  return numbers.every((n) => n === numbers[0]) ? numbers[0]! : null;
}

/** Adds the names of sticks just written to what the counter remembers. */
export function recordWritten(written: WrittenNumbers, pattern: string, names: readonly string[]): WrittenNumbers {
  let highest = written[pattern] ?? 0;
  for (const name of names) highest = Math.max(highest, numberInName(pattern, name) ?? 0);
  return highest > 0 ? { ...written, [pattern]: highest } : written;
}

/** The first number of the next batch: one after the highest written with this pattern, or the chosen start if higher. */
export function nextFirstNumber(written: WrittenNumbers, pattern: string, chosenFirst = 1): number {
  return Math.max(chosenFirst, (written[pattern] ?? 0) + 1);
}
