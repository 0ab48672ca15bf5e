// `iios update STICK [STICK2 …] (--bundle DIR | --from-stick OTHER)`: a new system into the inactive A/B slot of
// each stick, booted next with three tries, the old slot kept as the fallback (design.md, "Updates"); and
// `iios payload STICK --file F …`: a kiosk stick's payload files replaced. Both run in the helper like every change
// to a stick; the helper checks the bundle and refuses what does not fit before writing anything.
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from '../command.ts';
import { UsageError } from '../command.ts';
import { JSON_OPTION } from '../json-events.ts';
import { runHelperJob } from '../run-helper-job.ts';

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);
const absolute = (p: string) => (p.startsWith('/') ? p : `${process.cwd()}/${p}`);

async function stickTarget(given: string, id: string) {
  const path = absolute(given);
  const st = await stat(path).catch(() => null);
  if (!st) throw new UsageError(`${given} does not exist`);
  return { id, kind: st.isBlockDevice() ? ('device' as const) : ('image-file' as const), path, sizeBytes: Math.max(1, st.size) };
}

export const updateCommand: Command = {
  summary: "write a new system into each stick's inactive A/B slot; it boots next, the old one stays as the fallback",
  usage: 'iios update STICK [STICK2 …] (--bundle DIR | --from-stick OTHER) [--yes] [--json]',
  options: { bundle: { type: 'string' }, 'from-stick': { type: 'string' }, yes: { type: 'boolean', short: 'y' }, ...JSON_OPTION },
  async run({ values, positionals }, io) {
    if (positionals.length === 0) throw new UsageError('name the sticks to update: block devices (/dev/sdX) or image files');
    const bundle = values.bundle as string | undefined;
    const from = values['from-stick'] as string | undefined;
    if (!!bundle === !!from) throw new UsageError('give the new system with exactly one of --bundle DIR or --from-stick OTHER');
    if (!values.yes && !io.stdin.isTTY) throw new UsageError('refusing to update without --yes when stdin is not a terminal');
    const targets = await Promise.all(positionals.map((p, i) => stickTarget(p, positionals.length === 1 ? 'stick' : `stick${i + 1}`)));
    if (from && !(await stat(absolute(from)).catch(() => null))) throw new UsageError(`${from} does not exist`);
    const source = bundle ? { kind: 'bundle' as const, dir: absolute(bundle) } : { kind: 'stick' as const, path: absolute(from!) };
    return runHelperJob({ kind: 'update', jobId: `update-${Date.now().toString(36)}`, source, targets }, io, !!values.json);
  },
};

export const payloadCommand: Command = {
  summary: "replace a kiosk stick's payload files (the system is not touched)",
  usage: 'iios payload STICK --file F [--file F2 …] [--yes] [--json]',
  options: { file: { type: 'string', multiple: true }, yes: { type: 'boolean', short: 'y' }, ...JSON_OPTION },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError('name one kiosk stick: a block device (/dev/sdX) or an image file');
    const files = list(values.file).map(absolute);
    if (files.length === 0) throw new UsageError('give the new payload with --file F (repeat it for more files)');
    const names = new Set<string>();
    for (const f of files) {
      if (names.has(basename(f))) throw new UsageError(`two payload files are named ${basename(f)}; the payload partition keeps one name once`);
      names.add(basename(f));
    }
    if (!values.yes && !io.stdin.isTTY) throw new UsageError('refusing to replace the payload without --yes when stdin is not a terminal');
    const target = await stickTarget(positionals[0]!, 'stick');
    return runHelperJob({ kind: 'payload', jobId: `payload-${Date.now().toString(36)}`, target, files: files.map((f) => ({ sourcePath: f, name: basename(f) })) }, io, !!values.json);
  },
};
