// One write request for the GUI and the CLI: the wizard's choices (sent through the typed client, checked by
// jobs.start's schema) and `iios write`'s flags (converted, then checked by the same schema) give equal objects
// for the same job, and a request that is wrong is refused on both paths with the same field issues.
import { afterEach, describe, expect, it } from 'vitest';
import { setLocale } from '../../src-shared/i18n/index.ts';
import { englishIn } from '../support/untranslated.ts';
import { createIiosClient, IiosError, type FieldIssue } from '../../src-shared/contract/index.ts';
import { WriteRequestSchema, type WriteRequest } from '../../src-shared/contract/domains/jobs.ts';
import { parseCommandArgs, UsageError } from '../../src-main/cli/command.ts';
import { writeCommand } from '../../src-main/cli/commands/write.ts';
import { writeRequestFromFlags } from '../../src-main/cli/write-request.ts';
import type { Handlers } from '../../src-main/services/handlers.ts';
import { createWizardApi } from '../../src-renderer/store/api.ts';
import { buildStartRequest } from '../../src-renderer/store/job-request.ts';
import { targetNames } from '../../src-renderer/store/selectors.ts';
import { createWizardStore } from '../../src-renderer/store/store.ts';
import { createFakeIios } from './wizard/support/fake-iios.ts';
import { createServiceHandlers, DEMO_DIR, type FakeServices } from './wizard/support/fake-services.ts';
import { stick } from './wizard/support/fixtures.ts';

const CACHES_ROOT = '/var/cache/iios/caches';
const GiB = 1024 ** 3;
const image = {
  path: '/srv/lab.img.xz', name: 'lab.img.xz', fileBytes: 812e6, compression: 'xz' as const, extension: 'img' as const,
  content: { iso9660: false, partitionTable: 'gpt' as const }, uncompressedBytes: 3 * 2 ** 30, uncompressedExact: true, sizeSource: 'xz-index' as const,
};

