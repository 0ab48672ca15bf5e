// A minimal reader of the tar streams that OCI layers are: POSIX ustar headers, PAX extended headers (global and
// per entry; xattrs from `SCHILY.xattr.*` and `LIBARCHIVE.xattr.*`), GNU long names and link names. Written here
// because the app carries no tar package; it only reads, and hands each entry with a reader of its body to the
// caller (oci-layers.ts applies them). Sparse files are refused rather than unpacked wrongly.

export class TarError extends Error {
  override name = 'TarError';
}

/** Bytes from an async stream of chunks, taken exactly. */
class ByteReader {
  private chunks: Buffer[] = [];
  private have = 0;
  private ended = false;
  constructor(private readonly it: AsyncIterator<Buffer | Uint8Array>) {}

  private async fill(n: number): Promise<boolean> {
    while (this.have < n && !this.ended) {
      const r = await this.it.next();
      if (r.done) this.ended = true;
      else if (r.value.length > 0) {
        const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
        this.chunks.push(b);
        this.have += b.length;
      }
    }
    return this.have >= n;
  }

  /** exactly n bytes; null when the stream ends before the first of them, an error when it ends among them */
  async take(n: number): Promise<Buffer | null> {
    if (!(await this.fill(n))) {
      if (this.have === 0) return null;
      throw new TarError('the layer ends in the middle of an entry (truncated tar)');
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const rest = all.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.have = rest.length;
    return all.subarray(0, n);
  }

  /** between 1 and max bytes, without copying */
  async some(max: number): Promise<Buffer> {
    if (!(await this.fill(1))) throw new TarError('the layer ends in the middle of a file (truncated tar)');
    const first = this.chunks[0]!;
    if (first.length <= max) {
      this.chunks.shift();
      this.have -= first.length;
      return first;
    }
    this.chunks[0] = first.subarray(max);
    this.have -= max;
    return first.subarray(0, max);
  }
}

export interface TarEntry {
  /** the name as the archive gives it */
  path: string;
  /** ustar type flag: '0' file, '1' hard link, '2' symlink, '3' char, '4' block, '5' folder, '6' fifo */
  type: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** seconds, with a fraction from PAX */
  mtime: number;
  linkpath: string;
  devmajor: number;
  devminor: number;
  xattrs: Map<string, Buffer>;
}

function cstring(b: Buffer): string {
  const nul = b.indexOf(0);
  return (nul < 0 ? b : b.subarray(0, nul)).toString('utf8');
}

function tarNumber(b: Buffer): number {
  if (b[0]! & 0x80) {
    if (b[0] === 0xff) throw new TarError('negative number in a tar header');
    let v = b[0]! & 0x7f;
    for (let i = 1; i < b.length; i++) v = v * 256 + b[i]!;
    if (!Number.isSafeInteger(v)) throw new TarError('number too large in a tar header');
    return v;
  }
  const text = cstring(b).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new TarError(`"${text}" is not an octal number in a tar header`);
  return parseInt(text, 8);
}

/** PAX records "LEN key=value\n"; values kept as bytes (xattr values are binary). */
export function parsePax(b: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < b.length) {
    if (b[pos] === 0) break;
    const sp = b.indexOf(0x20, pos);
    const len = sp < 0 ? NaN : Number(b.subarray(pos, sp).toString('ascii'));
    if (!Number.isSafeInteger(len) || len <= 0 || pos + len > b.length || b[pos + len - 1] !== 0x0a) throw new TarError('malformed PAX header');
    const rec = b.subarray(sp + 1, pos + len - 1);
    const eq = rec.indexOf(0x3d);
    if (eq < 0) throw new TarError('malformed PAX record');
    out.set(rec.subarray(0, eq).toString('utf8'), rec.subarray(eq + 1));
    pos += len;
  }
  return out;
}

const MAX_META = 1024 * 1024;

