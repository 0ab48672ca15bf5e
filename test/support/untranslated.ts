// English left on a page that should speak another language: every English catalogue message (whose
// translation differs) found in the visible text or the names, titles and placeholders of visible elements,
// plus common English words, which catch a string that never went through the catalogue at all. Paths,
// hostnames and hashes (.mono) are data, not words, and are left out; so is a catalogue key shown in place of
// a missing message (⟦key⟧), which is reported as such.
import type { Page } from 'playwright-core';
import { de } from '../../src-shared/i18n/de.ts';
import { en } from '../../src-shared/i18n/en.ts';
import type { Message } from '../../src-shared/i18n/index.ts';

/** Words that are English and not German, so a German page never has them ("Name", "System", "Version" and
 * "Profile" are German too). */
const ENGLISH_WORDS = [
  'the', 'and', 'of', 'to', 'is', 'are', 'be', 'it', 'its', 'or', 'on', 'at', 'with', 'for', 'from', 'this', 'that',
  'your', 'you', 'not', 'every', 'each', 'none', 'next', 'back', 'show', 'choose', 'write', 'written', 'erase',
  'flash', 'flashing', 'drive', 'drives', 'file', 'files', 'folder', 'size', 'done', 'failed', 'verified', 'writing',
  'checking', 'layout', 'target', 'targets', 'left', 'unknown', 'theme', 'light', 'dark', 'eject', 'waiting',
  'options', 'review', 'step', 'steps', 'results', 'more', 'usual', 'choice', 'device',
  // what a service or a schema says of itself in English (a stick's stamp, zod's and sfdisk's own words)
  'stamp', 'unreadable', 'expected', 'received', 'unexpected', 'token', 'invalid', 'does', 'contain', 'recognized',
];

const forms = (m: Message): string[] => (typeof m === 'string' ? [m] : Object.values(m).filter((v): v is string => typeof v === 'string'));
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The English texts worth looking for: those whose German differs, variables matching anything. */
function englishPatterns(): { key: string; re: RegExp }[] {
  const out: { key: string; re: RegExp }[] = [];
  // a text German uses somewhere ("Profile", "Kiosk") is no evidence of English wherever it shows
  const german = new Set(Object.values(de as Record<string, Message>).flatMap(forms));
  for (const [key, message] of Object.entries(en as Record<string, Message>)) {
    for (const form of forms(message)) {
      if (german.has(form)) continue;
      const words = form.replace(/\{\w+\}/g, '');
      // a few letters (EFI, an arrow) are not evidence of English
      if (words.replace(/[^A-Za-z]/g, '').length < 3) continue;
      const literal = form.split(/\{\w+\}/).map(escape).join('.+?');
      // one word ("system", "data") counts only as a whole text: inside a partition label (iios-data) it is data
      const re = words.trim().includes(' ') ? new RegExp(`(?:^|[^A-Za-z])${literal}(?:$|[^A-Za-z])`) : new RegExp(`^${literal}$`);
      out.push({ key, re });
    }
  }
  return out;
}

/** The visible words of the page, one string per text run or attribute, .mono data left out. */
export async function visibleTexts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const texts: string[] = [];
    const shown = (el: Element) => {
      const box = (el as HTMLElement).getBoundingClientRect();
      const style = getComputedStyle(el);
      // .sr-only text is tiny but read aloud: it counts; display:none and closed <details> do not
      return style.display !== 'none' && style.visibility !== 'hidden' && (box.width > 0 || box.height > 0 || el.closest('.sr-only') !== null);
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('.mono, script, style') || !shown(el)) continue;
      if (el.closest('details:not([open])') && !el.closest('summary')) continue;
      const text = n.textContent?.trim();
      if (text) texts.push(text);
    }
    for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [aria-valuetext]')) {
      if (!shown(el)) continue;
      for (const attr of ['aria-label', 'title', 'placeholder', 'aria-valuetext']) {
        const v = el.getAttribute(attr);
        // placeholders are example paths, data like the .mono fields
        if (v && attr !== 'placeholder') texts.push(v);
      }
    }
    return texts;
  });
}

/** What on the page is still English, each with the catalogue key or the word that gave it away. */
export async function untranslated(page: Page): Promise<string[]> {
  return englishIn(await visibleTexts(page));
}

/** What in these texts is English (or a missing key), each with the catalogue key or the word that gave it away. */
export function englishIn(texts: readonly string[]): string[] {
  const patterns = englishPatterns();
  const words = new RegExp(`(?:^|[^\\p{L}])(${ENGLISH_WORDS.join('|')})(?=$|[^\\p{L}])`, 'iu');
  const found: string[] = [];
  for (const shown of texts) {
    if (shown.includes('⟦')) found.push(`missing key: ${shown}`);
    // paths inside a sentence (a mount point, a backing file) are data, whatever words their folders use
    const text = shown.replace(/(^|[\s(])\/[^\s,)]*/g, '$1');
    const hit = patterns.find((p) => p.re.test(text));
    if (hit) found.push(`${hit.key}: ${text}`);
    else {
      const w = words.exec(text);
      if (w) found.push(`English word "${w[1]}": ${text}`);
    }
  }
  return [...new Set(found)];
}
