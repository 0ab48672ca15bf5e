// Updating sticks from the GUI in Debian's Chromium through `iios serve` (real CLI, bridge, drive service, job
// service and privileged helper). Two appliance sticks written with the demo bundle v1 by `iios write` — one on a
// loop device, one an image file added by its path — are listed with their slots, updated together to a v2 built
// with `build:demo --version`, and read back with `iios inspect`: slot B holds v2 pending, A still v1. Then a third
// stick (an image file with v1) is updated from the first stick (`--from-stick`), chosen in the GUI as the source.
// Screenshots: test-artifacts/e2e/update-<step>.png.
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { iios } from '../support/iios-cli.ts';
import { ensureRendererBuilt, REPO_ROOT, startServe, type ServeProcess } from '../support/serve.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'e2e');
const GiB = 1024 ** 3;
const isRoot = process.getuid?.() === 0;
const V2 = '2';

/** `build:demo --version V`: the demo system as version V, in its own cache folder (the last line it prints). */
async function demoBundle(version: string): Promise<string> {
  const r = await execa('bash', [join(REPO_ROOT, 'resources/demo-os/build.sh'), '--version', version], { timeout: 1_800_000 });
  return r.stdout.trim().split('\n').at(-1)!;
}
const versionOf = async (dir: string) => (JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { version: string }).version;

async function attachLoop(file: string, bytes: number): Promise<string> {
  await writeFile(file, '');
  await truncate(file, bytes);
  return (await execa('losetup', ['-f', '--show', file])).stdout.trim();
}

interface SlotState {
  slot: string;
  version: string | null;
  state: string;
}
async function slotsOf(stick: string): Promise<{ text: string; slots: SlotState[] }> {
  const text = await iios(['inspect', stick]);
  const json = await iios(['inspect', stick, '--json']);
  expect(json.exitCode, json.stderr).toBe(0);
  return { text: text.stdout, slots: (JSON.parse(json.stdout) as { slotStates: SlotState[] }).slotStates };
}

const shot = (page: Page, step: string) => page.screenshot({ path: join(ARTIFACTS, `update-${step}.png`), animations: 'disabled' });
const next = (page: Page) => page.getByRole('button', { name: /^Next:/ });

