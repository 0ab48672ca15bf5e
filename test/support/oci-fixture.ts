// Small made-up OCI layers for tests: a tar writer (ustar headers, PAX records for long names and xattrs) and an
// OCI image layout around a list of layers (gzip, zstd or plain), written the way skopeo and umoci write them.
import { execa } from 'execa';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface FakeEntry {
  path: string;
  /** '0' file (default), '1' hard link, '2' symlink, '3' char device, '5' folder, '6' fifo */
  type?: '0' | '1' | '2' | '3' | '5' | '6';
  body?: string | Buffer;
  mode?: number;
  uid?: number;
  gid?: number;
  mtime?: number;
  link?: string;
  dev?: [number, number];
  xattrs?: Record<string, Buffer | string>;
}

function octal(n: number, width: number): string {
  return `${n.toString(8).padStart(width - 1, '0')}\0`;
}

function header(name: string, type: string, size: number, e: FakeEntry, link: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(e.mode ?? (type === '5' ? 0o755 : 0o644), 8), 100, 'ascii');
  h.write(octal(e.uid ?? 0, 8), 108, 'ascii');
  h.write(octal(e.gid ?? 0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(e.mtime ?? 1_700_000_000, 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write(link, 157, 100, 'utf8');
  h.write('ustar\0' + '00', 257, 'latin1');
  h.write(octal(e.dev?.[0] ?? 0, 8), 329, 'ascii');
  h.write(octal(e.dev?.[1] ?? 0, 8), 337, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

function padded(b: Buffer): Buffer {
  const pad = (512 - (b.length % 512)) % 512;
  return Buffer.concat([b, Buffer.alloc(pad)]);
}

function paxRecord(key: string, value: Buffer): Buffer {
  const rest = Buffer.concat([Buffer.from(` ${key}=`), value, Buffer.from('\n')]);
  let len = rest.length + 1;
  while (String(len).length + rest.length !== len) len = String(len).length + rest.length;
  return Buffer.concat([Buffer.from(String(len)), rest]);
}

/** A tar stream of the entries, in the order given. */
export function tarOf(entries: FakeEntry[]): Buffer {
  const out: Buffer[] = [];
  for (const e of entries) {
    const type = e.type ?? '0';
    const body = type === '0' ? Buffer.from(e.body ?? '') : Buffer.alloc(0);
    const recs: Buffer[] = [];
    const long = Buffer.byteLength(e.path) > 99;
    if (long) recs.push(paxRecord('path', Buffer.from(e.path)));
    for (const [k, v] of Object.entries(e.xattrs ?? {})) recs.push(paxRecord(`SCHILY.xattr.${k}`, Buffer.from(v)));
    if (recs.length) {
      const pax = Buffer.concat(recs);
      out.push(header('PaxHeaders/x', 'x', pax.length, { path: '' }, ''), padded(pax));
    }
    out.push(header(long ? e.path.slice(0, 99) : e.path, type, body.length, e, e.link ?? ''), padded(body));
  }
  out.push(Buffer.alloc(1024));
  return Buffer.concat(out);
}

export type Compression = 'gzip' | 'zstd' | 'none';

function digest(b: Buffer): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

async function putBlob(layout: string, b: Buffer): Promise<{ digest: string; size: number }> {
  const d = digest(b);
  await writeFile(join(layout, 'blobs/sha256', d.slice(7)), b);
  return { digest: d, size: b.length };
}

/** An OCI image layout in `layout` with one image named `ref` made of the given layer tars (lowest first); `diffIds` replaces the config's. */
export async function writeOciLayout(layout: string, tars: Buffer[], ref = 'test', compression: Compression = 'gzip', diffIds?: string[]): Promise<{ layers: { digest: string; size: number }[] }> {
  await mkdir(join(layout, 'blobs/sha256'), { recursive: true });
  await writeFile(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  const layers = [];
  for (const tar of tars) {
    const packed =
      compression === 'gzip' ? gzipSync(tar) : compression === 'zstd' ? (await execa('zstd', ['-q', '-c'], { input: tar, encoding: 'buffer' })).stdout : tar;
    const mediaType = `application/vnd.oci.image.layer.v1.tar${compression === 'none' ? '' : `+${compression}`}`;
    layers.push({ mediaType, ...(await putBlob(layout, Buffer.from(packed))) });
  }
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds ?? tars.map(digest) } }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...(await putBlob(layout, config)) },
      layers,
    }),
  );
  const m = await putBlob(layout, manifest);
  const index = {
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...m, annotations: { 'org.opencontainers.image.ref.name': ref } }],
  };
  await writeFile(join(layout, 'index.json'), JSON.stringify(index));
  return { layers };
}
