// Results and errors cross every process boundary as an envelope, never as a thrown object, because
// Electron's IPC and JSON both lose an Error's class and extra fields. The receiving side rebuilds an Error;
// an error's typed data travels as `details` (./error-details.ts), so it arrives as numbers and paths.
import * as z from 'zod';
import { detailsOf, ErrorDetailsSchema, type ErrorDetails } from './error-details.ts';

export const ErrorInfo = z.object({
  message: z.string(),
  code: z.string().optional(),
  // Details of a kind this side does not know (a newer sender) are dropped, not the whole error.
  details: ErrorDetailsSchema.optional().catch(undefined),
});
export type ErrorInfo = z.infer<typeof ErrorInfo>;

export type Envelope<T = unknown> = { result: T } | { error: ErrorInfo };

export const EnvelopeSchema = z.union([
  z.object({ error: ErrorInfo }).strict(),
  z.object({ result: z.unknown() }).strict(),
]);

/** Well-known codes; services may add their own (strings, upper-case, E_ prefix). */
export const ErrorCodes = {
  badArgs: 'E_BAD_ARGS',
  badResult: 'E_BAD_RESULT',
  unknownChannel: 'E_UNKNOWN_CHANNEL',
  forbidden: 'E_FORBIDDEN',
  disconnected: 'E_DISCONNECTED',
  internal: 'E_INTERNAL',
} as const;

/** The Error rebuilt from an error envelope on the calling side, with the sender's typed details. */
export class IiosError extends Error {
  readonly code: string | undefined;
  readonly details: ErrorDetails | undefined;
  constructor(message: string, code?: string, details?: ErrorDetails) {
    super(message);
    this.name = 'IiosError';
    this.code = code;
    this.details = details;
  }
}

export function resultEnvelope<T>(result: T): Envelope<T> {
  return { result };
}

/**
 * Turns anything thrown by a handler into an error envelope: its message, its code when it has a string code,
 * its details when it carries valid ones.
 */
export function errorEnvelope(err: unknown): Envelope<never> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const details = detailsOf(err);
    return { error: { message: err.message, ...(typeof code === 'string' ? { code } : {}), ...(details ? { details } : {}) } };
  }
  return { error: { message: String(err) } };
}

/** Returns the result or throws the rebuilt IiosError. Malformed envelopes are errors too. */
export function unwrapEnvelope<T>(envelope: unknown): T {
  const parsed = EnvelopeSchema.safeParse(envelope);
  if (!parsed.success) throw new IiosError('malformed reply from iios', ErrorCodes.badResult);
  const env = parsed.data;
  if ('error' in env) throw new IiosError(env.error.message, env.error.code, env.error.details);
  return env.result as T;
}