describe.skipIf(!isRoot)('updating sticks in the wizard through iios serve', () => {
  let serve: ServeProcess | undefined;
  let browser: LaunchedChromium | undefined;
  let dir = '';
  const loops: string[] = [];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await ensureRendererBuilt();
    dir = await mkdtemp(join(tmpdir(), 'iios-updgui-'));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    for (const dev of loops) await execa('losetup', ['-d', dev], { reject: false });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('updates a loop-device stick and an image-file stick to v2 from a bundle folder, then a third from the first stick', async () => {
    const v1 = await ensureDemoBundle();
    const v2 = await demoBundle(V2);
    const [v1Version, v2Version] = [await versionOf(v1), await versionOf(v2)];
    expect(v2Version).toBe(V2);
    expect(v1Version).not.toBe(V2);

    const loop = await attachLoop(join(dir, 'loop.img'), 2 * GiB);
    loops.push(loop);
    const file = join(dir, 'field-02.img');
    const third = join(dir, 'field-03.img');
    for (const [target, name, size] of [[loop, 'field-01', []], [file, 'field-02', ['--size', '2G']], [third, 'field-03', ['--size', '2G']]] as const) {
      const w = await iios(['write', '--profile', 'appliance', '--bundle', v1, '--target', target, ...size, '--name', name, '--yes']);
      expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    }
    const before = await slotsOf(loop);
    expect(before.slots.find((s) => s.slot === 'a')).toMatchObject({ version: v1Version, state: 'active' });

    serve = await startServe();
    browser = await launchChromium({ width: 1024, height: 800 });
    const { page } = browser;
    await page.goto(serve.url);

    // 1. what to do
    await page.getByRole('radio', { name: /Update sticks/ }).click();
    await shot(page, 'start');
    await next(page).click();

    // 2. the sticks, each with its slots as `iios inspect` has them
    await page.locator('[data-step="sticks"]').waitFor();
    await page.getByRole('checkbox', { name: 'Show all drives' }).check();
    const loopRow = page.locator(`li.drive[data-device="${loop}"]`);
    await expect.poll(() => loopRow.getByTestId('stick-summary').textContent(), { timeout: 30_000 }).toBe('iios stick "field-01" (appliance)');
    expect(await loopRow.locator('[data-slot="a"]').textContent()).toBe(`Slot A: ${v1Version} (active)`);
    await page.getByLabel('Or an image file saved from a stick').fill(file);
    await page.getByRole('button', { name: 'Add this file' }).click();
    const fileRow = page.locator(`li.drive[data-device="${file}"]`);
    await expect.poll(() => fileRow.getByTestId('stick-summary').textContent(), { timeout: 30_000 }).toBe('iios stick "field-02" (appliance)');
    expect(await fileRow.getByRole('checkbox').isChecked()).toBe(true);
    await loopRow.getByRole('checkbox').check();
    await shot(page, 'sticks');
    await next(page).click();

    // 3. the new system: the v2 bundle folder, checked
    await page.locator('[data-step="system"]').waitFor();
    await page.getByLabel('Bundle folder', { exact: true }).fill(v2);
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await expect.poll(() => page.getByTestId('update-version').textContent(), { timeout: 120_000 }).toMatch(new RegExp(` ${V2}$`));
    await shot(page, 'system');
    await next(page).click();

    // 4. review: which slot gets it, and that it fits
    await page.locator('[data-step="review"]').waitFor();
    const changes = await page.getByTestId('slot-change').allTextContents();
    expect(changes).toEqual([`A: ${v1Version} (active) → B: ${V2} (will boot next)`, `A: ${v1Version} (active) → B: ${V2} (will boot next)`]);
    for (const fit of await page.getByTestId('fit').allTextContents()) expect(fit).toMatch(/^Slot B holds .+; the new root image is .+: it fits\.$/);
    await shot(page, 'review');
    await page.getByRole('button', { name: 'Update 2 sticks' }).click();

    // 5. progress per stick, 6. done
    await page.locator('li.progress-row, [data-step="done"]').first().waitFor({ timeout: 120_000 });
    await shot(page, 'progress');
    // (a job that did not start sends the wizard back to the review with the reason: fail at once, saying it)
    await page.locator('[data-step="done"], [data-step="review"] [role="alert"]').first().waitFor({ timeout: 600_000 });
    await shot(page, 'done');
    expect(await page.locator('[data-step="review"] [role="alert"]').allTextContents()).toEqual([]);
    const states = await page.locator('li.result').evaluateAll((els) => els.map((e) => [e.getAttribute('data-state'), e.textContent]));
    expect(states.map((s) => s[0]), JSON.stringify(states)).toEqual(['verified', 'verified']);

    // read back with `iios inspect`: slot B holds v2 pending, A still v1
    for (const stick of [loop, file]) {
      const after = await slotsOf(stick);
      expect(after.slots, after.text).toEqual([
        expect.objectContaining({ slot: 'a', version: v1Version, state: 'active' }),
        expect.objectContaining({ slot: 'b', version: V2, state: 'pending' }),
      ]);
      expect(after.text).toContain(`slot B: ${V2} pending (will boot next, 3 tries left)`);
    }

    // the next stick, from the first one (`--from-stick`): the list reads the updated sticks again
    await page.getByRole('button', { name: 'Update more' }).click();
    await page.locator('[data-step="sticks"]').waitFor();
    await expect.poll(() => loopRow.locator('[data-slot="b"]').textContent(), { timeout: 30_000 }).toBe(`Slot B: ${V2} (pending: boots next)`);
    await fileRow.getByRole('checkbox').uncheck();
    await loopRow.getByRole('checkbox').uncheck();
    await page.getByLabel('Or an image file saved from a stick').fill(third);
    await page.getByRole('button', { name: 'Add this file' }).click();
    await expect.poll(() => page.locator(`li.drive[data-device="${third}"]`).getByTestId('stick-summary').textContent(), { timeout: 30_000 }).toBe('iios stick "field-03" (appliance)');
    await next(page).click();
    await page.locator('[data-step="system"]').waitFor();
    const sourceRow = page.locator(`[aria-label="Sticks that can give their system"] li.drive[data-device="${loop}"]`);
    await expect.poll(() => sourceRow.getByTestId('source-stick-summary').textContent(), { timeout: 30_000 }).toMatch(new RegExp(`^"field-01" carries .+ ${V2}$`));
    await sourceRow.getByRole('radio').check();
    await expect.poll(() => page.getByTestId('update-version').textContent(), { timeout: 30_000 }).toMatch(new RegExp(` ${V2}$`));
    await shot(page, 'from-stick');
    await next(page).click();
    await page.locator('[data-step="review"]').waitFor();
    expect(await page.getByTestId('slot-change').allTextContents()).toEqual([`A: ${v1Version} (active) → B: ${V2} (will boot next)`]);
    await page.getByRole('button', { name: 'Update 1 stick' }).click();
    await page.locator('[data-step="done"], [data-step="review"] [role="alert"]').first().waitFor({ timeout: 600_000 });
    expect(await page.locator('[data-step="review"] [role="alert"]').allTextContents()).toEqual([]);
    await shot(page, 'from-stick-done');
    expect(await page.locator('li.result').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')))).toEqual(['verified']);
    const fromStick = await slotsOf(third);
    expect(fromStick.slots, fromStick.text).toEqual([
      expect.objectContaining({ slot: 'a', version: v1Version, state: 'active' }),
      expect.objectContaining({ slot: 'b', version: V2, state: 'pending' }),
    ]);
    expect(browser.errors).toEqual([]);
  }, 1_800_000);
});
