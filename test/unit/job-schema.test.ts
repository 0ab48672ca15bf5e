import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseImageProfile } from '../../src-shared/profile/image-profile.ts';
import { WriteJob, type WriteJobInput } from '../../src-shared/job/write-job.ts';
import { AppToHelper, encodeLine, HelperToApp, LineSplitter, parseLine } from '../../src-shared/job/protocol.ts';
import { JobEvent } from '../../src-shared/job/events.ts';

const profile = (id: string) => parseImageProfile(readFileSync(join(import.meta.dirname, '../../resources/profiles', `${id}.yaml`), 'utf8'), id);
const sha = (c: string) => c.repeat(64);
const manifest = {
  format: 1,
  name: 'iios-demo',
  version: '2026.11.1',
  arch: 'x86_64',
  kernel: 'vmlinuz',
  initrd: 'initrd.img',
  cmdline: 'console=ttyS0,115200 quiet',
  bootloader: 'systemd-bootx64.efi',
  rootfs: { kind: 'squashfs', file: 'root.squashfs', sizeBytes: 8192 },
  verity: { hashFile: 'root.verity', rootHash: sha('a'), salt: 'ab', dataBlockSize: 4096, hashBlockSize: 4096, hashAlgorithm: 'sha256', sizeBytes: 4096 },
  files: {
    vmlinuz: { sha256: sha('1'), sizeBytes: 10 },
    'initrd.img': { sha256: sha('2'), sizeBytes: 10 },
    'root.squashfs': { sha256: sha('3'), sizeBytes: 8192 },
    'root.verity': { sha256: sha('4'), sizeBytes: 4096 },
    'systemd-bootx64.efi': { sha256: sha('5'), sizeBytes: 10 },
  },
};

function job(over: Partial<WriteJobInput> = {}): WriteJobInput {
  return {
    jobId: 'job-1',
    profile: profile('appliance'),
    bundleDir: '/srv/bundle',
    manifest: manifest as WriteJobInput['manifest'],
    targets: [{ id: 't1', kind: 'image-file', path: '/srv/out/a.img', sizeBytes: 4 * 1024 ** 3, hostname: 'class-01' }],
    ...over,
  };
}

const issues = (input: unknown) => {
  const r = WriteJob.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
};

describe('WriteJob', () => {
  it('accepts a bundle job and fills the defaults', () => {
    const j = WriteJob.parse(job());
    expect(j).toMatchObject({ payload: [], caches: [], unmountIfMounted: false, verify: true });
  });

  it('accepts a raw image job without a manifest', () => {
    expect(issues(job({ profile: profile('raw'), bundleDir: undefined, manifest: undefined, imagePath: '/srv/debian.img.xz' }))).toEqual([]);
  });

  it.each([
    ['no source', { bundleDir: undefined }, ['bundleDir', 'profile']],
    ['both sources', { imagePath: '/x.img' }, ['bundleDir']],
    ['raw profile with a bundle', { profile: profile('raw') }, ['profile']],
    ['bundle without manifest', { manifest: undefined }, ['manifest']],
    ['relative target path', { targets: [{ id: 't1', kind: 'device', path: 'dev/sda', sizeBytes: 1, hostname: 'a' }] }, ['targets.0.path']],
    ['bad hostname', { targets: [{ id: 't1', kind: 'device', path: '/dev/sda', sizeBytes: 1, hostname: 'Class_01' }] }, ['targets.0.hostname']],
    ['target id with a slash', { targets: [{ id: '../x', kind: 'device', path: '/dev/sda', sizeBytes: 1, hostname: 'a' }] }, ['targets.0.id']],
    ['no targets', { targets: [] }, ['targets']],
    ['payload name with a slash', { payload: [{ sourcePath: '/a', name: 'x/y' }] }, ['payload.0.name']],
    ['payload name ..', { payload: [{ sourcePath: '/a', name: '..' }] }, ['payload.0.name']],
  ] as const)('refuses %s', (_what, over, want) => {
    expect(issues(job(over as Partial<WriteJobInput>))).toEqual(want);
  });

  it('refuses the same target twice', () => {
    const t = { id: 't1', kind: 'device' as const, path: '/dev/sdc', sizeBytes: 1, hostname: 'a' };
    expect(issues(job({ targets: [t, { ...t, id: 't2' }] }))).toEqual(['targets.1.path']);
  });

  it('re-validates the profile inside the job', () => {
    expect(issues(job({ profile: { ...profile('appliance'), mode: 'fancy' } as never }))).toContain('profile.mode');
  });

  it('re-validates the manifest inside the job', () => {
    expect(issues(job({ manifest: { ...manifest, verity: { ...manifest.verity, rootHash: 'xyz' } } as never }))).toContain('manifest.verity.rootHash');
  });

  it('survives a JSON round trip unchanged', () => {
    const parsed = WriteJob.parse(job());
    expect(WriteJob.parse(JSON.parse(JSON.stringify(parsed)))).toEqual(parsed);
  });
});

describe('protocol framing', () => {
  it('splits lines across chunk boundaries', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    const text = encodeLine({ type: 'ping' }) + encodeLine({ type: 'cancel' });
    for (const ch of text) s.push(ch);
    expect(lines.map((l) => parseLine(AppToHelper, l))).toEqual([
      { ok: true, value: { type: 'ping' } },
      { ok: true, value: { type: 'cancel' } },
    ]);
  });

  it('refuses an endless line', () => {
    const s = new LineSplitter(() => undefined, 16);
    expect(() => s.push('x'.repeat(17))).toThrow(/longer/);
  });

  it('reports bad messages instead of throwing', () => {
    expect(parseLine(HelperToApp, '{nope').ok).toBe(false);
    expect(parseLine(HelperToApp, JSON.stringify({ type: 'hello', token: 'zz', pid: 1 })).ok).toBe(false);
    expect(parseLine(HelperToApp, JSON.stringify({ type: 'hello', token: 'ab'.repeat(16), pid: 1 })).ok).toBe(true);
  });

  it.each([
    { kind: 'phase', targetId: 't1', phase: 'slots' },
    { kind: 'progress', targetId: 't1', bytesDone: 1, bytesTotal: 2, speedBps: 3, etaSeconds: null },
    { kind: 'target-failed', targetId: 't1', message: 'x', cancelled: true },
    { kind: 'done', results: [{ targetId: 't1', ok: true, verified: true }] },
  ])('JobEvent $kind parses', (e) => {
    expect(JobEvent.parse(e)).toEqual(e);
  });

  it('refuses an unknown phase', () => {
    expect(JobEvent.safeParse({ kind: 'phase', targetId: 't1', phase: 'dance' }).success).toBe(false);
  });
});
