// Builds the services and the handler registry once per process; both the Electron main process and
// `iios serve` start here, so they serve the same handlers over their own transport.
import { appVersion } from './app/app-info.ts';
import { DriveService } from './drives/drives.ts';
import { PortLabelStore } from './drives/port-labels.ts';
import { checkImageFolder } from './drives/image-folder.ts';
import { EventHub } from './events.ts';
import { createHandlers, type Handlers, type PathPicker } from './handlers.ts';
import { createProfilesApi } from './sources/profiles-api.ts';
import { createJobsApi } from './jobs/jobs-runtime.ts';
import { CacheSetsApi } from './caches/cache-sets-api.ts';
import { inspectStickSource } from './stick/stick-source.ts';

export interface AppRuntime {
  handlers: Handlers;
  events: EventHub;
  drives: DriveService;
  /** Starts background watchers (drive polling). */
  start(): void;
  dispose(): void;
}

export interface AppRuntimeOptions {
  /** The desktop's file choosers (Electron's main process); `iios serve` has none. */
  pickPath?: PathPicker;
}

export function createAppRuntime(options: AppRuntimeOptions = {}): AppRuntime {
  const events = new EventHub();
  const drives = new DriveService(events);
  const handlers = createHandlers({
    appInfo: () => ({
      name: 'iios',
      version: appVersion(),
      platform: process.platform,
      arch: process.arch,
      elevated: typeof process.getuid === 'function' && process.getuid() === 0,
    }),
    drives,
    portLabels: new PortLabelStore(),
    checkImageFolder,
    profiles: createProfilesApi(),
    jobs: createJobsApi({ events }),
    cacheSets: new CacheSetsApi(events),
    inspectStick: inspectStickSource,
    ...(options.pickPath ? { pickPath: options.pickPath } : {}),
  });
  return {
    handlers,
    events,
    drives,
    start: () => drives.start(),
    dispose: () => drives.stop(),
  };
}
