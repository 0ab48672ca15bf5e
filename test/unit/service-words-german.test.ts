// The words the main-process services produce and the GUI shows, read as a German user reads them: each error
// the services throw (the real classes), sent through the error envelope as it crosses IPC or the bridge, is
// said by the renderer in German with no English left (the same check as the e2e tests' untranslated pages);
// so are the elevation advice of every reason pkexec and sudo can give, and what eject did for each kind of
// device. English stays the services' own language in their logs and envelopes' messages.
import { afterEach, describe, expect, it } from 'vitest';
import { errorEnvelope, unwrapEnvelope } from '../../src-shared/contract/envelope.ts';
import { zodFieldIssues, type ErrorDetailsOf } from '../../src-shared/contract/error-details.ts';
import { CloneRequestSchema } from '../../src-shared/contract/domains/jobs.ts';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { TooSmallError } from '../../src-shared/layout/index.ts';
import { imageFileRoomProblem, payloadProblem } from '../../src-shared/drives/capacity.ts';
import { classifyElevationExit } from '../../src-main/services/elevation/elevation-failure.ts';
import { RequestError } from '../../src-main/services/jobs/job-request.ts';
import { HelperStartError, JobBusyError } from '../../src-main/services/jobs/jobs.ts';
import { BundleError } from '../../src-main/services/sources/bundles.ts';
import { elevationView } from '../../src-renderer/store/elevation-text.ts';
import { errorText } from '../../src-renderer/store/error-text.ts';
import { ejectWords } from '../../src-renderer/store/flash-slice.ts';
import { cliErrorText } from '../../src-main/cli/error-text.ts';
import { englishIn } from '../support/untranslated.ts';

afterEach(() => setLocale('en'));

/** What the renderer receives: the thrown error as the envelope carries it, rebuilt on the calling side. */
function received(err: Error): unknown {
  try {
    unwrapEnvelope(errorEnvelope(err));
  } catch (rebuilt) {
    return rebuilt;
  }
  throw new Error('the envelope carried no error');
}

const tooSmall = new TooSmallError('appliance', 1_000_000_000, 2_400_000_000);
const thrown: [string, Error][] = [
  ['a second write while one runs', new JobBusyError('job-7')],
  ['a stick too small for the profile', new RequestError(`/dev/sdz: ${tooSmall.message}`, { ...tooSmall.details, target: '/dev/sdz' })],
  ['a plan too small, no target named', tooSmall],
  ['the system disk as target', new RequestError('/dev/sda holds the running system', { kind: 'unsafe-target', target: '/dev/sda', reason: 'system' })],
  ['a mounted target', new RequestError('/dev/sdz is mounted', { kind: 'unsafe-target', target: '/dev/sdz', reason: 'mounted' })],
  ['an image file in a system folder', new RequestError('/etc/x.img is inside /etc, a system folder', { kind: 'unsafe-target', target: '/etc/x.img', reason: 'bad-path' })],
  ['a bundle without manifest', new BundleError('no-manifest', '/srv/b/manifest.json: no such file: not an iios bundle', 'manifest.json')],
  ['a bundle file missing', new BundleError('missing-file', 'bundle /srv/b: root.img is missing (listed in manifest.json)', 'root.img')],
  ['a bundle file of the wrong size', new BundleError('wrong-size', 'bundle /srv/b: root.img is 12 bytes, manifest.json says 4096', 'root.img', '4096', '12')],
  ['a bundle file with the wrong hash', new BundleError('wrong-hash', 'bundle /srv/b: root.img has sha256 00, manifest.json says ff', 'root.img', 'ff', '00')],
  ['the helper not started', new HelperStartError('launch', new Error('spawn ENOENT'))],
  ['the helper socket not made', new HelperStartError('socket', new Error('EACCES'))],
  ['a request that breaks its schema (zod issues)', badRequest()],
];

/** What the job service throws for a clone request that fails its schema (clone-request.ts). */
function badRequest(): Error {
  const r = CloneRequestSchema.safeParse({ sourcePath: 'stick.img', targets: [{ path: '/dev/sdb' }], firstNumber: 0 });
  if (r.success) throw new Error('the request passed its schema');
  const issues = zodFieldIssues(r.error);
  return new RequestError(issues.map((i) => `${i.path}: ${i.message}`).join('; '), { kind: 'invalid', issues });
}

describe('the services’ errors in a German GUI', () => {
  it.each(thrown)('%s: said in German, not in the services’ English', (_, err) => {
    setLocale('de');
    const text = errorText(received(err));
    expect(text).not.toBe(err.message);
    expect(englishIn([text]), text).toEqual([]);
  });

  it('says the same errors in English in an English GUI', () => {
    setLocale('en');
    expect(errorText(received(new JobBusyError('job-7')))).toBe('A write is already running (job job-7): wait for it to finish or cancel it first.');
    expect(errorText(received(thrown[1]![1]))).toMatch(/^\/dev\/sdz has 1\.0 GB, but the appliance profile needs at least 2\.4 GB\.$/);
  });
});

