// The flat repository's index over the pool: Packages (+ .gz), Release (Origin and Suite never change between
// builds: apt refuses a repository whose Origin changed), InRelease clear-signed, and the public key beside them.
// Release is written outside the folder first, or apt-ftparchive would list the old Release in the new one.
import { copyFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { runTool } from '../../run-tool.ts';
import { clearSign, exportPublicKey, type AptSigningKey } from '../apt-signing-key.ts';

export const APT_KEY_BINARY = 'iios-archive-key.gpg';
export const APT_KEY_ARMOURED = 'iios-archive-key.asc';

const releaseFields = ['Origin=iios', 'Label=iios offline cache', 'Suite=iios-offline', 'Codename=iios-offline', 'Description=packages carried by an iios stick'];

export async function writeRepoIndex(dir: string, workDir: string, key: AptSigningKey, log: (line: string) => void): Promise<void> {
  log(`apt-ftparchive packages pool (in ${dir})`);
  const { stdout } = await runTool('apt-ftparchive', ['packages', 'pool'], { cwd: dir });
  await writeFile(join(dir, 'Packages'), stdout);
  // level 9 and no name or time in the header: the same packages give the same bytes (and the same manifest)
  await writeFile(join(dir, 'Packages.gz'), gzipSync(Buffer.from(stdout), { level: 9 }));
  await rm(join(dir, 'Release'), { force: true });
  await rm(join(dir, 'InRelease'), { force: true });
  const opts = releaseFields.flatMap((f) => ['-o', `APT::FTPArchive::Release::${f}`]);
  log(`apt-ftparchive ${opts.join(' ')} release .`);
  const release = await runTool('apt-ftparchive', [...opts, 'release', '.'], { cwd: dir });
  const staged = join(workDir, 'Release');
  await writeFile(staged, release.stdout);
  await copyFile(staged, join(dir, 'Release'));
  log(`gpg --clearsign Release > InRelease (key ${key.fingerprint})`);
  await clearSign(key, join(dir, 'Release'), join(dir, 'InRelease'));
  await exportPublicKey(key, join(dir, APT_KEY_BINARY), join(dir, APT_KEY_ARMOURED));
}
