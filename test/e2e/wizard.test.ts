// The whole wizard in Debian's Chromium through `iios serve` (real CLI, bridge, drive service, job service and
// privileged helper): the demo bundle with the appliance profile onto an image file and a loop device at once,
// each target's bar seen writing, then verifying, then verified; both then read back with `iios inspect --json`;
// a too-small loop device shown disabled with its reason; a cancel mid-flash leaving the stick marked incomplete.
// A screenshot of every step goes to test-artifacts/e2e/wizard-<step>.png.
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
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

async function inspect(target: string): Promise<{ complete: boolean; stamp: { profile?: string; hostname?: string; complete?: boolean; createdAt?: string } | null }> {
  const r = await execa(process.execPath, [join(REPO_ROOT, 'src-main/cli/iios.mjs'), 'inspect', '--json', target], { cwd: REPO_ROOT, reject: false });
  if (r.exitCode !== 0) throw new Error(`iios inspect ${target} failed (${r.exitCode}): ${r.stderr}`);
  return JSON.parse(r.stdout) as { complete: boolean; stamp: { profile?: string; hostname?: string } | null };
}

async function shot(page: Page, step: string) {
  // transitions finished: a bar's fill shows the width its percent says, not a frame of its animation
  await page.screenshot({ path: join(ARTIFACTS, `wizard-${step}.png`), animations: 'disabled' });
}

/** Waits until a target reports a phase; fails at once with the wizard's message when the flash did not start. */
async function flashStarted(page: Page, phases = '[data-phase]:not([data-phase=""])') {
  await page.locator(`li.progress-row${phases}, [data-step="review"] [role="alert"]`).first().waitFor({ timeout: 120_000 });
  const refused = page.locator('[data-step="review"] [role="alert"]');
  if (await refused.count()) throw new Error(`the flash did not start: ${await refused.textContent()}`);
}

/** One state of a flash bar as the page showed it: the bar's data-state and data-phase, ms since recording began. */
interface BarEntry {
  state: string;
  phase: string;
  text: string;
  ms: number;
}
type BarLog = Record<string, BarEntry[]>;

/**
 * Records in the page every state each flash bar shows, by target path. A MutationObserver runs after every
 * React commit, so a phase shorter than any poll interval (a quick verify, the last bar's "verified" just before
 * the done step replaces the view) is still seen; the test polls this log.
 */
async function recordBars(page: Page): Promise<void> {
  await page.evaluate(() => {
    const log: Record<string, { state: string; phase: string; text: string; ms: number }[]> = {};
    const start = performance.now();
    const read = () => {
      if (document.querySelector('[data-step="done"]')) log['done step'] ??= [{ state: 'done', phase: '', text: '', ms: Math.round(performance.now() - start) }];
      for (const bar of document.querySelectorAll<HTMLElement>('[role="progressbar"][data-path]')) {
        const entry = { state: bar.dataset.state ?? '', phase: bar.dataset.phase ?? '', text: bar.getAttribute('aria-valuetext') ?? '', ms: Math.round(performance.now() - start) };
        const list = (log[bar.dataset.path ?? ''] ??= []);
        const last = list[list.length - 1];
        if (!last || last.state !== entry.state || last.phase !== entry.phase) list.push(entry);
      }
    };
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-phase'] });
    (window as unknown as { iiosBarLog: typeof log }).iiosBarLog = log;
  });
}

const barLog = (page: Page) => page.evaluate(() => (window as unknown as { iiosBarLog: BarLog }).iiosBarLog);

/** The states a bar went through, without repeats: e.g. pending, writing, verifying, verified. */
function statesOf(entries: BarEntry[] = []): string[] {
  return entries.map((e) => e.state).filter((state, i, all) => state !== all[i - 1]);
}

const rowBoxes = (page: Page) => page.locator('li.progress-row').evaluateAll((els) => els.map((e) => JSON.stringify(e.getBoundingClientRect())));

const driveRow = (page: Page, device: string) => page.locator(`li.drive[data-device="${device}"]`);
const next = (page: Page) => page.getByRole('button', { name: /^Next:/ });

