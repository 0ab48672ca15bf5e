// The transport-neutral handler registry: one handler per invoke channel of the contract, built from
// services passed in as parameters. The Electron ipcMain binding and the loopback bridge both serve the
// objects built here. To add a channel: add its service to `Services` and its handler to `createHandlers`.
// The `Handlers` type requires every contract channel, so a channel without a handler does not compile.
import * as z from 'zod';
import {
  ErrorCodes,
  errorEnvelope,
  invokeContract,
  isInvokeChannel,
  resultEnvelope,
  type Envelope,
  type InvokeChannel,
  type InvokeResult,
  type ParsedInvokeArgs,
  zodFieldIssues,
} from '../../src-shared/contract/index.ts';
import type { AppInfo, PickPathArgs, PickPathResult } from '../../src-shared/contract/index.ts';
import type { CacheSetsApi } from './caches/cache-sets-api.ts';
import type { StickSource } from '../../src-shared/contract/domains/sticks.ts';
import type { DriveService } from './drives/drives.ts';
import type { PortLabelStore } from './drives/port-labels.ts';
import type { JobsApi } from './jobs/jobs-api.ts';
import type { ProfilesApi } from './sources/profiles-api.ts';

export interface HandlerContext {
  /** Which transport delivered the call. */
  transport: 'electron' | 'bridge' | 'local';
  /** Electron only: the webContents id of the calling window (a file chooser opens modal to it). */
  senderId?: number;
}

/** Opens the desktop's file chooser (Electron's main process provides it: src-main/services/app/path-picker.ts). */
export type PathPicker = (args: PickPathArgs, ctx: HandlerContext) => Promise<PickPathResult>;

export type Handler<C extends InvokeChannel> = (
  args: ParsedInvokeArgs<C>,
  ctx: HandlerContext,
) => Promise<InvokeResult<C>> | InvokeResult<C>;

export type Handlers = { [C in InvokeChannel]: Handler<C> };

export interface Services {
  appInfo: () => Omit<AppInfo, 'transport' | 'nativePickers'>;
  drives: Pick<DriveService, 'list' | 'eject'> & Partial<Pick<DriveService, 'unmount'>>;
  /** Writing sticks; absent in a process that cannot write (then its channels say so). */
  jobs?: Pick<JobsApi, 'start' | 'clone' | 'update' | 'payload' | 'cancel' | 'current' | 'listCaches'>;
  /** A stick or image file read back as a clone's source (stick-source.ts). */
  inspectStick?: (path: string) => Promise<StickSource>;
  /** Profiles, bundles, raw images and plans (createProfilesApi()). */
  profiles?: ProfilesApi;
  /** Cache sets: listed, opened, built (createCacheSetsApi()). */
  cacheSets?: CacheSetsApi;
  /** The names the user gave USB ports, in the user's config (port-labels.ts); absent: no names, none kept. */
  portLabels?: Pick<PortLabelStore, 'all' | 'set'>;
  /** An image-file target's folder checked as the user (src-main/services/drives/image-folder.ts). */
  checkImageFolder?: (args: ParsedInvokeArgs<'drives.checkImageFolder'>) => Promise<InvokeResult<'drives.checkImageFolder'>>;
  /** Native file choosers; absent where there is no desktop window (`iios serve`, the CLI). */
  pickPath?: PathPicker;
}

/** A chooser opens on the desktop running iios, modal to its window: only the Electron window has one. */
function pickerFor(services: Services, ctx: HandlerContext): PathPicker | null {
  return services.pickPath && ctx.transport === 'electron' ? services.pickPath : null;
}

function profilesOf(services: Services): ProfilesApi {
  if (!services.profiles) throw new Error('profiles are not available in this process');
  return services.profiles;
}

function jobsOf(services: Services): NonNullable<Services['jobs']> {
  if (!services.jobs) throw new Error('writing sticks is not available in this process');
  return services.jobs;
}

