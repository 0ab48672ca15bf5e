// iios's own OCI layer application: an OCI image layout (index -> manifest -> config and layers) unpacked into a
// root folder, layer by layer in order, as an overlay would show it: `.wh.NAME` deletes NAME of the layers below,
// `.wh..wh..opq` empties its folder of what the layers below put there, a file may replace a folder and the other
// way round; owners, modes, mtimes, xattrs (file capabilities included, from PAX `SCHILY.xattr.*`), symbolic and
// hard links and device nodes (where the kernel lets us) are kept. Every blob is checked against its digest and
// every layer's content against the config's diff_id. Entries are refused when their path or hard link target
// would leave the root (`..`, absolute, through a link climbing above it); links in parent folders are followed as
// if the root were /, so an absolute link (`/lib -> /usr/lib`) stays inside it.
// The tar streams are read by tar-reader.ts; gzip is Node's, zstd the `zstd` tool's.
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, readFile, readdir, readlink, rm, symlink, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import * as z from 'zod';
import { runTool, startTool } from '../run-tool.ts';
import { readTar, TarError, type TarEntry } from './tar-reader.ts';

export class LayerError extends Error {
  override name = 'LayerError';
}

// ---------------------------------------------------------------------------------------------------------------
// The OCI layout

const descriptorSchema = z.object({
  mediaType: z.string().optional(),
  digest: z.string(),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
  platform: z.object({ architecture: z.string(), os: z.string(), variant: z.string().optional() }).optional(),
});
type Descriptor = z.infer<typeof descriptorSchema>;
const indexSchema = z.object({ mediaType: z.string().optional(), manifests: z.array(descriptorSchema) });
const manifestSchema = z.object({ mediaType: z.string().optional(), config: descriptorSchema, layers: z.array(descriptorSchema) });
const configSchema = z.object({ rootfs: z.object({ type: z.string(), diff_ids: z.array(z.string()) }) });

const INDEX_TYPES = ['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'];
const REF_NAME = 'org.opencontainers.image.ref.name';

export interface OciLayer {
  digest: string;
  size: number;
  mediaType: string;
  /** sha256 of the uncompressed tar, from the config */
  diffId: string;
}

function blobPath(layout: string, digest: string): string {
  const m = /^(sha256|sha512):([0-9a-f]+)$/.exec(digest);
  if (!m || m[2]!.length !== (m[1] === 'sha256' ? 64 : 128)) throw new LayerError(`"${digest}" is not a digest`);
  return join(layout, 'blobs', m[1]!, m[2]!);
}

async function readJsonBlob(layout: string, d: Descriptor): Promise<unknown> {
  const bytes = await readFile(blobPath(layout, d.digest)).catch(() => {
    throw new LayerError(`the image layout lacks blob ${d.digest}`);
  });
  const [alg] = d.digest.split(':');
  if (bytes.length !== d.size || `${alg}:${createHash(alg!).update(bytes).digest('hex')}` !== d.digest) {
    throw new LayerError(`blob ${d.digest} does not match its digest or size`);
  }
  return JSON.parse(bytes.toString('utf8'));
}

function hostArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] ?? process.arch;
}

/** The layers of image `ref` (or of the layout's only image) of the OCI layout in `layout`, lowest first. */
export async function readOciImage(layout: string, ref?: string): Promise<OciLayer[]> {
  const indexText = await readFile(join(layout, 'index.json'), 'utf8').catch(() => {
    throw new LayerError(`${layout} is not an OCI image layout (no index.json)`);
  });
  const index = indexSchema.parse(JSON.parse(indexText));
  let chosen: Descriptor[] = ref ? index.manifests.filter((m) => m.annotations?.[REF_NAME] === ref) : index.manifests;
  if (chosen.length !== 1) {
    const names = index.manifests.map((m) => m.annotations?.[REF_NAME] ?? m.digest).join(', ');
    throw new LayerError(ref ? `the image layout has no single image "${ref}" (it has: ${names || 'none'})` : `the image layout holds ${index.manifests.length} images (${names}): name one`);
  }
  let d = chosen[0]!;
  for (let depth = 0; INDEX_TYPES.includes(d.mediaType ?? ''); depth++) {
    if (depth > 4) throw new LayerError('image indexes nested too deep');
    const nested = indexSchema.parse(await readJsonBlob(layout, d));
    chosen = nested.manifests.filter((m) => m.platform?.os === 'linux' && m.platform.architecture === hostArch());
    if (chosen.length === 0) throw new LayerError(`the image has no linux/${hostArch()} variant`);
    d = chosen[0]!;
  }
  const manifest = manifestSchema.parse(await readJsonBlob(layout, d));
  const config = configSchema.parse(await readJsonBlob(layout, manifest.config));
  if (config.rootfs.diff_ids.length !== manifest.layers.length) {
    throw new LayerError(`the image config names ${config.rootfs.diff_ids.length} layers, its manifest ${manifest.layers.length}`);
  }
  return manifest.layers.map((l, i) => ({ digest: l.digest, size: l.size, mediaType: l.mediaType ?? '', diffId: config.rootfs.diff_ids[i]! }));
}

