import { detailsWords } from '../../../src-shared/errors/error-words.ts';
import { failureWords } from '../../../src-shared/errors/failure-words.ts';
import { cliErrorText } from '../error-text.ts';
import { inhibitSleep } from '../inhibit-sleep.ts';
import { createInterface } from 'node:readline/promises';
import { t } from '../../../src-shared/i18n/index.ts';
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
  if (!exists) return t('cli.write.newImageFile');
  const info = await readStick(path).catch(() => null);
  if (!info?.layout) return t('cli.write.noTable');
  if (info.stamp) {
    const what = { hostname: info.stamp.hostname ?? '?', profile: info.stamp.profile ?? '?' };
    return info.complete ? t('cli.write.iiosStick', what) : t('cli.write.iiosStickIncomplete', what);
  }
  const parts = info.layout.partitions;
  return t('cli.write.table', { label: info.layout.label, count: parts.length, names: parts.map((p) => p.name || `#${p.index}`).join(', ') });
}

async function confirm(prepared: PreparedJob, io: CommandIO, profileId: string, out: CommandIO['stdout']): Promise<boolean> {
  out.write(`${t('cli.write.willErase', { profile: profileId })}\n`);
  for (const p of prepared.plans) {
    out.write(`  ${p.path}  ${formatBytes(p.sizeBytes)}  → ${p.hostname}   (${t('cli.write.now', { what: await currentContent(p.path, p.exists) })})\n`);
  }
  const rl = createInterface({ input: io.stdin, output: out });
  try {
    const answer = await rl.question(`${t('cli.write.confirm', { count: prepared.plans.length, yes: t('cli.yes') })} `);
    // the English word always counts too: scripts and habits type it whatever the language
    return [t('cli.yes'), 'yes'].includes(answer.trim().toLowerCase());
  } finally {
    rl.close();
  }
}

export const writeCommand: Command = {
  summary: t('cli.write.summary'),
  usage:
    "iios write --profile P (--bundle DIR | --image FILE) --target T [--target T2 …] [--size 8G] [--name 'class-{nn}'] [--first N] [--payload FILE …] [--cache KIND[=DIR] …] [--cache-set SET] [--persistence] [--check-capacity] [--unmount] [--no-verify] [--yes] [--json]",
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
    'check-capacity': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    ...JSON_OPTION,
  },
  async run({ values, positionals }, io) {
    if (positionals.length) throw new UsageError(t('cli.write.unexpectedArg', { arg: positionals[0]! }));
    // The same request, and the same schema, as the GUI's jobs.start.
    const built = writeRequestFromFlags(values, { cwd: process.cwd(), cachesRoot: cachesRootDir() });
    if (!built.ok) throw new UsageError(built.message);
    const request = built.request;
    if (!values.yes && !io.stdin.isTTY) throw new UsageError(t('cli.refuseNoYes'));

    const json = !!values.json;
    const out = humanOut(io, json);
    let shownPct = -1;
    const elevation = defaultElevationDeps();
    const api = createJobsApi({
      // When polkit cannot prompt, sudo asks in this terminal (or, with --yes and no terminal, `sudo -n` never waits).
      elevation: { ...elevation, terminalSudo: { terminal: io.stdin.isTTY === true } },
      onBundleProgress: (done, total) => {
        const pct = Math.floor((done * 100) / Math.max(1, total));
        if (!out.isTTY || pct === shownPct) return;
        shownPct = pct;
        out.write(`\r${t('cli.write.checkingBundle', { percent: pct })}${pct >= 100 ? '\n' : ''}`);
      },
    });
    // As root with --yes nothing waits between here and the job (no password, no question): the helper starts
    // now and loads while the request is checked, instead of after it. It gets no job unless the checks pass.
    if (values.yes && elevation.isRoot()) await api.prelaunch();
    try {
      let prepared: PreparedJob;
      try {
        prepared = await api.prepare(request);
      } catch (err) {
        throw new UsageError(t('cli.refusedBefore', { reason: cliErrorText(err) }), 1);
      }
      if (!values.yes && !(await confirm(prepared, io, request.profileId, out))) {
        out.write(`${t('cli.nothingWritten')}\n`);
        return 1;
      }
      return await runJob(api, prepared, io, json);
    } finally {
      await api.discardPrelaunched();
    }
  },
};

async function runJob(api: ReturnType<typeof createJobsApi>, prepared: PreparedJob, io: CommandIO, json: boolean): Promise<number> {
  const out = humanOut(io, json);
  const view = new ProgressView(out);
  const printLine = json ? jsonEventPrinter(io.stdout) : null;
  const unsubscribe = api.subscribe((n, snapshot) => {
    printLine?.(n, snapshot);
    if (n.event.kind === 'log' && (n.event.level === 'warn' || n.event.level === 'error')) view.log(`${n.event.level === 'warn' ? t('cli.job.warn') : t('cli.job.error')}: ${n.event.message}`);
    if (n.event.kind === 'target-failed') {
      const targetId = n.event.targetId;
      const target = snapshot.targets.find((x) => x.id === targetId);
      view.log(`${target ? `${target.hostname} ${target.path}` : targetId}: ${n.event.cancelled ? t('cli.job.cancelled') : t('cli.job.failed', { message: failureWords(n.event.failure, n.event.message) })}`);
    }
    if (n.event.kind === 'error') view.log(`${t('cli.job.error')}: ${detailsWords(n.event.details, n.event.message)}`);
    view.update(snapshot, n.event.kind !== 'progress');
  });
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      view.log(t('cli.job.cancelling'));
      api.cancel();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  // Not awaited before the job starts: systemd-inhibit holds its block from its own start, and telling that it
  // failed takes up to 400 ms (inhibit-sleep.ts), which every write used to wait before its helper was started.
  const sleeping = inhibitSleep('writing USB sticks').then((sleep) => {
    if (sleep.problem) view.log(sleep.problem);
    return sleep;
  });
  try {
    const started = await api.startPrepared(prepared);
    out.write(`${t('cli.job.started', { id: started.jobId, count: started.targets.length })}\n`);
    const logPath = api.current()?.logPath;
    if (logPath) out.write(`${t('cli.job.log', { path: logPath })}\n`);
    const final: JobSnapshot = await started.finished;
    view.update(final, true);
    out.write(summary(final) + '\n');
    if (final.status !== 'done' && final.logPath) out.write(`${t('cli.job.failedLog', { path: final.logPath })}\n`);
    if (final.status === 'done') return 0;
    return final.status === 'cancelled' ? 130 : 1;
  } finally {
    (await sleeping).release();
    unsubscribe();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}
