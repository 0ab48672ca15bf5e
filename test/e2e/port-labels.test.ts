// Naming the place a stick is plugged in, in Debian's Chromium through `iios serve`, as a German teacher does
// it with the keyboard: the targets step shows a loop device's place (its file: loop devices have no USB port,
// so the place is keyed by the backing file, as a stick's is by controller and port chain), "Umbenennen" opens a
// field, Enter keeps the name; it is in $XDG_CONFIG_HOME/iios/port-labels.json and still shown after a reload;
// "Namen vergessen" goes back to the file's name. The row is German only and axe-clean in both colour schemes
// with the field open and closed.
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { de } from '../../src-shared/i18n/de.ts';
import { axeViolations } from '../support/axe.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { ensureRendererBuilt, startServe, type ServeProcess } from '../support/serve.ts';
import { untranslated } from '../support/untranslated.ts';

const GiB = 1024 ** 3;
const NAME = 'Pult links, Platz 3';

/** German only and no axe violation, for the row in its present state. */
async function checkPage(page: Page, what: string): Promise<void> {
  const english = await untranslated(page);
  const axe = (await axeViolations(page)).map((v) => `${v.scheme} ${v.rule} (${v.help}) at ${v.targets.join(' ')}: ${v.summary}`);
  expect({ english, axe }, what).toEqual({ english: [], axe: [] });
}

describe('renaming the place of a stick', () => {
  let serve: ServeProcess;
  let browser: LaunchedChromium;
  let dir: string;
  let dev = '';

  beforeAll(async () => {
    await ensureDemoBundle();
    await ensureRendererBuilt();
    dir = await mkdtemp(join(tmpdir(), 'iios-words2-ports-'));
    await mkdir(join(dir, 'config'));
    await writeFile(join(dir, 'pult.img'), '');
    await truncate(join(dir, 'pult.img'), 4 * GiB);
    dev = (await execa('losetup', ['-f', '--show', join(dir, 'pult.img')])).stdout.trim();
    serve = await startServe({ env: { XDG_CONFIG_HOME: join(dir, 'config') }, timeoutMs: 180_000 });
    browser = await launchChromium({ width: 1024, height: 760, locale: 'de-DE' });
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (dev) await execa('losetup', ['-d', dev], { reject: false });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** From the first step to the targets with every drive shown; the loop device's row. */
  async function toTargets(page: Page) {
    await page.goto(serve.url);
    const next = () => page.getByRole('button', { name: /^Weiter:/ });
    await page.getByRole('radio', { name: new RegExp(de['mode.write.title']) }).click();
    await next().click();
    await page.getByRole('radio', { name: new RegExp(de['profile.appliance.title']) }).click();
    await next().click();
    await page.getByTestId('bundle-name').waitFor({ timeout: 60_000 });
    await next().click();
    await page.getByRole('checkbox', { name: de['targets.showAll'] }).check();
    const row = page.locator(`li.drive[data-device="${dev}"]`);
    await row.waitFor({ timeout: 30_000 });
    return row;
  }

  it('names a loop device’s place by keyboard, keeps the name in the config across a reload, and forgets it', async () => {
    const { page } = browser;
    let row = await toTargets(page);
    expect(await row.getByTestId('place-name').textContent()).toBe('pult.img');
    await checkPage(page, 'the targets step with the place unnamed');

    // keyboard only: focus the row's Rename, Enter opens the field (focused), type, Enter keeps
    const rename = row.getByRole('button', { name: new RegExp(`^${de['port.rename']}`) });
    await rename.focus();
    await page.keyboard.press('Enter');
    const field = row.getByRole('textbox', { name: `Name für pult.img` });
    await expect.poll(() => field.evaluate((el) => el === document.activeElement)).toBe(true);
    await checkPage(page, 'the targets step with the rename field open');
    await page.keyboard.type(NAME);
    await page.keyboard.press('Enter');
    await expect.poll(() => row.getByTestId('place-name').textContent()).toBe(NAME);
    // focus back on the button that opened the field
    await expect.poll(() => rename.evaluate((el) => el === document.activeElement)).toBe(true);
    const file = join(dir, 'config', 'iios', 'port-labels.json');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ [`file:${join(dir, 'pult.img')}`]: NAME });
    await checkPage(page, 'the targets step with the place named');

    // Escape leaves the name as it was
    await rename.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.type(' geändert');
    await page.keyboard.press('Escape');
    expect(await row.getByTestId('place-name').textContent()).toBe(NAME);

    // a reload (a new page, the same services and config) shows the name again
    await page.reload();
    row = await toTargets(page);
    await expect.poll(() => row.getByTestId('place-name').textContent(), { timeout: 15_000 }).toBe(NAME);

    // forgotten: the file's own name again, and none kept
    await row.getByRole('button', { name: new RegExp(`^${de['port.rename']}`) }).click();
    await row.getByRole('button', { name: de['port.clear'] }).click();
    await expect.poll(() => row.getByTestId('place-name').textContent()).toBe('pult.img');
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({});
  }, 300_000);
});