/** Reads a tar stream, calling `onEntry` with each entry and a reader of its body (which it must read whole). */
export async function readTar(
  src: AsyncIterable<Buffer | Uint8Array>,
  onEntry: (e: TarEntry, body: (sink: (chunk: Buffer) => Promise<void>) => Promise<void>) => Promise<void>,
): Promise<void> {
  const r = new ByteReader(src[Symbol.asyncIterator]());
  const readAll = async (size: number): Promise<Buffer> => {
    if (size > MAX_META) throw new TarError('tar metadata entry too large');
    const b = size ? (await r.take(size)) ?? Buffer.alloc(0) : Buffer.alloc(0);
    if (b.length !== size) throw new TarError('truncated tar');
    await skipPad(size);
    return b;
  };
  const skipPad = async (size: number): Promise<void> => {
    const pad = (512 - (size % 512)) % 512;
    if (pad && !(await r.take(pad))) throw new TarError('truncated tar');
  };
  let global = new Map<string, Buffer>();
  let pax: Map<string, Buffer> | null = null;
  let longName: string | null = null;
  let longLink: string | null = null;
  for (;;) {
    const h = await r.take(512);
    if (!h || h.every((x) => x === 0)) break;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
    if (sum !== tarNumber(h.subarray(148, 156))) throw new TarError('not a tar stream (header checksum wrong)');
    const type = h[156] === 0 ? '0' : String.fromCharCode(h[156]!);
    const headerSize = tarNumber(h.subarray(124, 136));
    if (type === 'x' || type === 'g') {
      const recs = parsePax(await readAll(headerSize));
      if (type === 'g') global = new Map([...global, ...recs]);
      else pax = recs;
      continue;
    }
    if (type === 'L' || type === 'K') {
      const text = cstring(await readAll(headerSize));
      if (type === 'L') longName = text;
      else longLink = text;
      continue;
    }
    const p = new Map([...global, ...(pax ?? [])]);
    if ([...p.keys()].some((k) => k.startsWith('GNU.sparse.')) || type === 'S') throw new TarError('sparse files in layers are not supported');
    const num = (key: string, fallback: number): number => {
      const v = p.get(key);
      if (v === undefined) return fallback;
      const n = Number(v.toString('utf8'));
      if (!Number.isFinite(n)) throw new TarError(`PAX ${key} is not a number`);
      return n;
    };
    const magic = h.subarray(257, 263).toString('latin1');
    const prefix = magic === 'ustar\0' ? cstring(h.subarray(345, 500)) : '';
    const name = cstring(h.subarray(0, 100));
    const xattrs = new Map<string, Buffer>();
    for (const [k, v] of p) {
      if (k.startsWith('SCHILY.xattr.')) xattrs.set(k.slice(13), v);
      else if (k.startsWith('LIBARCHIVE.xattr.')) xattrs.set(decodeURIComponent(k.slice(17)), Buffer.from(v.toString('ascii'), 'base64'));
    }
    const entry: TarEntry = {
      path: p.get('path')?.toString('utf8') ?? longName ?? (prefix ? `${prefix}/${name}` : name),
      type,
      size: num('size', headerSize),
      mode: tarNumber(h.subarray(100, 108)) & 0o7777,
      uid: num('uid', tarNumber(h.subarray(108, 116))),
      gid: num('gid', tarNumber(h.subarray(116, 124))),
      mtime: num('mtime', tarNumber(h.subarray(136, 148))),
      linkpath: p.get('linkpath')?.toString('utf8') ?? longLink ?? cstring(h.subarray(157, 257)),
      devmajor: tarNumber(h.subarray(329, 337)),
      devminor: tarNumber(h.subarray(337, 345)),
      xattrs,
    };
    pax = null;
    longName = null;
    longLink = null;
    // Links, folders and device nodes carry no body whatever their size field says (POSIX).
    const bodySize = ['1', '2', '3', '4', '5', '6'].includes(type) ? 0 : entry.size;
    let read = 0;
    await onEntry(entry, async (sink) => {
      while (read < bodySize) {
        const chunk = await r.some(bodySize - read);
        read += chunk.length;
        await sink(chunk);
      }
    });
    while (read < bodySize) read += (await r.some(bodySize - read)).length;
    await skipPad(bodySize);
  }
}
