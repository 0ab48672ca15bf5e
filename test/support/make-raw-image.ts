// A small real disk image for the raw profile: GPT with one ext4 partition holding a marker file,
// optionally compressed with a system tool (xz, gzip, zstd, bzip2).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { sha256File } from './make-bundle.ts';

export interface RawImage {
  /** The file to put in the job (compressed when asked). */
  path: string;
  /** The uncompressed image and its facts. */
  plainPath: string;
  bytes: number;
  sha256: string;
  cleanup(): Promise<void>;
}

export async function makeRawImage(opts: { mib?: number; compress?: 'xz' | 'gz' | 'zst' | 'bz2'; table?: 'gpt' | 'mbr' } = {}): Promise<RawImage> {
  const dir = await mkdtemp(join(tmpdir(), 'iios-raw-'));
  const plainPath = join(dir, 'disk.img');
  const mib = opts.mib ?? 48;
  await execa('truncate', ['-s', `${mib}M`, plainPath]);
  if (opts.table === 'mbr') await execa('sfdisk', ['--no-reread', '--no-tell-kernel', plainPath], { input: 'label: dos\nstart=2048, type=83\n' });
  else await execa('sgdisk', ['-o', '-n', '1:2048:0', '-c', '1:rawroot', '-t', '1:8300', plainPath]);
  const partBytes = (mib - 2) * 1024 * 1024;
  await execa('mkfs.ext4', ['-F', '-q', '-L', 'rawroot', '-E', 'offset=1048576', plainPath, `${partBytes / 1024}k`]);
  await execa('debugfs', ['-w', '-R', 'mkdir /iios-raw-marker', `${plainPath}?offset=1048576`], { reject: false });
  const sha256 = await sha256File(plainPath);
  let path = plainPath;
  if (opts.compress) {
    const [tool, args, ext] = {
      xz: ['xz', ['-k', '-0', '-T0'], 'xz'],
      gz: ['gzip', ['-k', '-1'], 'gz'],
      zst: ['zstd', ['-q', '-1'], 'zst'],
      bz2: ['bzip2', ['-k', '-1'], 'bz2'],
    }[opts.compress] as [string, string[], string];
    await execa(tool, [...args, plainPath]);
    path = `${plainPath}.${ext}`;
  }
  return { path, plainPath, bytes: mib * 1024 * 1024, sha256, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
