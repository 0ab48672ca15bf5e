// The wizard's cache step in Debian's Chromium through `iios serve` (real CLI, bridge, cache-set services, job
// service and helper): a cache set of kinds apt (two .debs made with dpkg-deb, one depending on the other) and
// files, placed in a throwaway XDG_CONFIG_HOME/iios/cache-sets, is listed with its kinds and "never built",
// built from the page with its bar seen moving (a set in another folder opened beside it), then shown with its size; it does not fit on a loop device just
// big enough for the profile (the size needed shown, Next held, and `iios write` refuses the same), it fits on a
// 2 GB image file, which is written with it; `iios inspect` of that file lists both caches from the set.
// Screenshots go to test-artifacts/e2e/caches-<what>.png.
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cacheFit } from '../../src-shared/caches/cache-fit.ts';
import { formatBytes, formatBytesApart } from '../../src-shared/format/bytes.ts';
import { planLayout } from '../../src-shared/layout/index.ts';
import { parseImageProfile } from '../../src-shared/profile/index.ts';
import { readBundleManifest } from '../../src-main/services/sources/bundles.ts';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { indexFlatRepo, makeDeb } from '../support/cache-fixtures.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { ensureRendererBuilt, REPO_ROOT, startServe, type ServeProcess } from '../support/serve.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'e2e');
const MiB = 1024 ** 2;
const GB = 1000 ** 3;

const shot = (page: Page, what: string) => page.screenshot({ path: join(ARTIFACTS, `caches-${what}.png`), animations: 'disabled', fullPage: true });
const next = (page: Page) => page.getByRole('button', { name: /^Next:/ });
const step = (page: Page, id: string) => page.locator(`main[data-step="${id}"]`).waitFor({ timeout: 60_000 });

/** Records every value the build bar says (a MutationObserver sees each React commit, however short). */
async function recordBuildBar(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: string[] = [];
    new MutationObserver(() => {
      const bar = document.querySelector('[role="progressbar"][aria-label^="Building"]');
      const text = bar?.getAttribute('aria-valuetext');
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
    (window as unknown as { iiosBuildBar: string[] }).iiosBuildBar = seen;
  });
}

