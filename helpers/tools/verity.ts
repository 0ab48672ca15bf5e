// veritysetup verify: the whole data device against its hash tree and root hash (no device-mapper needed).
import { run, type RunOptions } from './run.ts';

export async function verityVerify(dataDev: string, hashDev: string, rootHash: string, opts: RunOptions = {}): Promise<void> {
  await run('veritysetup', ['verify', dataDev, hashDev, rootHash], opts);
}
