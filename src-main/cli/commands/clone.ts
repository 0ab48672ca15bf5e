// `iios clone SOURCE --target T …`: a stick (or a disk image) copied onto sticks or image files of any size that
// fits, each with its own name; `--to-image FILE.img[.zst]` saves it as an image that `iios write --image` and
// `iios clone` accept later. The helper opens the source read-only and refuses what does not fit before writing.
import { t } from '../../../src-shared/i18n/index.ts';
import { stat, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { CloneJob, type CloneJobInput } from '../../../src-shared/job/clone-job.ts';
import { zodFieldIssues } from '../../../src-shared/contract/error-details.ts';
import { fieldIssueWords } from '../../../src-shared/errors/field-words.ts';
import { expandNames, NamePatternError } from '../../../src-shared/job/names.ts';
import type { Command, CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { parseSizeArg } from '../format.ts';
import { formatBytes } from '../../../src-shared/format/bytes.ts';
import { humanOut, JSON_OPTION } from '../json-events.ts';
import { runHelperJob } from '../run-helper-job.ts';
import { readStick, targetSize } from '../../services/stick/stick-reader.ts';
import { runTool } from '../../services/run-tool.ts';

const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);
const absolute = (p: string) => (p.startsWith('/') ? p : `${process.cwd()}/${p}`);

async function sizeOf(path: string): Promise<{ bytes: number; device: boolean } | null> {
  const st = await stat(path).catch(() => null);
  if (!st) return null;
  if (st.isBlockDevice()) return { bytes: (await targetSize(path)).sizeBytes, device: true };
  return { bytes: st.size, device: false };
}

async function describeSource(path: string): Promise<string> {
  const info = await readStick(path).catch(() => null);
  if (info?.stamp && info.complete) return t('cli.write.iiosStick', { hostname: info.stamp.hostname ?? '?', profile: info.stamp.profile ?? '?' });
  return t('cli.clone.rawSource');
}

async function confirm(job: CloneJobInput, io: CommandIO, source: string): Promise<boolean> {
  io.stdout.write(`${t('cli.clone.willErase', { source: job.sourcePath, what: source })}\n`);
  for (const target of job.targets) io.stdout.write(`  ${target.path}  ${formatBytes(target.sizeBytes)}  → ${target.hostname}\n`);
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    const answer = (await rl.question(`${t('cli.clone.confirm', { yes: t('cli.yes') })} `)).trim().toLowerCase();
    return [t('cli.yes'), 'yes'].includes(answer);
  } finally {
    rl.close();
  }
}

export const cloneCommand: Command = {
  summary: t('cli.clone.summary'),
  usage: "iios clone SOURCE (--target T [--target T2 …] | --to-image FILE.img[.zst]) [--size 8G] [--name 'class-{nn}'] [--first N] [--fresh] [--check-capacity] [--no-verify] [--yes] [--json]",
  options: {
    target: { type: 'string', multiple: true },
    'to-image': { type: 'string' },
    size: { type: 'string' },
    name: { type: 'string' },
    first: { type: 'string' },
    fresh: { type: 'boolean' },
    'check-capacity': { type: 'boolean' },
    'no-verify': { type: 'boolean' },
    yes: { type: 'boolean', short: 'y' },
    ...JSON_OPTION,
  },
  async run({ values, positionals }, io) {
    if (positionals.length !== 1) throw new UsageError(t('cli.clone.nameSource'));
    const sourcePath = absolute(positionals[0]!);
    const source = await sizeOf(sourcePath);
    if (!source) throw new UsageError(t('cli.clone.noSource', { path: positionals[0]! }));
    const toImage = values['to-image'] as string | undefined;
    const targets = list(values.target).map(absolute);
    if (!toImage === !targets.length) throw new UsageError(t('cli.clone.targetOrImage'));
    const size = values.size === undefined ? undefined : parseSizeArg(values.size as string);
    if (size === null) throw new UsageError(t('cli.notASize', { value: String(values.size) }));
    const first = values.first === undefined ? 1 : Number(values.first);
    if (!Number.isInteger(first) || first < 1) throw new UsageError(t('cli.clone.firstWhole'));
    const zstd = !!toImage?.endsWith('.zst');
    const paths = toImage ? [absolute(zstd ? toImage.slice(0, -'.zst'.length) : toImage)] : targets;
    if (toImage && !/\.img$/.test(paths[0]!)) throw new UsageError(t('cli.clone.imageName'));
    let names: string[];
    try {
      names = expandNames((values.name as string | undefined) ?? (paths.length > 1 ? 'iios-{nn}' : 'iios'), paths.length, first);
    } catch (err) {
      if (err instanceof NamePatternError) throw new UsageError(err.message);
      throw err;
    }
    const jobTargets = [];
    for (const [i, path] of paths.entries()) {
      const there = await sizeOf(path);
      const device = there?.device ?? false;
      const bytes = device ? there!.bytes : (size ?? source.bytes);
      jobTargets.push({ id: `t${i + 1}`, kind: device ? ('device' as const) : ('image-file' as const), path, sizeBytes: bytes, hostname: names[i]! });
    }
    const input: CloneJobInput = { kind: 'clone', jobId: `clone-${Date.now().toString(36)}`, sourcePath, targets: jobTargets, fresh: !!values.fresh, verify: !values['no-verify'], capacityCheck: !!values['check-capacity'] };
    const checked = CloneJob.safeParse(input);
    // each rule said typed in the reader's language (a target named twice, the source as a target)
    if (!checked.success) throw new UsageError(t('cli.refusedBefore', { reason: zodFieldIssues(checked.error).map(fieldIssueWords).join(' ') }), 1);
    if (!values.yes) {
      if (!io.stdin.isTTY) throw new UsageError(t('cli.refuseNoYes'));
      if (!(await confirm(input, io, await describeSource(sourcePath)))) {
        io.stdout.write(`${t('cli.nothingWritten')}\n`);
        return 1;
      }
    }
    const code = await runHelperJob(input, io, !!values.json);
    if (code === 0 && zstd) {
      await runTool('zstd', ['-q', '-f', '-T0', '--rm', paths[0]!, '-o', `${paths[0]!}.zst`]);
      humanOut(io, !!values.json).write(`${t('cli.clone.saved', { path: `${paths[0]!}.zst` })}\n`);
    } else if (code !== 0 && zstd) await rm(paths[0]!, { force: true });
    return code;
  },
};
