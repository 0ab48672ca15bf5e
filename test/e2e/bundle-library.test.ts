// The image step's bundle library in Debian's Chromium through `iios serve` (real CLI, bridge and services):
// a bundle placed in a throwaway XDG_DATA_HOME library and one on a plugged-in iios stick (a real Btrfs on a loop
// device with its @iios subvolume, mounted as a desktop mounts it) are listed with name, version, size and source,
// beside the demo; choosing one checks it (every file's sha256) and makes it the bundle the wizard writes.
// Screenshot: test-artifacts/e2e/bundle-library.png.
import { execa } from 'execa';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { ensureRendererBuilt, REPO_ROOT, startServe, type ServeProcess } from '../support/serve.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'e2e');

describe('the bundle library in the wizard', () => {
  let serve: ServeProcess | undefined;
  let browser: LaunchedChromium | undefined;
  let work = '';
  let loop = '';
  let mnt = '';
  let mounted = false;
  let classroom: TestBundle;
  let kiosk: TestBundle;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await ensureDemoBundle();
    await ensureRendererBuilt();
    work = await mkdtemp(join(tmpdir(), 'iios-layers-e2e-'));
    classroom = await makeBundle({
      name: 'classroom-debian',
      version: '2026.12.1',
      dir: join(work, 'data/iios/bundles/classroom-debian-2026.12.1'),
      randomBytes: 3 * 1024 * 1024,
      build: { source: 'oci-archive:/srv/images/classroom.tar' },
    });
    const img = join(work, 'stick-data.img');
    await writeFile(img, '');
    await truncate(img, 256 * 1024 * 1024);
    await execa('mkfs.btrfs', ['-q', '-L', 'iios-data', img]);
    loop = (await execa('losetup', ['-f', '--show', img])).stdout.trim();
    mnt = join(work, 'media-stick');
    await mkdir(mnt);
    await execa('mount', [loop, mnt]);
    mounted = true;
    await execa('btrfs', ['subvolume', 'create', join(mnt, '@iios')]);
    kiosk = await makeBundle({ name: 'kiosk', version: '7', dir: join(mnt, '@iios/bundles/kiosk-7'), randomBytes: 1024 * 1024, build: { source: 'debian:bookworm' } });
    serve = await startServe({ env: { XDG_DATA_HOME: join(work, 'data') } });
    browser = await launchChromium({ width: 1024, height: 800 });
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (mounted) await execa('umount', [mnt], { reject: false });
    if (loop) await execa('losetup', ['-d', loop], { reject: false });
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('lists the library with name, version, size and source, and a chosen bundle becomes the one written', async () => {
    const page = browser!.page;
    await page.goto(serve!.url);
    await page.getByRole('radio', { name: /Make new sticks/ }).waitFor();
    await page.getByRole('button', { name: /^Next:/ }).click();
    const appliance = page.getByRole('radio', { name: /Appliance/ });
    await appliance.waitFor();
    await appliance.click();
    await page.getByRole('button', { name: /^Next:/ }).click();

    // the demo is preselected; the library lists all three
    await expect.poll(() => page.getByTestId('bundle-name').textContent(), { timeout: 60_000 }).toBe('iios-demo');
    const row = (dir: string) => page.locator(`li[data-bundle-dir="${dir}"]`);
    await row(classroom.dir).waitFor({ timeout: 30_000 });
    const text = async (dir: string) => (await row(dir).innerText()).replace(/\s+/g, ' ');
    expect(await text(classroom.dir)).toMatch(/classroom-debian 2026\.12\.1 made from oci-archive:\/srv\/images\/classroom\.tar · on this computer \d+(\.\d+)? MB/);
    expect(await text(kiosk.dir)).toMatch(new RegExp(`kiosk 7 made from debian:bookworm · on the stick ${loop} at ${mnt} \\d+(\\.\\d+)? MB`));
    const names = await page.getByTestId('library-name').allTextContents();
    expect(names).toEqual(expect.arrayContaining(['classroom-debian', 'kiosk', 'iios-demo']));
    const demoRadio = page.getByRole('radio', { name: /iios-demo/ });
    expect(await demoRadio.isChecked()).toBe(true);

    // choose the library bundle: checked by the services, shown as the chosen bundle with its root hash
    await page.getByRole('radio', { name: /classroom-debian/ }).check();
    await expect.poll(() => page.getByTestId('bundle-name').textContent(), { timeout: 60_000 }).toBe('classroom-debian');
    expect(await page.getByTestId('root-hash').textContent()).toBe(classroom.manifest.verity.rootHash);
    expect(await page.getByRole('radio', { name: /classroom-debian/ }).isChecked()).toBe(true);
    expect(await demoRadio.isChecked()).toBe(false);

    // one radio group: the arrow keys move through it (library, demo, sticks) and choose
    await page.getByRole('radio', { name: /classroom-debian/ }).focus();
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByTestId('bundle-name').textContent(), { timeout: 60_000 }).toBe('iios-demo');
    // the one on the stick
    await page.getByRole('radio', { name: /kiosk/ }).check();
    await expect.poll(() => page.getByTestId('bundle-name').textContent(), { timeout: 60_000 }).toBe('kiosk');
    await page.screenshot({ path: join(ARTIFACTS, 'bundle-library.png'), animations: 'disabled' });
    await expect.poll(() => page.getByRole('button', { name: /^Next:/ }).isEnabled(), { timeout: 30_000 }).toBe(true);
  });
});
