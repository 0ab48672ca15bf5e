// `iios caches update STICK --cache-set SET [--yes]`: shows which kinds differ from the library's last build,
// asks (unless --yes), then writes only what changed (services/caches/update-stick-caches.ts).
import { createInterface } from 'node:readline/promises';
import type { CommandIO } from '../command.ts';
import { UsageError } from '../command.ts';
import { fixed, formatBytes } from '../../../src-shared/format/bytes.ts';
import { t } from '../../../src-shared/i18n/index.ts';
import { applyStickCachesUpdate, planStickCachesUpdate, type CacheKindChange, type KindUpdateResult } from '../../services/caches/update-stick-caches.ts';

/** What differs for one kind: what the stick has of it (and when that was built) beside the library's build. */
export function changeLine(c: Pick<CacheKindChange, 'kind' | 'ref' | 'onStick'>): string {
  const library = c.ref.builtAt ?? '?';
  if (!c.onStick) return t('cli.caches.notOnStick', { kind: c.kind, library });
  const size = formatBytes(c.onStick.sizeBytes);
  if (c.onStick.builtAt) return t('cli.caches.stickHasBuilt', { kind: c.kind, count: c.onStick.files, size, built: c.onStick.builtAt, library });
  return t('cli.caches.stickHas', { kind: c.kind, count: c.onStick.files, size, library });
}

/** What the update wrote of one kind. */
export function wroteLine(r: KindUpdateResult): string {
  return t('cli.caches.wrote', { kind: r.kind, count: r.filesWritten, size: formatBytes(r.bytesWritten), removed: r.filesDeleted, seconds: fixed(r.seconds, 1) });
}

export async function updateStickCaches(stick: string, setArg: string, opts: { yes: boolean; json: boolean }, io: CommandIO): Promise<number> {
  const plan = await planStickCachesUpdate(stick, setArg);
  const say = (s: string) => (opts.json ? io.stderr : io.stdout).write(s + '\n');
  for (const k of plan.unchanged) say(t('cli.caches.kindUpToDate', { kind: k }));
  for (const c of plan.changes) {
    say(changeLine(c));
  }
  if (plan.changes.length === 0) {
    if (opts.json) io.stdout.write(JSON.stringify({ stick, set: plan.setId, updated: [] }) + '\n');
    else say(t('cli.caches.allUpToDate', { stick, set: plan.setId }));
    return 0;
  }
  if (!opts.yes) {
    if (!io.stdin.isTTY) throw new UsageError(t('cli.caches.needsYes'));
    const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
    const answer = await rl.question(t('cli.caches.confirm', { kinds: plan.changes.map((c) => c.kind).join(', '), stick }));
    rl.close();
    // yes in English or German, whatever the language asked in
    if (!/^(y(es)?|j(a)?)$/i.test(answer.trim())) {
      say(t('cli.caches.nothingWritten'));
      return 1;
    }
  }
  const results = await applyStickCachesUpdate(plan, (r) => say(wroteLine(r)));
  if (opts.json) io.stdout.write(JSON.stringify({ stick, set: plan.setId, updated: results }) + '\n');
  return 0;
}
