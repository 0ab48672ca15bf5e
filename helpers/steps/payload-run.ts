// The payload job (kiosk): the payload partition's files replaced by new ones, the system slots untouched. The
// files are taken (checked, copied, hashed) and measured before anything is written; a payload that does not fit
// its partition is refused then. The stamp says `payloadUpdate` while the partition is rewritten, and records
// the new files' manifest (path, sha256, size) when they are all there.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetResult } from '../../src-shared/job/events.ts';
import { PayloadJob } from '../../src-shared/job/update-job.ts';
import type { ImageProfile } from '../../src-shared/profile/profile-schema.ts';
import { FailureError, TargetCtx, type Emit } from '../context.ts';
import { invalidJob, refusedJobError } from '../job-errors.ts';
import { sourceReadCheck } from '../source-access.ts';
import { fatReplace } from '../tools/fat-edit.ts';
import { run } from '../tools/run.ts';
import { refusalFailure, stickSafety } from './stick-refusals.ts';
import { describePayload, payload } from './payload.ts';
import { gptEntries, readStamp, storedProfile, withIios } from './stick-job.ts';
import { STAMP_PATH, stampText } from './stamp.ts';
import { planFromGpt } from './update-plan.ts';

/** Room a filesystem takes for itself on a small partition (ext4 journal and tables, FAT tables), kept free. */
export function payloadCapacity(partBytes: number): number {
  return Math.floor(partBytes * 0.9) - 1024 * 1024;
}

async function filesystemAt(disk: string, offset: number, size: number): Promise<'vfat' | 'ext4'> {
  const r = await run('blkid', ['-p', '-O', String(offset), '-S', String(size), '-o', 'value', '-s', 'TYPE', disk], { okExitCodes: [0, 2] });
  return r.stdout.trim() === 'vfat' ? 'vfat' : 'ext4';
}

export async function runPayloadJob(rawJob: unknown, emit: Emit, signal: AbortSignal): Promise<TargetResult[]> {
  const parsed = PayloadJob.safeParse(rawJob);
  if (!parsed.success) {
    emit(invalidJob(parsed.error));
    return [];
  }
  const job = parsed.data;
  const id = job.target.id;
  emit({ kind: 'phase', targetId: id, phase: 'check' });
  // `err`: what refused the stick; its typed failure, else its English detail inside a translated frame
  const fail = (err: unknown): TargetResult[] => {
    const message = `refused before changing anything: ${(err as Error).message}`;
    const failure = refusalFailure(err, signal.aborted);
    const results = [{ targetId: id, ok: false, verified: false, message, failure }];
    emit({ kind: 'target-failed', targetId: id, message, cancelled: signal.aborted, failure });
    emit(refusedJobError(message, results));
    emit({ kind: 'done', results });
    return results;
  };
  const work = await mkdtemp(join(tmpdir(), 'iios-payload-'));
  try {
    let t: TargetCtx;
    let stamp;
    let espStart: number;
    let entries;
    try {
      const { refusal } = await stickSafety(job.target);
      if (refusal) throw refusal;
      const parts = await gptEntries(job.target.path);
      stamp = await readStamp(job.target.path, parts);
      if (!stamp?.complete) throw new FailureError('it is not a complete iios stick (its stamp is missing or incomplete)', { key: 'stick-refused', refusal: { reason: 'incomplete' } });
      const part = parts.find((p) => p.name === 'iios-payload');
      if (!part) throw new FailureError(`its ${stamp.profile} profile has no payload partition (only kiosk sticks have one)`, { key: 'stick-refused', refusal: { reason: 'no-payload-partition', profile: stamp.profile } });
      // a kiosk stick keeps no @iios (no profile, no bundles); this job touches only the payload partition, so the
      // stamp's profile name is all the target needs
      const profile = await withIios(job.target.path, parts, (mnt) => storedProfile(mnt, stamp!.profile)).catch(
        () => ({ id: stamp!.profile, mode: 'ab', partitions: [] }) as unknown as ImageProfile,
      );
      const plan = planFromGpt(profile.id, stamp.diskBytes, parts);
      plan.partitions.find((p) => p.role === 'payload')!.filesystem = await filesystemAt(job.target.path, part.startBytes, part.sizeBytes);
      t = new TargetCtx({ ...job.target, hostname: stamp.hostname }, plan, profile, emit, signal);
      espStart = parts.find((p) => p.name === 'IIOS-ESP')!.startBytes;
      entries = await describePayload(job.files, await sourceReadCheck(process.env), signal, async () => work);
      const total = entries.reduce((s, e) => s + e.sizeBytes, 0);
      const room = payloadCapacity(part.sizeBytes);
      if (total > room) {
        throw new FailureError(`the payload is ${total} bytes; the stick's payload partition takes at most ${room} (of ${part.sizeBytes}). Choose fewer or smaller files, or write the stick again with a larger payload partition`, {
          key: 'stick-refused',
          refusal: { reason: 'payload-too-big', bytes: total, roomBytes: room, partBytes: part.sizeBytes },
        });
      }
    } catch (err) {
      return fail(err);
    }
    const putStamp = async (s: Record<string, unknown>) => {
      await writeFile(join(work, 'stick.json'), stampText(s));
      await fatReplace({ disk: t.disk, offset: espStart }, join(work, 'stick.json'), STAMP_PATH, { signal: t.signal });
    };
    try {
      t.enter('stamp');
      await putStamp({ ...stamp, payloadUpdate: { startedAt: new Date().toISOString(), files: entries.length } });
      const written = await payload(t, entries);
      t.enter('stamp');
      const { payloadUpdate: _gone, ...rest } = stamp as Record<string, unknown>;
      void _gone;
      await putStamp({ ...rest, payload: written, payloadUpdatedAt: new Date().toISOString() });
    } catch (err) {
      t.fail(err);
    }
    const result: TargetResult = t.failure ? { targetId: id, ok: false, verified: false, message: t.failure.message, failure: t.failure.failure } : { targetId: id, ok: true, verified: false };
    if (!t.failure) {
      t.enter('complete');
      emit({ kind: 'target-done', targetId: id, verified: false });
    }
    emit({ kind: 'done', results: [result] });
    return [result];
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
