// axe-core's WCAG 2.1 A and AA rules on the page as it is now, in the light and the dark colour scheme
// (prefers-color-scheme, which the theme follows while the switch is on "system").
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

export interface AxeFinding {
  scheme: 'light' | 'dark';
  rule: string;
  help: string;
  targets: string[];
  summary: string;
}

/** Every violation in both schemes, one line each with where and why; [] when the page passes. */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  // evaluated through the devtools protocol: the page's Content-Security-Policy (script-src 'self') stays as it is
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const findings: AxeFinding[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
    // the bars' width transitions and the scheme switch settle before colours are measured
    await page.waitForTimeout(350);
    const violations = await page.evaluate(async (tags) => {
      const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: { id: string; help: string; nodes: { target: string[]; failureSummary?: string }[] }[] }> } }).axe;
      const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return result.violations.map((v) => ({ id: v.id, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target.map(String), summary: n.failureSummary ?? '' })) }));
    }, WCAG_21_AA);
    for (const v of violations) for (const n of v.nodes) findings.push({ scheme, rule: v.id, help: v.help, targets: n.target, summary: n.summary.replace(/\s+/g, ' ') });
  }
  return findings;
}
