import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createRenderer,
  type RenderedEmail,
  type WinbackOfferTemplateData,
  type WinbackReminderTemplateData,
} from '../../functions/templates/render';

const templatesDir = join(import.meta.dirname, '../../templates');
const renderer = createRenderer(templatesDir);

const locales = ['en', 'ms', 'ar'] as const;
type Locale = (typeof locales)[number];
const offerSteps = [
  { campaign: 'winback-2', percentOff: 10, code: 'BACK-4H7RM2' },
  { campaign: 'winback-3', percentOff: 20, code: 'LAST-9P3WX6' },
] as const;
const steps = ['winback-1', ...offerSteps.map((s) => s.campaign)];

const expiresOn: Record<Locale, string> = { en: '6 December 2026', ms: '6 Disember 2026', ar: '٦ ديسمبر ٢٠٢٦' };

const reminder = (firstName = 'Aisha'): WinbackReminderTemplateData => ({
  shop: { name: 'Kedai Bunga', address: '12 Jalan Bukit Bintang, 55100 Kuala Lumpur, Malaysia', siteUrl: 'https://bunga.example' },
  customer: { firstName },
  links: { shop: 'https://bunga.example/', unsubscribe: 'https://api.bunga.example/unsubscribe?t=tok123' },
});

const withOffer = (campaign: string, locale: Locale, firstName = 'Aisha'): WinbackOfferTemplateData => {
  const step = offerSteps.find((s) => s.campaign === campaign)!;
  return { ...reminder(firstName), offer: { code: step.code, percentOff: step.percentOff, expiresOn: expiresOn[locale] } };
};

/** Step 1 gets no `offer` at all: with strict variables, any offer reference in its templates would throw. */
const sample = (campaign: string, locale: Locale, firstName = 'Aisha') =>
  campaign === 'winback-1' ? reminder(firstName) : withOffer(campaign, locale, firstName);

const render = (campaign: string, locale: string, data: Record<string, unknown>): Promise<RenderedEmail> =>
  renderer.render(campaign, locale, data);

const every = steps.flatMap((campaign) => locales.map((locale) => [campaign, locale] as const));

describe('every winback step renders in en, ms and ar', () => {
  it.each(every)('%s/%s', async (campaign, locale) => {
    const email = await render(campaign, locale, sample(campaign, locale));
    expect(email.locale).toBe(locale);
    expect(email.subject).toContain('Aisha');
    expect(email.preheader.length).toBeGreaterThan(0);
    expect(email.html).toMatch(/<title>[^<]*Aisha[^<]*<\/title>/);
    for (const part of [email.html, email.text]) expect(part).toContain('https://bunga.example/');
  });

  it.each(steps)('%s ships exactly ar, en and ms', (campaign) => {
    expect(renderer.locales(campaign)).toEqual(['ar', 'en', 'ms']);
  });
});

describe('step 1 is a reminder: no offer, no code box', () => {
  it.each(locales)('%s: the templates never refer to an offer', (locale) => {
    const source = readFileSync(join(templatesDir, 'winback-1', `${locale}.mjml`), 'utf8');
    expect(source).not.toMatch(/\boffer\b/);
  });

  it.each(locales)('%s: the email shows no code box and no percentage', async (locale) => {
    const email = await render('winback-1', locale, reminder());
    expect(email.html).not.toContain('dashed');
    for (const part of [email.subject, email.preheader, email.text]) expect(part).not.toMatch(/%/);
  });

  it('fails loudly if a template were to use an offer without one in the data', async () => {
    // The contrast that makes the "renders without offer" test meaningful: step 2 does need it.
    await expect(render('winback-2', 'en', reminder())).rejects.toThrow(/offer/);
  });
});

describe('steps 2 and 3 carry the code, percentage and expiry in both parts', () => {
  const cases = offerSteps.flatMap((step) => locales.map((locale) => [step.campaign, locale, step.percentOff] as const));
  it.each(cases)('%s/%s: %i %', async (campaign, locale, percentOff) => {
    const data = withOffer(campaign, locale);
    const email = await render(campaign, locale, data);
    for (const part of [email.html, email.text]) {
      expect(part).toContain(data.offer.code);
      expect(part).toContain(`${percentOff}%`);
      expect(part).toContain(data.offer.expiresOn);
    }
    expect(email.html).toContain('dashed'); // the code box
    expect(email.subject).toContain(`${percentOff}%`);
    expect(email.preheader).toContain(data.offer.expiresOn);
  });

  it('renders whatever percentage the data holds, not a fixed one', async () => {
    const data = { ...withOffer('winback-3', 'en'), offer: { code: 'X-1', percentOff: 25, expiresOn: '1 May 2027' } };
    const email = await render('winback-3', 'en', data);
    expect(email.subject).toContain('25%');
    expect(email.text).toContain('25%');
    expect(email.text).not.toContain('20%');
  });
});

describe('every email carries the unsubscribe link and the shop address', () => {
  it.each(every)('%s/%s', async (campaign, locale) => {
    const data = sample(campaign, locale);
    const email = await render(campaign, locale, data);
    for (const part of [email.html, email.text]) {
      expect(part).toContain(data.links.unsubscribe);
      expect(part).toContain(data.shop.address);
      expect(part).toContain(data.shop.name);
    }
  });
});

describe('ar renders right to left, en and ms left to right', () => {
  it.each(steps)('%s/ar: lang="ar" dir="rtl", right-aligned, code kept left to right', async (campaign) => {
    const { html } = await render(campaign, 'ar', sample(campaign, 'ar'));
    expect(html).toMatch(/<html[^>]*\blang="ar"/);
    expect(html).toMatch(/<html[^>]*\bdir="rtl"/);
    expect(html).toContain('text-align:right');
    if (campaign !== 'winback-1') expect(html).toMatch(/<span dir="ltr">\s*[A-Z]+-[A-Z0-9]+\s*<\/span>/);
  });

  it.each(steps.flatMap((campaign) => (['en', 'ms'] as const).map((locale) => [campaign, locale] as const)))(
    '%s/%s',
    async (campaign, locale) => {
      const { html } = await render(campaign, locale, sample(campaign, locale));
      expect(html).toMatch(new RegExp(`<html[^>]*\\blang="${locale}" dir="ltr"`));
    },
  );
});

describe('subjects are under 100 characters', () => {
  it.each(every)('%s/%s, even with a long name', async (campaign, locale) => {
    const email = await render(campaign, locale, sample(campaign, locale, 'Nur Aisyah Binti'));
    expect(email.subject.length).toBeLessThan(100);
  });
});

describe('the greeting falls back when the first name is unknown', () => {
  it.each(every)('%s/%s', async (campaign, locale) => {
    const email = await render(campaign, locale, sample(campaign, locale, ''));
    // No dangling separator where the name would have been.
    for (const part of [email.subject, email.text]) expect(part).not.toMatch(/, [!:]|يا [!:]|\s[!:]/);
    expect(email.subject).not.toMatch(/^[,\s]|\s{2}/);
  });
});

describe('ms-MY resolves to ms', () => {
  it.each(steps)('%s', async (campaign) => {
    const regional = await render(campaign, 'ms-MY', sample(campaign, 'ms'));
    const plain = await render(campaign, 'ms', sample(campaign, 'ms'));
    expect(regional.locale).toBe('ms');
    expect(regional).toEqual(plain);
  });
});
