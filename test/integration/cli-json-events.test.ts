// `iios write --json` as a script runs it (the CLI as a child process, the real helper behind it): stdout is
// nothing but the job's events, one EventLine per line, in the helper's order, ending with `done`; whatever a
// human reads goes to stderr. The same lines replayed through the job state give a bar that only moves forward.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyEvent, initialSnapshot } from '../../src-main/services/jobs/job-state.ts';
import { EventLine, lineEvent } from '../../src-shared/job/event-line.ts';
import { JobEvent } from '../../src-shared/job/events.ts';
import { targetSteps } from '../../src-shared/progress/fold-progress.ts';
import { planTargetWork } from '../../src-shared/progress/work-plan.ts';
import { parseBundleManifest, parseImageProfile } from '../../src-shared/profile/index.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { iios, REPO } from '../support/iios-cli.ts';

const MiB = 1024 ** 2;
let bundle: TestBundle;
let work: string;

beforeAll(async () => {
  bundle = await makeBundle({ randomBytes: 8 * MiB, name: 'iios-json-test', version: '1.0' });
  work = await mkdtemp(join(tmpdir(), 'iios-cli-json-'));
});
afterAll(async () => {
  await bundle?.cleanup();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('iios write --json', () => {
  it('prints each event of the job as one schema-valid JSON line on stdout, in order, ending with done', async () => {
    const cache = join(work, 'apt');
    await mkdir(cache, { recursive: true });
    await writeFile(join(cache, 'pkgcache.bin'), Buffer.alloc(3 * MiB, 5));
    const img = join(work, 'json.img');
    const w = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', img, '--size', '2G', '--cache', `apt=${cache}`, '--yes', '--json']);
    expect(w.exitCode, w.stderr).toBe(0);
    // the human text went to stderr
    expect(w.stderr).toContain('1 of 1 target written');

    // (execa drops the final newline) every line of stdout is an event: no blank line, no text
    const raw = w.stdout.split('\n');
    const lines = raw.map((l, i) => {
      const parsed = EventLine.safeParse(JSON.parse(l));
      expect(parsed.success, `line ${i + 1}: ${l}`).toBe(true);
      return parsed.data!;
    });
    // each line carries the very event the GUI receives (the contract's JobEvent), plus time, job and target path
    for (const l of lines) expect(JobEvent.safeParse(lineEvent(l).event).success).toBe(true);
    expect(new Set(lines.map((l) => l.jobId)).size).toBe(1);
    for (const l of lines) if ('targetId' in l && l.targetId) expect(l.target).toBe(img);
    const times = lines.map((l) => Date.parse(l.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(l.time))).toBe(true);

    const kinds = lines.map((l) => l.kind);
    // the helper's first line says how it got root (a log); the job itself starts with a phase
    expect(kinds.find((k) => k !== 'log')).toBe('phase');
    expect(kinds.at(-1)).toBe('done');
    expect(kinds.indexOf('target-done')).toBe(kinds.length - 2);
    expect(new Set(kinds)).toEqual(new Set(['phase', 'progress', 'log', 'target-done', 'done']));
    const phases = lines.flatMap((l) => (l.kind === 'phase' ? [l.phase] : []));
    expect(phases).toEqual(['check', 'wipe', 'partition', 'esp', 'stamp', 'slots', 'verity', 'btrfs', 'caches', 'verify', 'stamp', 'complete']);
    // the slots' byte counts belong to the slots phase: between it and the next phase, and rising to the total
    const entered = (phase: string) => lines.findIndex((l) => l.kind === 'phase' && l.phase === phase);
    const slotBytes = lines.slice(entered('slots') + 1, entered('verity')).flatMap((l) => (l.kind === 'progress' ? [l.bytesDone] : []));
    expect(slotBytes.length).toBeGreaterThan(1);
    expect(slotBytes).toEqual([...slotBytes].sort((a, b) => a - b));
    expect(slotBytes.at(-1)).toBe(2 * bundle.manifest.rootfs.sizeBytes);
    const done = lines.at(-1)!;
    expect(done.kind === 'done' && done.results).toEqual([{ targetId: expect.any(String), ok: true, verified: true }]);

    // replayed through the job state at the times they happened: one bar over the whole job, only forward
    const profile = parseImageProfile(await readFile(join(REPO, 'resources/profiles/appliance.yaml'), 'utf8'), 'appliance', 'appliance');
    const manifest = parseBundleManifest(await readFile(join(bundle.dir, 'manifest.json'), 'utf8'), 'manifest.json');
    const target = { id: (lines.find((l) => 'targetId' in l && l.targetId) as { targetId: string }).targetId, path: img, hostname: 'iios' };
    let s = initialSnapshot(done.jobId, [target], planTargetWork({ profile, manifest, verify: true, caches: [{}] }), new Date(times[0]!));
    const fractions = lines.map((l) => {
      const { event, at } = lineEvent(l);
      s = applyEvent(s, event, at);
      return s.progress.targets[0]!.fraction;
    });
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(fractions.at(-1)).toBe(1);
    expect(fractions.filter((f) => f === 1)).toHaveLength(2); // from target-done on
    // the caches' size was learned from the helper's count
    expect(targetSteps(s.progress.plan, s.progress.targets[0]!.work).find((x) => x.phase === 'caches')).toMatchObject({ bytes: 3 * MiB, known: true });
  }, 300_000);

  it('prints nothing on stdout when the write is refused', async () => {
    const w = await iios(['write', '--profile', 'appliance', '--bundle', bundle.dir, '--target', join(work, 'small.img'), '--size', '64M', '--yes', '--json']);
    expect(w.exitCode).toBe(1);
    expect(w.stdout).toBe('');
    expect(w.stderr).toMatch(/refused before writing anything/);
  });

  it('iios clone --json prints the clone job\'s events the same way, and its human text on stderr', async () => {
    const src = join(work, 'json.img'); // the stick the first test wrote
    const copy = join(work, 'json-clone.img');
    const c = await iios(['clone', src, '--target', copy, '--size', '2G', '--name', 'json-clone', '--yes', '--json']);
    expect(c.exitCode, c.stderr).toBe(0);
    expect(c.stderr).toMatch(/log: .*\.log/);
    const lines = c.stdout.split('\n').map((l) => EventLine.parse(JSON.parse(l)));
    expect(lines.at(-1)!.kind).toBe('done');
    expect(lines.some((l) => l.kind === 'phase' && l.phase === 'slots' && l.target === copy)).toBe(true);
    const done = lines.at(-1)!;
    expect(done.kind === 'done' && done.results).toEqual([{ targetId: expect.any(String), ok: true, verified: true }]);
  }, 300_000);
});
