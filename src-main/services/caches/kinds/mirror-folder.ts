// A folder copied into a cache kind's library folder with rsync: only files that changed are copied again, files
// gone from the source are removed, links stay links. Used by the kinds that are plain folders (files, brew).
import { stat } from 'node:fs/promises';
import { runTool } from '../../run-tool.ts';
import { filesUnder } from '../folder-bytes.ts';
import type { CacheBuildContext } from '../kind-builder.ts';

/** Mirrors `src` into `ctx.dir`; returns the files (relative paths) that this run copied. */
export async function mirrorFolder(kind: string, src: string, ctx: CacheBuildContext, exclude: string[] = []): Promise<string[]> {
  const st = await stat(src).catch(() => null);
  if (!st?.isDirectory()) throw new Error(`cache ${kind}: ${src} is not a folder: give the path of an existing folder in the cache set`);
  const args = ['-a', '--delete', '--delete-excluded', ...exclude.map((e) => `--exclude=${e}`), '--out-format=%i %n', `${src}/`, `${ctx.dir}/`];
  ctx.log(`rsync ${args.join(' ')}`);
  ctx.progress(0, { step: 'copying', source: src });
  const { stdout } = await runTool('rsync', args, { signal: ctx.signal });
  // "%i" is rsync's change summary: ">f…" is a regular file received (new or changed)
  const copied = stdout.split('\n').filter((l) => l.startsWith('>f')).map((l) => l.slice(l.indexOf(' ') + 1));
  ctx.progress(1, { step: 'done', unit: 'files', count: (await filesUnder(ctx.dir)).size, newCount: copied.length });
  return copied;
}
