/**
 * The HTML pages the public link endpoint shows (DESIGN §5 "nps"): the thanks
 * page after a score click (with an optional comment box), the page after the
 * comment is saved, and one neutral page for any link that cannot be used.
 *
 * Each function returns a complete, self-contained HTML5 document: no external
 * assets (the CSS is in a <style> element), readable on a phone, and written
 * with liquidjs under strict variables with every output HTML-escaped, so a
 * shop name or token can never inject markup. The translated copy lives in
 * `copy` below, one typed entry per locale; a `{shop}` or `{score}` in it is
 * filled in by Liquid's `replace` filter and escaped with the rest.
 *
 * Pure: no clock, no randomness, no I/O; the same input gives the same bytes.
 * Status codes and headers are the caller's business.
 */
import { Liquid } from 'liquidjs';
import { resolveLocale } from '../templates/locale';

export const pageLocales = ['en', 'ms', 'ar'] as const;
type PageLocale = (typeof pageLocales)[number];

interface PageCopy {
  lang: string;
  dir: 'ltr' | 'rtl';
  /** After a score click. */
  thanks: {
    title: string;
    heading: string;
    /** Holds `{score}`. */
    score: string;
    /** The comment box's label. */
    label: string;
    /** Shown under the label; may hold `{shop}`. */
    hint: string;
    submit: string;
  };
  /** After the comment is saved. */
  saved: {
    title: string;
    heading: string;
    /** May hold `{shop}`. */
    body: string;
  };
  /** For a link that cannot be used, whatever the reason. */
  invalid: {
    title: string;
    heading: string;
    body: string;
  };
}

const copy: Record<PageLocale, PageCopy> = {
  en: {
    lang: 'en',
    dir: 'ltr',
    thanks: {
      title: 'Thank you',
      heading: 'Thank you for your feedback!',
      score: 'You gave us {score} out of 10.',
      label: 'Tell us more (optional)',
      hint: "What's the main reason for your score? Whatever you write goes straight to the {shop} team.",
      submit: 'Send comment',
    },
    saved: {
      title: 'Comment received',
      heading: 'Thank you, we have your comment',
      body: 'Your comment has been passed on to the {shop} team. We read every one. You can close this page now.',
    },
    invalid: {
      title: 'Link unavailable',
      heading: 'This link can’t be used',
      body: 'It may be incomplete or no longer valid. There’s nothing more you need to do, and you can close this page.',
    },
  },
  ms: {
    lang: 'ms',
    dir: 'ltr',
    thanks: {
      title: 'Terima kasih',
      heading: 'Terima kasih atas maklum balas anda!',
      score: 'Anda memberi kami {score} daripada 10.',
      label: 'Ceritakan lebih lanjut (pilihan)',
      hint: 'Apakah sebab utama anda memberi skor ini? Apa sahaja yang anda tulis akan terus sampai kepada pasukan {shop}.',
      submit: 'Hantar komen',
    },
    saved: {
      title: 'Komen diterima',
      heading: 'Terima kasih, komen anda telah kami terima',
      body: 'Komen anda telah disampaikan kepada pasukan {shop}. Kami membaca setiap komen. Anda boleh menutup halaman ini sekarang.',
    },
    invalid: {
      title: 'Pautan tidak tersedia',
      heading: 'Pautan ini tidak boleh digunakan',
      body: 'Pautan ini mungkin tidak lengkap atau sudah tidak sah. Tiada apa-apa lagi yang perlu anda lakukan, dan anda boleh menutup halaman ini.',
    },
  },
  ar: {
    lang: 'ar',
    dir: 'rtl',
    thanks: {
      title: 'شكرًا لك',
      heading: 'شكرًا لك على رأيك!',
      score: 'لقد منحتنا {score} من 10.',
      label: 'أخبرنا بالمزيد (اختياري)',
      hint: 'ما السبب الرئيسي لتقييمك؟ كل ما تكتبه يصل مباشرةً إلى فريق {shop}.',
      submit: 'إرسال التعليق',
    },
    saved: {
      title: 'وصلنا تعليقك',
      heading: 'شكرًا لك، وصلنا تعليقك',
      body: 'أوصلنا تعليقك إلى فريق {shop}، ونحن نقرأ كل تعليق باهتمام. يمكنك إغلاق هذه الصفحة الآن.',
    },
    invalid: {
      title: 'الرابط غير متاح',
      heading: 'لا يمكن استخدام هذا الرابط',
      body: 'ربما يكون الرابط غير مكتمل أو لم يعد صالحًا. لا يلزمك فعل أي شيء آخر، ويمكنك إغلاق هذه الصفحة.',
    },
  },
};

