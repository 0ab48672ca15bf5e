// The real wiring of the jobs domain: the helper started through elevation; profiles, bundles, raw images and
// device sizes from their services. Electron's main process, `iios serve` and `iios write` all build it here.
import { appRoot } from '../app/app-info.ts';
import { loadBundle } from '../sources/bundles.ts';
import { inspectImage } from '../sources/images.ts';
import { targetSize } from '../stick/stick-reader.ts';
import { defaultElevationDeps, helperCommand, startHelper, type ElevationDeps } from '../elevation/elevation.ts';
import type { EventSink } from '../events.ts';
import { jobLogDir } from './job-log.ts';
import { setupNoticeFor } from '../elevation/helper-trust.ts';
import type { JobRequestDeps } from './job-request.ts';
import { JobsApi } from './jobs-api.ts';
import { JobService, type JobServiceDeps } from './jobs.ts';
import { loadProfile } from '../sources/profiles.ts';

export interface JobsRuntimeOptions {
  events?: EventSink;
  /** Elevation dependencies (default: execa as root, sudo-prompt otherwise). */
  elevation?: ElevationDeps;
  service?: Partial<Omit<JobServiceDeps, 'launchHelper'>>;
  /** Called with each bundle file check, e.g. to show "checking bundle…" in the CLI. */
  onBundleProgress?: (bytesDone: number, bytesTotal: number) => void;
}

export const realJobRequestDeps = (onBundleProgress?: JobsRuntimeOptions['onBundleProgress']): JobRequestDeps => ({
  loadProfile: (id) => loadProfile(id),
  loadBundle: async (dir) => (await loadBundle(dir, { onProgress: (p) => onBundleProgress?.(p.bytesDone, p.bytesTotal) })).manifest,
  imageBytes: async (path) => {
    const image = await inspectImage(path);
    if (image.uncompressedBytes === null) {
      const why = image.compression === 'xz' ? 'its xz index cannot be read: truncated or damaged?' : `${String(image.compression)} does not record it`;
      throw new Error(`cannot tell the size of ${image.name} before decompressing it (${why}); decompress it first`);
    }
    return image.uncompressedBytes;
  },
  deviceBytes: async (path) => (await targetSize(path)).sizeBytes,
});

export function createJobsApi(opts: JobsRuntimeOptions = {}): JobsApi {
  const elevation = opts.elevation ?? defaultElevationDeps();
  const service = new JobService({
    logDir: jobLogDir(),
    setupNotice: setupNoticeFor(elevation.setup, elevation.isRoot()),
    ...opts.service,
    // A root process has no password prompt to wait for: the helper connects in seconds or not at all.
    helloTimeoutMs: opts.service?.helloTimeoutMs ?? (elevation.isRoot() ? 60_000 : 300_000),
    // Resolved per job, so a process that never writes does not need to find the helper.
    launchHelper: (args) => startHelper(helperCommand({ root: appRoot() }), args, elevation),
  });
  return new JobsApi(service, realJobRequestDeps(opts.onBundleProgress), opts.events);
}
