import { createInterface } from 'node:readline/promises';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { formatBytes } from '../../../src-shared/format/bytes.ts';
import { humanOut, JSON_OPTION, jsonEventPrinter } from '../json-events.ts';
import { ProgressView, summary } from '../progress-view.ts';
import type { PreparedJob } from '../../services/jobs/job-request.ts';
import type { JobSnapshot } from '../../services/jobs/job-state.ts';
import { cachesRootDir } from '../../services/jobs/jobs-api.ts';
import { createJobsApi } from '../../services/jobs/jobs-runtime.ts';
import { defaultElevationDeps } from '../../services/elevation/elevation.ts';
import { readStick } from '../../services/stick/stick-reader.ts';
import { writeRequestFromFlags } from '../write-request.ts';

/** What is on a target now, in a few words (what the user is about to lose). */
async function currentContent(path: string, exists: boolean): Promise<string> {
  if (!exists) return 'new image file';
  const info = await readStick(path).catch(() => null);
  if (!info?.layout) return 'no partition table';
  if (info.stamp) return `iios stick "${info.stamp.hostname ?? '?'}" (${info.stamp.profile ?? '?'}${info.complete ? '' : ', incomplete'})`;
  return `${info.layout.label} table, ${info.layout.partitions.length} partition(s): ${info.layout.partitions.map((p) => p.name || `#${p.index}`).join(', ')}`;
}

async function confirm(prepared: PreparedJob, io: CommandIO, profileId: string, out: CommandIO['stdout']): Promise<boolean> {
  out.write(`iios will ERASE and write the ${profileId} profile onto:\n`);
  for (const p of prepared.plans) {
    out.write(`  ${p.path}  ${formatBytes(p.sizeBytes)}  → ${p.hostname}   (now: ${await currentContent(p.path, p.exists)})\n`);
  }
  const rl = createInterface({ input: io.stdin, output: out });
  try {
    const answer = await rl.question(`Everything on ${prepared.plans.length === 1 ? 'this target' : `these ${prepared.plans.length} targets`} will be lost. Type "yes" to go on: `);
    return answer.trim().toLowerCase() === 'yes';
  } finally {
    rl.close();
  }
}

export const writeCommand: Command = {
  summary: 'write a profile onto sticks or image files (one job, many targets)',
  usage:
    "iios write --profile P (--bundle DIR | --image FILE) --target T [--target T2 …] [--size 8G] [--name 'class-{nn}'] [--first N] [--payload FILE …] [--cache KIND[=DIR] …] [--cache-set SET] [--persistence] [--unmount] [--no-verify] [--yes] [--json]",
  options: {
    profile: { type: 'string' },
    bundle: { type: 'string' },
    image: { type: 'string' },
    target: { type: 'string', multiple: true },
    size: { type: 'string' },
    name: { type: 'string' },
    first: { type: 'string' },
    payload: { type: 'string', multiple: true },
    cache: { type: 'string', multiple: true },
    'cache-set': { type: 'string' },
    persistence: { type: 'boolean' },
    unmount: { type: 'boolean' },
    'no-verify': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    ...JSON_OPTION,
  },
  async run({ values, positionals }, io) {
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]} (targets go after --target)`);
    // The same request, and the same schema, as the GUI's jobs.start.
    const built = writeRequestFromFlags(values, { cwd: process.cwd(), cachesRoot: cachesRootDir() });
    if (!built.ok) throw new UsageError(built.message);
    const request = built.request;
    if (!values.yes && !io.stdin.isTTY) throw new UsageError('refusing to erase targets without --yes when stdin is not a terminal');

    const json = !!values.json;
    const out = humanOut(io, json);
    let shownPct = -1;
    const api = createJobsApi({
      // When polkit cannot prompt, sudo asks in this terminal (or, with --yes and no terminal, `sudo -n` never waits).
      elevation: { ...defaultElevationDeps(), terminalSudo: { terminal: io.stdin.isTTY === true } },
      onBundleProgress: (done, total) => {
        const pct = Math.floor((done * 100) / Math.max(1, total));
        if (!out.isTTY || pct === shownPct) return;
        shownPct = pct;
        out.write(`\rchecking the bundle's sha256… ${pct}%${pct >= 100 ? '\n' : ''}`);
      },
    });
    let prepared: PreparedJob;
    try {
      prepared = await api.prepare(request);
    } catch (err) {
      throw new UsageError(`refused before writing anything: ${(err as Error).message}`, 1);
    }
    if (!values.yes && !(await confirm(prepared, io, request.profileId, out))) {
      out.write('nothing was written\n');
      return 1;
    }
    return runJob(api, prepared, io, json);
  },
};

async function runJob(api: ReturnType<typeof createJobsApi>, prepared: PreparedJob, io: CommandIO, json: boolean): Promise<number> {
  const out = humanOut(io, json);
  const view = new ProgressView(out);
  const printLine = json ? jsonEventPrinter(io.stdout) : null;
  const unsubscribe = api.subscribe((n, snapshot) => {
    printLine?.(n, snapshot);
    if (n.event.kind === 'log' && (n.event.level === 'warn' || n.event.level === 'error')) view.log(`${n.event.level}: ${n.event.message}`);
    if (n.event.kind === 'target-failed') {
      const targetId = n.event.targetId;
      const t = snapshot.targets.find((x) => x.id === targetId);
      view.log(`${t ? `${t.hostname} ${t.path}` : targetId}: ${n.event.cancelled ? 'cancelled' : `FAILED: ${n.event.message}`}`);
    }
    if (n.event.kind === 'error') view.log(`error: ${n.event.message}`);
    view.update(snapshot, n.event.kind !== 'progress');
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      view.log('cancelling… (the targets will be left incomplete; Ctrl-C again to stop waiting)');
      api.cancel();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  try {
    const started = await api.startPrepared(prepared);
    out.write(`job ${started.jobId}: ${started.targets.length} target(s)\n`);
    const logPath = api.current()?.logPath;
    if (logPath) out.write(`log: ${logPath}\n`);
    const final: JobSnapshot = await started.finished;
    view.update(final, true);
    out.write(summary(final) + '\n');
    if (final.status !== 'done' && final.logPath) out.write(`every command the job ran, and why it failed: ${final.logPath}\n`);
    if (final.status === 'done') return 0;
    return final.status === 'cancelled' ? 130 : 1;
  } finally {
    unsubscribe();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
