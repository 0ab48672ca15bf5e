// The IPC contract of iios: one map of invoke channels and one of pushed events, composed from the
// per-domain files in ./domains. To add a domain: write domains/<name>.ts exporting `<name>Invoke` and
// `<name>Events`, then add one spread line to each map below. Handlers: src-main/services/handlers.ts.
import type { z } from 'zod';
import type { EventSpec, InvokeSpec } from './define.ts';
import { appEvents, appInvoke } from './domains/app.ts';
import { cacheSetsEvents, cacheSetsInvoke } from './domains/cache-sets.ts';
import { drivesEvents, drivesInvoke } from './domains/drives.ts';
import { jobsEvents, jobsInvoke } from './domains/jobs.ts';
import { profilesEvents, profilesInvoke } from './domains/profiles.ts';

export const invokeContract = {
  ...appInvoke,
  ...cacheSetsInvoke,
  ...drivesInvoke,
  ...jobsInvoke,
  ...profilesInvoke,
} satisfies Record<string, InvokeSpec>;

export const eventContract = {
  ...appEvents,
  ...cacheSetsEvents,
  ...drivesEvents,
  ...jobsEvents,
  ...profilesEvents,
} satisfies Record<string, EventSpec>;

export type InvokeContract = typeof invokeContract;
export type EventContract = typeof eventContract;

export type InvokeChannel = keyof InvokeContract & string;
export type EventName = keyof EventContract & string;

/** What a caller passes (before zod defaults/transforms). */
export type InvokeArgs<C extends InvokeChannel> = z.input<InvokeContract[C]['args']>;
/** What a handler receives (after zod parsing). */
export type ParsedInvokeArgs<C extends InvokeChannel> = z.output<InvokeContract[C]['args']>;
export type InvokeResult<C extends InvokeChannel> = z.output<InvokeContract[C]['result']>;
export type EventPayload<E extends EventName> = z.output<EventContract[E]['payload']>;

/** The optional-or-required argument tuple of `invoke(channel, ...args)`. */
export type InvokeArgsTuple<C extends InvokeChannel> =
  undefined extends InvokeArgs<C> ? [args?: InvokeArgs<C>] : [args: InvokeArgs<C>];

export const invokeChannels = Object.keys(invokeContract) as InvokeChannel[];
export const eventNames = Object.keys(eventContract) as EventName[];

export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(invokeContract, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(eventContract, name);
}
