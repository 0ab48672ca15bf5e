// Applying one tar stream of a layer after another into one root folder, as an overlay would show it: `.wh.NAME`
// deletes NAME of the layers below, `.wh..wh..opq` empties its folder of what the layers below put there, a file
// may replace a folder and the other way round; owners, modes, mtimes, xattrs (file capabilities included), links
// and device nodes kept; entries that would leave the root refused.
import { chmod, lchown, link, lstat, lutimes, mkdir, open, readdir, readlink, rm, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from '../run-tool.ts';
import { readTar, TarError, type TarEntry } from './tar-reader.ts';
import { LayerError } from './oci-image.ts';

/** The entry's path relative to the root ('' for the root itself); refused when absolute or climbing with `..`. */
export function entryPath(name: string): string {
  if (name.startsWith('/')) throw new LayerError(`"${name}": absolute path in a layer`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new LayerError(`"${name}": path leads out of the root`);
  if (name.includes('\0')) throw new LayerError(`"${name}": NUL in a path`);
  return parts.join('/');
}

import type { BundleLog, BundleLogger } from './bundle-log.ts';

const OPAQUE = '.wh..wh..opq';
const WHITEOUT = '.wh.';

export interface ApplyOptions {
  log?: BundleLogger;
  signal?: AbortSignal;
}

/** `\ooo` for every byte setfattr's restore format cannot take as it is */
function dumpQuote(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) out += byte <= 0x20 || byte >= 0x7f || byte === 0x5c || byte === 0x3d ? `\\${byte.toString(8).padStart(3, '0')}` : String.fromCharCode(byte);
  return out;
}

/** A name or path as getfattr prints it (`\\ooo` for bytes it escapes), back to itself. */
function dumpUnquote(s: string): string {
  if (!s.includes('\\')) return s;
  const bytes: number[] = [];
  for (let i = 0; i < s.length; ) {
    const m = /^\\([0-7]{3})/.exec(s.slice(i, i + 4));
    if (m) {
      bytes.push(parseInt(m[1]!, 8));
      i += 4;
    } else {
      const ch = String.fromCodePoint(s.codePointAt(i)!);
      bytes.push(...Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Applies layers one after another into one root folder. */
export class LayerApplier {
  private readonly isRoot = process.getuid?.() === 0;
  /** host paths the current layer made or replaced: its own whiteouts leave them alone */
  private upper = new Set<string>();
  /** host path -> xattrs the current layer gives it, set at the layer's end (after chown, which drops capabilities) */
  private xattrs = new Map<string, Map<string, Buffer>>();
  /**
   * host folders of lower layers that the current layer lists again: its entry replaces their metadata, xattrs
   * included, so theirs are dropped at the layer's end before the entry's own are set (files are made anew anyway)
   */
  private relisted = new Set<string>();
  private readonly dirTimes = new Map<string, number>();
  private skipped = 0;

  constructor(
    readonly root: string,
    private readonly opts: ApplyOptions = {},
  ) {}

  private log(line: BundleLog): void {
    this.opts.log?.(line);
  }

  /**
   * The host folder holding the last part of `rel`, its parents resolved inside the root (links followed as if
   * the root were /). Missing parents are made (`create`) or give null.
   */
  private async parentOf(rel: string, create: boolean): Promise<string | null> {
    const todo = rel.split('/');
    todo.pop();
    const done: string[] = [];
    for (let hops = 0; todo.length > 0; ) {
      const part = todo.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (done.length === 0) throw new LayerError(`"${rel}": a link on its way leads out of the root`);
        done.pop();
        continue;
      }
      const here = join(this.root, ...done, part);
      const st = await lstat(here).catch(() => null);
      if (!st) {
        if (!create) return null;
        await mkdir(here, { mode: 0o755 });
        this.upper.add(here);
        this.dirTimes.delete(here);
      } else if (st.isSymbolicLink()) {
        if (++hops > 40) throw new LayerError(`"${rel}": too many links on its way`);
        const target = await readlink(here);
        if (target.startsWith('/')) done.length = 0;
        todo.unshift(...target.split('/'));
        continue;
      } else if (!st.isDirectory()) {
        throw new LayerError(`"${rel}": ${[...done, part].join('/')} is not a folder`);
      }
      done.push(part);
    }
    return join(this.root, ...done);
  }

  /** Removes whatever is at host path `p` (a folder with its content). */
  private async clear(p: string): Promise<void> {
    const st = await lstat(p).catch(() => null);
    if (!st) return;
    if (st.isDirectory()) {
      await rm(p, { recursive: true, force: true });
      for (const k of this.xattrs.keys()) if (k.startsWith(`${p}/`)) this.xattrs.delete(k);
      for (const k of this.relisted) if (k.startsWith(`${p}/`)) this.relisted.delete(k);
    } else await unlink(p);
    this.xattrs.delete(p);
    this.relisted.delete(p);
  }

  /** Empties folder `dir` of everything no entry of the current layer made (the opaque whiteout). */
  private async prune(dir: string): Promise<void> {
    for (const name of await readdir(dir)) {
      const p = join(dir, name);
      if (!this.upper.has(p)) await this.clear(p);
      else if ((await lstat(p)).isDirectory()) await this.prune(p);
    }
  }

  private async owner(p: string, e: TarEntry): Promise<void> {
    if (this.isRoot) await lchown(p, e.uid, e.gid);
  }

  private async applyEntry(e: TarEntry, body: (sink: (c: Buffer) => Promise<void>) => Promise<void>): Promise<void> {
    this.opts.signal?.throwIfAborted();
    const rel = entryPath(e.path);
    // the root's own entry is a folder entry like any other (mode, owner, mtime, xattrs); it cannot be replaced
    if (rel === '' && e.type !== '5') throw new LayerError(`"${e.path}": the root of a layer must be a folder`);
    const base = rel.slice(rel.lastIndexOf('/') + 1);
    if (base.startsWith(WHITEOUT)) {
      const dir = await this.parentOf(rel, false);
      if (!dir) return;
      if (base === OPAQUE) await this.prune(dir);
      else if (base.startsWith(`${WHITEOUT}${WHITEOUT}`)) this.log({ key: 'aufs-ignored', path: rel });
      else {
        const victim = base.slice(WHITEOUT.length);
        if (victim === '.' || victim === '..') throw new LayerError(`"${e.path}": whiteout of ${victim}`);
        const p = join(dir, victim);
        if (!this.upper.has(p)) await this.clear(p);
      }
      return;
    }
    const p = rel === '' ? this.root : join((await this.parentOf(rel, true))!, base);
    switch (e.type) {
      case '0':
      case '7': {
        await this.clear(p);
        const fh = await open(p, 'wx', 0o600);
        try {
          await body(async (c) => {
            await fh.write(c);
          });
        } finally {
          await fh.close();
        }
        await this.owner(p, e);
        await chmod(p, e.mode);
        await lutimes(p, e.mtime, e.mtime);
        break;
      }
      case '5': {
        const st = await lstat(p).catch(() => null);
        if (st && !st.isDirectory()) await this.clear(p);
        if (!st || !st.isDirectory()) await mkdir(p, { mode: 0o700 });
        else if (!this.upper.has(p)) this.relisted.add(p);
        await this.owner(p, e);
        await chmod(p, e.mode);
        this.dirTimes.set(p, e.mtime);
        break;
      }
      case '2':
        await this.clear(p);
        await symlink(e.linkpath, p);
        await this.owner(p, e);
        await lutimes(p, e.mtime, e.mtime);
        break;
      case '1': {
        const targetRel = entryPath(e.linkpath);
        const targetDir = targetRel === '' ? null : await this.parentOf(targetRel, false);
        const target = targetDir && join(targetDir, targetRel.slice(targetRel.lastIndexOf('/') + 1));
        const st = target ? await lstat(target).catch(() => null) : null;
        if (!target || !st) throw new LayerError(`"${e.path}": hard link to "${e.linkpath}", which is not in the image`);
        if (st.isDirectory()) throw new LayerError(`"${e.path}": hard link to a folder`);
        if (target === p) break;
        await this.clear(p);
        await link(target, p);
        break;
      }
      case '3':
      case '4':
      case '6': {
        await this.clear(p);
        const mode = e.mode.toString(8);
        const made = await (e.type === '6'
          ? runTool('mkfifo', ['-m', mode, p])
          : runTool('mknod', ['-m', mode, p, e.type === '3' ? 'c' : 'b', String(e.devmajor), String(e.devminor)])
        ).then(
          () => true,
          () => false,
        );
        if (!made) {
          this.skipped++;
          this.log({ key: 'device-skipped', path: rel });
          return;
        }
        await this.owner(p, e);
        await chmod(p, e.mode);
        await lutimes(p, e.mtime, e.mtime);
        break;
      }
      default:
        this.log({ key: 'entry-skipped', path: rel, type: String(e.type) });
        return;
    }
    this.upper.add(p);
    const wanted = this.isRoot ? e.xattrs : new Map([...e.xattrs].filter(([k]) => k.startsWith('user.')));
    if (wanted.size) this.xattrs.set(p, wanted);
  }

  /** Removes the xattrs (those iios may set here) of the folders the current layer listed again. */
  private async dropRelistedXattrs(): Promise<void> {
    const signal = this.opts.signal ? { signal: this.opts.signal } : {};
    const dirs = [...this.relisted];
    // names only (no -d): "# file: PATH" then one name a line, for the folders that have any
    const pattern = this.isRoot ? '-' : '^user\\.';
    for (let i = 0; i < dirs.length; i += 256) {
      const { stdout } = await runTool('getfattr', ['-h', '--absolute-names', '-m', pattern, '--', ...dirs.slice(i, i + 256)], signal);
      let file = '';
      for (const line of stdout.split('\n')) {
        if (line.startsWith('# file: ')) file = dumpUnquote(line.slice(8));
        else if (line && file) {
          const name = dumpUnquote(line);
          // the host's SELinux labels every folder it makes: that label is the host's, not a layer's
          if (name === 'security.selinux') continue;
          await runTool('setfattr', ['-h', '-x', name, '--', file], signal);
        }
      }
    }
    this.relisted = new Set();
  }

  private async endLayer(): Promise<void> {
    if (this.relisted.size > 0) await this.dropRelistedXattrs();
    if (this.xattrs.size > 0) {
      let dump = '';
      for (const [p, attrs] of this.xattrs) {
        dump += `# file: ${dumpQuote(p)}\n`;
        for (const [k, v] of attrs) dump += `${dumpQuote(k)}=0x${v.toString('hex')}\n`;
        dump += '\n';
      }
      await runTool('setfattr', ['-h', '--restore=-'], { input: dump, ...(this.opts.signal ? { signal: this.opts.signal } : {}) });
    }
    this.xattrs = new Map();
    this.upper = new Set();
  }

  /** Applies one layer (a tar stream, uncompressed). */
  async applyTar(src: AsyncIterable<Buffer | Uint8Array>): Promise<void> {
    try {
      await readTar(src, (e: TarEntry, body) => this.applyEntry(e, body));
    } catch (err) {
      if (err instanceof TarError) throw new LayerError(err.message, { cause: err });
      throw err;
    }
    await this.endLayer();
  }

  /** Gives folders the mtimes their entries name (writing into a folder changes it); call after the last layer. */
  async finish(): Promise<{ skippedDevices: number }> {
    const dirs = [...this.dirTimes].sort((a, b) => b[0].split('/').length - a[0].split('/').length);
    for (const [p, t] of dirs) {
      const st = await lstat(p).catch(() => null);
      if (st?.isDirectory()) await lutimes(p, t, t);
    }
    return { skippedDevices: this.skipped };
  }
}
