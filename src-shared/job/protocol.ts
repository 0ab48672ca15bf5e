// The app ⇄ helper protocol (design.md, "The privileged helper"): newline-delimited JSON over a private Unix socket.
// App → helper: job, ping (every 2 s), cancel. Helper → app: hello (first, with the token), event.
import * as z from 'zod';
import { JobEvent } from './events.ts';
import { WriteJob } from './write-job.ts';

export const PING_INTERVAL_MS = 2_000;
/** The helper cancels and exits when no ping arrived for this long. */
export const PING_TIMEOUT_MS = 10_000;

// No token travels on the helper's command line (any process may read that in ps): the app answers hello with
// a fresh nonce, the helper creates proof-<nonce> in the app's private socket folder, and the app accepts the
// connection only when that file is owned by root — a process of the app's own user cannot make such a file.
export const HelloMessage = z.object({ type: z.literal('hello'), token: z.string().regex(/^[0-9a-f]{16,128}$/).optional(), pid: z.number().int() });
export const PROOF_NONCE = /^[0-9a-f]{64}$/;
export const ProveMessage = z.object({ type: z.literal('prove'), nonce: z.string().regex(PROOF_NONCE) });
export const ProvedMessage = z.object({ type: z.literal('proved') });
/** The job is validated separately (the helper reports its zod issues as an `error` event). */
export const JobMessage = z.object({ type: z.literal('job'), job: z.unknown() });
export const PingMessage = z.object({ type: z.literal('ping') });
export const CancelMessage = z.object({ type: z.literal('cancel') });
export const EventMessage = z.object({ type: z.literal('event'), event: JobEvent });

export const AppToHelper = z.discriminatedUnion('type', [JobMessage, PingMessage, CancelMessage, ProveMessage]);
export type AppToHelper = z.infer<typeof AppToHelper>;
export const HelperToApp = z.discriminatedUnion('type', [HelloMessage, ProvedMessage, EventMessage]);
export type HelperToApp = z.infer<typeof HelperToApp>;

export type AppToHelperInput =
  | { type: 'job'; job: z.input<typeof WriteJob> }
  | { type: 'ping' }
  | { type: 'cancel' }
  | { type: 'prove'; nonce: string };

/** One message as one line. JSON.stringify never emits a raw newline, so the framing is unambiguous. */
export function encodeLine(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}

/** Largest line accepted; a job with 64 targets and a full manifest stays far below it. */
export const MAX_LINE_BYTES = 4 * 1024 * 1024;

/**
 * Splits a byte stream into lines. Feed it chunks (strings, already UTF-8 decoded by the socket's
 * setEncoding); it calls onLine for each complete non-empty line and throws when a line grows too long.
 */
export class LineSplitter {
  private buffer = '';
  constructor(private readonly onLine: (line: string) => void, private readonly maxLine = MAX_LINE_BYTES) {}

  push(chunk: string): void {
    this.buffer += chunk;
    let nl = this.buffer.indexOf('\n');
    while (nl >= 0) {
      const line = this.buffer.slice(0, nl).trim();
      this.buffer = this.buffer.slice(nl + 1);
      if (line) this.onLine(line);
      nl = this.buffer.indexOf('\n');
    }
    if (this.buffer.length > this.maxLine) throw new Error(`protocol line longer than ${this.maxLine} bytes`);
  }
}

/** Parses one line into a message of the given schema; returns an error string instead of throwing. */
export function parseLine<T>(schema: z.ZodType<T>, line: string): { ok: true; value: T } | { ok: false; error: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, error: 'not JSON' };
  }
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, value: r.data } : { ok: false, error: z.prettifyError(r.error) };
}