/** The wizard over an in-memory window.iios; jobs.start records the arguments as its schema parsed them. */
async function wizard(caches: FakeServices['caches'] = [], cacheSets: FakeServices['cacheSets'] = []) {
  const services: FakeServices = { drives: [stick], caches, cacheSets, job: null, brokenBundles: {}, images: { [image.path]: image }, sticks: {}, clones: [], portLabels: {} };
  const received: unknown[] = [];
  const handlers = createServiceHandlers(services) as unknown as Handlers;
  const fake = createFakeIios({
    ...handlers,
    'jobs.start': (args, ctx) => {
      received.push(args);
      return handlers['jobs.start'](args, ctx);
    },
  });
  const client = createIiosClient(fake.transport);
  const store = createWizardStore(createWizardApi(client));
  store.getState().connect();
  for (let i = 0; i < 100 && !(store.getState().profiles.length && store.getState().source && store.getState().drives.length && store.getState().availableCaches); i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  return { store, client, received, fake };
}

async function waitForSets(store: ReturnType<typeof createWizardStore>) {
  for (let i = 0; i < 100 && store.getState().cacheSets === null; i++) await new Promise((r) => setTimeout(r, 10));
}

function cli(argv: string[], cwd = '/srv/out') {
  return writeRequestFromFlags(parseCommandArgs(writeCommand, argv).values, { cwd, cachesRoot: CACHES_ROOT });
}

function cliRequest(argv: string[], cwd?: string): WriteRequest {
  const r = cli(argv, cwd);
  if (!r.ok) throw new Error(r.message);
  return r.request;
}

describe('the write request: one schema for the wizard and `iios write`', () => {
  it('a stick and an image file, named lab-07…, with a cache: equal requests from the GUI and the CLI', async () => {
    const { store, received } = await wizard([{ kind: 'apt', path: `${CACHES_ROOT}/apt`, sizeBytes: 10, files: 1 }]);
    const s = store.getState();
    s.chooseProfile('appliance');
    s.toggleDrive(stick.id, true);
    s.setImageTarget({ enabled: true, path: '/srv/out/lab.img', sizeBytes: 8 * GiB });
    s.setNamePattern('lab-{nn}');
    s.setFirstNumber(7);
    s.toggleCache(`${CACHES_ROOT}/apt`, true);
    // the image file's folder is checked first (drives.checkImageFolder): the store starts nothing before that
    for (let i = 0; i < 100 && store.getState().imageFolder?.status !== 'done'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await store.getState().startFlash()).toEqual({ ok: true });
    expect(received).toHaveLength(1);

    // The CLI gives one --size to every target: the device's own size is its own, so it is written as two jobs'
    // worth of flags here — the device without --size, the image file (relative, as typed in /srv/out) with it.
    const fromCli = cliRequest(['--profile', 'appliance', '--bundle', DEMO_DIR, '--target', stick.device, '--target', 'lab.img', '--size', '8G', '--name', 'lab-{nn}', '--first', '7', '--cache', 'apt']);
    const wanted: WriteRequest = {
      profileId: 'appliance',
      bundleDir: DEMO_DIR,
      targets: [{ path: stick.device }, { path: '/srv/out/lab.img', sizeBytes: 8 * GiB }],
      namePattern: 'lab-{nn}',
      firstNumber: 7,
      payload: [],
      caches: [{ kind: 'apt', path: `${CACHES_ROOT}/apt` }],
      unmountIfMounted: false,
      verify: true,
    };
    expect(received[0]).toStrictEqual(wanted);
    // The CLI's --size applies to each target; apart from that the objects are the same.
    expect({ ...fromCli, targets: [fromCli.targets[0]!.path, fromCli.targets[1]!] }).toStrictEqual({ ...wanted, targets: [stick.device, wanted.targets[1]!] });
    expect(WriteRequestSchema.parse(received[0])).toStrictEqual(received[0]);
    // and the names the wizard previews are the ones the request asks for
    expect(targetNames(store.getState())).toEqual({ ok: true, names: ['lab-07', 'lab-08'] });
  });

  it('a raw disk image with the persistence partition: the wizard sends persistence and the first number too', async () => {
    const { store, received } = await wizard();
    const s = store.getState();
    s.chooseProfile('raw');
    await store.getState().inspectSource(image.path);
    s.toggleDrive(stick.id, true);
    s.setNamePattern('kiosk');
    s.setPersistence(true);
    expect(await store.getState().startFlash()).toEqual({ ok: true });
    const fromCli = cliRequest(['--profile', 'raw', '--image', image.path, '--target', stick.device, '--name', 'kiosk', '--first', '1', '--persistence']);
    expect(received[0]).toStrictEqual(fromCli);
    expect(fromCli).toMatchObject({ imagePath: image.path, persistence: true, firstNumber: 1 });
  });

  it('a cache set: the wizard names the chosen set by its file, as `iios write --cache-set FILE` does', async () => {
    const file = '/home/teacher/.config/iios/cache-sets/lab.yaml';
    const { store, received } = await wizard([], [{ id: 'lab', title: 'Lab', file, kinds: [{ kind: 'files', sizeBytes: 10, files: 1, builtAt: '2026-12-03T06:00:00.000Z' }], builtBytes: 10, builtFiles: 1, complete: true }]);
    const s = store.getState();
    s.chooseProfile('appliance');
    s.toggleDrive(stick.id, true);
    await waitForSets(store);
    store.getState().chooseCacheSet(file);
    expect(await store.getState().startFlash()).toEqual({ ok: true });
    const fromCli = cliRequest(['--profile', 'appliance', '--bundle', DEMO_DIR, '--target', stick.device, '--name', 'class-{nn}', '--first', '1', '--cache-set', file]);
    expect(received[0]).toStrictEqual(fromCli);
    expect(WriteRequestSchema.parse(received[0])).toMatchObject({ cacheSet: file });
  });

  it('refuses a request that breaks the schema with the same field issues on both paths', async () => {
    // A cache folder whose name is no cache kind: caches.list lists any folder, the job schema would refuse it later.
    const bad = { kind: 'Apt Cache', path: `${CACHES_ROOT}/Apt Cache`, sizeBytes: 10, files: 1 };
    const { store, client, received } = await wizard([bad]);
    const s = store.getState();
    s.chooseProfile('appliance');
    s.toggleDrive(stick.id, true);
    s.toggleCache(bad.path, true);
    const built = buildStartRequest(store.getState());
    if (!built.ok) throw new Error(built.reason);
    const gui = (await createWizardApi(client).startJob(built.request).catch((e: unknown) => e)) as IiosError;
    expect(gui).toBeInstanceOf(IiosError);
    expect(gui.code).toBe('E_BAD_ARGS');
    const fromCli = cli(['--profile', 'appliance', '--bundle', DEMO_DIR, '--target', stick.device, '--name', 'class-{nn}', '--cache', 'Apt Cache']);
    expect(fromCli.ok).toBe(false);
    const cliIssues: FieldIssue[] = fromCli.ok ? [] : fromCli.issues;
    expect(gui.details).toEqual({ kind: 'invalid', issues: cliIssues });
    expect(cliIssues).toEqual([{ path: 'caches[0].kind', message: 'cache kind: lowercase letters, digits, . _ -', said: { code: 'rule', rule: 'cache-kind' } }]);
    // The CLI says it with the flag the user typed; the store refuses to start and says why.
    expect(fromCli.ok ? '' : fromCli.message).toBe('--cache: a cache kind is lowercase letters, digits, ".", "_" and "-".');
    const r = await store.getState().startFlash();
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.reason).toMatch(/cache kind/);
    expect(received).toEqual([]);
  });

  it('says which flag is missing or wrong, and refuses text that is no size or number before validation', () => {
    expect(cli(['--bundle', DEMO_DIR, '--target', '/dev/sdb'])).toMatchObject({ ok: false, message: '--profile is required (appliance, classroom, kiosk, raw or a .yaml file)' });
    expect(cli(['--profile', 'appliance', '--bundle', DEMO_DIR])).toMatchObject({ ok: false, message: '--target is required (a block device or an image file; repeat it for more)' });
    expect(cli(['--profile', 'appliance', '--target', '/dev/sdb'])).toMatchObject({ ok: false, message: 'give either a bundle (--bundle DIR) or a disk image (--image FILE)' });
    expect(cli(['--profile', 'raw', '--bundle', DEMO_DIR, '--image', '/srv/x.img', '--target', '/dev/sdb'])).toMatchObject({ ok: false, issues: [{ path: 'bundleDir' }], message: 'give either a bundle (--bundle DIR) or a disk image (--image FILE)' });
    expect(cli(['--profile', 'appliance', '--bundle', DEMO_DIR, '--target', '/dev/sdb', '--first', '0'])).toMatchObject({ ok: false, issues: [{ path: 'firstNumber' }], message: expect.stringMatching(/^--first must be /) });
    expect(() => cli(['--profile', 'appliance', '--bundle', DEMO_DIR, '--target', 'x.img', '--size', 'big'])).toThrow(UsageError);
    expect(() => cli(['--profile', 'appliance', '--bundle', DEMO_DIR, '--target', 'x.img', '--first', 'seven'])).toThrow(/--first takes a whole number/);
  });
});

