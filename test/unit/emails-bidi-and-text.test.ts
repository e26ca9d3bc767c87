/**
 * Issue 16, "emails and pages", without a browser: in the right-to-left (ar)
 * emails a Latin name keeps its order and punctuation, because every
 * customer- or shop-supplied value is isolated (FIRST STRONG ISOLATE … POP
 * DIRECTIONAL ISOLATE in the subject, the preheader and the text part; `<bdi>`
 * in the HTML); the survey's plain-text part lists the scores with what they
 * mean; and every email's preheader is padded so the inbox preview stops there.
 * The same in a browser: test/e2e/emails-a11y.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRenderer, isolate, type NpsSurveyTemplateData } from '../../functions/templates/render';
import { sampleFor, templateSamples } from '../../functions/templates/samples';

const renderer = createRenderer(join(import.meta.dirname, '../../templates'));
const sets = Object.keys(templateSamples).sort();

const fsi = '\u2068';
const pdi = '\u2069';
/** `J. Smith Jr.` unisolated in Arabic text shows as `.J … !.Smith Jr`. */
const latinName = 'J. Smith Jr.';
const shopName = 'Bunga & Co. Sdn. Bhd.';
const escaped = (text: string) => text.replace(/&/g, '&amp;');

const arabic = (set: string, firstName = latinName) => {
  const data = sampleFor(set, { firstName }, 'ar');
  (data.shop as { name: string }).name = shopName;
  return renderer.render(set, 'ar', data);
};

/** How often `value` occurs in `text`, and how often wrapped in `before` … `after`. */
const occurrences = (text: string, value: string, before: string, after: string) => ({
  all: text.split(value).length - 1,
  isolated: text.split(`${before}${value}${after}`).length - 1,
});

describe('ar: a Latin name (and a shop name) with punctuation stays intact', () => {
  it.each(sets)('%s: isolated by FSI…PDI in the subject, the preheader and the text part', async (set) => {
    const email = await arabic(set);
    // Every subject names the customer; the text part has the name and the shop.
    expect(email.subject).toContain(`${fsi}${latinName}${pdi}`);
    expect(email.text).toContain(`${fsi}${latinName}${pdi}`);
    expect(email.text).toContain(`${fsi}${shopName}${pdi}`);
    for (const part of [email.subject, email.preheader, email.text]) {
      for (const value of [latinName, shopName]) {
        const { all, isolated } = occurrences(part, value, fsi, pdi);
        expect(isolated, `${value} in ${JSON.stringify(part.slice(0, 60))}…`).toBe(all);
      }
    }
  });

  it.each(sets)('%s: inside <bdi> in the HTML (or FSI…PDI, where the HTML carries the subject)', async (set) => {
    const { html } = await arabic(set);
    for (const value of [latinName, escaped(shopName)]) {
      const inBdi = occurrences(html, value, '<bdi>', '</bdi>').isolated;
      const { all, isolated } = occurrences(html, value, fsi, pdi);
      expect(inBdi, value).toBeGreaterThan(0);
      expect(inBdi + isolated, value).toBe(all);
    }
    // The headline is the customer's: its name is in <bdi> there too.
    expect(html).toMatch(new RegExp(`<h1[^>]*>[^<]*<bdi>${latinName.replace(/\./g, '\\.')}</bdi>[^<]*</h1>`));
  });

  it.each(sets)('%s: no isolates left over without a first name', async (set) => {
    const email = await arabic(set, '');
    for (const part of [email.subject, email.text]) expect(part).not.toMatch(new RegExp(`${fsi}\\s*${pdi}`));
    expect(email.subject).not.toContain(fsi + pdi);
  });

  it('a value cannot end its own isolate early: its bidi controls are dropped', async () => {
    const email = await arabic('birthday', `J.\u2069 Smith\u202e Jr.`);
    expect(email.subject).toContain(`${fsi}${latinName}${pdi}`);
    expect(isolate('')).toBe('');
    expect(isolate(' ')).toBe(' ');
    expect(isolate('\u2066x\u2069')).toBe(`${fsi}x${pdi}`);
  });
});

describe("the survey's plain-text part lists the scores 0 to 10 with what they mean, one a line", () => {
  const meanings = {
    en: ['not at all likely', 'extremely likely'],
    ms: ['langsung tidak mungkin', 'sangat mungkin'],
    ar: ['غير محتمل على الإطلاق', 'محتمل جدًا'],
  } as const;

  it.each(Object.entries(meanings))('%s', async (locale, [low, high]) => {
    const data = sampleFor('nps', { firstName: 'Aisha' }, locale) as NpsSurveyTemplateData;
    const { text } = await renderer.render('nps', locale, data);
    const lines = text.split('\n').filter((line) => line.includes('/nps?token='));
    expect(lines).toEqual(
      data.survey.scores.map(({ score, url }) => `${score}${score === 0 ? ` – ${low}` : score === 10 ? ` – ${high}` : ''}: ${url}`),
    );
    // Eleven lines in a row, nothing between them; no bare score link anywhere else.
    const first = text.indexOf(lines[0]!);
    expect(text.slice(first, first + lines.join('\n').length)).toBe(lines.join('\n'));
    for (const { url } of data.survey.scores) expect(text.split(url)).toHaveLength(2);
  });
});

describe("every email's preheader is padded, so the inbox preview ends with it", () => {
  const filler = '&#847;&zwnj;&nbsp;';
  const cases = sets.flatMap((set) => renderer.locales(set).map((locale) => [set, locale] as const));
  const unescaped = (html: string) =>
    html.replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

  it.each(cases)('%s/%s', async (set, locale) => {
    const email = await renderer.render(set, locale, sampleFor(set, undefined, locale));
    const preview = /<div style="display:none;[^"]*">([^<]*)<\/div>/.exec(email.html)?.[1] ?? '';
    const padding = /(?:&#847;&zwnj;&nbsp;)+$/.exec(preview)?.[0] ?? '';
    expect(unescaped(preview.slice(0, preview.length - padding.length))).toBe(email.preheader);
    expect(padding.length / filler.length).toBeGreaterThanOrEqual(80);
    // Hidden from the text part, which starts with the email itself.
    expect(email.text).not.toContain('\u034f');
  });
});