function cacheSetsOf(services: Services): CacheSetsApi {
  if (!services.cacheSets) throw new Error('cache sets are not available in this process');
  return services.cacheSets;
}

export function createHandlers(services: Services): Handlers {
  return {
    'app.info': (_args, ctx) => ({ ...services.appInfo(), transport: ctx.transport, nativePickers: pickerFor(services, ctx) !== null }),
    'app.pickPath': (args, ctx) => {
      const pick = pickerFor(services, ctx);
      if (!pick) throw Object.assign(new Error('no native file chooser here: type the path instead'), { code: 'E_UNAVAILABLE' });
      return pick(args, ctx);
    },
    'drives.list': () => services.drives.list(),
    'drives.eject': (args) => services.drives.eject(args.id),
    'drives.portLabels': async () => (services.portLabels ? services.portLabels.all() : {}),
    'drives.setPortLabel': (args) => {
      if (!services.portLabels) throw Object.assign(new Error('port names are not kept in this process'), { code: 'E_UNAVAILABLE' });
      return services.portLabels.set(args.key, args.label);
    },
    'drives.unmount': (args) => {
      if (!services.drives.unmount) throw Object.assign(new Error('unmounting is not available in this process'), { code: 'E_UNAVAILABLE' });
      return services.drives.unmount(args.id);
    },
    'drives.checkImageFolder': (args) => {
      if (!services.checkImageFolder) throw Object.assign(new Error('checking folders is not available in this process'), { code: 'E_UNAVAILABLE' });
      return services.checkImageFolder(args);
    },
    'jobs.start': async (args) => {
      const { jobId, targets } = await jobsOf(services).start(args);
      return { jobId, targets };
    },
    'jobs.clone': (args) => jobsOf(services).clone(args),
    'jobs.update': (args) => jobsOf(services).update(args),
    'jobs.payload': (args) => jobsOf(services).payload(args),
    'jobs.cancel': () => jobsOf(services).cancel(),
    'jobs.current': () => jobsOf(services).current(),
    'caches.list': () => jobsOf(services).listCaches(),
    'cachesets.list': () => cacheSetsOf(services).list(),
    'cachesets.open': (args) => cacheSetsOf(services).open(args.set),
    'cachesets.build': (args) => cacheSetsOf(services).build(args.set),
    'profiles.list': () => profilesOf(services).list(),
    'bundles.default': () => profilesOf(services).defaultBundle(),
    'bundles.library': () => profilesOf(services).library(),
    'bundles.inspect': (args) => profilesOf(services).inspectBundle(args.dir, args.verify ?? false),
    'images.inspect': (args) => profilesOf(services).inspectImage(args.path),
    'plan.compute': (args) => profilesOf(services).computePlan(args),
    'sticks.inspect': (args) => {
      if (!services.inspectStick) throw new Error('reading sticks is not available in this process');
      return services.inspectStick(args.path);
    },
  };
}

/**
 * Runs one call the way every transport must: refuses unknown channels, validates the arguments with
 * the contract's zod schema, calls the handler, and returns an envelope (never throws).
 */
export async function dispatch(handlers: Handlers, channel: unknown, args: unknown, ctx: HandlerContext): Promise<Envelope> {
  if (!isInvokeChannel(channel)) {
    return { error: { message: `unknown channel ${JSON.stringify(channel)}`, code: ErrorCodes.unknownChannel } };
  }
  const parsed = invokeContract[channel].args.safeParse(args);
  if (!parsed.success) {
    return {
      error: {
        message: `${channel}: invalid arguments: ${z.prettifyError(parsed.error)}`,
        code: ErrorCodes.badArgs,
        details: { kind: 'invalid', issues: zodFieldIssues(parsed.error) },
      },
    };
  }
  try {
    const handler = handlers[channel] as (a: unknown, c: HandlerContext) => unknown;
    return resultEnvelope(await handler(parsed.data, ctx));
  } catch (err) {
    return errorEnvelope(err);
  }
}
