// The wizard as a German user with only a keyboard meets it, in Debian's Chromium through `iios serve`: every
// step reached with Tab / Shift+Tab / the arrow keys / Space / Enter, from the profile cards to a written and
// verified stick (an image file in a temp folder), read back with `iios inspect --json`. At every step: no
// English left on the page (test/support/untranslated.ts), and axe-core's WCAG 2.1 A and AA rules pass with
// no violation in the light and the dark colour scheme (test/support/axe.ts).
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoBundle } from '../../src-main/services/sources/demo-bundle.ts';
import { axeViolations } from '../support/axe.ts';
import { launchChromium, type LaunchedChromium } from '../support/chromium.ts';
import { ensureRendererBuilt, REPO_ROOT, startServe, type ServeProcess } from '../support/serve.ts';
import { untranslated } from '../support/untranslated.ts';

/** What has the focus: its tag, role, data-profile and text, for the test's own checks and its failure messages. */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el) return '';
    const labelled = (el as HTMLInputElement).labels?.[0]?.textContent;
    const name = el.getAttribute('aria-label') ?? labelled ?? el.textContent ?? '';
    return `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.dataset.profile ? `[${el.dataset.profile}]` : ''} ${name.trim()}`;
  });

/** Presses Tab (or Shift+Tab) until the focused element's description matches; fails after `max` presses. */
async function tabTo(page: Page, want: RegExp, opts: { back?: boolean; max?: number } = {}): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < (opts.max ?? 25); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const now = await focused(page);
    seen.push(now);
    if (want.test(now)) return;
  }
  throw new Error(`${opts.back ? 'Shift+Tab' : 'Tab'} never reached ${want}; focus went through: ${seen.join(' | ')}`);
}

/** The checks every step passes: German only, no axe violation in either colour scheme. */
async function checkStep(page: Page, step: string): Promise<void> {
  const english = await untranslated(page);
  const axe = (await axeViolations(page)).map((v) => `${v.scheme} ${v.rule} (${v.help}) at ${v.targets.join(' ')}: ${v.summary}`);
  // both lists at once, so one fault does not hide the other
  expect({ english, axe }, `the ${step} step`).toEqual({ english: [], axe: [] });
}

const step = (page: Page, id: string) => page.locator(`main[data-step="${id}"]`).waitFor({ timeout: 60_000 });

