// Runs one clone, repair or reset job through the helper for the CLI: the same job service, log file, progress
// bars and `--json` event lines as `iios write`, so every job command reads and scripts the same way.
import { detailsWords } from '../../src-shared/errors/error-words.ts';
import { failureWords } from '../../src-shared/errors/failure-words.ts';
import { t } from '../../src-shared/i18n/index.ts';
import type { HelperJobInput } from '../../src-shared/job/clone-job.ts';
import type { CommandIO } from './command.ts';
import { humanOut, jsonEventPrinter } from './json-events.ts';
import { ProgressView, summary } from './progress-view.ts';
import { appRoot } from '../services/app/app-info.ts';
import { defaultElevationDeps, helperCommand, startHelper } from '../services/elevation/elevation.ts';
import { jobLogDir } from '../services/jobs/job-log.ts';
import { setupNoticeFor } from '../services/elevation/helper-trust.ts';
import { JobService } from '../services/jobs/jobs.ts';

/** The exit code says how the job ended: 0 done, 130 cancelled, 1 failed. */
export async function runHelperJob(job: HelperJobInput, io: CommandIO, json = false): Promise<number> {
  const elevation = defaultElevationDeps();
  const service = new JobService({
    helloTimeoutMs: elevation.isRoot() ? 60_000 : 300_000,
    launchHelper: (args) => startHelper(helperCommand({ root: appRoot() }), args, elevation),
    logDir: jobLogDir(),
    setupNotice: setupNoticeFor(elevation.setup, elevation.isRoot()),
  });
  const out = humanOut(io, json);
  const view = new ProgressView(out);
  const printLine = json ? jsonEventPrinter(io.stdout) : null;
  const unsubscribe = service.subscribe((n) => {
    const snapshot = service.current()!;
    printLine?.(n, snapshot);
    if (n.event.kind === 'log' && (n.event.level === 'warn' || n.event.level === 'error')) view.log(`${n.event.level === 'warn' ? t('cli.job.warn') : t('cli.job.error')}: ${n.event.message}`);
    if (n.event.kind === 'target-failed') {
      // a cancelled update's failure says what the stick still starts: worth more than "cancelled"
      const cancelled = n.event.cancelled && n.event.failure?.key !== 'update-kept-old';
      view.log(`${n.event.targetId}: ${cancelled ? t('cli.job.cancelled') : t('cli.job.failed', { message: failureWords(n.event.failure, n.event.message) })}`);
    }
    if (n.event.kind === 'error') view.log(`${t('cli.job.error')}: ${detailsWords(n.event.details, n.event.message)}`);
    view.update(snapshot, n.event.kind !== 'progress');
  });
  const onSigint = () => service.cancel();
  process.on('SIGINT', onSigint);
  try {
    const started = await service.start(job);
    out.write(`${t('cli.job.startedKind', { id: started.jobId, kind: 'kind' in job ? job.kind : 'write' })}\n`);
    const logPath = service.current()?.logPath;
    if (logPath) out.write(`${t('cli.job.log', { path: logPath })}\n`);
    const final = await started.finished;
    view.update(final, true);
    out.write(summary(final) + '\n');
    if (final.status !== 'done' && final.logPath) out.write(`${t('cli.job.failedLog', { path: final.logPath })}\n`);
    if (final.status === 'done') return 0;
    return final.status === 'cancelled' ? 130 : 1;
  } finally {
    unsubscribe();
    process.off('SIGINT', onSigint);
  }
}