/** The elevation failures jobs.ts sends, as classifyElevationExit finds them in pkexec's and sudo's exits. */
const exits: Parameters<typeof classifyElevationExit>[0][] = [
  { tool: 'pkexec', code: 126, stderr: '' },
  { tool: 'pkexec', code: 127, stderr: 'Error executing command as another user: Not authorized\n\nThis incident has been reported.\n' },
  { tool: 'pkexec', code: 127, stderr: 'Error executing command as another user: No authentication agent found.\n' },
  { tool: 'pkexec', code: 127, stderr: 'Error getting authority: Error initializing authority: Could not connect\n' },
  { tool: 'pkexec', code: null, message: 'spawn pkexec ENOENT', stderr: '' },
  { tool: 'sudo', code: null, message: 'spawn sudo ENOENT', stderr: '' },
  { tool: 'sudo', code: 1, stderr: 'sudo: a terminal is required to read the password\n' },
];

describe('the elevation advice in a German GUI', () => {
  it.each(exits.map((e) => [`${e.tool} ${e.code ?? e.message}`, e] as const))('%s: advice in German, the tool’s own words quoted', (_, exit) => {
    const f = classifyElevationExit(exit)!;
    // what jobs.ts puts on the job's snapshot
    const details: ErrorDetailsOf<'elevation'> = { kind: 'elevation', reason: f.reason, ...(f.tool ? { tool: f.tool } : {}), ...(f.said ? { said: f.said } : {}) };
    setLocale('de');
    const advice = elevationView(details)?.advice ?? errorText(received(Object.assign(new Error(f.message), { details })));
    expect(advice).not.toBe(f.message);
    // pkexec's and sudo's words are theirs, quoted as they said them; commands in backticks are commands
    const ours = advice.replace(/„[^“]*“/g, '„…“').replace(/`[^`]*`/g, '…');
    if (f.said) expect(advice).toContain(`„${f.said}“`);
    expect(englishIn([ours]), advice).toEqual([]);
  });
});

describe('what eject did, in a German GUI', () => {
  it.each([
    ['a USB stick powered off', { ejected: true, kind: 'usb', unmounted: 2 }],
    ['a USB stick not powered off', { ejected: false, kind: 'usb', unmounted: 0 }],
    ['a card ejected', { ejected: true, kind: 'card', unmounted: 1 }],
    ['a loop device', { ejected: false, kind: 'loop', unmounted: 0 }],
    ['an internal disk', { ejected: false, kind: 'fixed', unmounted: 0 }],
  ] as const)('%s: said in German, not with the service’s English', (_, r) => {
    setLocale('de');
    const said = 'Unmounted and powered off (nothing was mounted): you can pull it out.';
    const text = ejectWords({ ...r, said });
    expect(text).not.toBeNull();
    expect(englishIn([text!]), text!).toEqual([]);
  });
});

describe('the same errors in a German terminal', () => {
  it('says the typed ones in German, and in English keeps the services’ own sentences with their paths', () => {
    const missing = new BundleError('missing-file', 'bundle /srv/b: root.img is missing (listed in manifest.json)', 'root.img');
    setLocale('de');
    const german = cliErrorText(missing);
    expect(german).toBe('root.img fehlt im Paket (die manifest.json führt es auf).');
    expect(englishIn([cliErrorText(new JobBusyError('job-7'))])).toEqual([]);
    setLocale('en');
    expect(cliErrorText(missing)).toBe(missing.message);
  });
});

describe('the refusals worked out before a byte is written, where the services must word them', () => {
  it('says a payload that does not fit, a folder without room and a too-small stick in German under German', () => {
    setLocale('de');
    const texts = [
      payloadProblem(64 * 1024 ** 2, 'vfat', [200 * 1024 ** 2]),
      imageFileRoomProblem('/tmp/klasse.img', { freeBytes: 1e9, reclaimableBytes: 0 }, 3e9),
      new TooSmallError('appliance', 1_000_000_000, 2_400_000_000).message,
    ];
    for (const text of texts) expect(text).not.toBeNull();
    expect(englishIn(texts as string[])).toEqual([]);
    setLocale('en');
    expect(new TooSmallError('appliance', 1_000_000_000, 2_400_000_000).message).toBe('target is 1.0 GB but the appliance profile needs at least 2.4 GB (2,400,000,000 bytes)');
  });
});
