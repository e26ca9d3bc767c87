/**
 * Issue 16, "emails and pages": every email, in every locale and variant,
 * rendered as a send renders it (`createRenderer('templates').render`, the
 * sample data of functions/templates/samples.ts) and opened in headless
 * Chromium (./chromium.ts) at a phone's width (375 px) and a desktop
 * client's (640 px), passes axe-core's rules on colour contrast, headings and
 * landmarks, and the survey's score links are targets a finger can hit.
 *
 * The rules are named one by one (`rules` below), so a new axe-core release
 * adds none behind our back. Left out, on purpose:
 * - `color-contrast-enhanced`: WCAG AAA (7:1); the emails aim at AA (4.5:1,
 *   3:1 for large text), as the issue asks. Their secondary grey is 5.4:1.
 * - nothing else of those about contrast, headings or landmarks.
 *
 * axe-core leaves some Arabic text out of `color-contrast`: it takes a short
 * run of joined letters for an icon font's ligature, and such text is neither
 * a pass nor a violation (the footer's Arabic lines were, before this test,
 * 3.7:1 and unreported). So the test also measures the contrast of every
 * visible text itself, as WCAG defines it (`textContrasts`).
 */
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRenderer, resolveLocale } from '../../functions/templates/render';
import { hasSample, sampleCustomers, sampleFor, type SampleCustomer } from '../../functions/templates/samples';
import { openChromium } from './chromium';

const templatesDir = join(import.meta.dirname, '../../templates');
const renderer = createRenderer(templatesDir);
const axeSource = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** The axe-core rules this test holds every email to (see the note above for those left out). */
const rules = [
  // Contrast (WCAG 1.4.3, AA): 4.5:1, 3:1 for large text.
  'color-contrast',
  // Headings: the headline is the one <h1>, the survey's question an <h2>, none of them empty.
  'page-has-heading-one',
  'heading-order',
  'empty-heading',
  // Landmarks: the email is the main landmark, and all that it shows is in one.
  'landmark-one-main',
  'region',
  'landmark-no-duplicate-main',
  'landmark-main-is-top-level',
  'landmark-unique',
  // What the changes for this issue rest on: the score links are named, and what is
  // hidden from a screen reader (the scale labels) holds nothing to focus.
  'link-name',
  'aria-hidden-focus',
  'target-size',
];

const widths = [375, 640];

/** A Latin name with punctuation: in Arabic text it must keep its order and its dots. */
const latinName: SampleCustomer = { id: 'latin', label: 'Latin name', firstName: 'J. Smith Jr.', locale: 'ar' };

/** Every template file: each set with sample data, each of its locales, each variant of a locale (undefined: the base file). */
const templates = readdirSync(templatesDir, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'partials' && hasSample(entry.name))
  .map((entry) => entry.name)
  .sort()
  .flatMap((set) =>
    renderer.locales(set).flatMap((locale) => [undefined, ...renderer.variants(set, locale)].map((variant) => ({ set, locale, variant }))),
  );

/** For each template: the sample customers who get it, one with no first name, and the Latin name. */
const customersOf = (set: string, locale: string) => {
  const own = sampleCustomers.filter((c) => c.firstName && resolveLocale(renderer.locales(set), c.locale) === locale);
  const noName = sampleCustomers.find((c) => !c.firstName)!;
  return [...own, noName, latinName];
};

const cases = templates.flatMap((t) =>
  customersOf(t.set, t.locale).map((customer) => ({ ...t, customer, name: `${t.set}/${t.locale}${t.variant ? `.${t.variant}` : ''} for ${customer.id}` })),
);

let browser: Browser;
let page: Page;

beforeAll(async () => {
  ({ browser, page } = await openChromium({ width: widths[0]!, height: 900 }));
});

afterAll(async () => {
  await browser?.close();
});

interface AxeNode {
  target: string[];
  failureSummary?: string;
}
interface AxeResult {
  id: string;
  nodes: AxeNode[];
}

/**
 * axe-core's results for `rules` on the email in the page: violations, and what it could not decide.
 * axe-core is put in the page once: `setContent` writes each email into the same document, and
 * keeps its global, axe with it (put in again for each email, its 550 KB were 50 ms of every check).
 */
const runAxe = async () => {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ path: axeSource });
  const results = (await page.evaluate(
    (only) => (globalThis as any).axe.run((globalThis as any).document, { runOnly: { type: 'rule', values: only }, resultTypes: ['violations', 'incomplete'] }),
    rules,
  )) as { violations: AxeResult[]; incomplete: AxeResult[]; passes: AxeResult[] };
  const show = (results: AxeResult[]) => results.flatMap((r) => r.nodes.map((n) => `${r.id}: ${n.target.join(' ')}: ${n.failureSummary ?? ''}`));
  return { violations: show(results.violations), incomplete: show(results.incomplete) };
};

interface TextContrast {
  text: string;
  ratio: number;
  required: number;
}

/**
 * Runs in the page: every visible text, its colour against the first opaque
 * background behind it, as WCAG 2 computes the ratio, and what it must reach
 * (3:1 from 24 px, or 18.66 px bold; else 4.5:1). The emails have solid
 * backgrounds only (no image behind text), which this relies on.
 */
