// `iios repair STICK` and `iios reset STICK [--keep-home]`: jobs on one stick in place, offline, from what the
// stick carries (its stored bundle; its factory snapshot). Run by the helper like every change to a stick.
import { t } from '../../../src-shared/i18n/index.ts';
import { stat } from 'node:fs/promises';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { JSON_OPTION } from '../json-events.ts';
import { runHelperJob } from '../run-helper-job.ts';

async function stickTarget(given: string | undefined) {
  if (!given) throw new UsageError(t('cli.repair.nameStick'));
  const path = given.startsWith('/') ? given : `${process.cwd()}/${given}`;
  const st = await stat(path).catch(() => null);
  if (!st) throw new UsageError(t('cli.notExist', { path: given }));
  return { id: 'stick', kind: st.isBlockDevice() ? ('device' as const) : ('image-file' as const), path, sizeBytes: Math.max(1, st.size) };
}

export const repairCommand: Command = {
  summary: t('cli.repair.summary'),
  usage: 'iios repair STICK [--yes] [--json]',
  options: { yes: { type: 'boolean', short: 'y' }, ...JSON_OPTION },
  async run({ values, positionals }, io) {
    const target = await stickTarget(positionals[0]);
    if (!values.yes && !io.stdin.isTTY) throw new UsageError(t('cli.repair.refuseNoYes'));
    return runHelperJob({ kind: 'repair', jobId: `repair-${Date.now().toString(36)}`, target }, io, !!values.json);
  },
};

export const resetCommand: Command = {
  summary: t('cli.reset.summary'),
  usage: 'iios reset STICK [--keep-home] [--yes] [--json]',
  options: { 'keep-home': { type: 'boolean' }, yes: { type: 'boolean', short: 'y' }, ...JSON_OPTION },
  async run({ values, positionals }, io) {
    const target = await stickTarget(positionals[0]);
    if (!values.yes && !io.stdin.isTTY) throw new UsageError(t('cli.reset.refuseNoYes'));
    return runHelperJob({ kind: 'reset', jobId: `reset-${Date.now().toString(36)}`, target, keepHome: !!values['keep-home'] }, io, !!values.json);
  },
};