describe('`iios write`’s flag errors in a German terminal', () => {
  afterEach(() => setLocale('en'));
  const wrong: [string, string[]][] = [
    ['no --profile', ['--bundle', DEMO_DIR, '--target', '/dev/sdb']],
    ['no --target', ['--profile', 'appliance', '--bundle', DEMO_DIR]],
    ['neither --bundle nor --image', ['--profile', 'appliance', '--target', '/dev/sdb']],
    ['both --bundle and --image', ['--profile', 'raw', '--bundle', DEMO_DIR, '--image', '/srv/x.img', '--target', '/dev/sdb']],
    ['--first 0', ['--profile', 'appliance', '--bundle', DEMO_DIR, '--target', '/dev/sdb', '--first', '0']],
    ['an unknown profile name', ['--profile', '', '--bundle', DEMO_DIR, '--target', '/dev/sdb']],
  ];
  it.each(wrong)('%s: said in German, with no English left', (_, argv) => {
    const english = cli(argv);
    setLocale('de');
    const german = cli(argv);
    expect(german.ok).toBe(false);
    const text = german.ok ? '' : german.message;
    expect(text).not.toBe(english.ok ? '' : english.message);
    // flags and their placeholders are the command's syntax, the same in every language
    expect(englishIn([text.replace(/--[a-z-]+/g, '…').replace(/\b[A-Z]{3,}\b/g, '…')]), text).toEqual([]);
  });

  it('says text that is no size or number in German too', () => {
    setLocale('de');
    for (const argv of [['--size', 'big'], ['--first', 'seven']]) {
      let said = '';
      try {
        cli(['--profile', 'appliance', '--bundle', DEMO_DIR, '--target', 'x.img', ...argv]);
      } catch (err) {
        said = (err as Error).message;
      }
      expect(said).not.toBe('');
      expect(englishIn([said.replace(/--[a-z-]+/g, '…')]), said).toEqual([]);
    }
  });
});