describe('the cache step through iios serve', () => {
  let serve: ServeProcess;
  let browser: LaunchedChromium;
  let dir = '';
  let loopDev = '';
  let loopBytes = 0;
  let loopPlan: ReturnType<typeof planLayout> | null = null;
  let imageFile = '';
  let bundleDir = '';
  let env: NodeJS.ProcessEnv = {};
  const iios = (args: string[]) => execa(process.execPath, [join(REPO_ROOT, 'src-main/cli/iios.mjs'), ...args], { cwd: REPO_ROOT, env, reject: false });

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    bundleDir = await ensureDemoBundle();
    await ensureRendererBuilt();
    dir = await mkdtemp(join(tmpdir(), 'iios-cachegui-'));
    env = { XDG_CONFIG_HOME: join(dir, 'config'), IIOS_CACHES_DIR: join(dir, 'library') };
    const repo = join(dir, 'debs');
    await mkdir(repo);
    await makeDeb(repo, 'libgreet', '1.0', { payloadBytes: 40_000 });
    await makeDeb(repo, 'greet', '1.0', { depends: 'libgreet (>= 1.0)', payloadBytes: 20_000 });
    await indexFlatRepo(repo);
    // 48 MiB of handouts: more than the 64 MiB loop headroom takes once what Btrfs keeps for itself is added
    const handouts = join(dir, 'handouts');
    await mkdir(handouts);
    for (const n of [1, 2, 3]) await writeFile(join(handouts, `sheet-${n}.bin`), randomBytes(16 * MiB));
    await mkdir(join(dir, 'config/iios/cache-sets'), { recursive: true });
    await writeFile(
      join(dir, 'config/iios/cache-sets/lab.yaml'),
      ['format: 1', 'id: lab', 'title: Lab software', 'caches:', `  apt: { sources: ["deb [trusted=yes] file:${repo} ./"], packages: [greet] }`, `  files: { path: ${handouts} }`, ''].join('\n'),
    );
    // sets outside the cache-sets folder, opened from the page: one that is no set, one that is
    await writeFile(join(dir, 'broken.yaml'), 'format: 1\nid: usb\ntitle: USB\ncaches: {}\n');
    await writeFile(join(dir, 'usb.yaml'), `format: 1\nid: usb\ntitle: USB handouts\ncaches:\n  files: { path: ${handouts} }\n`);
    // a loop device just big enough for the appliance profile with the demo bundle, and 64 MiB more
    const profile = parseImageProfile(await readFile(join(REPO_ROOT, 'resources/profiles/appliance.yaml'), 'utf8'), 'appliance.yaml', 'appliance');
    const manifest = await readBundleManifest(bundleDir);
    const needed = planLayout(profile, manifest, 8 * GB).neededBytes;
    loopBytes = needed + 64 * MiB;
    loopPlan = planLayout(profile, manifest, loopBytes);
    const backing = join(dir, 'small.img');
    await writeFile(backing, '');
    await truncate(backing, loopBytes);
    loopDev = (await execa('losetup', ['-f', '--show', backing])).stdout.trim();
    imageFile = join(dir, 'lab-stick.img');
    serve = await startServe({ env });
    browser = await launchChromium({ width: 1100, height: 800 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (loopDev) await execa('losetup', ['-d', loopDev], { reject: false });
    if (dir) {
      await execa('gpgconf', ['--kill', 'gpg-agent'], { env: { GNUPGHOME: join(dir, 'config/iios/apt-key/gnupg') }, reject: false });
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('lists the set, builds it with progress, shows where it fits, and writes a stick that carries it', async () => {
    const { page } = browser;
    await page.goto(serve.url);
    await page.getByRole('radio', { name: /Make new sticks/ }).waitFor();
    await next(page).click();
    await page.getByRole('radio', { name: /Appliance/ }).click();
    await next(page).click();
    await expect.poll(() => page.getByTestId('bundle-name').textContent(), { timeout: 60_000 }).toBe('iios-demo');
    await next(page).click();

    // targets: the small loop device and a 2 GB image file
    await page.getByRole('checkbox', { name: 'Show all drives' }).check();
    const loopRow = page.locator(`li.drive[data-device="${loopDev}"]`);
    await expect.poll(() => loopRow.locator('input').isEnabled(), { timeout: 30_000 }).toBe(true);
    await loopRow.locator('input').check();
    await page.getByRole('checkbox', { name: 'Write to an .img file' }).check();
    await page.getByLabel('Image file path').fill(imageFile);
    await page.locator('#image-file-size').fill('2');
    await expect.poll(() => next(page).isEnabled(), { timeout: 30_000 }).toBe(true);
    await next(page).click();
    await step(page, 'options');
    await next(page).click();

    // the cache step: the set with both kinds, never built
    await step(page, 'caches');
    const item = page.locator('[data-cache-set="lab"]');
    await item.waitFor({ timeout: 30_000 });
    expect(await item.locator('.cache-kinds li').evaluateAll((els) => els.map((e) => e.textContent))).toEqual(['aptnever built', 'filesnever built']);
    expect(await item.getByTestId('cache-set-state').textContent()).toBe('Never built');

    // opened from a file: a broken one says its file and reason, a good one joins the list, chosen
    const field = page.getByLabel('Open a cache-set file');
    await field.fill(join(dir, 'broken.yaml'));
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/broken\.yaml.*names no cache/);
    await field.fill(join(dir, 'usb.yaml'));
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const usb = page.locator('[data-cache-set="usb"]');
    await usb.waitFor();
    expect(await usb.getByRole('radio').isChecked()).toBe(true);
    expect(await usb.locator('.cache-kinds li').textContent()).toBe('filesnever built');
    expect(await page.getByRole('alert').count()).toBe(0);

    await item.getByRole('radio', { name: /Lab software/ }).check();
    expect(await next(page).isDisabled()).toBe(true);
    expect(await page.locator('.app-footer .hint').textContent()).toBe('Build the cache set Lab software first (or choose no cache set).');
    await shot(page, 'never-built');

    // built from the page: the bar shows each kind as it goes
    await recordBuildBar(page);
    await item.getByRole('button', { name: 'Build' }).click();
    await page.locator('[role="progressbar"][aria-label="Building Lab software"]').waitFor({ timeout: 30_000 });
    await shot(page, 'building');
    await expect.poll(() => item.getByTestId('cache-set-state').textContent(), { timeout: 240_000 }).toMatch(/ in all, last built /);
    // what the build brought, per kind: items, bytes, what was new (a first build: all of it)
    const done = item.getByRole('list', { name: 'What the build of Lab software holds' });
    expect(await done.locator('li[data-kind="apt"]').textContent()).toMatch(/^apt2 items, [\d.]+ kBnew \(2\): greet_1\.0_all\.deb, libgreet_1\.0_all\.deb$/);
    expect(await done.locator('li[data-kind="files"]').textContent()).toMatch(/^files3 items, 50\.3 MBnew \(3\): sheet-1\.bin, sheet-2\.bin, sheet-3\.bin$/);
    const bar = await page.evaluate(() => (window as unknown as { iiosBuildBar: string[] }).iiosBuildBar);
    expect(bar.some((v) => /building apt$/.test(v)), JSON.stringify(bar)).toBe(true);
    expect(bar.some((v) => /building files$/.test(v)), JSON.stringify(bar)).toBe(true);
    const percents = bar.map((v) => Number.parseInt(v, 10)).filter((n) => !Number.isNaN(n));
    expect(percents, JSON.stringify(bar)).toEqual([...percents].sort((a, b) => a - b));
    expect(new Set(percents).size, JSON.stringify(bar)).toBeGreaterThan(1);
    expect(await page.getByRole('alert').count()).toBe(0);

    // its size, as the library's records say
    const records = await Promise.all(['apt', 'files'].map(async (k) => JSON.parse(await readFile(join(dir, 'library/lab', `${k}.build.json`), 'utf8')) as { sizeBytes: number; files: number }));
    const builtBytes = records.reduce((n, r) => n + r.sizeBytes, 0);
    const builtFiles = records.reduce((n, r) => n + r.files, 0);
    expect(await item.getByTestId('cache-set-state').textContent()).toMatch(new RegExp(`^${formatBytes(builtBytes).replace('.', '\\.')} in all, last built `));
    expect(await item.getByRole('button', { name: 'Refresh' }).isEnabled()).toBe(true);

    // what fits: not the loop device (with the size it needs), the image file yes
    const fitOf = (target: string) => page.locator(`.cache-fit li[data-target="${target}"]`);
    await expect.poll(() => fitOf(loopDev).getAttribute('data-fit'), { timeout: 30_000 }).toBe('too-small');
    const loopFit = cacheFit(loopPlan!, { bytes: builtBytes, files: builtFiles });
    expect(loopFit.kind).toBe('too-small');
    const neededWithCaches = loopFit.kind === 'too-small' ? loopFit.neededBytes : 0;
    const [stickSize, neededSize] = formatBytesApart(loopBytes, neededWithCaches);
    expect(await fitOf(loopDev).textContent()).toContain(`Does not fit: ${stickSize} stick, needs at least ${neededSize}`);
    expect(await fitOf(imageFile).getAttribute('data-fit')).toBe('fits');
    expect(await next(page).isDisabled()).toBe(true);
    expect(await page.locator('.app-footer .hint').textContent()).toMatch(/is too small for these caches: it needs at least /);
    await shot(page, 'fit');

    // the job service refuses the same, before anything is written
    const refused = await iios(['write', '--profile', 'appliance', '--bundle', bundleDir, '--target', loopDev, '--cache-set', 'lab', '--yes']);
    expect(refused.exitCode, refused.stdout).not.toBe(0);
    expect(refused.stderr).toMatch(/with [\d.]+ MB of caches needs at least/);

    // without the loop device, on to the review and the write
    await page.locator('nav .stepnav button', { hasText: 'Targets' }).click();
    await step(page, 'targets');
    await loopRow.locator('input').uncheck();
    await next(page).click();
    await next(page).click();
    await step(page, 'caches');
    await expect.poll(() => fitOf(imageFile).getAttribute('data-fit')).toBe('fits');
    expect(await page.locator('.cache-fit li').count()).toBe(1);
    await next(page).click();
    await step(page, 'review');
    expect(await page.getByTestId('review-cache-set').textContent()).toBe(`Offline caches: Lab software (apt, files; ${formatBytes(builtBytes)}), each kind in its own subvolume.`);
    await shot(page, 'review');
    await page.getByLabel(/type the number of targets/).fill('1');
    await page.getByRole('button', { name: 'Erase and flash 1 target' }).click();
    await page.locator('[data-step="done"]').waitFor({ timeout: 600_000 });
    expect(await page.locator('li.result').getAttribute('data-state')).toBe('verified');
    await shot(page, 'done');
    expect(browser.errors).toEqual([]);

    const info = await iios(['inspect', '--json', imageFile]);
    expect(info.exitCode, info.stderr).toBe(0);
    const stamp = (JSON.parse(info.stdout) as { stamp: { caches: { kind: string; set?: string; files: number }[] } }).stamp;
    expect(stamp.caches.map((c) => [c.kind, c.set])).toEqual([['apt', 'lab'], ['files', 'lab']]);
    expect(stamp.caches.find((c) => c.kind === 'files')?.files).toBe(3);
    const text = await iios(['inspect', imageFile]);
    expect(text.stdout).toMatch(/caches: apt \(\d+ files, .*\), files \(3 files, 50\.3 MB\)/);
  }, 900_000);
});
