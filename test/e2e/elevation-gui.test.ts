// Elevation in the GUI as a real user meets it: `iios serve` runs as an unprivileged user made by the test, Debian's
// Chromium drives the wizard, and the write gets root through pkexec, answered by a system D-Bus and polkitd the
// test starts (only where none runs) with rules.d rules for that user. Three answers, in turn, on one page:
//   no rule and no authentication agent: "No polkit agent is running", with "Try again";
//   a rule that denies: "Not authorized", without "Try again";
//   a rule that allows: the loop device is flashed and verified; the job log says the helper ran through pkexec
//   for the user (PKEXEC_UID), and the stick read back with mtools is complete.
// Root only sets the stage; the user, the rules, the daemons and the loop device go afterwards, even on failure.
// Screenshots: test-artifacts/e2e/elevation-<case>.png.
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH, launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { iios, REPO } from '../support/iios-cli.ts';
import { makeBundle, type TestBundle } from '../support/make-bundle.ts';
import { ensureRendererBuilt, startServe, type ServeProcess } from '../support/serve.ts';
import { POLKITD, startSystemPolkit, type SystemPolkit } from '../support/system-polkit.ts';
import { makeThrowawayUser, type ThrowawayUser } from '../support/throwaway-user.ts';
import { readStamp } from '../support/written-stick.ts';

const ARTIFACTS = join(REPO, 'test-artifacts', 'e2e');
const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const CLI = join(REPO, 'src-main', 'cli', 'iios.mjs');
const ready =
  process.getuid?.() === 0 && existsSync('/usr/bin/pkexec') && existsSync(POLKITD) && existsSync(CHROMIUM_PATH) && !existsSync('/run/dbus/system_bus_socket');

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `elevation-${name}.png`), animations: 'disabled', fullPage: true });
const next = (page: Page) => page.getByRole('button', { name: /^Next:/ });

/** The first MiB of the stick: all zeros while nothing was written to it. */
async function untouched(dev: string): Promise<boolean> {
  const r = await execa('head', ['-c', String(MiB), dev], { encoding: 'buffer' });
  return Buffer.from(r.stdout).every((b) => b === 0);
}

