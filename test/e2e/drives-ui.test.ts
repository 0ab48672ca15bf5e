// The whole path in a browser: `iios serve` (real CLI, real drive service) -> loopback bridge ->
// the built renderer in Debian's Chromium. This machine's system disk must be listed, marked, and
// impossible to select.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { ensureRendererBuilt, REPO_ROOT, startServe, type ServeProcess } from '../support/serve.ts';

const ARTIFACTS = join(REPO_ROOT, 'test-artifacts', 'e2e');

/** The whole disk holding /, found independently of iios (findmnt + lsblk's parent kernel name). */
async function systemDisk(): Promise<string> {
  const source = (await execa('findmnt', ['-n', '-o', 'SOURCE', '/'])).stdout.trim();
  const parent = (await execa('lsblk', ['-n', '-d', '-o', 'PKNAME', source])).stdout.trim();
  return parent ? `/dev/${parent}` : source;
}

describe('drive list in the browser through iios serve', () => {
  let serve: ServeProcess;
  let browser: LaunchedChromium;

  beforeAll(async () => {
    await ensureRendererBuilt();
    serve = await startServe();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
  });

  it('lists the system disk, marked as system and not selectable', async () => {
    const disk = await systemDisk();
    const { page } = browser;
    await page.goto(serve.url);

    const pkg = JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    await expect.poll(() => page.getByTestId('app-version').textContent()).toBe(`version ${pkg.version}`);

    const row = page.locator(`li.drive[data-device="${disk}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getAttribute('data-system')).toBe('true');
    expect(await row.locator('.badge-system').textContent()).toBe('System drive');
    const input = row.locator('input');
    expect(await input.isDisabled()).toBe(true);
    expect(await row.locator('.drive-reason').textContent()).toContain('System drive');
    // A click on a disabled control changes nothing.
    await row.locator('label').click({ force: true });
    expect(await input.isChecked()).toBe(false);

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'drives.png'), fullPage: true });
    expect(browser.errors).toEqual([]);
  });
});
