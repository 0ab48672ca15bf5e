// The quick capacity check of a stick, before anything else is written to it: blocks that each name their own
// place (src-shared/drives/capacity-probe.ts) are written across the whole claimed size, then read back, both
// with O_DIRECT so the page cache cannot answer for the stick. A stick that wraps, drops or refuses writes past
// its real size fails here with the size it really has and what to do; the wipe step then clears what the check
// wrote at the places that matter (the tables, the partitions' starts), as it does for any old content.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { capacityVerdict, fillSectors, ProbeFindings, probePlan, readSector, SECTOR, type ProbeRegion } from '../../src-shared/drives/capacity-probe.ts';
import { t } from '../../src-shared/i18n/index.ts';
import type { TargetFailure } from '../../src-shared/job/target-failure.ts';
import { deviceGone, FailureError, type TargetCtx } from '../context.ts';
import { DIRECT_ALIGN, directBuffer, plainBuffer } from '../io/aligned.ts';
import { run } from '../tools/run.ts';

const IO_BYTES = 1024 * 1024;

/** A failed check: its message is the whole story (the target's failure says it as it is). */
export class CapacityError extends FailureError {
  readonly wholeMessage = true;
  constructor(
    message: string,
    readonly realBytes: number,
    failure: TargetFailure,
  ) {
    super(message, failure);
  }
}

/** Each region in pieces of at most IO_BYTES. */
function* pieces(regions: ProbeRegion[]): Generator<ProbeRegion & { region: ProbeRegion }> {
  for (const region of regions) {
    for (let at = 0; at < region.length; at += IO_BYTES) yield { offset: region.offset + at, length: Math.min(IO_BYTES, region.length - at), region };
  }
}

export async function capacityCheck(ctx: TargetCtx): Promise<void> {
  ctx.enter('capacity');
  if (ctx.target.kind !== 'device') {
    ctx.log('info', t('capacity.imageFile'));
    return;
  }
  const plan = probePlan(ctx.plan.diskBytes);
  const nonce = randomBytes(8);
  const total = plan.bytes * 2;
  let done = 0;
  ctx.log('info', `capacity check: ${plan.regions.length} places (${plan.lowBytes} bytes from the start, then ${plan.regions.length - 1} blocks every ${plan.stride} bytes), nonce ${nonce.toString('hex')}`);

  const direct = directBuffer(ctx.disk, IO_BYTES);
  const buf = direct ?? plainBuffer(IO_BYTES);
  const flags = direct ? constants.O_DIRECT : 0;

  // 1. write every place, rising; a write that fails ends the check there
  let writeFailedAt: { offset: number; error: string } | null = null;
  let fh: FileHandle = await open(ctx.disk, constants.O_WRONLY | flags);
  try {
    for (const p of pieces(plan.regions)) {
      if (ctx.signal.aborted) throw new Error('cancelled');
      fillSectors(buf.subarray(0, p.length), p.offset, nonce);
      try {
        let put = 0;
        while (put < p.length) put += (await fh.write(buf, put, p.length - put, p.offset + put)).bytesWritten;
      } catch (err) {
        writeFailedAt = { offset: p.offset, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
        break;
      }
      done += p.length;
      ctx.progress(done, total);
    }
    if (!writeFailedAt) {
      try {
        await fh.datasync();
      } catch (err) {
        writeFailedAt = { offset: plan.claimedBytes, error: (err as NodeJS.ErrnoException).code ?? (err as Error).message };
      }
    }
  } finally {
    await fh.close();
  }
  // Without O_DIRECT, the stick's cached pages are dropped so the read-back comes from the stick itself.
  if (!direct) await run('blockdev', ['--flushbufs', ctx.disk], { signal: ctx.signal });

  // 2. read every place back, sector by sector
  const findings = new ProbeFindings();
  const scratch = new Uint8Array(SECTOR);
  if (!writeFailedAt) {
    fh = await open(ctx.disk, constants.O_RDONLY | flags);
    try {
      let regionOk = true;
      for (const p of pieces(plan.regions)) {
        if (ctx.signal.aborted) throw new Error('cancelled');
        if (p.offset === p.region.offset) regionOk = true;
        let got = 0;
        try {
          const ask = direct ? Math.ceil(p.length / DIRECT_ALIGN) * DIRECT_ALIGN : p.length;
          while (got < p.length) {
            const { bytesRead } = await fh.read(buf, got, ask - got, p.offset + got);
            if (bytesRead === 0) break;
            got += bytesRead;
          }
        } catch {
          /* what was not read counts as not read back */
        }
        for (let s = 0; s < p.length; s += SECTOR) {
          const result = s + SECTOR <= got ? readSector(buf.subarray(s, s + SECTOR), p.offset + s, nonce, scratch) : ({ ok: false, holds: null } as const);
          if (!result.ok) regionOk = false;
          findings.sector(p.offset + s, result);
        }
        if (regionOk && p.offset + p.length === p.region.offset + p.region.length) findings.regionGood(p.region);
        done += p.length;
        ctx.progress(done, total);
      }
    } finally {
      await fh.close();
    }
  }
  ctx.progress(total, total, true);

  // A stick pulled (or a loop detached) mid-check fails its writes too: that is said as what it is, not as a fake.
  if (deviceGone(ctx)) throw Object.assign(new Error('device gone'), { code: 'ENODEV' });
  if (ctx.signal.aborted) throw new Error('cancelled');
  const verdict = capacityVerdict(plan, findings, writeFailedAt);
  if (!verdict.ok) {
    ctx.log('warn', `capacity check: ${findings.badSectors} sectors did not read back as written; first at ${findings.firstBad ?? writeFailedAt?.offset}; real size ${verdict.realBytes} bytes (${verdict.how})`);
    const error = writeFailedAt?.error;
    throw new CapacityError(verdict.message, verdict.realBytes, { key: 'fake-capacity', how: verdict.how, claimedBytes: plan.claimedBytes, realBytes: verdict.realBytes, ...(error ? { error } : {}) });
  }
  ctx.log('info', verdict.message);
}
