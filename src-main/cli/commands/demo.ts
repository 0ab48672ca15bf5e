import { mkdir, rm } from 'node:fs/promises';
import { detailsWords } from '../../../src-shared/errors/error-words.ts';
import { t } from '../../../src-shared/i18n/index.ts';
import { join } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { ProgressView, summary } from '../progress-view.ts';
import { appRoot } from '../../services/app/app-info.ts';
import { ensureDemoBundle } from '../../services/sources/demo-bundle.ts';
import { createJobsApi } from '../../services/jobs/jobs-runtime.ts';
import { bootUntilReady } from '../../services/stick/qemu-boot.ts';
import { readStick } from '../../services/stick/stick-reader.ts';
import { formatBytes } from '../../../src-shared/format/bytes.ts';
import { stickReadWords } from '../../../src-shared/errors/stick-read-words.ts';
import { demoBuildLineWords } from '../../../src-shared/errors/demo-build-words.ts';

const DEMO_SIZE = 8 * 1024 ** 3;

export const demoCommand: Command = {
  summary: t('cli.demo.summary'),
  usage: 'iios demo [--out FILE] [--timeout SECONDS] [--serial]',
  options: { out: { type: 'string' }, timeout: { type: 'string' }, serial: { type: 'boolean' } },
  async run({ values }, io) {
    const image = (values.out as string | undefined) ?? join(appRoot(), 'out', 'demo-stick.img');
    const timeoutS = values.timeout === undefined ? 900 : Number(values.timeout);
    if (!(timeoutS > 0)) throw new UsageError(t('cli.demo.badTimeout'));

    io.stdout.write(`${t('cli.demo.step1')}\n`);
    const bundle = await ensureDemoBundle({ onLine: (l) => io.stderr.write(`    ${demoBuildLineWords(l)}\n`) });
    io.stdout.write(`    ${bundle}\n`);

    io.stdout.write(`${t('cli.demo.step2', { image, size: formatBytes(DEMO_SIZE) })}\n`);
    await mkdir(join(image, '..'), { recursive: true });
    await rm(image, { force: true });
    const api = createJobsApi();
    const prepared = await api.prepare({
      profileId: 'appliance',
      bundleDir: bundle,
      targets: [{ path: image, sizeBytes: DEMO_SIZE }],
      namePattern: 'iios-demo',
    });
    const view = new ProgressView(io.stdout);
    const off = api.subscribe((n, s) => {
      if (n.event.kind === 'error') view.log(`${t('cli.job.error')}: ${detailsWords(n.event.details, n.event.message)}`);
      view.update(s, n.event.kind !== 'progress');
    });
    const started = await api.startPrepared(prepared);
    const final = await started.finished;
    off();
    view.update(final, true);
    io.stdout.write(summary(final) + '\n');
    if (final.status !== 'done') return 1;

    const info = await readStick(image);
    if (!info.complete) {
      io.stderr.write(`${info.readProblem ? t('cli.demo.incompleteWhy', { image, why: stickReadWords(info.readProblem) }) : t('cli.demo.incomplete', { image })}\n`);
      return 1;
    }
    io.stdout.write(`${t('cli.demo.step3', { image })}\n`);
    const boot = await bootUntilReady({
      disk: image,
      uefi: true,
      timeoutMs: timeoutS * 1000,
      onSerial: values.serial ? (text) => io.stderr.write(text) : undefined,
    });
    if (boot.readyLine) {
      io.stdout.write(`${boot.readyLine}\n`);
      io.stdout.write(`${t('cli.demo.booted', { seconds: Math.round(boot.elapsedMs / 1000) })}\n`);
      return 0;
    }
    io.stderr.write(boot.serial.split('\n').slice(-30).join('\n') + '\n');
    io.stderr.write(`${boot.failLine ? t('cli.demo.notReadyLine', { line: boot.failLine }) : boot.timedOut ? t('cli.demo.notReadyWithin', { seconds: timeoutS }) : t('cli.demo.notReady')}\n`);
    return 1;
  },
};