function textContrasts(): TextContrast[] {
  const doc = (globalThis as any).document;
  const style = (element: any) => (globalThis as any).getComputedStyle(element);
  const rgba = (colour: string) => {
    const parts = (colour.match(/[\d.]+/g) ?? []).map(Number);
    return { r: parts[0] ?? 0, g: parts[1] ?? 0, b: parts[2] ?? 0, a: parts[3] ?? 1 };
  };
  const channel = (v: number) => (v / 255 <= 0.03928 ? v / 255 / 12.92 : ((v / 255 + 0.055) / 1.055) ** 2.4);
  const luminance = (c: { r: number; g: number; b: number }) => 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
  const out: TextContrast[] = [];
  const walker = doc.createTreeWalker(doc.body, 4 /* NodeFilter.SHOW_TEXT */);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\s+/g, ' ').trim();
    const element = node.parentElement;
    if (!text || !element.checkVisibility({ opacityProperty: true, visibilityProperty: true })) continue;
    const range = doc.createRange();
    range.selectNodeContents(node);
    if (![...range.getClientRects()].some((rect: any) => rect.width > 0 && rect.height > 0)) continue;
    let behind = { r: 255, g: 255, b: 255, a: 1 };
    for (let e = element; e; e = e.parentElement) {
      const background = rgba(style(e).backgroundColor);
      if (background.a >= 1) {
        behind = background;
        break;
      }
    }
    const css = style(element);
    const [lighter, darker] = [luminance(rgba(css.color)), luminance(behind)].sort((x, y) => y - x) as [number, number];
    const size = parseFloat(css.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(css.fontWeight) >= 700);
    out.push({ text: text.slice(0, 40), ratio: Math.round(((lighter + 0.05) / (darker + 0.05)) * 100) / 100, required: large ? 3 : 4.5 });
  }
  return out;
}

/** The survey's score links as laid out: their boxes, and whether a tap at the centre of each lands on it. */
function scoreTargets() {
  const doc = (globalThis as any).document;
  return [...doc.querySelectorAll('a[href*="/nps?token="]')].map((link: any) => {
    const box = link.getBoundingClientRect();
    const hit = doc.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
    return { text: link.textContent.trim(), width: box.width, height: box.height, left: box.left, right: box.right, hit: link === hit || link.contains(hit) };
  }) as { text: string; width: number; height: number; left: number; right: number; hit: boolean }[];
}

describe('every email passes axe-core on contrast, headings and landmarks, at 375 and 640 px', () => {
  it('covers every template set, locale and variant', () => {
    expect(new Set(templates.map((t) => t.set))).toEqual(
      new Set(['birthday', 'nps', 'points', 'referral-1', 'referral-2', 'tier', 'winback-1', 'winback-2', 'winback-3']),
    );
    for (const set of new Set(templates.map((t) => t.set))) expect(templates.filter((t) => t.set === set && !t.variant).map((t) => t.locale)).toEqual(['ar', 'en', 'ms']);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const email = await renderer.render(c.set, c.locale, sampleFor(c.set, c.customer, c.locale), c.variant);
    for (const width of widths) {
      await page.setViewportSize({ width, height: 900 });
      await page.setContent(email.html);

      const { violations, incomplete } = await runAxe();
      expect(violations, `${width} px`).toEqual([]);
      expect(incomplete, `${width} px: what axe-core could not decide`).toEqual([]);

      const low = (await page.evaluate(textContrasts)).filter((t) => t.ratio < t.required);
      expect(low, `${width} px: texts below WCAG AA contrast`).toEqual([]);

      // One <h1>, the headline; the survey's question is the <h2> under it.
      expect(await page.locator('h1').count()).toBe(1);
      if (c.set === 'nps') expect(await page.locator('h2').count()).toBe(1);
    }
  });
});

describe("the survey's score links are targets a finger can hit", () => {
  const surveys = templates.filter((t) => t.set === 'nps');

  it.each(surveys.flatMap((t) => widths.map((width) => [`${t.locale}${t.variant ? `.${t.variant}` : ''} at ${width} px`, t, width] as const)))(
    '%s',
    async (_, t, width) => {
      const email = await renderer.render(t.set, t.locale, sampleFor(t.set, latinName, t.locale), t.variant);
      await page.setViewportSize({ width, height: 900 });
      await page.setContent(email.html);
      const targets = await page.evaluate(scoreTargets);

      expect(targets.map((target) => target.text)).toEqual(Array.from({ length: 11 }, (_, score) => String(score)));
      for (const target of targets) {
        // 44 px tall (WCAG 2.5.5's size); wide enough for WCAG 2.5.8 (24 px) even with eleven in a row at 375 px, 44 px at 640.
        expect(target.height, `score ${target.text}`).toBeGreaterThanOrEqual(44);
        expect(target.width, `score ${target.text}`).toBeGreaterThanOrEqual(width < 480 ? 24 : 44);
        // All on screen, and the link is what a tap at its centre reaches.
        expect(target.left).toBeGreaterThanOrEqual(0);
        expect(target.right).toBeLessThanOrEqual(width);
        expect(target.hit, `score ${target.text}`).toBe(true);
      }
      // Side by side, never overlapping: a gap between each two (in ar the row runs right to left).
      const byPosition = [...targets].sort((a, b) => a.left - b.left);
      for (let i = 1; i < byPosition.length; i++) expect(byPosition[i]!.left).toBeGreaterThanOrEqual(byPosition[i - 1]!.right);
    },
  );
});
