// What the handlers of the "jobs" domain and the `iios write` command call: prepare a WriteJob from a user's
// request (refusing before the helper starts what can be refused), run it on the job service, publish events.
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CacheEntry, CloneRequest, PayloadRequest, StartedJob, UpdateRequest, WriteRequest } from '../../../src-shared/contract/domains/jobs.ts';
import { prepareCloneJob } from './clone-request.ts';
import { preparePayloadJob, prepareUpdateJob } from './update-request.ts';
import type { EventSink } from '../events.ts';
import { prepareWriteJob, type JobRequestDeps, type PreparedJob } from './job-request.ts';
import type { JobSnapshot } from './job-state.ts';
import { JobBusyError, type JobNotice, type JobService } from './jobs.ts';
import { takeEarlyHelper } from './early-helper.ts';

/** The contract's started job (what jobs.start answers), plus what only this process can hold. */
export interface RunningJob extends StartedJob {
  finished: Promise<JobSnapshot>;
  prepared: PreparedJob;
}

/** Where this computer keeps offline caches for sticks: one directory per kind (apt, flatpak …). */
export function cachesRootDir(): string {
  return process.env.IIOS_CACHES_DIR ?? join(homedir(), '.cache', 'iios', 'caches');
}

export class JobsApi {
  constructor(
    private readonly service: JobService,
    private readonly requestDeps: JobRequestDeps,
    events?: EventSink,
    private readonly cachesRoot: string = cachesRootDir(),
  ) {
    if (events) {
      service.subscribe((n) => {
        const snapshot = service.current();
        if (snapshot) events.emit('jobs.event', { jobId: n.jobId, event: n.event, snapshot });
      });
    }
  }

  /** Plans every target and starts the helper; a second job while one runs is refused. */
  async start(req: WriteRequest): Promise<RunningJob> {
    if (this.service.isBusy()) throw new JobBusyError(this.service.current()?.jobId ?? '?');
    return this.startPrepared(await this.prepare(req));
  }

  /**
   * Starts the helper ahead of the job while the request is still checked: only where starting it asks nobody
   * for a password (the caller runs as root); the next start() takes it, discardPrelaunched() closes it unused.
   */
  prelaunch(): Promise<void> {
    // the one the CLI started before its bundle loaded (src-main/cli/early-helper.mjs), where it did
    return this.service.prelaunch(takeEarlyHelper());
  }

  discardPrelaunched(): Promise<void> {
    return this.service.discardPrelaunched();
  }

  /** Checks the bundle and plans every target, without starting anything (the CLI asks before it starts). */
  prepare(req: WriteRequest): Promise<PreparedJob> {
    return prepareWriteJob(req, this.requestDeps);
  }

  async startPrepared(prepared: PreparedJob): Promise<RunningJob> {
    const { jobId, finished } = await this.service.start(prepared.job);
    return {
      jobId,
      targets: prepared.plans.map((p) => ({ id: p.targetId, path: p.path, kind: p.kind, sizeBytes: p.sizeBytes, hostname: p.hostname })),
      finished,
      prepared,
    };
  }

  /** Sizes and names every target and starts the clone; the helper plans each from the source stick's own profile. */
  async clone(req: CloneRequest): Promise<StartedJob> {
    if (this.service.isBusy()) throw new JobBusyError(this.service.current()?.jobId ?? '?');
    const job = await prepareCloneJob(req, this.requestDeps);
    const { jobId } = await this.service.start(job);
    return { jobId, targets: job.targets.map((t) => ({ id: t.id, path: t.path, kind: t.kind, sizeBytes: t.sizeBytes, hostname: t.hostname })) };
  }

  /** Describes every stick and starts the update; the helper reads each stick's slots and refuses what does not fit. */
  async update(req: UpdateRequest): Promise<StartedJob> {
    if (this.service.isBusy()) throw new JobBusyError(this.service.current()?.jobId ?? '?');
    const job = await prepareUpdateJob(req, this.requestDeps);
    const { jobId } = await this.service.start(job);
    return { jobId, targets: job.targets.map((t) => ({ ...t, hostname: '' })) };
  }

  /** Starts replacing a kiosk stick's payload files; the helper refuses files bigger than the partition. */
  async payload(req: PayloadRequest): Promise<StartedJob> {
    if (this.service.isBusy()) throw new JobBusyError(this.service.current()?.jobId ?? '?');
    const job = await preparePayloadJob(req, this.requestDeps);
    const { jobId } = await this.service.start(job);
    return { jobId, targets: [{ ...job.target, hostname: '' }] };
  }

  cancel(): { cancelled: boolean } {
    return { cancelled: this.service.cancel() };
  }

  current(): JobSnapshot | null {
    return this.service.current();
  }

  subscribe(listener: (n: JobNotice, snapshot: JobSnapshot) => void): () => void {
    return this.service.subscribe((n) => listener(n, this.service.current()!));
  }

  /** Offline caches on this computer: one directory per kind under the caches root (e.g. apt, flatpak). */
  async listCaches(): Promise<CacheEntry[]> {
    const entries = await readdir(this.cachesRoot, { withFileTypes: true }).catch(() => []);
    const out: CacheEntry[] = [];
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const path = join(this.cachesRoot, e.name);
      // a cache set's folder (<set>/<kind>/ beside <kind>.build.json records) is offered as a set, not as a kind
      if ((await readdir(path).catch(() => [] as string[])).some((n) => n.endsWith('.build.json'))) continue;
      const { bytes, files } = await duOf(path);
      out.push({ kind: e.name, path, sizeBytes: bytes, files });
    }
    return out.sort((a, b) => a.kind.localeCompare(b.kind));
  }
}

async function duOf(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (!e.isFile()) continue;
    const st = await stat(join(e.parentPath, e.name)).catch(() => null);
    if (st) {
      bytes += st.size;
      files++;
    }
  }
  return { bytes, files };
}
