// Pure parts of reading a stick back and showing a job: sfdisk --json (captured from real sticks written by
// iios: an image file and a loop device), GPT attribute strings, the job snapshot fold, the progress lines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSizeArg } from '../../src-main/cli/format.ts';
import { barLine, plainLine, ProgressView, summary, targetRows } from '../../src-main/cli/progress-view.ts';
import { applyEvent, initialSnapshot, syntheticDone } from '../../src-main/services/jobs/job-state.ts';
import type { JobEvent } from '../../src-shared/job/events.ts';
import type { PhaseStep } from '../../src-shared/progress/work-plan.ts';
import { parseAttrs, parseSfdiskJson } from '../../src-main/services/stick/stick-reader.ts';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', 'sfdisk', name), 'utf8');

describe('sfdisk --json', () => {
  it('reads an appliance image file: names, types, byte offsets, read-only verity', () => {
    const l = parseSfdiskJson(fixture('appliance-image-file.json'));
    expect(l.sectorSize).toBe(512);
    expect(l.partitions.map((p) => [p.index, p.name])).toEqual([
      [1, 'IIOS-ESP'], [2, 'iios-root-a'], [3, 'iios-verity-a'], [4, 'iios-root-b'], [5, 'iios-verity-b'], [6, 'iios-data'],
    ]);
    expect(l.partitions[0]).toMatchObject({ typeGuid: 'c12a7328-f81f-11d2-ba4b-00a0c93ec93b', startLba: 2048, startBytes: 1048576, attributes: [] });
    expect(l.partitions[2]!.attributes).toEqual([60]);
    expect(l.partitions[4]!.attributes).toEqual([60]);
  });

  it('numbers partitions of a loop device (loopNpM)', () => {
    const l = parseSfdiskJson(fixture('kiosk-loop-device.json'));
    expect(l.partitions.map((p) => p.index)).toEqual([1, 2, 3, 4, 5]);
    expect(l.partitions.map((p) => p.name)).toContain('iios-payload');
  });

  it.each([
    [undefined, []],
    ['GUID:60', [60]],
    ['RequiredPartition LegacyBIOSBootable GUID:60,63', [0, 2, 60, 63]],
  ])('attrs %j → %j', (text, bits) => expect(parseAttrs(text)).toEqual(bits));
});

/** A job that only writes slots of 1024 bytes, then completes (the shape of any plan, small enough to reckon by hand). */
const PLAN: PhaseStep[] = [
  { phase: 'slots', fixed: 0, bytes: 1024, cost: 1, known: true },
  { phase: 'complete', fixed: 0, bytes: 0, cost: 1, known: true },
];

describe('job snapshot', () => {
  const targets = [
    { id: 't1', path: '/dev/loop1', hostname: 'class-01' },
    { id: 't2', path: '/dev/loop2', hostname: 'class-02' },
  ];

  it('folds phases, progress, a failure and the final results', () => {
    let s = initialSnapshot('job-1', targets, PLAN, new Date('2026-01-01T10:00:00Z'));
    s = applyEvent(s, { kind: 'phase', targetId: 't1', phase: 'slots' });
    s = applyEvent(s, { kind: 'progress', targetId: 't1', bytesDone: 50, bytesTotal: 200, speedBps: 25e6, etaSeconds: 6 });
    expect(s.status).toBe('running');
    expect(s.targets[0]).toMatchObject({ status: 'running', phase: 'slots', bytesDone: 50 });
    expect(s.targets[1]!.status).toBe('pending');
    s = applyEvent(s, { kind: 'target-failed', targetId: 't2', message: 'the stick was removed', cancelled: false });
    s = applyEvent(s, { kind: 'target-done', targetId: 't1', verified: true });
    s = applyEvent(s, { kind: 'done', results: [{ targetId: 't1', ok: true, verified: true }, { targetId: 't2', ok: false, verified: false, message: 'x' }] }, new Date('2026-01-01T10:02:05Z'));
    expect(s.status).toBe('failed');
    expect(s.targets[1]!.message).toBe('the stick was removed');
    expect(summary(s)).toContain('1 of 2 targets written in 2:05');
    expect(summary(s)).toMatch(/FAILED\s+class-02\s+\/dev\/loop2\s+— the stick was removed/);
  });

  it('is cancelled when the user cancelled, and done only when every target is', () => {
    let s = initialSnapshot('job-2', targets, PLAN);
    s = { ...s, status: 'cancelling' };
    s = applyEvent(s, syntheticDone(s, 'cancelled'));
    expect(s.status).toBe('cancelled');
    expect(s.progress.targets.map((t) => t.stage)).toEqual(['failed', 'failed']);
    let ok = initialSnapshot('job-3', targets.slice(0, 1), PLAN);
    ok = applyEvent(ok, { kind: 'done', results: [{ targetId: 't1', ok: true, verified: true }] });
    expect(ok.status).toBe('done');
  });
});

