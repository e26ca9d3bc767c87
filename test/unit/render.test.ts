import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRenderer, resolveLocale, type BirthdayTemplateData } from '../../functions/templates/render';

const templatesDir = join(import.meta.dirname, '../../templates');
const renderer = createRenderer(templatesDir);

const sample = (locale: string, firstName = 'Aisha'): BirthdayTemplateData => ({
  shop: { name: 'Kedai Bunga', address: '12 Jalan Bukit Bintang, 55100 Kuala Lumpur, Malaysia', siteUrl: 'https://bunga.example' },
  customer: { firstName },
  offer: {
    code: 'BDAY-7K2Q9X',
    percentOff: 15,
    expiresOn: { en: '6 December 2026', ms: '6 Disember 2026', ar: '٦ ديسمبر ٢٠٢٦' }[locale] ?? '6 December 2026',
  },
  links: { shop: 'https://bunga.example/', unsubscribe: 'https://api.bunga.example/unsubscribe?t=tok123' },
});

const tempDirs: string[] = [];
/** A throwaway templates dir holding one birthday template, so broken templates never touch templates/. */
const tempTemplates = (files: Record<string, string>) => {
  const dir = mkdtempSync(join(tmpdir(), 'render-test-'));
  tempDirs.push(dir);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
};
afterAll(() => tempDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

const minimal = (body: string, subject = 'Hello {{ customer.firstName }}') =>
  `---\nsubject: ${subject}\npreheader: A preheader\n---\n<mjml>\n  <mj-body>\n    <mj-section>\n      <mj-column>\n        ${body}\n      </mj-column>\n    </mj-section>\n  </mj-body>\n</mjml>\n`;

describe('birthday templates carry the offer in every locale', () => {
  it.each(['en', 'ms', 'ar'])('%s: code, percentage, expiry and unsubscribe link in both parts', async (locale) => {
    const data = sample(locale);
    const email = await renderer.render('birthday', locale, data);
    expect(email.locale).toBe(locale);
    for (const part of [email.html, email.text]) {
      expect(part).toContain(data.offer.code);
      expect(part).toContain('15%');
      expect(part).toContain(data.offer.expiresOn);
      expect(part).toContain(data.links.unsubscribe);
      expect(part).toContain(data.links.shop);
      expect(part).toContain(data.shop.address);
    }
    expect(email.subject).toContain('Aisha');
    expect(email.subject.length).toBeLessThan(100);
    expect(email.preheader).toContain(data.shop.name);
    expect(email.html).toMatch(/<title>[^<]*Aisha[^<]*<\/title>/);
  });

  it('lists the shipped locales', () => {
    expect(renderer.locales('birthday')).toEqual(['ar', 'en', 'ms']);
  });
});

describe('greeting falls back when the first name is unknown', () => {
  it.each([
    ['en', 'Happy birthday!'],
    ['ms', 'Selamat hari jadi!'],
    ['ar', 'عيد ميلاد سعيد!'],
  ])('%s', async (locale, greeting) => {
    const email = await renderer.render('birthday', locale, sample(locale, ''));
    expect(email.subject.startsWith(greeting)).toBe(true);
    expect(email.html).toContain(greeting);
    expect(email.text).toContain(greeting);
    expect(email.text).not.toMatch(/, !|يا !/);
  });
});

describe('ar renders right to left', () => {
  it('sets lang="ar" and dir="rtl" on the html element and right-aligns text', async () => {
    const { html } = await renderer.render('birthday', 'ar', sample('ar'));
    expect(html).toMatch(/<html[^>]*\blang="ar"/);
    expect(html).toMatch(/<html[^>]*\bdir="rtl"/);
    expect(html).toContain('text-align:right');
  });

  it('keeps en and ms left to right', async () => {
    for (const locale of ['en', 'ms']) {
      const { html } = await renderer.render('birthday', locale, sample(locale));
      expect(html).toMatch(new RegExp(`<html[^>]*\\blang="${locale}" dir="ltr"`));
    }
  });
});

describe('locale resolution: exact, then language, then en', () => {
  const available = ['ar', 'en', 'ms'];
  it.each([
    ['ms-MY', 'ms'],
    ['fr', 'en'],
    ['ar-EG', 'ar'],
    ['ms', 'ms'],
    ['AR', 'ar'],
    ['ms_MY', 'ms'],
    [undefined, 'en'],
    ['', 'en'],
  ])('%s -> %s', (requested, expected) => {
    expect(resolveLocale(available, requested)).toBe(expected);
  });

  it('prefers an exact regional template over the language', () => {
    expect(resolveLocale(['en', 'ms', 'ms-MY'], 'ms-MY')).toBe('ms-MY');
    expect(resolveLocale(['en', 'ms', 'ms-MY'], 'ms-SG')).toBe('ms');
  });

  it('throws when not even en exists', () => {
    expect(() => resolveLocale(['ms'], 'fr')).toThrow(/no template/);
  });

  it('render reports the locale it used', async () => {
    expect((await renderer.render('birthday', 'ms-MY', sample('ms'))).locale).toBe('ms');
    expect((await renderer.render('birthday', 'fr', sample('en'))).locale).toBe('en');
    expect((await renderer.render('birthday', 'ar-EG', sample('ar'))).locale).toBe('ar');
  });
});

describe('strict variables: a misspelt variable is an error naming it', () => {
  it('in the body', async () => {
    const dir = tempTemplates({ 'birthday/en.mjml': minimal('<mj-text>Hi {{ customer.fistName }}</mj-text>') });
    await expect(createRenderer(dir).render('birthday', 'en', sample('en'))).rejects.toThrow(/customer\.fistName/);
  });

  it('in the subject', async () => {
    const dir = tempTemplates({ 'birthday/en.mjml': minimal('<mj-text>Hi</mj-text>', '{{ offer.percentof }}% off') });
    await expect(createRenderer(dir).render('birthday', 'en', sample('en'))).rejects.toThrow(/offer\.percentof/);
  });

  it('in a partial', async () => {
    const dir = tempTemplates({
      'birthday/en.mjml': minimal("{% render 'sig', shop: shop %}"),
      'partials/sig.liquid': '<mj-text>{{ shop.nmae }}</mj-text>',
    });
    await expect(createRenderer(dir).render('birthday', 'en', sample('en'))).rejects.toThrow(/shop\.nmae/);
  });

  it('for a misspelt filter', async () => {
    const dir = tempTemplates({ 'birthday/en.mjml': minimal('<mj-text>{{ customer.firstName | upcase_ }}</mj-text>') });
    await expect(createRenderer(dir).render('birthday', 'en', sample('en'))).rejects.toThrow(/upcase_/);
  });

  it('for a misspelt front matter field', async () => {
    const dir = tempTemplates({ 'birthday/en.mjml': minimal('<mj-text>Hi</mj-text>').replace('preheader:', 'preheadr:') });
    await expect(createRenderer(dir).render('birthday', 'en', sample('en'))).rejects.toThrow(/preheadr/);
  });
});

describe('invalid MJML is an error listing the problems', () => {
  it('throws with the MJML validation messages', async () => {
    const dir = tempTemplates({ 'birthday/en.mjml': minimal('<mj-text colour="red">Hi</mj-text>') });
    await expect(createRenderer(dir).render('birthday', 'en', sample('en'))).rejects.toThrow(/MJML errors[\s\S]*colour/);
  });
});

describe('output is deterministic', () => {
  it.each(['en', 'ms', 'ar'])('%s: same input, same bytes, across calls and renderers', async (locale) => {
    const first = await renderer.render('birthday', locale, sample(locale));
    const second = await renderer.render('birthday', locale, sample(locale));
    const fresh = await createRenderer(templatesDir).render('birthday', locale, sample(locale));
    expect(second).toEqual(first);
    expect(fresh).toEqual(first);
  });
});

describe('customer-provided values cannot inject HTML', () => {
  it('escapes a first name containing <script>', async () => {
    const name = '<script>alert("x")</script>';
    const email = await renderer.render('birthday', 'en', sample('en', name));
    expect(email.html).not.toContain('<script');
    expect(email.html).toContain('&lt;script&gt;');
    // The subject and text part are plain text: the name reads as typed.
    expect(email.subject).toContain(name);
    expect(email.text).toContain(name);
  });

  it('keeps the subject on one line whatever the name holds', async () => {
    const email = await renderer.render('birthday', 'en', sample('en', 'Ai\r\nBcc: x@example.com'));
    expect(email.subject).not.toMatch(/[\r\n]/);
  });
});
