// The whole path in a browser: `iios serve` (real CLI, real drive service) -> loopback bridge ->
// the built renderer in Debian's Chromium. This machine's system disk must be listed in the wizard's
// targets step (under "Show all drives"), marked as a system drive, and impossible to select.
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { systemDisk } from '../support/system-disk.ts';
import { ensureRendererBuilt, REPO_ROOT, startServe, type ServeProcess } from '../support/serve.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'e2e');

const SYSTEM_DISK = await systemDisk();

/** Profile "Disk image" with a small GPT image file, then on to the targets step. */
async function openTargetsStep(page: Page, image: string): Promise<void> {
  await page.locator('[data-mode="write"]').click();
  await page.getByRole('button', { name: /^Next:/ }).click();
  await page.locator('[data-profile="raw"]').click();
  await page.getByRole('button', { name: /^Next:/ }).click();
  await page.locator('#source-path').fill(image);
  await page.getByRole('button', { name: 'Check' }).click();
  const next = page.getByRole('button', { name: /^Next:/ });
  await expect.poll(() => next.isEnabled(), { timeout: 15_000 }).toBe(true);
  await next.click();
  await page.locator('[data-step="targets"]').waitFor();
  await page.getByLabel('Show all drives').check();
}

describe('drive list in the browser through iios serve', () => {
  let serve: ServeProcess;
  let browser: LaunchedChromium;
  let dir: string;
  let image: string;

  beforeAll(async () => {
    await ensureRendererBuilt();
    dir = await mkdtemp(join(tmpdir(), 'iios-drives-ui-'));
    image = join(dir, 'lab.img');
    await writeFile(image, '');
    await truncate(image, 64 * 2 ** 20);
    await execa('sgdisk', ['-n', '1:2048:0', '-c', '1:lab', image]);
    serve = await startServe();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(!SYSTEM_DISK)('lists the system disk, marked as system and not selectable', async () => {
    const disk = SYSTEM_DISK!;
    const { page } = browser;
    await page.goto(serve.url);

    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    await expect.poll(() => page.getByTestId('app-version').textContent(), { timeout: 15_000 }).toBe(`version ${pkg.version}`);

    await openTargetsStep(page, image);
    const row = page.locator(`li.drive[data-device="${disk}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getAttribute('data-system')).toBe('true');
    expect(await row.locator('.badge-system').textContent()).toMatch(/system/i);
    const input = row.locator('input');
    expect(await input.isDisabled()).toBe(true);
    expect(await row.locator('.drive-reason').textContent()).toMatch(/system/i);
    // A click on a disabled control changes nothing.
    await row.locator('label').click({ force: true });
    expect(await input.isChecked()).toBe(false);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'drives.png'), fullPage: true });
    expect(browser.errors).toEqual([]);
  });
});