describe('the wizard through iios serve', () => {
  let serve: ServeProcess;
  let browser: LaunchedChromium;
  let dir: string;
  const loops: string[] = [];
  let loopDev = '';
  let tinyDev = '';
  let imageFile = '';

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await ensureDemoBundle();
    await ensureRendererBuilt();
    dir = await mkdtemp(join(tmpdir(), 'iios-wizard-e2e-'));
    loopDev = await attachLoop(join(dir, 'stick.img'), 4 * GiB);
    loops.push(loopDev);
    tinyDev = await attachLoop(join(dir, 'tiny.img'), 1 * GiB);
    loops.push(tinyDev);
    imageFile = join(dir, 'class.img');
    serve = await startServe();
    browser = await launchChromium({ width: 1024, height: 700 });
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    for (const dev of loops) await execa('losetup', ['-d', dev], { reject: false });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('flashes the demo bundle (appliance) onto an image file and a loop device at once; both verify', async () => {
    const { page } = browser;
    await page.goto(serve.url);

    // 0. what to do: making new sticks is preselected
    const makeNew = page.getByRole('radio', { name: /Make new sticks/ });
    await makeNew.waitFor();
    expect(await makeNew.getAttribute('aria-checked')).toBe('true');
    await shot(page, 'start');
    await next(page).click();

    // 1. profile
    const appliance = page.getByRole('radio', { name: /Appliance/ });
    await appliance.waitFor();
    await page.locator('.card[data-profile="appliance"] .layout-bar').waitFor();
    await appliance.click();
    expect(await appliance.getAttribute('aria-checked')).toBe('true');
    await shot(page, 'profile');
    await next(page).click();

    // 2. image: the demo bundle is preselected
    await expect.poll(() => page.getByTestId('bundle-name').textContent(), { timeout: 60_000 }).toBe('iios-demo');
    expect(await page.getByTestId('root-hash').textContent()).toMatch(/^[0-9a-f]{64}$/);
    await shot(page, 'image');
    await next(page).click();

    // 3. targets: loops only under "show all drives"; the 1 GiB one is too small for appliance
    await page.getByRole('checkbox', { name: 'Show all drives' }).check();
    const tiny = driveRow(page, tinyDev);
    await tiny.waitFor({ timeout: 15_000 });
    await expect.poll(() => tiny.locator('.drive-reason').textContent(), { timeout: 15_000 }).toMatch(/^Too small: needs at least 1\.\d GB$/);
    expect(await tiny.locator('input').isDisabled()).toBe(true);
    expect(await tiny.locator('.badge-virtual').count()).toBe(1);
    const loop = driveRow(page, loopDev);
    await expect.poll(() => loop.locator('input').isEnabled(), { timeout: 15_000 }).toBe(true);
    await loop.locator('input').check();
    await page.getByRole('checkbox', { name: 'Write to an .img file' }).check();
    await page.getByLabel('Image file path').fill(imageFile);
    await expect.poll(() => next(page).isEnabled(), { timeout: 15_000 }).toBe(true);
    await shot(page, 'targets');
    await next(page).click();

    // 4. options
    await expect.poll(() => page.getByTestId('name-preview').allTextContents()).toEqual(['class-01', 'class-02']);
    await shot(page, 'options');
    await next(page).click();

    // 4b. caches: no cache set is the default
    expect(await page.getByRole('radio', { name: 'No cache set' }).isChecked()).toBe(true);
    await next(page).click();

    // 5. review
    await page.locator('[data-review-target] .layout-bar').nth(1).waitFor();
    const erase = page.getByRole('button', { name: 'Erase and flash 2 targets' });
    expect(await erase.isDisabled()).toBe(true);
    await page.getByLabel(/type the number of targets/).fill('2');
    await shot(page, 'review');
    await recordBars(page);
    await erase.click();

    // 6. flash: a bar per target, each seen writing, then verifying, then verified, before the done step
    const rows = page.locator('li.progress-row');
    await expect.poll(() => rows.count()).toBe(2);
    await flashStarted(page);
    await shot(page, 'flash');
    const boxesWriting = await rowBoxes(page);
    await page.locator('[role="progressbar"]:is([data-state="verifying"],[data-state="verified"]), [data-step="done"]').first().waitFor({ timeout: 480_000 });
    if (await page.locator('[data-step="flash"]').count()) {
      await shot(page, 'flash-verify');
      // the rows keep their place and size as bars, figures and states change
      expect(await rowBoxes(page)).toEqual(boxesWriting);
    }
    const targets = [loopDev, imageFile];
    const bothVerified = async () => {
      const log = await barLog(page);
      return targets.every((t) => statesOf(log[t]).includes('verified'));
    };
    await expect.poll(async () => (await bothVerified()) || (await page.locator('[data-step="done"]').count()) > 0, { timeout: 480_000, interval: 250 }).toBe(true);
    const log = await barLog(page);
    for (const target of targets) {
      const entries = log[target] ?? [];
      const states = statesOf(entries);
      const seen = `${target}: ${JSON.stringify(entries)}`;
      // in this order, and verified last: the write phases, the read-back, the verdict on the bar itself
      expect(states.filter((st) => ['writing', 'verifying', 'verified'].includes(st)), seen).toEqual(['writing', 'verifying', 'verified']);
      expect(states.at(-1), seen).toBe('verified');
      expect(entries.find((e) => e.state === 'writing' && e.phase === 'slots'), seen).toBeTruthy();
      expect(entries.find((e) => e.state === 'verifying')?.phase, seen).toBe('verify');
      expect(entries.at(-1)?.text, seen).toBe('100 %, verified');
      // and the bar never went back (the helper writes the stamp twice: before the slots and last)
      const percents = entries.map((e) => Number.parseInt(e.text, 10));
      expect(percents, seen).toEqual([...percents].sort((a, b) => a - b));
    }
    await page.locator('[data-step="done"]').waitFor({ timeout: 120_000 });
    console.info(`iios wizard e2e: flash bars seen (the done step at ${(await barLog(page))['done step']?.[0]?.ms ?? '?'} ms): ${JSON.stringify(log)}`);

    // 7. done
    const results = page.locator('li.result');
    expect(await results.evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['verified', 'verified']);
    await shot(page, 'done');
    expect(browser.errors).toEqual([]);

    for (const [target, hostname] of [[loopDev, 'class-01'], [imageFile, 'class-02']] as const) {
      const info = await inspect(target);
      expect(info.complete).toBe(true);
      expect(info.stamp).toMatchObject({ profile: 'appliance', hostname, complete: true });
    }
  });

  it('cancel mid-flash leaves the target marked incomplete', async () => {
    const { page } = browser;
    // Flash more keeps the choices; this time only the loop device (which now holds a complete stick).
    await page.getByRole('button', { name: 'Flash more' }).click();
    await page.getByRole('checkbox', { name: 'Write to an .img file' }).uncheck();
    expect(await driveRow(page, loopDev).locator('input').isChecked()).toBe(true);
    await next(page).click();
    await next(page).click();
    await next(page).click();
    await page.getByLabel(/type the number of targets/).fill('1');
    await page.getByRole('button', { name: 'Erase and flash 1 target' }).click();
    // cancel once the old stick has been wiped and the new one is being laid out
    await flashStarted(page, ':is([data-phase="partition"],[data-phase="esp"],[data-phase="slots"],[data-phase="verity"],[data-phase="btrfs"])');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.locator('[data-step="done"]').waitFor({ timeout: 120_000 });
    expect(await page.locator('li.result').getAttribute('data-state')).toBe('cancelled');
    expect(await page.getByTestId('result-text').textContent()).toMatch(/marked incomplete/);
    await shot(page, 'cancelled');

    const info = await inspect(loopDev);
    // A stale stamp here means the previous (complete) stick's ESP survived the wipe of the cancelled write.
    expect(info.complete, `stamp found after cancel: ${JSON.stringify({ createdAt: info.stamp?.createdAt, complete: info.stamp?.complete })}`).toBe(false);
  });
});
