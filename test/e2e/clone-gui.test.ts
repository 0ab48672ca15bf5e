// Cloning from the GUI in Debian's Chromium through `iios serve` (real CLI, bridge, drive service, job service and
// privileged helper): an appliance stick written onto a loop device by `iios write` is chosen as the source (the
// list shows its name and profile), left out of the targets, and cloned onto a larger loop device named class-01.
// The clone is read back with independent tools: complete, its own name, clonedFrom naming the source and the
// sha256 of the source's stamp; the source's bytes are unchanged. Screenshots: test-artifacts/e2e/clone-<step>.png.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { iios } from '../support/iios-cli.ts';
import { ensureRendererBuilt, REPO_ROOT, startServe, type ServeProcess } from '../support/serve.ts';
import { gptParts, readStamp } from '../support/written-stick.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'e2e');
const GiB = 1024 ** 3;
const isRoot = process.getuid?.() === 0;

async function attachLoop(file: string, bytes: number): Promise<string> {
  await writeFile(file, '');
  await truncate(file, bytes);
  return (await execa('losetup', ['-f', '--show', file])).stdout.trim();
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The stamp file's own bytes, as the clone's clonedFrom hashes them. */
async function stampBytes(disk: string): Promise<Buffer> {
  const esp = (await gptParts(disk)).find((p) => p.name === 'IIOS-ESP')!;
  const r = await execa('mtype', ['-i', `${disk}@@${esp.start}`, '::/iios/stick.json'], { env: { MTOOLS_SKIP_CHECK: '1' }, encoding: 'buffer', stripFinalNewline: false });
  return Buffer.from(r.stdout);
}

const shot = (page: Page, step: string) => page.screenshot({ path: join(ARTIFACTS, `clone-${step}.png`), animations: 'disabled' });
const next = (page: Page) => page.getByRole('button', { name: /^Next:/ });

describe.skipIf(!isRoot)('cloning a stick in the wizard through iios serve', () => {
  let serve: ServeProcess | undefined;
  let browser: LaunchedChromium | undefined;
  let dir = '';
  const loops: string[] = [];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    await ensureRendererBuilt();
    dir = await mkdtemp(join(tmpdir(), 'iios-clone-gui-'));
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    for (const dev of loops) await execa('losetup', ['-d', dev], { reject: false });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('clones a written loop-device stick onto another loop device; the clone records where it came from', async () => {
    const bundle = await ensureDemoBundle();
    const source = await attachLoop(join(dir, 'source.img'), 2 * GiB);
    loops.push(source);
    const target = await attachLoop(join(dir, 'target.img'), 3 * GiB);
    loops.push(target);
    const w = await iios(['write', '--profile', 'appliance', '--bundle', bundle, '--target', source, '--name', 'teacher', '--yes']);
    expect(w.exitCode, w.stdout + w.stderr).toBe(0);
    const sourceStamp = await stampBytes(source);
    const sourceSha = await sha256Of(source);

    serve = await startServe();
    browser = await launchChromium({ width: 1024, height: 760 });
    const { page } = browser;
    await page.goto(serve.url);

    // 1. what to do
    await page.getByRole('radio', { name: /Clone a stick/ }).click();
    await shot(page, 'start');
    await next(page).click();

    // 2. source: the loop device shows as an iios stick with its name and profile
    await page.locator('[data-step="source"]').waitFor();
    await page.getByRole('checkbox', { name: 'Show all drives' }).check();
    const sourceRow = page.locator(`li.drive[data-device="${source}"]`);
    await expect.poll(() => sourceRow.getByTestId('source-summary').textContent(), { timeout: 30_000 }).toMatch(/^iios stick "teacher" \(appliance\), made [A-Z][a-z]{2} \d{1,2}, \d{4}$/);
    await expect.poll(() => page.locator(`li.drive[data-device="${target}"] [data-testid="source-summary"]`).textContent(), { timeout: 30_000 }).toBe('no partition table: raw clone of the whole disk, 3.2 GB');
    await sourceRow.getByRole('radio').check();
    await expect.poll(() => page.getByTestId('source-name').textContent(), { timeout: 30_000 }).toBe('teacher');
    expect(await page.getByTestId('source-profile').textContent()).toBe('appliance');
    expect(await page.getByRole('radio', { name: /^Full copy/ }).isChecked()).toBe(true);
    await shot(page, 'source');
    await next(page).click();

    // 3. targets: the source is not offered
    await page.locator('[data-step="targets"]').waitFor();
    const targetRow = page.locator(`li.drive[data-device="${target}"]`);
    await expect.poll(() => targetRow.locator('input').isEnabled(), { timeout: 15_000 }).toBe(true);
    expect(await page.locator(`li.drive[data-device="${source}"]`).count()).toBe(0);
    await targetRow.locator('input').check();
    await shot(page, 'targets');
    await next(page).click();

    // 4. names
    await expect.poll(() => page.getByTestId('name-preview').allTextContents()).toEqual(['class-01']);
    await next(page).click();

    // 5. review: the source's layout to scale, then the confirmation
    await page.locator('[data-review-source] .layout-bar').waitFor();
    expect(await page.locator('.step-lead').first().textContent()).toBe('A full copy of teacher onto 1 target.');
    await page.getByLabel(/type the number of targets/).fill('1');
    await shot(page, 'review');
    await page.getByRole('button', { name: 'Erase and clone 1 target' }).click();

    // 6. progress, 7. done
    await page.locator('li.progress-row, [data-step="done"]').first().waitFor({ timeout: 120_000 });
    await page.locator('[data-step="done"]').waitFor({ timeout: 600_000 });
    await shot(page, 'done');
    const states = await page.locator('li.result').evaluateAll((els) => els.map((e) => [e.getAttribute('data-state'), e.textContent]));
    expect(states.map((s) => s[0]), JSON.stringify(states)).toEqual(['verified']);
    expect(browser.errors).toEqual([]);

    // read back with mtools, not iios's own reader
    const stamp = await readStamp(target);
    expect(stamp).toMatchObject({ complete: true, profile: 'appliance', hostname: 'class-01' });
    expect(stamp.clonedFrom).toEqual({ name: 'teacher', stampSha256: createHash('sha256').update(sourceStamp).digest('hex') });
    const [s, t] = [await gptParts(source), await gptParts(target)];
    expect(t.map((p) => p.name)).toEqual(s.map((p) => p.name));
    // the source was only read
    expect(await sha256Of(source)).toBe(sourceSha);
  }, 900_000);
});
