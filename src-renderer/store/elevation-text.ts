// What the done step says when the writer could not get administrator rights: a heading per reason (the same
// distinctions as the CLI's messages, both worded by src-shared/errors/error-words.ts from the typed reason) and whether trying again can help without changing anything in iios.
import type { ErrorDetails, ErrorDetailsOf } from '../../src-shared/contract/error-details.ts';
import { elevationAdvice } from '../../src-shared/errors/error-words.ts';
import { t, type PlainKey } from '../../src-shared/i18n/index.ts';

export type ElevationReason = ErrorDetailsOf<'elevation'>['reason'];

export interface ElevationView {
  reason: ElevationReason;
  heading: string;
  /** What happened and what to do, in the reader's language (the tool's own words quoted as they came). */
  advice: string;
  /** The prompt can appear on a second try: after a dismissal, or once the user started polkit or an agent. */
  canRetry: boolean;
}

// 'helper-failed' is no elevation problem: the helper got its rights and then failed, shown as any job failure.
const HEADINGS: Record<Exclude<ElevationReason, 'helper-failed'>, PlainKey> = {
  'no-tool': 'elevation.no-tool',
  'no-authority': 'elevation.no-authority',
  'no-agent': 'elevation.no-agent',
  dismissed: 'elevation.dismissed',
  'not-authorized': 'elevation.not-authorized',
  'needs-password': 'elevation.needs-password',
};

const RETRYABLE = new Set<ElevationReason>(['dismissed', 'no-agent', 'no-authority']);

/** The heading and retry offer for a job's typed failure; null when it is not an elevation failure. */
export function elevationView(details: ErrorDetails | null | undefined): ElevationView | null {
  if (details?.kind !== 'elevation' || details.reason === 'helper-failed') return null;
  return { reason: details.reason, heading: t(HEADINGS[details.reason]), advice: elevationAdvice(details), canRetry: RETRYABLE.has(details.reason) };
}

/** The services' advice starts in lower case (it follows "iios:" in a terminal); under a heading it starts a sentence. */
export function adviceSentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}
