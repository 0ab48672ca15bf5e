// The whole-job errors the helper sends, typed: each `error` event carries details (src-shared/contract/
// error-details.ts) that the GUI and the CLI say in the reader's language; its message stays the English
// sentence for the log.
import * as z from 'zod';
import { zodFieldIssues } from '../src-shared/contract/error-details.ts';
import type { JobEvent } from '../src-shared/job/events.ts';
import type { TargetResult } from '../src-shared/job/events.ts';

/** A job that fails its schema: each field's issue, typed. */
export function invalidJob(error: z.ZodError): JobEvent {
  return { kind: 'error', message: `the job is not valid: ${z.prettifyError(error)}`, details: { kind: 'invalid', issues: zodFieldIssues(error) } };
}

/** A job refused before anything was written: the typed failure of each refused target. */
export function refusedJobError(message: string, results: readonly TargetResult[]): JobEvent {
  return { kind: 'error', message, details: { kind: 'job-refused', failures: results.flatMap((r) => (r.failure ? [r.failure] : [])) } };
}

/** Anything else that ended the helper's job: its English text inside a translated frame. */
export function helperJobError(err: unknown): JobEvent {
  const text = err instanceof Error ? err.message : String(err);
  return { kind: 'error', message: text, details: { kind: 'job-ended', why: 'helper-error', text } };
}
