import type { Command } from '../command.ts';
import { t } from '../../../src-shared/i18n/index.ts';
import { UsageError } from '../command.ts';
import { verifyStick, type VerifyCheck } from '../../services/stick/stick-verify.ts';
import { checkWords } from '../../../src-shared/verify/check-words.ts';
import { formatSpeed } from '../../../src-shared/progress/speed.ts';

export const verifyCommand: Command = {
  summary: t('cli.verify.summary'),
  usage: 'iios verify TARGET [--image FILE] [--json]',
  options: { json: { type: 'boolean' }, image: { type: 'string' } },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError(t('cli.verify.oneTarget'));
    const path = positionals[0]!;
    const image = typeof values.image === 'string' ? values.image : undefined;
    if (image === '') throw new UsageError(t('cli.verify.imageNeeded'));
    const report = await verifyStick(path, {
      ...(image ? { image } : {}),
      onCheck: (c) => {
        if (values.json) return;
        const speed = c.bytes && c.ms > 0 ? ` (${formatSpeed((c.bytes * 1000) / c.ms)})` : '';
        io.stdout.write(`${verifyLine(c)}${speed}\n`);
      },
    });
    if (values.json) {
      io.stdout.write(JSON.stringify({ path, ...(image ? { image } : {}), ok: report.ok, checks: report.checks }, null, 2) + '\n');
    } else {
      const failed = report.checks.filter((c) => !c.ok).length;
      io.stdout.write(`${verifyVerdict(path, image, report.ok, report.checks.length, failed)}\n`);
    }
    return report.ok ? 0 : 1;
  },
};

/** One check as it is known: "ok    caches: apt: manifests match", in the reader's language. */
export function verifyLine(c: Pick<VerifyCheck, 'ok' | 'id' | 'said'>): string {
  return `${c.ok ? t('cli.verify.ok') : t('cli.verify.fail')}  ${checkWords(c)}`;
}

/** The closing line: how many checks passed or failed, and the image they were made against (if one was given). */
export function verifyVerdict(path: string, image: string | undefined, ok: boolean, checks: number, failed: number): string {
  if (ok) return image ? t('cli.verify.passedAgainst', { path, image, count: checks }) : t('cli.verify.passed', { path, count: checks });
  return image ? t('cli.verify.failedAgainst', { path, image, failed, count: checks }) : t('cli.verify.failed', { path, failed, count: checks });
}
