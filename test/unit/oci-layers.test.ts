// iios's own OCI layer application, as tables over small made-up layers: whiteouts of a file and of a folder, an
// opaque folder, a file replaced by a folder and the other way round, hard and symbolic links, owners, modes,
// xattrs and a file capability, and paths that would leave the root refused. Then whole image layouts (gzip,
// zstd, plain) with their digests checked, and a layer made by GNU tar with a capability.
import { execa } from 'execa';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayerError } from '../../src-main/services/bundles/oci-image.ts';
import { LayerApplier, entryPath } from '../../src-main/services/bundles/oci-layer-applier.ts';
import { unpackOciImage } from '../../src-main/services/bundles/oci-layers.ts';
import type { BundleLog } from '../../src-main/services/bundles/bundle-log.ts';
import { tarOf, writeOciLayout, type Compression, type FakeEntry } from '../support/oci-fixture.ts';

const isRoot = process.getuid?.() === 0;
// cap_net_raw+ep as the kernel stores it (VFS_CAP_REVISION_2)
const CAP_NET_RAW = Buffer.from('0100000200200000000000000000000000000000', 'hex');

let work = '';
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iios-layers-'));
});
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

let n = 0;
async function applyLayers(layers: FakeEntry[][]): Promise<string> {
  const root = join(work, `root-${++n}`);
  await mkdir(root);
  const a = new LayerApplier(root);
  for (const l of layers) await a.applyTar(Readable.from([tarOf(l)]));
  await a.finish();
  return root;
}

/** `f MODE UID:GID content` / `d MODE UID:GID` / `l target` / `c MAJ,MIN` / `p` for each path under root */
async function describePath(root: string, rel: string): Promise<string | null> {
  const p = join(root, rel);
  const st = await lstat(p).catch(() => null);
  if (!st) return null;
  const meta = `${(st.mode & 0o7777).toString(8).padStart(4, '0')} ${st.uid}:${st.gid}`;
  if (st.isSymbolicLink()) return `l ${await readlink(p)}`;
  if (st.isDirectory()) return `d ${meta}`;
  if (st.isFile()) return `f ${meta} ${await readFile(p, 'utf8')}`;
  if (st.isCharacterDevice()) return `c ${Math.floor(st.rdev / 256)},${st.rdev % 256}`;
  if (st.isFIFO()) return `p ${meta}`;
  return '?';
}

