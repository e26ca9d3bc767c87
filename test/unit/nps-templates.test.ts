import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRenderer, type NpsSurveyTemplateData } from '../../functions/templates/render';

const templatesDir = join(import.meta.dirname, '../../templates');
const renderer = createRenderer(templatesDir);

const locales = ['en', 'ms', 'ar'] as const;

const scoreUrl = (score: number) => `https://api.bunga.example/nps?token=tok-${score}.sig${score}`;

const sample = (firstName = 'Aisha'): NpsSurveyTemplateData => ({
  shop: { name: 'Kedai Bunga', address: '12 Jalan Bukit Bintang, 55100 Kuala Lumpur, Malaysia', siteUrl: 'https://bunga.example' },
  customer: { firstName },
  links: { shop: 'https://bunga.example/', unsubscribe: 'https://api.bunga.example/unsubscribe?token=unsub123' },
  survey: { orderId: '#10482', scores: Array.from({ length: 11 }, (_, score) => ({ score, url: scoreUrl(score) })) },
});

/** The score links as the local simulator finds them: a link to /nps?token= whose only text is the number. */
const scoreLinks = (html: string) =>
  [...html.matchAll(/<a href="([^"]*\/nps\?token=[^"]*)"[^>]*>\s*(\d+)\s*<\/a>/g)].map((m) => ({ url: m[1], score: Number(m[2]) }));

describe('the survey renders in en, ms and ar with eleven score links, 0 to 10, in order', () => {
  it.each(locales)('%s', async (locale) => {
    const email = await renderer.render('nps', locale, sample());
    expect(email.locale).toBe(locale);
    expect(scoreLinks(email.html)).toEqual(sample().survey.scores);
    // Nothing else in the email links to the survey. Outlook for Windows gets its own copy of
    // each score link (in an `<!--[if mso]>` comment, where no other client or test looks).
    const outsideOutlook = email.html.replace(/<!--\[if mso\]>[\s\S]*?<!\[endif\]-->/g, '');
    expect(outsideOutlook.match(/\/nps\?token=/g)).toHaveLength(11);
    expect(email.html.match(/\/nps\?token=/g)).toHaveLength(22);
    // The plain-text part carries every score link too.
    for (const { url } of sample().survey.scores) expect(email.text).toContain(url);
  });

  it('ships exactly ar, en and ms', () => {
    expect(renderer.locales('nps')).toEqual(['ar', 'en', 'ms']);
  });
});

describe('the survey asks the recommendation question with the scale labels', () => {
  it.each([
    ['en', 'How likely are you to recommend Kedai Bunga to a friend or colleague?', 'Not at all likely', 'Extremely likely'],
    ['ms', 'Sejauh manakah kemungkinan anda mengesyorkan Kedai Bunga kepada rakan atau rakan sekerja?', 'Langsung tidak mungkin', 'Sangat mungkin'],
    ['ar', 'ما مدى احتمال أن توصي بمتجر Kedai Bunga لأحد أصدقائك أو زملائك؟', 'غير محتمل على الإطلاق', 'محتمل جدًا'],
  ])('%s', async (locale, question, low, high) => {
    const { html, text } = await renderer.render('nps', locale, sample());
    // The text part wraps at 78 columns: compare with whitespace collapsed. In ar the shop's
    // name is isolated (<bdi> in the HTML, FIRST STRONG ISOLATE…POP DIRECTIONAL ISOLATE in the text): compare without.
    const unisolated = (part: string) => part.replace(/<\/?bdi>/g, '').replace(/[\u2068\u2069]/g, '');
    for (const part of [html, text.replace(/\s+/g, ' ')].map(unisolated)) {
      expect(part).toContain(question);
      expect(part).toContain('#10482');
    }
    // The scale labels come after the scores, and the "0" label before the "10" label in the
    // source, as the scores do (the score links' aria-labels say the same words before them).
    const labels = html.slice(html.indexOf('</a>', html.lastIndexOf(scoreUrl(10))));
    expect(labels.indexOf(low)).toBeGreaterThan(0);
    expect(labels.indexOf(high)).toBeGreaterThan(labels.indexOf(low));
  });
});

describe('the survey carries the unsubscribe link and the shop address', () => {
  it.each(locales)('%s', async (locale) => {
    const email = await renderer.render('nps', locale, sample());
    for (const part of [email.html, email.text]) {
      expect(part).toContain('https://api.bunga.example/unsubscribe?token=unsub123');
      expect(part).toContain('12 Jalan Bukit Bintang, 55100 Kuala Lumpur, Malaysia');
    }
  });
});

describe('the survey subject is personal, short, and falls back without a name', () => {
  it.each(locales)('%s', async (locale) => {
    const named = await renderer.render('nps', locale, sample());
    expect(named.subject).toContain('Aisha');
    expect(named.subject.length).toBeLessThan(100);
    expect(named.preheader).toContain('Kedai Bunga');
    expect(named.html).toMatch(/<title>[^<]*Aisha[^<]*<\/title>/);

    const anonymous = await renderer.render('nps', locale, sample(''));
    expect(anonymous.subject.length).toBeLessThan(100);
    expect(anonymous.subject).not.toMatch(/, \?|يا ؟|\s[?؟]/);
    expect(anonymous.text).not.toMatch(/, \?|يا ؟/);
  });
});

describe('the ar survey renders right to left', () => {
  it('sets lang="ar" and dir="rtl" and right-aligns text', async () => {
    const { html } = await renderer.render('nps', 'ar', sample());
    expect(html).toMatch(/<html[^>]*\blang="ar"/);
    expect(html).toMatch(/<html[^>]*\bdir="rtl"/);
    expect(html).toContain('text-align:right');
  });

  it('keeps en and ms left to right', async () => {
    for (const locale of ['en', 'ms']) {
      const { html } = await renderer.render('nps', locale, sample());
      expect(html).toMatch(new RegExp(`<html[^>]*\\blang="${locale}" dir="ltr"`));
    }
  });
});

describe('the survey escapes customer-provided values', () => {
  it('escapes a first name containing <script>', async () => {
    const { html } = await renderer.render('nps', 'en', sample('<script>alert(1)</script>'));
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;');
  });
});
