// Building blocks of the IPC contract: one invoke channel = an argument schema and a result schema;
// one event = a payload schema. Domain files (domains/*.ts) declare their channels with these helpers.
import * as z from 'zod';

export interface InvokeSpec<A extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  args: A;
  result: R;
}

export interface EventSpec<P extends z.ZodType = z.ZodType> {
  payload: P;
}

/** Declares one invoke channel. */
export function invoke<A extends z.ZodType, R extends z.ZodType>(args: A, result: R): InvokeSpec<A, R> {
  return { args, result };
}

/** Declares one pushed event. */
export function event<P extends z.ZodType>(payload: P): EventSpec<P> {
  return { payload };
}

/**
 * Arguments of a channel that takes none: nothing, or an empty object. Anything else is refused,
 * so a caller that passes arguments to the wrong channel hears about it.
 */
export const noArgs = z.strictObject({}).optional();
