// Station mode in Debian's Chromium through `iios serve` (real CLI, bridge, drive service, job service and
// privileged helper): a loop device attached before the station starts is left alone; two attached while it
// runs are flashed one after the other as class-01 and class-02 (the second waits for the writer); each is read
// back with `iios inspect --json`; the page asks for a desktop notification when each batch ends; after Stop and
// "Flash more", the names go on at class-03. Screenshots go to test-artifacts/e2e/station-<state>.png.
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { ensureRendererBuilt, REPO_ROOT, startServe, type ServeProcess } from '../support/serve.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'e2e');
const GiB = 1024 ** 3;

async function attachLoop(file: string, bytes: number): Promise<string> {
  await writeFile(file, '');
  await truncate(file, bytes);
  return (await execa('losetup', ['-f', '--show', file])).stdout.trim();
}

async function inspect(target: string): Promise<{ complete: boolean; stamp: { hostname?: string } | null }> {
  const r = await execa(process.execPath, [join(REPO_ROOT, 'src-main/cli/iios.mjs'), 'inspect', '--json', target], { cwd: REPO_ROOT, reject: false });
  if (r.exitCode !== 0) throw new Error(`iios inspect ${target} failed (${r.exitCode}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { complete: boolean; stamp: { hostname?: string } | null };
}

/** Records every desktop notification the page creates (headless Chromium shows none), then lets it through. */
function recordNotifications() {
  const seen: { title: string; body: string }[] = [];
  (window as unknown as { iiosNotifications: typeof seen }).iiosNotifications = seen;
  const Real = window.Notification;
  class Recording extends Real {
    constructor(title: string, options?: NotificationOptions) {
      seen.push({ title, body: options?.body ?? '' });
      super(title, options);
    }
  }
  Object.defineProperty(window, 'Notification', { value: Recording, configurable: true });
}

describe('station mode through iios serve', () => {
  let serve: ServeProcess;
  let browser: LaunchedChromium;
  let dir: string;
  const loops: string[] = [];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await ensureDemoBundle();
    await ensureRendererBuilt();
    dir = await mkdtemp(join(tmpdir(), 'iios-station-e2e-'));
    serve = await startServe({ timeoutMs: 180_000 });
    browser = await launchChromium({ width: 1024, height: 760, locale: 'en-US' });
    await browser.context.grantPermissions(['notifications'], { origin: new URL(serve.url).origin });
    await browser.context.addInitScript(recordNotifications);
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    for (const dev of loops) await execa('losetup', ['-d', dev], { reject: false });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('flashes sticks attached while it runs with the next names, leaves one attached before alone, names go on after Flash more', async () => {
    const { page } = browser;
    const before = await attachLoop(join(dir, 'before.img'), 4 * GiB);
    loops.push(before);
    await page.goto(serve.url);
    const next = () => page.getByRole('button', { name: /^Next:/ });
    await page.getByRole('radio', { name: /Make new sticks/ }).click(); // the first step: what to do
    await next().click();
    await page.getByRole('radio', { name: /Appliance/ }).click();
    await next().click();
    await page.getByTestId('bundle-name').waitFor({ timeout: 60_000 });
    await next().click();
    await page.getByRole('checkbox', { name: 'Show all drives' }).check();
    await page.locator(`li.drive[data-device="${before}"]`).waitFor({ timeout: 15_000 });
    await page.getByRole('checkbox', { name: 'Keep flashing sticks as they are plugged in' }).check();
    await next().click();
    await next().click();
    await page.locator('main[data-step="caches"]').waitFor();
    await next().click();
    await page.getByLabel(/type the number of targets/).fill('0');
    await page.getByRole('button', { name: 'Start flashing sticks as they are plugged in' }).click();
    await expect.poll(() => page.getByTestId('station-next-name').textContent(), { timeout: 15_000 }).toBe('class-01');
    // the page asked for permission on the click; granted above, as a user would
    expect(await page.evaluate(() => Notification.permission)).toBe('granted');

    const a = await attachLoop(join(dir, 'a.img'), 4 * GiB);
    loops.push(a);
    const rowOf = (dev: string) => page.locator(`li.progress-row:has([data-path="${dev}"])`);
    await rowOf(a).waitFor({ timeout: 60_000 });
    expect(await rowOf(a).getByTestId('row-hostname').textContent()).toBe('class-01');
    // where it is plugged in: a loop device's place is its file (a stick's, its USB port or the name given to it)
    expect(await rowOf(a).getByTestId('row-place').textContent()).toMatch(/^a\.img/);
    // a second stick while the first is written: it waits for the writer, then becomes class-02
    const b = await attachLoop(join(dir, 'b.img'), 4 * GiB);
    loops.push(b);
    await page.screenshot({ path: join(ARTIFACTS, 'station-running.png'), animations: 'disabled' });
    await rowOf(b).waitFor({ timeout: 900_000 });
    expect(await rowOf(b).getByTestId('row-hostname').textContent()).toBe('class-02');
    await expect.poll(() => rowOf(b).getAttribute('data-state'), { timeout: 900_000, interval: 1000 }).toBe('verified');
    expect(await rowOf(a).getAttribute('data-state')).toBe('verified');
    // still the station: waiting for the next stick, the one from before never touched
    expect(await page.getByTestId('station-next-name').textContent()).toBe('class-03');
    expect(await rowOf(before).count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, 'station-waiting.png'), animations: 'disabled' });
    const notes = await page.evaluate(() => (window as unknown as { iiosNotifications: { title: string; body: string }[] }).iiosNotifications);
    expect(notes).toEqual([
      { title: 'iios: sticks ready', body: '1 stick ready.' },
      { title: 'iios: sticks ready', body: '1 stick ready.' },
    ]);

    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('[data-step="done"]').waitFor();
    expect(await page.locator('li.result').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['verified', 'verified']);
    for (const [dev, hostname] of [[a, 'class-01'], [b, 'class-02']] as const) {
      const info = await inspect(dev);
      expect(info.complete).toBe(true);
      expect(info.stamp).toMatchObject({ hostname });
    }
    expect((await inspect(before)).complete).toBe(false);

    // Flash more: the names go on after the highest written
    await page.getByRole('button', { name: 'Flash more' }).click();
    await page.getByRole('checkbox', { name: 'Keep flashing sticks as they are plugged in' }).uncheck();
    await page.locator(`li.drive[data-device="${before}"] input`).check();
    await next().click();
    await expect.poll(() => page.getByTestId('name-preview').allTextContents()).toEqual(['class-03']);
    expect(browser.errors).toEqual([]);
  }, 1_800_000);
});
