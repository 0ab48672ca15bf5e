// veritysetup verify: the whole data device against its hash tree and root hash (no device-mapper needed).
import { run, type RunOptions } from './run.ts';

/** Its exit code and stderr: 0 verifies; anything else names where it failed ("Verification failed at position N"). */
export async function verityVerify(dataDev: string, hashDev: string, rootHash: string, opts: RunOptions = {}): Promise<{ exitCode: number; stderr: string }> {
  const r = await run('veritysetup', ['verify', dataDev, hashDev, rootHash], { ...opts, okExitCodes: [0, 1, 2, 3, 4, 5] });
  return { exitCode: r.exitCode, stderr: r.stderr };
}