describe('progress display', () => {
  const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, 0, ms));
  /** The snapshot after `events`, each at its millisecond. */
  function snapshotAfter(events: [number, JobEvent][]) {
    let s = initialSnapshot('j', [{ id: 't1', path: '/dev/sdb', hostname: 'class-01' }], PLAN, at(0));
    for (const [ms, ev] of events) s = applyEvent(s, ev, at(ms));
    return s;
  }
  const slots = (ms: number): [number, JobEvent] => [ms, { kind: 'phase', targetId: 't1', phase: 'slots' }];
  const bytes = (ms: number, done: number): [number, JobEvent] => [ms, { kind: 'progress', targetId: 't1', bytesDone: done, bytesTotal: 1024, speedBps: 38_200_000, etaSeconds: 65 }];

  it('draws a bar over the whole job with percent, phase, speed and the time left it measured', () => {
    // 512 of 1024 bytes in 2 s: half done, 2 s left (not the helper's per-phase ETA)
    const row = targetRows(snapshotAfter([slots(0), bytes(0, 0), bytes(2000, 512)]))[0]!;
    const line = barLine(row, 100, 20);
    expect(line).toMatch(/^class-01 \/dev\/sdb\s+\[#+-+\]\s+50%\s+slots\s+38\.2 MB\/s\s+left\s+0:02$/);
    expect(line.length).toBeLessThanOrEqual(100);
    expect(plainLine(row)).toBe('class-01 /dev/sdb: slots 50% 38.2 MB/s left 0:02');
  });

  it('says the time left is unknown until it has measured a rate, never 0:00', () => {
    const row = targetRows(snapshotAfter([slots(0), bytes(200, 512)]))[0]!;
    expect(plainLine(row)).toBe('class-01 /dev/sdb: slots 50% 38.2 MB/s left unknown');
  });

  it('writes plain lines when not on a terminal, once per phase change', () => {
    let out = '';
    const view = new ProgressView({ write: (x) => void (out += x), isTTY: false }, () => 0);
    const running = snapshotAfter([slots(0), bytes(0, 0), bytes(2000, 512)]);
    view.update(running);
    view.update(running);
    view.update(applyEvent(running, { kind: 'phase', targetId: 't1', phase: 'complete' }, at(3000)));
    expect(out.split('\n').filter(Boolean)).toEqual(['class-01 /dev/sdb: slots 50% 38.2 MB/s left 0:02', 'class-01 /dev/sdb: complete 99% — left 0:01']);
    expect(out).not.toContain('\x1b[');
  });
});

describe('--size', () => {
  it.each([
    ['8G', 8 * 1024 ** 3],
    ['8GiB', 8 * 1024 ** 3],
    ['512M', 512 * 1024 ** 2],
    ['1.5G', 1.5 * 1024 ** 3],
    ['4096', 4096],
    ['8 gb', 8 * 1024 ** 3],
    ['eight', null],
    ['-1G', null],
    ['0', null],
  ])('%s → %s', (text, bytes) => expect(parseSizeArg(text)).toBe(bytes));
});
