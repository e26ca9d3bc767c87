import { describe, expect, it } from 'vitest';
import { pageLocales, preferencesSavedPage, unsubscribedPage, unsubscribePage } from '../../functions/links/pages';

const evil = '"><script>alert(1)</script>';
const input = { shopName: 'Kedai Bunga', token: 'eyJr.sig_AbC-123', oneClickAction: 'unsubscribe?token=eyJr.sig_AbC-123', preferencesAction: 'unsubscribe/preferences' };
const htmlTag = (page: string) => /<html\b[^>]*>/.exec(page)?.[0] ?? '';

describe('the unsubscribe page', () => {
  it.each([
    ['en', 'ltr', 'Unsubscribe from Kedai Bunga emails?', ['Birthday gifts', 'Offers when we haven’t seen you for a while', 'Surveys about your orders']],
    ['ms', 'ltr', 'Berhenti menerima e-mel daripada Kedai Bunga?', ['Hadiah hari jadi', 'Tawaran apabila sudah lama kami tidak berjumpa anda', 'Tinjauan tentang pesanan anda']],
    ['ar', 'rtl', 'هل تريد إلغاء الاشتراك في رسائل Kedai Bunga؟', ['هدايا عيد الميلاد', 'عروض عندما لا نراك منذ فترة', 'استطلاعات حول طلباتك']],
  ])('%s: a one-click button and a preference form', (locale, dir, heading, names) => {
    const page = unsubscribePage(locale, input);
    expect(page.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(htmlTag(page)).toBe(`<html lang="${locale}" dir="${dir}">`);
    expect(page).toContain(`<h1>${heading}</h1>`);
    // RFC 8058's body, posted to the link itself.
    expect(page).toMatch(
      /<form method="post" action="unsubscribe\?token=eyJr\.sig_AbC-123">\s*<input type="hidden" name="List-Unsubscribe" value="One-Click">\s*<button type="submit">[^<]+<\/button>\s*<\/form>/,
    );
    expect(page).toContain('<form method="post" action="unsubscribe/preferences">');
    expect(page).toContain('<input type="hidden" name="token" value="eyJr.sig_AbC-123">');
    for (const [i, campaign] of ['birthday', 'winback', 'nps'].entries()) {
      // Each checkbox is labelled, in the customer's words, and ticked by default.
      expect(page).toContain(
        `<label class="choice" for="keep-${campaign}"><input type="checkbox" id="keep-${campaign}" name="keep" value="${campaign}" checked> <span>${names[i]}</span></label>`,
      );
    }
    expect(page).not.toMatch(/<(script|link|img|iframe)\b/);
  });

  it('leaves unticked the campaigns the customer opted out of', () => {
    const page = unsubscribePage('en', { ...input, optedOut: ['winback'] });
    expect(page).toContain('value="birthday" checked>');
    expect(page).toContain('value="winback">');
    expect(page).toContain('value="nps" checked>');
  });

  it('resolves the locale as the other pages do: exact, then language, then en', () => {
    expect(htmlTag(unsubscribePage('ar-EG', input))).toBe('<html lang="ar" dir="rtl">');
    expect(htmlTag(unsubscribePage('ms-MY', input))).toBe('<html lang="ms" dir="ltr">');
    expect(htmlTag(unsubscribePage('fr', input))).toBe('<html lang="en" dir="ltr">');
    expect(htmlTag(unsubscribePage(undefined, input))).toBe('<html lang="en" dir="ltr">');
  });
});

describe('the pages after unsubscribing and after saving preferences', () => {
  it.each([
    ['en', 'ltr', 'You’re unsubscribed'],
    ['ms', 'ltr', 'Langganan anda telah dihentikan'],
    ['ar', 'rtl', 'تم إلغاء اشتراكك'],
  ])('%s: unsubscribed', (locale, dir, heading) => {
    const page = unsubscribedPage(locale, { shopName: 'Kedai Bunga' });
    expect(htmlTag(page)).toBe(`<html lang="${locale}" dir="${dir}">`);
    expect(page).toContain(`<h1>${heading}</h1>`);
    expect(page).toContain('Kedai Bunga');
    expect(page).not.toContain('<form');
  });

  it.each([
    ['en', 'Subscribe again'],
    ['ms', 'Langgan semula'],
    ['ar', 'أعد الاشتراك'],
  ])('%s: unsubscribed, with the link: offers to subscribe again', (locale, button) => {
    const page = unsubscribedPage(locale, { shopName: 'Kedai Bunga', token: 'tok.en', resubscribeAction: 'unsubscribe/resubscribe' });
    expect(page).toContain('<form method="post" action="unsubscribe/resubscribe">');
    expect(page).toContain('<input type="hidden" name="token" value="tok.en">');
    expect(page).toContain(`<button type="submit">${button}</button>`);
  });

  it('lists what is kept and what is stopped, right to left in Arabic', () => {
    const page = preferencesSavedPage('ar', { shopName: 'Kedai Bunga', optedOut: ['winback', 'nps'], offered: ['birthday', 'winback', 'nps'] });
    expect(htmlTag(page)).toBe('<html lang="ar" dir="rtl">');
    expect(page).toMatch(/ستظل تصلك:<\/p>\s*<ul>\s*<li>هدايا عيد الميلاد<\/li>\s*<\/ul>/);
    expect(page).toMatch(/لن نرسل إليك:<\/p>\s*<ul>\s*<li>عروض عندما لا نراك منذ فترة<\/li>\s*<li>استطلاعات حول طلباتك<\/li>\s*<\/ul>/);
  });

  it('with nothing stopped, lists only what is kept', () => {
    const page = preferencesSavedPage('en', { shopName: 'Kedai Bunga', optedOut: [] });
    expect(page).toContain('You’ll still get:');
    expect(page).not.toContain('We won’t send you:');
  });
});

describe('every interpolated value of the unsubscribe pages is HTML-escaped', () => {
  it.each(pageLocales)('%s: token, actions and shop name', (locale) => {
    const page = unsubscribePage(locale, {
      shopName: `Shop${evil}`,
      token: `tok${evil}`,
      oneClickAction: `unsubscribe?token=a&b${evil}`,
      preferencesAction: `prefs${evil}`,
    });
    expect(page).not.toContain('<script');
    expect(page).toContain('value="tok&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(page).toContain('action="unsubscribe?token=a&amp;b&#34;&gt;&lt;script&gt;');
    expect(page).toContain('action="prefs&#34;&gt;&lt;script&gt;');
    expect(page).toContain('Shop&#34;&gt;&lt;script&gt;');
  });

  it('on the unsubscribed and preferences-saved pages', () => {
    for (const page of [
      unsubscribedPage('ar', { shopName: evil }),
      preferencesSavedPage('ms', { shopName: evil, optedOut: ['nps'] }),
    ]) {
      expect(page).not.toContain('<script');
      expect(page).toContain('&#34;&gt;&lt;script&gt;');
    }
  });

  it('a shop name holding Liquid or replacement patterns is shown as typed', () => {
    const page = unsubscribePage('en', { ...input, shopName: "{{ token }} $& {shop} O'Brien & Co" });
    expect(page).toContain('Unsubscribe from {{ token }} $&amp; {shop} O&#39;Brien &amp; Co emails?');
    expect(unsubscribedPage('en', { shopName: '$&{shop}' })).toContain('You won’t get any more emails from $&amp;{shop}.');
  });
});
