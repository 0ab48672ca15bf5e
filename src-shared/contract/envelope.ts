// Results and errors cross every process boundary as an envelope, never as a thrown object, because
// Electron's IPC and JSON both lose an Error's class and extra fields. The receiving side rebuilds an Error.
import { z } from 'zod';

export const ErrorInfo = z.object({
  message: z.string(),
  code: z.string().optional(),
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

/** The Error rebuilt from an error envelope on the calling side. */
export class IiosError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'IiosError';
    this.code = code;
  }
}

export function resultEnvelope<T>(result: T): Envelope<T> {
  return { result };
}

/** Turns anything thrown by a handler into an error envelope (message + code when it has a string code). */
export function errorEnvelope(err: unknown): Envelope<never> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { error: typeof code === 'string' ? { message: err.message, code } : { message: err.message } };
  }
  return { error: { message: String(err) } };
}

/** Returns the result or throws the rebuilt IiosError. Malformed envelopes are errors too. */
export function unwrapEnvelope<T>(envelope: unknown): T {
  const parsed = EnvelopeSchema.safeParse(envelope);
  if (!parsed.success) throw new IiosError('malformed reply from iios', ErrorCodes.badResult);
  const env = parsed.data;
  if ('error' in env) throw new IiosError(env.error.message, env.error.code);
  return env.result as T;
}