describe.skipIf(!ready)('flashing from iios serve run by a normal user, through pkexec', () => {
  let user: ThrowawayUser | undefined;
  let polkit: SystemPolkit | undefined;
  let bundle: TestBundle | undefined;
  let serve: ServeProcess | undefined;
  let browser: LaunchedChromium | undefined;
  let dir = '';
  let dev = '';

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    // The user cannot rebuild the checkout's bundles: root makes sure the GUI, the CLI and the helper are current.
    await ensureRendererBuilt();
    const built = await iios(['--help']);
    expect(built.exitCode, built.stderr).toBe(0);
    bundle = await makeBundle({ randomBytes: 24 * MiB, name: 'iios-elevation-gui', version: '1.0' });
    await chmod(bundle.dir, 0o755);
    for (const f of await readdir(bundle.dir)) await chmod(join(bundle.dir, f), 0o644);
    dir = await mkdtemp(join(tmpdir(), 'iios-elevgui-'));
    await writeFile(join(dir, 'stick.img'), '');
    await truncate(join(dir, 'stick.img'), 2 * GiB);
    dev = (await execa('losetup', ['-f', '--show', join(dir, 'stick.img')])).stdout.trim();
    user = await makeThrowawayUser('iiosg');
    const reads = await user.run('/usr/bin/test', ['-r', CLI]);
    if (reads.exitCode !== 0) throw new Error(`the test user cannot read ${CLI}: the checkout must be readable by other users for this test`);
    polkit = await startSystemPolkit();
    serve = await startServe({ asUser: { name: user.name, home: user.home }, timeoutMs: 120_000 });
    browser = await launchChromium({ width: 1024, height: 760 });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    await polkit?.stop();
    await user?.cleanup();
    if (dev) await execa('losetup', ['-d', dev], { reject: false });
    if (dir) await rm(dir, { recursive: true, force: true });
    await bundle?.cleanup();
  });

  /** Review step to its end: type the count and press the erase button. */
  async function eraseAndFlash(page: Page) {
    await page.getByLabel(/type the number of targets/).fill('1');
    await page.getByRole('button', { name: 'Erase and flash 1 target' }).click();
  }

  /** Waits for `selector` on the page; fails at once with the wizard's words when the flash was refused before it started. */
  async function waitForOrRefusal(page: Page, selector: string, name: string, timeout: number) {
    const refused = '[data-step="review"] [role="alert"]';
    await page.locator(`${selector}, ${refused}`).first().waitFor({ timeout });
    if (await page.locator(refused).count()) {
      await shot(page, `${name}-refused`);
      throw new Error(`the flash did not start: ${await page.locator(refused).first().textContent()}`);
    }
  }

  it('no rule and no authentication agent: "No polkit agent is running", with Try again; nothing written', async () => {
    const page = browser!.page;
    await page.goto(serve!.url);
    await next(page).click();
    const appliance = page.getByRole('radio', { name: /Appliance/ });
    await appliance.click();
    await next(page).click();
    // 2. image: the bundle made for this test, typed in
    await page.getByLabel('Bundle folder').fill(bundle!.dir);
    await page.getByRole('button', { name: 'Check' }).click();
    await expect.poll(() => page.getByTestId('bundle-name').textContent(), { timeout: 60_000 }).toBe('iios-elevation-gui');
    await shot(page, 'image');
    await next(page).click();
    // 3. targets: the loop device, under "show all drives"
    await page.getByRole('checkbox', { name: 'Show all drives' }).check();
    const row = page.locator(`li.drive[data-device="${dev}"]`);
    await expect.poll(() => row.locator('input').isEnabled(), { timeout: 30_000 }).toBe(true);
    await row.locator('input').check();
    await next(page).click();
    // 4. options, 4b. caches (none), 5. review
    await expect.poll(() => page.getByTestId('name-preview').allTextContents()).toEqual(['class-01']);
    await next(page).click();
    await page.locator('main[data-step="caches"]').waitFor();
    await next(page).click();
    await eraseAndFlash(page);

    const alert = page.locator('[data-step="done"] [data-elevation]');
    await waitForOrRefusal(page, '[data-step="done"] [data-elevation]', 'no-agent', 120_000);
    await shot(page, 'no-agent');
    expect(await alert.getAttribute('data-elevation')).toBe('no-agent');
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toMatch(/No polkit agent is running/);
    expect(await page.getByTestId('elevation-advice').textContent()).toMatch(/^No polkit authentication agent is running, .*start iios from your desktop session/);
    expect(await page.getByRole('button', { name: 'Try again' }).isVisible()).toBe(true);
    expect(await page.getByTestId('result-text').textContent()).toMatch(/^Not written/);
    expect(await untouched(dev)).toBe(true);
  }, 300_000);

  it('a rule that denies: "Not authorized", no Try again; nothing written', async () => {
    const page = browser!.page;
    await polkit!.rule(user!.name, 'NO');
    await page.getByRole('button', { name: 'Try again' }).click();
    await waitForOrRefusal(page, '[data-step="done"] [data-elevation="not-authorized"]', 'denied', 120_000);
    await shot(page, 'denied');
    expect(await page.getByRole('heading', { level: 2 }).first().textContent()).toMatch(/^Not authorized/);
    const advice = await page.getByTestId('elevation-advice').textContent();
    expect(advice).toMatch(/^You are not allowed to get administrator rights: ask an administrator/);
    expect(advice).toContain('(pkexec said: "Error executing command as another user: Not authorized")');
    expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
    expect(await untouched(dev)).toBe(true);
  }, 300_000);

  it('a rule that allows: the loop device is flashed and verified; the helper ran through pkexec for the user', async () => {
    const page = browser!.page;
    await polkit!.rule(user!.name, 'YES');
    // Flash more keeps every choice: straight on to the review
    await page.getByRole('button', { name: 'Flash more' }).click();
    expect(await page.locator(`li.drive[data-device="${dev}"] input`).isChecked()).toBe(true);
    await next(page).click();
    await next(page).click();
    await page.locator('main[data-step="review"]').waitFor({ timeout: 5_000 }).catch(() => next(page).click()); // the caches step, when shown
    await eraseAndFlash(page);
    await waitForOrRefusal(page, 'li.progress-row[data-phase]:not([data-phase=""]), [data-step="done"]', 'allowed', 120_000);
    await page.locator('[data-step="done"]').waitFor({ timeout: 480_000 });
    await shot(page, 'allowed');
    expect(await page.locator('[data-elevation]').count()).toBe(0);
    const states = await page.locator('li.result').evaluateAll((els) => els.map((e) => [e.getAttribute('data-state'), e.textContent]));
    expect(states.map((s) => s[0]), JSON.stringify(states)).toEqual(['verified']);
    expect(browser!.errors).toEqual([]);

    // The job log, written by iios serve as the user: the helper's own line on how it got root.
    const logText = (await page.getByTestId('job-log').textContent()) ?? '';
    const logPath = /(\/\S+\.log)/.exec(logText)?.[1];
    expect(logPath, logText).toBeTruthy();
    expect(logPath!.startsWith(`${user!.home}/`)).toBe(true);
    expect((await stat(logPath!)).uid).toBe(user!.uid);
    const log = await readFile(logPath!, 'utf8');
    expect(log).toContain(`helper running as root, started through pkexec for uid ${user!.uid} (PKEXEC_UID=${user!.uid})`);
    expect(log).toMatch(/done, verified/);

    // read back with mtools, not iios's own reader
    expect(await readStamp(dev)).toMatchObject({ complete: true, profile: 'appliance', hostname: 'class-01' });
  }, 600_000);
});