/** The xattrs of `rel` (user.* and, as root, trusted.*) as name -> text value; `{}` when it has none. */
async function xattrsOf(root: string, rel: string): Promise<Record<string, string>> {
  const pattern = isRoot ? '^(user|trusted)\\.' : '^user\\.';
  const { stdout } = await execa('getfattr', ['-h', '--absolute-names', '-d', '-e', 'text', '-m', pattern, join(root, rel)]);
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(/^([^#=\n][^=\n]*)="(.*)"$/gm)) out[m[1]!] = m[2]!;
  return out;
}

interface Case {
  name: string;
  layers: FakeEntry[][];
  want?: Record<string, string>;
  /** every xattr of these paths, exactly */
  xattrs?: Record<string, Record<string, string>>;
  absent?: string[];
  refused?: RegExp;
  rootOnly?: boolean;
}

const D = (path: string, extra: Partial<FakeEntry> = {}): FakeEntry => ({ path, type: '5', ...extra });
const F = (path: string, body: string, extra: Partial<FakeEntry> = {}): FakeEntry => ({ path, body, ...extra });

const cases: Case[] = [
  {
    name: 'a whiteout deletes a file of a lower layer',
    layers: [[D('a/'), F('a/gone', 'x'), F('a/kept', 'y')], [D('a/'), F('a/.wh.gone', '')]],
    want: { 'a/kept': 'f 0644 0:0 y' },
    absent: ['a/gone', 'a/.wh.gone'],
  },
  {
    name: 'a whiteout deletes a folder with its content',
    layers: [[D('d/'), D('d/sub/'), F('d/sub/deep', 'x'), F('other', 'o')], [F('.wh.d', '')]],
    want: { other: 'f 0644 0:0 o' },
    absent: ['d', '.wh.d'],
  },
  {
    name: 'an opaque folder hides what lower layers put in it, keeps what its own layer put',
    layers: [
      [D('o/'), F('o/old', 'x'), D('o/olddir/'), F('o/olddir/f', 'x'), F('o/mid', 'lower')],
      [D('o/'), F('o/before', 'b'), F('o/.wh..wh..opq', ''), F('o/after', 'a')],
    ],
    want: { o: 'd 0755 0:0', 'o/before': 'f 0644 0:0 b', 'o/after': 'f 0644 0:0 a' },
    absent: ['o/old', 'o/olddir', 'o/mid', 'o/.wh..wh..opq'],
  },
  {
    name: 'an opaque folder made anew over a lower one',
    layers: [[D('o/'), F('o/old', 'x')], [F('.wh.o', ''), D('o/', { mode: 0o700 }), F('o/.wh..wh..opq', ''), F('o/new', 'n')]],
    want: { o: 'd 0700 0:0', 'o/new': 'f 0644 0:0 n' },
    absent: ['o/old'],
  },
  {
    name: 'a file replaced by a folder',
    layers: [[F('p', 'was a file')], [D('p/'), F('p/child', 'c')]],
    want: { p: 'd 0755 0:0', 'p/child': 'f 0644 0:0 c' },
  },
  {
    name: 'a folder replaced by a file',
    layers: [[D('q/'), F('q/inner', 'x')], [F('q', 'now a file', { mode: 0o600 })]],
    want: { q: 'f 0600 0:0 now a file' },
  },
  {
    name: 'a whiteout does not delete what its own layer made (either order)',
    layers: [[F('r', 'old'), F('s', 'old')], [F('.wh.r', ''), F('r', 'new r'), F('s', 'new s'), F('.wh.s', '')]],
    want: { r: 'f 0644 0:0 new r', s: 'f 0644 0:0 new s' },
  },
  {
    name: 'a file replaces a symbolic link instead of writing through it',
    layers: [[F('target', 'untouched'), { path: 'lnk', type: '2', link: 'target' }], [F('lnk', 'replaced')]],
    want: { target: 'f 0644 0:0 untouched', lnk: 'f 0644 0:0 replaced' },
  },
  {
    name: 'hard links share the file, also across layers',
    layers: [[D('h/'), F('h/one', 'shared', { mode: 0o640 }), { path: 'h/two', type: '1', link: 'h/one' }], [{ path: 'h/three', type: '1', link: './h/one' }]],
    want: { 'h/one': 'f 0640 0:0 shared', 'h/two': 'f 0640 0:0 shared', 'h/three': 'f 0640 0:0 shared' },
  },
  {
    name: 'symbolic links are kept as they are, and entries below a linked folder land inside the root',
    layers: [
      [D('usr/'), D('usr/bin/'), { path: 'bin', type: '2', link: 'usr/bin' }, D('etc/'), { path: 'etc/alt', type: '2', link: '/usr/bin' }, { path: 'etc/dangling', type: '2', link: '/nowhere/x' }],
      [F('bin/tool', 't'), F('etc/alt/tool2', 't2')],
    ],
    want: { bin: 'l usr/bin', 'etc/alt': 'l /usr/bin', 'etc/dangling': 'l /nowhere/x', 'usr/bin/tool': 'f 0644 0:0 t', 'usr/bin/tool2': 'f 0644 0:0 t2' },
  },
  {
    name: 'a long name (PAX path) and missing parent folders',
    layers: [[F(`deep/${'n'.repeat(120)}/${'m'.repeat(60)}`, 'long')]],
    want: { [`deep/${'n'.repeat(120)}/${'m'.repeat(60)}`]: 'f 0644 0:0 long', deep: 'd 0755 0:0' },
  },
  {
    name: 'owners and modes, setuid kept after the owner is set; a device node and a fifo',
    rootOnly: true,
    layers: [[D('home/', { mode: 0o755 }), D('home/pupil/', { uid: 1001, gid: 1002, mode: 0o750 }), F('su', 's', { uid: 0, gid: 0, mode: 0o4755 }), F('home/pupil/f', 'p', { uid: 1001, gid: 1002, mode: 0o600 }), { path: 'null', type: '3', mode: 0o666, dev: [1, 3] }, { path: 'fifo', type: '6', mode: 0o620 }]],
    want: { 'home/pupil': 'd 0750 1001:1002', su: 'f 4755 0:0 s', 'home/pupil/f': 'f 0600 1001:1002 p', null: 'c 1,3', fifo: 'p 0620 0:0' },
  },
  // An upper layer's folder entry replaces the folder's metadata (mode, owner, mtime and xattrs) and keeps its
  // content, as an overlay's copy-up or `tar -x` over the lower layer would show it.
  {
    name: 'a folder listed again by an upper layer loses the xattrs of the lower one, keeps its content',
    layers: [[D('cfg/', { xattrs: { 'user.lower': 'L', 'user.both': 'lower' } }), F('cfg/kept', 'k')], [D('cfg/', { mode: 0o750 })]],
    want: { cfg: 'd 0750 0:0', 'cfg/kept': 'f 0644 0:0 k' },
    xattrs: { cfg: {} },
  },
  {
    name: "a folder listed again with xattrs of its own has those, and only those",
    layers: [[D('cfg/', { xattrs: { 'user.lower': 'L', 'user.both': 'lower' } }), F('cfg/kept', 'k')], [D('cfg/', { xattrs: { 'user.both': 'upper', 'user.upper': 'U' } })]],
    want: { cfg: 'd 0755 0:0', 'cfg/kept': 'f 0644 0:0 k' },
    xattrs: { cfg: { 'user.both': 'upper', 'user.upper': 'U' } },
  },
  {
    name: 'a folder named with a space and an xattr named with one, listed again, loses it',
    layers: [[D('my cfg/', { xattrs: { 'user.a b': 'spaced', 'user.back\\slash': 'x' } })], [D('my cfg/')]],
    want: { 'my cfg': 'd 0755 0:0' },
    xattrs: { 'my cfg': {} },
  },
  {
    name: "the root folder's own entry gives it its mode and xattrs",
    layers: [[D('./', { mode: 0o750, xattrs: { 'user.root': 'R' } }), F('f', 'x')]],
    want: { '.': 'd 0750 0:0' },
    xattrs: { '.': { 'user.root': 'R' } },
  },
  {
    name: 'the root folder listed again by an upper layer loses the xattrs of the lower one',
    layers: [[D('./', { xattrs: { 'user.lower': 'L' } }), F('f', 'x')], [D('./', { mode: 0o700 })]],
    want: { '.': 'd 0700 0:0', f: 'f 0644 0:0 x' },
    xattrs: { '.': {} },
  },
  {
    name: 'a folder an upper layer only writes into (no entry of its own) keeps the xattrs of the lower one',
    layers: [[D('cfg/', { xattrs: { 'user.lower': 'L' } })], [F('cfg/new', 'n')]],
    want: { 'cfg/new': 'f 0644 0:0 n' },
    xattrs: { cfg: { 'user.lower': 'L' } },
  },
  {
    name: 'a folder whiteout-deleted and made again by an upper layer has none of the lower xattrs',
    layers: [[D('cfg/', { xattrs: { 'user.lower': 'L' } }), F('cfg/old', 'o')], [F('.wh.cfg', ''), D('cfg/')]],
    absent: ['cfg/old'],
    xattrs: { cfg: {} },
  },
  {
    name: 'trusted xattrs of a lower folder are dropped too when an upper layer lists it',
    rootOnly: true,
    layers: [[D('t/', { xattrs: { 'trusted.iios.lower': 'L', 'user.lower': 'L' } })], [D('t/', { xattrs: { 'trusted.iios.upper': 'U' } })]],
    xattrs: { t: { 'trusted.iios.upper': 'U' } },
  },
  { name: 'a path with .. is refused', layers: [[F('a/../../evil', 'x')]], refused: /leads out of the root/ },
  { name: 'an absolute path is refused', layers: [[F('/etc/evil', 'x')]], refused: /absolute path/ },
  { name: 'a hard link to a path outside is refused', layers: [[{ path: 'h', type: '1', link: '../../etc/passwd' }]], refused: /leads out of the root/ },
  { name: 'a hard link to a file not in the image is refused', layers: [[{ path: 'h', type: '1', link: 'etc/passwd' }]], refused: /not in the image/ },
  {
    name: 'writing through a link that climbs above the root is refused',
    layers: [[D('a/'), { path: 'a/up', type: '2', link: '../../../../..' }], [F('a/up/tmp/evil', 'x')]],
    refused: /leads out of the root/,
  },
  { name: 'a whiteout of .. is refused', layers: [[D('a/'), F('a/.wh...', '')]], refused: /leads out|whiteout of/ },
];

describe('OCI layer application', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    if (c.rootOnly && !isRoot) return;
    if (c.refused) {
      const err = await applyLayers(c.layers).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(LayerError);
      expect((err as Error).message).toMatch(c.refused);
      return;
    }
    const root = await applyLayers(c.layers);
    const got: Record<string, string | null> = {};
    for (const rel of Object.keys(c.want ?? {})) got[rel] = await describePath(root, rel);
    expect(got).toEqual(c.want ?? {});
    for (const rel of c.absent ?? []) expect(await describePath(root, rel), rel).toBeNull();
    const attrs: Record<string, Record<string, string>> = {};
    for (const rel of Object.keys(c.xattrs ?? {})) attrs[rel] = await xattrsOf(root, rel);
    expect(attrs).toEqual(c.xattrs ?? {});
  });

  it('an absolute link in a parent folder stays inside the root', async () => {
    const outside = join(work, 'outside');
    await mkdir(outside);
    const root = await applyLayers([[{ path: 'esc', type: '2', link: outside }], [F('esc/owned', 'x')]]);
    expect(await readdir(outside)).toEqual([]);
    expect(await readFile(join(root, outside, 'owned'), 'utf8')).toBe('x');
  });

  it.skipIf(!isRoot)('xattrs and a file capability from PAX SCHILY.xattr records', async () => {
    const root = await applyLayers([
      [D('usr/'), D('usr/bin/'), F('usr/bin/ping-like', 'cap', { mode: 0o755, xattrs: { 'security.capability': CAP_NET_RAW, 'user.note': 'kept' } })],
      [F('usr/bin/other', 'o', { xattrs: { 'user.a b': 'spaced' } })],
    ]);
    expect((await execa('getcap', [join(root, 'usr/bin/ping-like')])).stdout).toBe(`${join(root, 'usr/bin/ping-like')} cap_net_raw=ep`);
    expect((await execa('getfattr', ['--only-values', '-n', 'user.note', join(root, 'usr/bin/ping-like')])).stdout).toBe('kept');
    expect((await execa('getfattr', ['--only-values', '-n', 'user.a b', join(root, 'usr/bin/other')])).stdout).toBe('spaced');
  });

  it('entry paths: cleaned, or refused when they leave the root', () => {
    expect(entryPath('./a//b/')).toBe('a/b');
    expect(entryPath('./')).toBe('');
    expect(() => entryPath('a/../..')).toThrow(LayerError);
    expect(() => entryPath('/a')).toThrow(LayerError);
  });
});

