import { describe, expect, it } from 'vitest';
import { invalidLinkPage, npsCommentSavedPage, npsThanksPage, pageLocales } from '../../functions/links/pages';

const thanksInput = { shopName: 'Kedai Bunga', score: 9, token: 'v1.c-100.sig_AbC-123', commentAction: 'https://api.bunga.example/nps/comment' };
const evil = '"><script>alert(1)</script>';

const htmlTag = (page: string) => /<html\b[^>]*>/.exec(page)?.[0] ?? '';

describe('the thanks page, in each locale, shows the score and a comment form', () => {
  it.each([
    ['en', 'ltr', 'You gave us 9 out of 10.', 'Tell us more (optional)'],
    ['ms', 'ltr', 'Anda memberi kami 9 daripada 10.', 'Ceritakan lebih lanjut (pilihan)'],
    ['ar', 'rtl', 'لقد منحتنا 9 من 10.', 'أخبرنا بالمزيد (اختياري)'],
  ])('%s', (locale, dir, scoreLine, label) => {
    const page = npsThanksPage(locale, thanksInput);
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(htmlTag(page)).toBe(`<html lang="${locale}" dir="${dir}">`);
    expect(page).toContain('<meta charset="utf-8">');
    expect(page).toContain('<meta name="viewport"');
    expect(page).toMatch(/<main>[\s\S]*<\/main>/);
    expect(page).toContain(scoreLine);
    expect(page).toContain('Kedai Bunga');
    expect(page).toContain('<form method="post" action="https://api.bunga.example/nps/comment">');
    expect(page).toContain('<input type="hidden" name="token" value="v1.c-100.sig_AbC-123">');
    expect(page).toMatch(/<textarea id="comment" name="comment" maxlength="2000"/);
    // The textarea is labelled.
    expect(page).toContain(`<label for="comment">${label}</label>`);
    expect(page).toMatch(/<button type="submit">[^<]+<\/button>/);
  });

  it('shows any score from 0 to 10', () => {
    expect(npsThanksPage('en', { ...thanksInput, score: 0 })).toContain('You gave us 0 out of 10.');
    expect(npsThanksPage('en', { ...thanksInput, score: 10 })).toContain('You gave us 10 out of 10.');
  });

  it('is self-contained: no external assets or scripts', () => {
    const page = npsThanksPage('en', thanksInput);
    expect(page).not.toMatch(/<(script|link|img|iframe)\b/);
    expect(page).not.toMatch(/url\(/);
  });
});

describe('the comment-saved page', () => {
  it.each([
    ['en', 'ltr'],
    ['ms', 'ltr'],
    ['ar', 'rtl'],
  ])('%s', (locale, dir) => {
    const page = npsCommentSavedPage(locale, { shopName: 'Kedai Bunga' });
    expect(htmlTag(page)).toBe(`<html lang="${locale}" dir="${dir}">`);
    expect(page).toMatch(/<main>[\s\S]*<h1>[^<]+<\/h1>[\s\S]*<\/main>/);
    expect(page).toContain('Kedai Bunga');
    expect(page).not.toContain('<form');
  });
});

describe('every interpolated value is HTML-escaped', () => {
  it.each(pageLocales)('%s: token, shop name and action', (locale) => {
    const page = npsThanksPage(locale, { shopName: `Shop${evil}`, score: 3, token: `tok${evil}`, commentAction: `/c?a=1&b=2${evil}` });
    expect(page).not.toContain('<script');
    expect(page).not.toContain('"><script');
    expect(page).toContain('value="tok&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).toContain('action="/c?a=1&amp;b=2&#34;&gt;&lt;script&gt;');
    expect(page).toContain('Shop&#34;&gt;&lt;script&gt;');
  });

  it('on the comment-saved and invalid-link pages', () => {
    for (const page of [npsCommentSavedPage('ar', { shopName: evil }), invalidLinkPage({ shopName: evil })]) {
      expect(page).not.toContain('<script');
      expect(page).toContain('&#34;&gt;&lt;script&gt;');
    }
  });

  it('a shop name holding Liquid or replacement patterns is shown as typed', () => {
    const page = npsThanksPage('en', { ...thanksInput, shopName: "{{ token }} $& {score} O'Brien & Co" });
    expect(page).toContain('{{ token }} $&amp; {score} O&#39;Brien &amp; Co');
    expect(page).toContain('You gave us 9 out of 10.');
  });
});

describe('the invalid-link page is one neutral page whatever the reason', () => {
  it('is identical for every call with the same shop name', () => {
    const first = invalidLinkPage({ shopName: 'Kedai Bunga' });
    expect(invalidLinkPage({ shopName: 'Kedai Bunga' })).toBe(first);
    // The only input is the shop name: nothing about the link can vary it.
    expect(invalidLinkPage({ shopName: 'Other Shop' }).replaceAll('Other Shop', 'Kedai Bunga')).toBe(first);
  });

  it('holds no token, form or reason', () => {
    const page = invalidLinkPage({ shopName: 'Kedai Bunga' });
    expect(page).not.toMatch(/token|<form|<input/i);
    expect(page).not.toMatch(/expired|tamper|signature|purpose|malformed|unknown/i);
  });

  it('speaks English, Malay and Arabic, the Arabic right to left', () => {
    const page = invalidLinkPage({ shopName: 'Kedai Bunga' });
    expect(htmlTag(page)).toBe('<html lang="en" dir="ltr">');
    expect(page).toMatch(/<main>[\s\S]*<\/main>/);
    expect(page).toContain('This link can’t be used');
    expect(page).toContain('<div class="card" lang="ms" dir="ltr">');
    expect(page).toContain('<div class="card" lang="ar" dir="rtl">');
    expect(page).toContain('Pautan ini tidak boleh digunakan');
    expect(page).toContain('لا يمكن استخدام هذا الرابط');
    expect(page.match(/<h1>/g)).toHaveLength(1);
  });
});

describe('locale resolution: exact, then language, then en', () => {
  it.each([
    ['ms-MY', 'ms', 'ltr'],
    ['fr', 'en', 'ltr'],
    ['ar-EG', 'ar', 'rtl'],
    [undefined, 'en', 'ltr'],
    ['', 'en', 'ltr'],
  ])('%s -> %s', (requested, lang, dir) => {
    expect(htmlTag(npsThanksPage(requested, thanksInput))).toBe(`<html lang="${lang}" dir="${dir}">`);
    expect(htmlTag(npsCommentSavedPage(requested, { shopName: 'Kedai Bunga' }))).toBe(`<html lang="${lang}" dir="${dir}">`);
  });

  it('lists the page locales', () => {
    expect([...pageLocales]).toEqual(['en', 'ms', 'ar']);
  });
});
