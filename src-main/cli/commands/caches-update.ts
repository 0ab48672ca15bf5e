// `iios caches update STICK --cache-set SET [--yes]`: shows which kinds differ from the library's last build,
// asks (unless --yes), then writes only what changed (services/caches/update-stick-caches.ts).
import { createInterface } from 'node:readline/promises';
import type { CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { formatBytes } from '../../../src-shared/format/bytes.ts';
import { applyStickCachesUpdate, planStickCachesUpdate } from '../../services/caches/update-stick-caches.ts';

export async function updateStickCaches(stick: string, setArg: string, opts: { yes: boolean; json: boolean }, io: CommandIO): Promise<number> {
  const plan = await planStickCachesUpdate(stick, setArg);
  const say = (s: string) => (opts.json ? io.stderr : io.stdout).write(s + '\n');
  for (const k of plan.unchanged) say(`${k}: up to date`);
  for (const c of plan.changes) {
    say(`${c.kind}: ${c.onStick ? `stick has ${c.onStick.files} files (${formatBytes(c.onStick.sizeBytes)})${c.onStick.builtAt ? ` built ${c.onStick.builtAt}` : ''}` : 'not on the stick'}; library build ${c.ref.builtAt ?? '?'}`);
  }
  if (plan.changes.length === 0) {
    if (opts.json) io.stdout.write(JSON.stringify({ stick, set: plan.setId, updated: [] }) + '\n');
    else say(`${stick}: caches of ${plan.setId} are up to date, nothing written`);
    return 0;
  }
  if (!opts.yes) {
    if (!io.stdin.isTTY) throw new UsageError('refusing to change the stick without --yes when stdin is not a terminal');
    const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
    const answer = await rl.question(`update ${plan.changes.map((c) => c.kind).join(', ')} on ${stick}? [y/N] `);
    rl.close();
    if (!/^y(es)?$/i.test(answer.trim())) {
      say('nothing was written');
      return 1;
    }
  }
  const results = await applyStickCachesUpdate(plan, (r) => say(`${r.kind}: wrote ${r.filesWritten} files (${formatBytes(r.bytesWritten)}), removed ${r.filesDeleted}, ${r.seconds.toFixed(1)} s`));
  if (opts.json) io.stdout.write(JSON.stringify({ stick, set: plan.setId, updated: results }) + '\n');
  return 0;
}