describe('the wizard in German, by keyboard alone, accessible in both colour schemes', () => {
  let serve: ServeProcess;
  let browser: LaunchedChromium;
  let dir: string;
  let tinyDev = '';

  beforeAll(async () => {
    await ensureDemoBundle();
    await ensureRendererBuilt();
    // the folder's name is data the page shows; it says nothing in English
    dir = await mkdtemp(join(tmpdir(), 'iios-tastatur-'));
    // a stick too small for the appliance profile: its disabled row, reason and badges are audited too
    await writeFile(join(dir, 'klein.img'), '');
    await truncate(join(dir, 'klein.img'), 1024 ** 3);
    tinyDev = (await execa('losetup', ['-f', '--show', join(dir, 'klein.img')])).stdout.trim();
    // a cache set never built, in a throwaway config folder: the cache step lists it with its kind
    await mkdir(join(dir, 'konfig/iios/cache-sets'), { recursive: true });
    await writeFile(join(dir, 'konfig/iios/cache-sets/klasse.yaml'), `format: 1\nid: klasse\ntitle: Klassen-Software\ncaches:\n  files: { path: ${dir} }\n`);
    serve = await startServe({ env: { XDG_CONFIG_HOME: join(dir, 'konfig'), IIOS_CACHES_DIR: join(dir, 'bibliothek') } });
    browser = await launchChromium({ width: 1024, height: 700, locale: 'de-DE' });
  });

  afterAll(async () => {
    await browser?.close();
    await serve?.stop();
    if (tinyDev) await execa('losetup', ['-d', tinyDev], { reject: false });
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('goes from the profile to a verified stick with the keyboard, in German, with no axe violation at any step', async () => {
    const { page } = browser;
    const imageFile = join(dir, 'klasse.img');
    await page.goto(serve.url);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('de');

    // 0. what to do: the modes are one tab stop; making new sticks is chosen, the arrow keys move and choose
    await step(page, 'start');
    await tabTo(page, /^button Neue Sticks erstellen/);
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toMatch(/^button Einen Stick klonen/);
    await page.keyboard.press('ArrowLeft');
    expect(await page.locator('[data-mode="write"]').getAttribute('aria-checked')).toBe('true');
    await checkStep(page, 'start');
    await tabTo(page, /^button Weiter: Profil/);
    await page.keyboard.press('Enter');

    // 1. profile: the cards are one tab stop; the arrow keys move and choose
    await page.locator('.card[data-profile="appliance"] .layout-bar').waitFor({ timeout: 60_000 });
    await tabTo(page, /^button\[classroom\]/);
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toMatch(/^button\[appliance\] Gerät/);
    expect(await page.locator('[data-profile="appliance"]').getAttribute('aria-checked')).toBe('true');
    await tabTo(page, /^summary Technische Aufteilung/);
    await page.keyboard.press('Enter'); // the technical layout opens on demand
    expect(await page.getByTestId('technical-layout').getAttribute('open')).not.toBeNull();
    await checkStep(page, 'profile');
    await tabTo(page, /^button Weiter: Quelle/);
    await page.keyboard.press('Enter');

    // 2. image: the demo bundle is preselected
    await step(page, 'image');
    await expect.poll(() => page.getByTestId('bundle-name').textContent(), { timeout: 60_000 }).toBe('iios-demo');
    await checkStep(page, 'image');
    await tabTo(page, /^button Weiter: Ziele/);
    await page.keyboard.press('Enter');

    // 3. targets: the image file, its path typed; Shift+Tab back to a control passed over
    await step(page, 'targets');
    // every drive shown: loop devices with their badges, the small one disabled with its reason
    await tabTo(page, /^input Alle Laufwerke zeigen/);
    await page.keyboard.press('Space');
    const tiny = page.locator(`li.drive[data-device="${tinyDev}"]`);
    await expect.poll(() => tiny.locator('.drive-reason').textContent(), { timeout: 30_000 }).toMatch(/^Zu klein: braucht mindestens \d+,\d GB$/);
    expect(await tiny.locator('.name').textContent()).toMatch(/^Loop-Gerät \(klein\.img\)/);
    await checkStep(page, 'targets (all drives)');
    await page.keyboard.press('Space');
    await tabTo(page, /^input#image-file-on/);
    await page.keyboard.press('Space');
    await tabTo(page, /^input#image-file-path/);
    await page.keyboard.type(imageFile);
    await tabTo(page, /^input#image-file-size/);
    await tabTo(page, /^input#image-file-path/, { back: true });
    expect(await page.locator('#image-file-path').inputValue()).toBe(imageFile);
    await expect.poll(() => page.getByRole('button', { name: /^Weiter:/ }).isEnabled(), { timeout: 60_000 }).toBe(true);
    await checkStep(page, 'targets');
    await tabTo(page, /^button Weiter: Optionen/);
    await page.keyboard.press('Enter');

    // 4. options
    await step(page, 'options');
    await expect.poll(() => page.getByTestId('name-preview').allTextContents()).toEqual(['class-01']);
    await checkStep(page, 'options');
    await tabTo(page, /^button Weiter: Zwischenspeicher/);
    await tabTo(page, /^button ← Zurück/, { back: true });
    await tabTo(page, /^button Weiter: Zwischenspeicher/);
    await page.keyboard.press('Enter');

    // 4b. caches: no cache set is the default; the radio group is reached by Tab
    await step(page, 'caches');
    await page.locator('[data-cache-set="klasse"]').waitFor();
    expect(await page.locator('[data-cache-set="klasse"] .cache-kinds li').textContent()).toBe('filesnie gebaut');
    await checkStep(page, 'caches');
    await tabTo(page, /^input Keine Sammlung/);
    await tabTo(page, /^button Weiter: Prüfen/);
    await page.keyboard.press('Enter');

    // 5. review: the number of targets typed, then Enter starts the flash
    await step(page, 'review');
    await page.locator('[data-review-target] .layout-bar').first().waitFor();
    await tabTo(page, /^input#confirm-count/);
    await page.keyboard.type('1');
    await checkStep(page, 'review');
    await page.keyboard.press('Enter');

    // 6. flash: audited while it runs
    await step(page, 'flash');
    await page.locator('li.progress-row[data-phase]:not([data-phase=""])').first().waitFor({ timeout: 120_000 });
    await checkStep(page, 'flash');

    // 7. done
    await page.locator('main[data-step="done"]').waitFor({ timeout: 480_000 });
    expect(await page.locator('li.result').getAttribute('data-state')).toBe('verified');
    await checkStep(page, 'done');
    expect(await focused(page)).toMatch(/^h2 Alles fertig/);
    await tabTo(page, /^button Weitere Sticks/);
    expect(browser.errors).toEqual([]);

    const r = await execa(process.execPath, [join(REPO_ROOT, 'src-main/cli/iios.mjs'), 'inspect', '--json', imageFile], { cwd: REPO_ROOT });
    const info = JSON.parse(r.stdout) as { complete: boolean; stamp: { profile?: string; hostname?: string } | null };
    expect(info.complete).toBe(true);
    expect(info.stamp).toMatchObject({ profile: 'appliance', hostname: 'class-01' });
  });
});
