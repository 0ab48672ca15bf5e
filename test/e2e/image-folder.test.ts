// The image-file target's folder in Debian's Chromium through `iios serve` (the real drives.checkImageFolder
// over the bridge): a path in a folder that does not exist shows what to do at once, Next and the later steps
// stay closed, and the message goes away by itself once the folder is made.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { ensureRendererBuilt, startServe, type ServeProcess } from '../support/serve.ts';

const next = (page: Page) => page.getByRole('button', { name: /^Next:/ });

describe('the image file folder at the targets step', () => {
  let serve: ServeProcess;
  let browser: LaunchedChromium;
  let dir: string;

  beforeAll(async () => {
    await ensureDemoBundle();
    await ensureRendererBuilt();
    dir = await mkdtemp(join(tmpdir(), 'iios-capcheck-e2e-'));
    serve = await startServe();
    browser = await launchChromium({ width: 1024, height: 700 });
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says at once that the folder does not exist, keeps Next and Review closed, and opens them when the folder is made', async () => {
    const { page } = browser;
    await page.goto(serve.url);
    await page.getByRole('radio', { name: /Make new sticks/ }).waitFor();
    await next(page).click();
    await page.getByRole('radio', { name: /Appliance/ }).click();
    await next(page).click();
    await expect.poll(() => page.getByTestId('bundle-name').textContent(), { timeout: 60_000 }).toBe('iios-demo');
    await next(page).click();

    const missing = join(dir, 'not-yet');
    await page.getByRole('checkbox', { name: 'Write to an .img file' }).check();
    await page.getByLabel('Image file path').fill(join(missing, 'class.img'));
    const said = `The folder ${missing} does not exist. Create it first (in ${dir}), or choose a folder that exists.`;
    const alert = page.locator('.image-folder-problem[role="alert"]');
    await expect.poll(() => alert.textContent(), { timeout: 15_000 }).toBe(said);
    // the footer says what to do, and nothing after this step can be opened
    expect(await page.locator('.app-footer .hint').textContent()).toBe(said);
    expect(await next(page).isDisabled()).toBe(true);
    expect(await page.getByRole('navigation', { name: 'Steps' }).getByRole('button', { name: /Review/ }).isDisabled()).toBe(true);

    await mkdir(missing);
    await expect.poll(() => alert.count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => next(page).isEnabled(), { timeout: 15_000 }).toBe(true);
  }, 240_000);
});
