// A classroom stick written by the real `iios write` into an image file, to be cloned from: the set-up of the
// clone tests. `unchanged()` says whether the source still hashes as it did once written (a clone never writes
// its source).
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iios } from './iios-cli.ts';
import { makeBundle } from './make-bundle.ts';

const MiB = 1024 ** 2;

export interface ClassroomSource {
  /** the folder the source lives in; a test's own files go there too, and go with `cleanup()` */
  work: string;
  /** the source stick's image file (2 GiB, hostname "teacher") */
  source: string;
  unchanged(): Promise<boolean>;
  cleanup(): Promise<void>;
}

const sha256 = async (p: string) => (await execa('sha256sum', [p])).stdout.split(' ')[0]!;

/** Writes the source with a 3 MiB bundle named `name`; throws with iios's output when the write fails. */
export async function writeClassroomSource(name: string): Promise<ClassroomSource> {
  const bundle = await makeBundle({ randomBytes: 3 * MiB, name, version: '1.0' });
  const work = await mkdtemp(join(tmpdir(), `${name}-`));
  const cleanup = async () => {
    await bundle.cleanup();
    await rm(work, { recursive: true, force: true });
  };
  const source = join(work, 'teacher.img');
  const w = await iios(['write', '--profile', 'classroom', '--bundle', bundle.dir, '--target', source, '--size', '2G', '--name', 'teacher', '--yes']);
  if (w.exitCode !== 0) {
    await cleanup();
    throw new Error(`iios write of the classroom source failed (${w.exitCode}):\n${w.stdout}${w.stderr}`);
  }
  const sha = await sha256(source);
  return { work, source, unchanged: async () => (await sha256(source)) === sha, cleanup };
}