const styles = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f6f1ec;color:#3d3530;font:16px/1.6 Helvetica,Arial,sans-serif}
[lang="ar"],[lang="ar"] textarea,[lang="ar"] button{font-family:Tahoma,Arial,sans-serif}
main{max-width:560px;margin:0 auto;padding:28px 16px 40px}
.shop{margin:0 0 20px;text-align:center;font-size:20px;font-weight:700;text-transform:uppercase}
.card{background:#fff;border-radius:10px;padding:32px 28px}
.card+.card{margin-top:16px}
h1,h2{margin:0 0 12px;color:#2f4a72;font-size:26px;line-height:1.3}
p{margin:0 0 16px}
.score{font-size:18px}
label{display:block;margin:8px 0 4px;font-weight:700}
.hint{margin:0 0 10px;color:#6b615a;font-size:14px}
textarea{display:block;width:100%;min-height:140px;padding:12px;border:1px solid #b9c9e0;border-radius:6px;font:inherit;color:inherit;resize:vertical}
textarea:focus,button:focus{outline:3px solid #9db4d6;outline-offset:2px}
button{margin-top:16px;padding:13px 28px;border:0;border-radius:6px;background:#3e5c8a;color:#fff;font:inherit;font-weight:700;cursor:pointer}
button:hover{background:#2f4a72}
.card>:last-child{margin-bottom:0}
@media (max-width:420px){.card{padding:24px 18px}h1,h2{font-size:22px}button{width:100%}}
`.trim();

// One layout; each page fills `content`, rendered (and so escaped) beforehand, hence `| raw`.
const layout = `<!DOCTYPE html>
<html lang="{{ lang }}" dir="{{ dir }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>{{ title }} · {{ shopName }}</title>
<style>${styles}</style>
</head>
<body>
<main>
<p class="shop" dir="auto">{{ shopName }}</p>
{{ content | raw }}</main>
</body>
</html>
`;

const thanksContent = `<div class="card">
<h1>{{ t.heading }}</h1>
<p class="score">{{ t.score | replace: '{score}', score }}</p>
<form method="post" action="{{ commentAction }}">
<input type="hidden" name="token" value="{{ token }}">
<label for="comment">{{ t.label }}</label>
<p class="hint" id="comment-hint">{{ t.hint | replace: '{shop}', shopName }}</p>
<textarea id="comment" name="comment" maxlength="2000" rows="6" dir="auto" aria-describedby="comment-hint"></textarea>
<button type="submit">{{ t.submit }}</button>
</form>
</div>
`;

const savedContent = `<div class="card">
<h1>{{ t.heading }}</h1>
<p>{{ t.body | replace: '{shop}', shopName }}</p>
</div>
`;

// Every language at once: the customer behind an unusable link is unknown.
// One <h1> (the first language); the others are <h2>, styled alike.
const invalidContent = `{% for t in all %}{% if forloop.first %}{% assign h = 'h1' %}{% else %}{% assign h = 'h2' %}{% endif %}<div class="card" lang="{{ t.lang }}" dir="{{ t.dir }}">
<{{ h }}>{{ t.invalid.heading }}</{{ h }}>
<p>{{ t.invalid.body }}</p>
</div>
{% endfor %}`;

const liquid = new Liquid({ strictVariables: true, strictFilters: true, outputEscape: 'escape' });
const templates = {
  layout: liquid.parse(layout),
  thanks: liquid.parse(thanksContent),
  saved: liquid.parse(savedContent),
  invalid: liquid.parse(invalidContent),
};

const pickLocale = (locale: string | undefined): PageLocale => resolveLocale([...pageLocales], locale) as PageLocale;

/** Wraps already-rendered (and so already-escaped) content in the document. */
const page = (head: { lang: string; dir: string; title: string; shopName: string }, content: string): string =>
  liquid.renderSync(templates.layout, { ...head, content }) as string;

/** After a score click: thanks, and a comment box posting to `commentAction` with the token in a hidden field. */
export function npsThanksPage(
  locale: string | undefined,
  input: { shopName: string; score: number; token: string; commentAction: string },
): string {
  const c = copy[pickLocale(locale)];
  const content = liquid.renderSync(templates.thanks, {
    t: c.thanks,
    score: String(input.score),
    shopName: input.shopName,
    token: input.token,
    commentAction: input.commentAction,
  }) as string;
  return page({ lang: c.lang, dir: c.dir, title: c.thanks.title, shopName: input.shopName }, content);
}

/** After the comment is saved. */
export function npsCommentSavedPage(locale: string | undefined, input: { shopName: string }): string {
  const c = copy[pickLocale(locale)];
  const content = liquid.renderSync(templates.saved, { t: c.saved, shopName: input.shopName }) as string;
  return page({ lang: c.lang, dir: c.dir, title: c.saved.title, shopName: input.shopName }, content);
}

/**
 * For any link that cannot be used (tampered, expired, wrong purpose, malformed,
 * unknown): the same neutral page whatever the reason, so it reveals none.
 * In English, Malay and Arabic together, since the customer is unknown.
 */
export function invalidLinkPage(input: { shopName: string }): string {
  const all = pageLocales.map((locale) => copy[locale]);
  const content = liquid.renderSync(templates.invalid, { all }) as string;
  const title = all.map((c) => c.invalid.title).join(' / ');
  return page({ lang: 'en', dir: 'ltr', title, shopName: input.shopName }, content);
}