// ---------------------------------------------------------------------------------------------------------------
// Applying layers

/** The entry's path relative to the root ('' for the root itself); refused when absolute or climbing with `..`. */
export function entryPath(name: string): string {
  if (name.startsWith('/')) throw new LayerError(`"${name}": absolute path in a layer`);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new LayerError(`"${name}": path leads out of the root`);
  if (name.includes('\0')) throw new LayerError(`"${name}": NUL in a path`);
  return parts.join('/');
}

const OPAQUE = '.wh..wh..opq';
const WHITEOUT = '.wh.';

export interface ApplyOptions {
  log?: (line: string) => void;
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

  private log(line: string): void {
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
      else if (base.startsWith(`${WHITEOUT}${WHITEOUT}`)) this.log(`ignored ${rel} (aufs metadata)`);
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
          this.log(`skipped device node ${rel} (not allowed here)`);
          return;
        }
        await this.owner(p, e);
        await chmod(p, e.mode);
        await lutimes(p, e.mtime, e.mtime);
        break;
      }
      default:
        this.log(`skipped ${rel}: tar entry type '${e.type}'`);
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

function tap(hash: Hash, counter: { n: number }) {
  return async function* (src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const c of src) {
      hash.update(c);
      counter.n += c.length;
      yield c;
    }
  };
}

async function magicOf(path: string): Promise<'gzip' | 'zstd' | 'tar'> {
  const fh = await open(path, 'r');
  try {
    const b = Buffer.alloc(4);
    const { bytesRead } = await fh.read(b, 0, 4, 0);
    if (bytesRead >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (bytesRead === 4 && b.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
    return 'tar';
  } finally {
    await fh.close();
  }
}

/** Applies one layer blob (gzip, zstd or plain tar), checking its digest, size and uncompressed diff_id. */
export async function applyLayerBlob(applier: LayerApplier, layout: string, layer: OciLayer, signal?: AbortSignal): Promise<void> {
  const path = blobPath(layout, layer.digest);
  const kind = await magicOf(path).catch(() => {
    throw new LayerError(`the image layout lacks layer ${layer.digest}`);
  });
  const [alg] = layer.digest.split(':');
  const [diffAlg] = layer.diffId.split(':');
  if (!diffAlg || !['sha256', 'sha512'].includes(diffAlg)) throw new LayerError(`"${layer.diffId}" is not a diff_id`);
  const packed = createHash(alg!);
  const plain = createHash(diffAlg);
  const packedBytes = { n: 0 };
  const plainBytes = { n: 0 };
  const zstd = kind === 'zstd' ? startTool('zstd', ['-d', '-c', '-q'], { reject: true, stderr: 'pipe', ...(signal ? { cancelSignal: signal } : {}) }) : null;
  const steps = [
    createReadStream(path),
    tap(packed, packedBytes),
    ...(kind === 'gzip' ? [createGunzip()] : zstd ? [zstd.duplex()] : []),
    tap(plain, plainBytes),
    (src: AsyncIterable<Buffer>) => applier.applyTar(src),
  ] as const;
  try {
    await (pipeline as (...a: unknown[]) => Promise<void>)(...steps, ...(signal ? [{ signal }] : []));
  } catch (err) {
    if (err instanceof LayerError) throw new LayerError(`layer ${layer.digest.slice(0, 19)}: ${err.message}`);
    throw err;
  }
  if (packedBytes.n !== layer.size || `${alg}:${packed.digest('hex')}` !== layer.digest) {
    throw new LayerError(`layer ${layer.digest.slice(0, 19)} does not match its digest or size`);
  }
  if (`${diffAlg}:${plain.digest('hex')}` !== layer.diffId) {
    throw new LayerError(`layer ${layer.digest.slice(0, 19)}: its content does not match the config's diff_id ${layer.diffId.slice(0, 19)}`);
  }
}

/** Unpacks image `ref` of OCI layout `layout` into `root` (made if missing), lowest layer first. */
export async function unpackOciImage(layout: string, ref: string | undefined, root: string, opts: ApplyOptions = {}): Promise<void> {
  const layers = await readOciImage(layout, ref);
  await mkdir(root, { recursive: true, mode: 0o755 });
  const applier = new LayerApplier(root, opts);
  for (const [i, layer] of layers.entries()) {
    opts.log?.(`layer ${i + 1}/${layers.length} ${layer.digest.slice(0, 19)} (${layer.size} bytes)`);
    await applyLayerBlob(applier, layout, layer, opts.signal);
  }
  const { skippedDevices } = await applier.finish();
  if (skippedDevices) opts.log?.(`${skippedDevices} device nodes skipped`);
}
