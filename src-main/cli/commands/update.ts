// `iios update STICK [STICK2 …] (--bundle DIR | --from-stick OTHER)`: a new system into the inactive A/B slot of
// each stick, booted next with three tries, the old slot kept as the fallback (design.md, "Updates"); and
// `iios payload STICK --file F …`: a kiosk stick's payload files replaced. Both run in the helper like every change
// to a stick; the helper checks the bundle and refuses what does not fit before writing anything.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { t } from '../../../src-shared/i18n/index.ts';
import { JSON_OPTION } from '../json-events.ts';
import { runHelperJob } from '../run-helper-job.ts';

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);
const absolute = (p: string) => (p.startsWith('/') ? p : `${process.cwd()}/${p}`);

async function stickTarget(given: string, id: string) {
  const path = absolute(given);
  const st = await stat(path).catch(() => null);
  if (!st) throw new UsageError(t('cli.notExist', { path: given }));
  return { id, kind: st.isBlockDevice() ? ('device' as const) : ('image-file' as const), path, sizeBytes: Math.max(1, st.size) };
}

export const updateCommand: Command = {
  summary: t('cli.update.summary'),
  usage: 'iios update STICK [STICK2 …] (--bundle DIR | --from-stick OTHER) [--yes] [--json]',
  options: { bundle: { type: 'string' }, 'from-stick': { type: 'string' }, yes: { type: 'boolean', short: 'y' }, ...JSON_OPTION },
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError(t('cli.update.nameSticks'));
    const bundle = values.bundle as string | undefined;
    const from = values['from-stick'] as string | undefined;
    if (!!bundle === !!from) throw new UsageError(t('cli.update.oneSource'));
    if (!values.yes && !io.stdin.isTTY) throw new UsageError(t('cli.update.refuseNoYes'));
    const targets = await Promise.all(positionals.map((p, i) => stickTarget(p, positionals.length === 1 ? 'stick' : `stick${i + 1}`)));
    if (from && !(await stat(absolute(from)).catch(() => null))) throw new UsageError(t('cli.notExist', { path: from }));
    const source = bundle ? { kind: 'bundle' as const, dir: absolute(bundle) } : { kind: 'stick' as const, path: absolute(from!) };
    return runHelperJob({ kind: 'update', jobId: `update-${Date.now().toString(36)}`, source, targets }, io, !!values.json);
  },
};

export const payloadCommand: Command = {
  summary: t('cli.payload.summary'),
  usage: 'iios payload STICK --file F [--file F2 …] [--yes] [--json]',
  options: { file: { type: 'string', multiple: true }, yes: { type: 'boolean', short: 'y' }, ...JSON_OPTION },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError(t('cli.payload.nameStick'));
    const files = list(values.file).map(absolute);
    if (files.length === 0) throw new UsageError(t('cli.payload.needFile'));
    const names = new Set<string>();
    for (const f of files) {
      if (names.has(basename(f))) throw new UsageError(t('cli.payload.sameName', { name: basename(f) }));
      names.add(basename(f));
    }
    if (!values.yes && !io.stdin.isTTY) throw new UsageError(t('cli.payload.refuseNoYes'));
    const target = await stickTarget(positionals[0]!, 'stick');
    return runHelperJob({ kind: 'payload', jobId: `payload-${Date.now().toString(36)}`, target, files: files.map((f) => ({ sourcePath: f, name: basename(f) })) }, io, !!values.json);
  },
};
