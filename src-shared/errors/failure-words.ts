// The words for a failed target, in the reader's language: the helper sends a typed failure (key, numbers, phase;
// src-shared/job/target-failure.ts) beside its English sentence, and the GUI and the CLI say it here. A failure
// without a typed form is said inside a translated frame with the helper's English detail; a reader that got no
// typed failure at all (an older helper) shows the sentence as it came.
import { formatBytes, formatBytesApart } from '../format/bytes.ts';
import { t, type PlainKey } from '../i18n/index.ts';
import type { Phase } from '../job/phases.ts';
import type { TargetCause, TargetFailure } from '../job/target-failure.ts';
import { cloneRefusalWords } from './clone-refusal-words.ts';
import { preflightWords } from './preflight-words.ts';
import { refusalWords } from './refusal-words.ts';
import { UNSAFE } from './unsafe-words.ts';
import { checkWords } from '../verify/check-words.ts';

const PHASE_KEY: Record<Phase, PlainKey> = {
  check: 'phase.check',
  capacity: 'phase.capacity',
  wipe: 'phase.wipe',
  partition: 'phase.partition',
  esp: 'phase.esp',
  slots: 'phase.slots',
  verity: 'phase.verity',
  btrfs: 'phase.btrfs',
  payload: 'phase.payload',
  caches: 'phase.caches',
  stamp: 'phase.stamp',
  verify: 'phase.verify',
  complete: 'phase.complete',
};

/** A phase in the reader's words ("writing system"); one the catalogue does not know yet shows as it is named. */
export function phaseWords(phase: string): string {
  const key = (PHASE_KEY as Record<string, PlainKey | undefined>)[phase];
  return key ? t(key) : phase;
}

const CAPACITY = { wraps: 'capacity.wraps', lost: 'capacity.lost', 'write-fails': 'capacity.writeFails' } as const;

/** A failed target in the reader's language: its typed failure said with the catalogue, else `message` as it came. */
export function failureWords(failure: TargetFailure | null | undefined, message: string): string {
  if (!failure) return message;
  switch (failure.key) {
    case 'removed':
      return t('failure.removed', { phase: phaseWords(failure.phase) });
    case 'cancelled':
      return t('failure.cancelled', { phase: phaseWords(failure.phase) });
    case 'cancelled-before':
      return t('failure.cancelledBefore');
    case 'fake-capacity': {
      const [claimed, real] = formatBytesApart(failure.claimedBytes, failure.realBytes);
      if (failure.how === 'write-fails') return t(CAPACITY[failure.how], { claimed, real, error: failure.error ?? '?' });
      return t(CAPACITY[failure.how], { claimed, real });
    }
    case 'no-space':
      return t('failure.noSpace', { phase: phaseWords(failure.phase) });
    case 'read-back': {
      const vars = { phase: phaseWords(failure.phase), byte: failure.byte, size: formatBytes(failure.chunkBytes) };
      return failure.first === undefined ? t('failure.readBack', vars) : t('failure.readBackAt', { ...vars, first: failure.first });
    }
    case 'read-short':
      return t('failure.readShort', { phase: phaseWords(failure.phase), byte: failure.byte });
    case 'verify-failed':
      return t('failure.verifyFailed', { checks: failure.checks.map(checkWords).join('; ') });
    case 'slot-differs':
      return failure.byte === null ? t('failure.slotDiffers', { slot: failure.slot.toUpperCase() }) : t('failure.slotDiffersAt', { slot: failure.slot.toUpperCase(), byte: failure.byte });
    case 'source-slot-damaged':
      return t('failure.sourceSlotDamaged', { slot: failure.slot.toUpperCase() });
    case 'source-changed':
      return t('failure.sourceChanged', { byte: failure.byte });
    case 'refused': {
      const general = failure.reasons.filter((r) => !failure.typedReasons?.includes(r)).map((r) => t(UNSAFE[r], { target: failure.target }));
      return t('failure.refused', { reasons: [...(failure.said ?? []).map((p) => sentence(preflightWords(p))), ...general].join(' ') });
    }
    case 'other-refused':
      return t('failure.otherRefused');
    case 'refused-text':
      return t('failure.refusedText', { text: failure.text });
    case 'step':
      return t('failure.step', { phase: phaseWords(failure.phase), text: failure.text });
    case 'unfinished':
      return t('error.writerStopped');
    case 'stick-refused':
      return t('failure.stickRefused', { why: refusalWords(failure.refusal) });
    case 'clone-refused': {
      const target = failure.target;
      return t('failure.refused', { reasons: [...failure.refusals.map(cloneRefusalWords), ...failure.reasons.map((r) => t(UNSAFE[r], { target }))].join(' ') });
    }
    case 'preflight-refused':
      return failure.problems.map(preflightWords).join('; ');
    case 'update-kept-old': {
      const vars = { cause: updateCauseWords(failure.cause), slot: failure.slot.toUpperCase() };
      return failure.version === null ? t('failure.updateKeptOldSlot', vars) : t('failure.updateKeptOld', { ...vars, version: failure.version });
    }
  }
}

/**
 * What stopped an update that left the old system in place: a pulled stick or a cancel in words that do not say
 * the stick is unusable (it is not: it still boots its old slot); anything else as it says itself.
 */
function updateCauseWords(cause: TargetCause): string {
  if (cause.key === 'removed') return t('failure.update.removed', { phase: phaseWords(cause.phase) });
  if (cause.key === 'cancelled') return t('failure.update.cancelled', { phase: phaseWords(cause.phase) });
  // the checks alone: the frame says what to do (the stick still boots its old system, it need not be written again)
  if (cause.key === 'verify-failed') return cause.checks.map(checkWords).join('; ');
  return failureWords(cause, '').replace(/[.;:]$/, '');
}

/** "x is inside /etc, a system folder; …" -> "X is inside /etc, a system folder; ….": a problem as a sentence of its own. */
function sentence(words: string): string {
  const s = words.charAt(0).toUpperCase() + words.slice(1);
  return /[.!?]$/.test(s) ? s : `${s}.`;
}
