// flatpak: what `flatpak create-usb` makes (`.ostree/repo` with the refs under `refs/mirrors/<collection-id>/`),
// installable offline with `flatpak install --sideload-repo=<mount>/@caches/flatpak/.ostree/repo REMOTE REF` on a
// machine that has the same remote (same collection id and key; its URL may be unreachable).
// create-usb copies refs installed in an installation, with their runtimes: the set names the installation that
// holds the remote and the refs. Re-running it over the previous build adds only the objects that are new, so a
// second build copies only what changed.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CacheSpec } from '../../../../src-shared/caches/cache-set.ts';
import type { CacheBuildContext, CacheKindBuilder } from '../kind-builder.ts';
import { setPath } from '../library-paths.ts';
import { kindTool } from './kind-tool.ts';
import { bytesUnder } from '../folder-bytes.ts';

/** Where create-usb puts its repository inside the destination (and so inside `@caches/flatpak`). */
export const FLATPAK_USB_REPO = '.ostree/repo';

interface Installation {
  args: string[];
  env: Record<string, string>;
  name: string;
}

/** "system" (default), "user", or a folder: a private installation, reached as a user installation through FLATPAK_USER_DIR. */
export function flatpakInstallation(installation: string | undefined, baseDir: string): Installation {
  if (installation === undefined || installation === 'system') return { args: ['--system'], env: {}, name: 'the system installation' };
  if (installation === 'user') return { args: ['--user'], env: {}, name: 'the user installation' };
  const dir = setPath(baseDir, installation);
  return { args: ['--user'], env: { FLATPAK_USER_DIR: dir }, name: `the installation ${dir}` };
}

/** The refs a create-usb repository holds, with their commits (`app/org.x.Y/x86_64/stable` → checksum). */
export async function mirroredRefs(repo: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string, prefix: string[]): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isDirectory()) await walk(join(dir, e.name), [...prefix, e.name]);
      else if (e.isFile()) out.set([...prefix, e.name].join('/'), (await readFile(join(dir, e.name), 'utf8')).trim());
    }
  };
  for (const collection of await readdir(join(repo, 'refs', 'mirrors')).catch(() => [])) await walk(join(repo, 'refs', 'mirrors', collection), []);
  return out;
}

async function checkRemote(spec: CacheSpec<'flatpak'>, inst: Installation, ctx: CacheBuildContext): Promise<void> {
  const { stdout } = await kindTool(ctx, 'flatpak', ['remotes', ...inst.args, '--columns=name,collection'], { env: inst.env });
  const rows = stdout.split('\n').map((l) => l.split('\t').map((c) => c.trim()));
  const row = rows.find((r) => r[0] === spec.remote);
  if (!row) throw new Error(`cache flatpak: ${inst.name} has no remote "${spec.remote}": name one that \`flatpak remotes\` lists, or set "installation"`);
  if (!row[1] || row[1] === '-') {
    throw new Error(
      `cache flatpak: the remote "${spec.remote}" has no collection id, so its refs cannot be carried on a stick: ` +
        `set one with \`flatpak remote-modify --collection-id=ID ${spec.remote}\` (Flathub's is org.flathub.Stable)`,
    );
  }
}

/** The full ref (`app/…/x86_64/stable`) of each named ref, which must be installed from the set's remote. */
async function installedRefs(spec: CacheSpec<'flatpak'>, inst: Installation, ctx: CacheBuildContext): Promise<string[]> {
  const refs: string[] = [];
  for (const name of spec.refs) {
    const info = await kindTool(ctx, 'flatpak', ['info', ...inst.args, '--show-ref', name], { env: inst.env, okExitCodes: [0, 1] });
    if (info.exitCode !== 0) {
      throw new Error(`cache flatpak: ${name} is not installed in ${inst.name}: install it first (\`flatpak install ${spec.remote} ${name}\`); create-usb copies installed refs`);
    }
    const ref = info.stdout.trim();
    const origin = (await kindTool(ctx, 'flatpak', ['info', ...inst.args, '--show-origin', name], { env: inst.env })).stdout.trim();
    if (origin !== spec.remote) throw new Error(`cache flatpak: ${name} was installed from the remote "${origin}", not "${spec.remote}": name that remote in the set`);
    refs.push(ref);
  }
  return refs;
}

export const flatpakBuilder: CacheKindBuilder<'flatpak'> = {
  kind: 'flatpak',
  tools: [{ command: 'flatpak', debianPackage: 'flatpak' }],
  async build(spec, ctx) {
    const inst = flatpakInstallation(spec.installation, ctx.baseDir);
    ctx.progress(0, { step: 'checking-remote', remote: spec.remote });
    await checkRemote(spec, inst, ctx);
    const refs = await installedRefs(spec, inst, ctx);
    const repo = join(ctx.dir, FLATPAK_USB_REPO);
    const before = await mirroredRefs(repo);
    ctx.progress(0.1, { step: 'create-usb', count: refs.length });
    await kindTool(ctx, 'flatpak', ['create-usb', ...inst.args, ctx.dir, ...refs], { env: inst.env });
    const after = await mirroredRefs(repo);
    const items = [...after.keys()].sort();
    const newItems = items.filter((r) => before.get(r) !== after.get(r));
    ctx.progress(1, { step: 'done', unit: 'refs', count: items.length, newCount: newItems.length });
    return { items, newItems, bytes: await bytesUnder(ctx.dir) };
  },
};