describe('OCI image layouts', () => {
  const twoLayers = [
    [D('./'), D('etc/'), F('etc/a', 'A'), F('etc/b', 'B')],
    [D('etc/'), F('etc/.wh.a', ''), F('etc/c', 'C')],
  ];

  it.each(['gzip', 'zstd', 'none'] as Compression[])('a %s layout: layers in order', async (compression) => {
    const layout = join(work, `layout-${compression}`);
    await writeOciLayout(layout, twoLayers.map(tarOf), 'img', compression);
    const root = join(work, `unpacked-${compression}`);
    const lines: BundleLog[] = [];
    await unpackOciImage(layout, 'img', root, { log: (l) => lines.push(l) });
    expect((await readdir(join(root, 'etc'))).sort()).toEqual(['b', 'c']);
    expect(lines.filter((l) => l.key === 'layer').map((l) => l.key === 'layer' && `${l.n}/${l.count}`)).toEqual(['1/2', '2/2']);
  });

  it('refuses a layer that does not match its digest, and one whose content does not match its diff_id', async () => {
    const layout = join(work, 'layout-bad');
    const { layers } = await writeOciLayout(layout, twoLayers.map(tarOf), 'img', 'none');
    const blob = join(layout, 'blobs/sha256', layers[1]!.digest.slice(7));
    const good = await readFile(blob);
    const bad = Buffer.from(good);
    bad[1536] = bad[1536]! ^ 1; // etc/c's content: still a valid tar
    await writeFile(blob, bad);
    await expect(unpackOciImage(layout, 'img', join(work, 'unpacked-bad'))).rejects.toThrow(/does not match its digest/);

    // a layout whose layers match their digests but not the config's diff_ids
    const layout2 = join(work, 'layout-diffid');
    const tars = twoLayers.map(tarOf);
    await writeOciLayout(layout2, tars, 'img', 'gzip', [`sha256:${'0'.repeat(64)}`, `sha256:${'0'.repeat(64)}`]);
    await expect(unpackOciImage(layout2, 'img', join(work, 'unpacked-diffid'))).rejects.toThrow(/does not match the config's diff_id/);
  });

  it('refuses a layout without the named image, naming the ones it has', async () => {
    const layout = join(work, 'layout-names');
    await writeOciLayout(layout, [tarOf([F('x', 'x')])], 'present', 'none');
    await expect(unpackOciImage(layout, 'absent', join(work, 'unpacked-names'))).rejects.toThrow(/no single image "absent".*present/);
  });

  it.skipIf(!isRoot)('a layer made by GNU tar (POSIX format, xattrs) keeps owners, modes and the capability', async () => {
    const src = join(work, 'gnu-src');
    await mkdir(join(src, 'usr/bin'), { recursive: true });
    await writeFile(join(src, 'usr/bin/ping-like'), 'cap\n', { mode: 0o755 });
    await execa('setcap', ['cap_net_raw+ep', join(src, 'usr/bin/ping-like')]);
    await writeFile(join(src, 'owned'), 'o\n', { mode: 0o640 });
    await execa('chown', ['1001:1002', join(src, 'owned')]);
    await execa('ln', ['-s', 'usr/bin', join(src, 'bin')]);
    await execa('ln', [join(src, 'owned'), join(src, 'owned-too')]);
    const { stdout: tar } = await execa('tar', ['--format=posix', '--xattrs', '--xattrs-include=*', '--numeric-owner', '-C', src, '-cf', '-', '.'], { encoding: 'buffer' });
    const layout = join(work, 'layout-gnu');
    await writeOciLayout(layout, [Buffer.from(tar)], 'gnu', 'zstd');
    const root = join(work, 'unpacked-gnu');
    await unpackOciImage(layout, 'gnu', root);
    expect((await execa('getcap', [join(root, 'usr/bin/ping-like')])).stdout).toContain('cap_net_raw=ep');
    expect(await describePath(root, 'owned')).toBe('f 0640 1001:1002 o\n');
    expect(await describePath(root, 'bin')).toBe('l usr/bin');
    expect((await stat(join(root, 'owned-too'))).ino).toBe((await stat(join(root, 'owned'))).ino);
    expect(Math.floor((await stat(join(root, 'usr/bin/ping-like'))).mtimeMs)).toBe(Math.floor((await stat(join(src, 'usr/bin/ping-like'))).mtimeMs));
  });
});
