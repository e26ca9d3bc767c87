/**
 * The HTML pages the public link endpoint shows (docs/design.md §5 "nps", "all
 * campaigns"): the thanks page after a score click (with an optional comment
 * box), the page after the comment is saved, the unsubscribe page (a one-click
 * button and a small preference form), the pages after unsubscribing or saving
 * preferences, and one neutral page for any link that cannot be used.
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
import { campaignSchema, type Campaign } from '../events/retention';
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
  /** What a GET of the unsubscribe link shows: nothing changes until a button is pressed. */
  unsubscribe: {
    title: string;
    /** May hold `{shop}`. */
    heading: string;
    body: string;
    /** The one-click button: unsubscribes from everything. */
    button: string;
    /** The preference form. */
    chooseHeading: string;
    chooseBody: string;
    save: string;
  };
  /** Each campaign, as a customer understands it. */
  campaigns: Record<Campaign, string>;
  /** After unsubscribing from everything (or opening the link once unsubscribed). */
  unsubscribed: {
    title: string;
    heading: string;
    /** May hold `{shop}`. */
    body: string;
    /** Changed one's mind: the button that subscribes again. */
    resubscribeBody: string;
    resubscribe: string;
  };
  /** After subscribing again; `blocked` when the address stays off the list (it bounced, or a complaint). */
  resubscribed: { title: string; heading: string; body: string; blocked: string };
  /** After saving preferences that keep at least one campaign. */
  preferencesSaved: {
    title: string;
    heading: string;
    /** Introduces the campaigns kept. */
    keeping: string;
    /** Introduces the campaigns stopped. */
    stopped: string;
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
    unsubscribe: {
      title: 'Unsubscribe',
      heading: 'Unsubscribe from {shop} emails?',
      body: 'One click and we won’t send you any more emails.',
      button: 'Unsubscribe from all emails',
      chooseHeading: 'Or choose what you still want',
      chooseBody: 'Untick what you no longer want to get. We’ll only send what stays ticked.',
      save: 'Save my choices',
    },
    campaigns: {
      birthday: 'Birthday gifts',
      winback: 'Offers when we haven’t seen you for a while',
      nps: 'Surveys about your orders',
      tier: 'News of your loyalty tier',
      points: 'Reminders before your points expire',
      referral: 'Invitations to refer friends, and your rewards',
    },
    unsubscribed: {
      title: 'Unsubscribed',
      heading: 'You’re unsubscribed',
      body: 'You won’t get any more emails from {shop}. There’s nothing more you need to do, and you can close this page.',
      resubscribeBody: 'Unsubscribed by mistake?',
      resubscribe: 'Subscribe again',
    },
    resubscribed: {
      title: 'Subscribed again',
      heading: 'Welcome back',
      body: 'You’ll get emails from {shop} again.',
      blocked: 'Emails to your address could not be delivered before, so {shop} cannot send you any more. Contact the shop to update your address.',
    },
    preferencesSaved: {
      title: 'Choices saved',
      heading: 'Your choices are saved',
      keeping: 'You’ll still get:',
      stopped: 'We won’t send you:',
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
    unsubscribe: {
      title: 'Berhenti langganan',
      heading: 'Berhenti menerima e-mel daripada {shop}?',
      body: 'Dengan satu klik, kami tidak akan menghantar sebarang e-mel lagi kepada anda.',
      button: 'Berhenti menerima semua e-mel',
      chooseHeading: 'Atau pilih apa yang masih anda mahu',
      chooseBody: 'Nyahtanda apa yang anda tidak mahu terima lagi. Kami hanya akan menghantar yang masih bertanda.',
      save: 'Simpan pilihan saya',
    },
    campaigns: {
      birthday: 'Hadiah hari jadi',
      winback: 'Tawaran apabila sudah lama kami tidak berjumpa anda',
      nps: 'Tinjauan tentang pesanan anda',
      tier: 'Berita tentang tahap kesetiaan anda',
      points: 'Peringatan sebelum mata anda luput',
      referral: 'Jemputan untuk merujuk rakan, dan ganjaran anda',
    },
    unsubscribed: {
      title: 'Langganan dihentikan',
      heading: 'Langganan anda telah dihentikan',
      body: 'Anda tidak akan menerima e-mel lagi daripada {shop}. Tiada apa-apa lagi yang perlu anda lakukan, dan anda boleh menutup halaman ini.',
      resubscribeBody: 'Tersilap berhenti melanggan?',
      resubscribe: 'Langgan semula',
    },
    resubscribed: {
      title: 'Langganan disambung semula',
      heading: 'Selamat kembali',
      body: 'Anda akan menerima e-mel daripada {shop} semula.',
      blocked: 'E-mel ke alamat anda tidak dapat dihantar sebelum ini, jadi {shop} tidak boleh menghantar e-mel lagi. Hubungi kedai untuk mengemas kini alamat anda.',
    },
    preferencesSaved: {
      title: 'Pilihan disimpan',
      heading: 'Pilihan anda telah disimpan',
      keeping: 'Anda akan terus menerima:',
      stopped: 'Kami tidak akan menghantar:',
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
    unsubscribe: {
      title: 'إلغاء الاشتراك',
      heading: 'هل تريد إلغاء الاشتراك في رسائل {shop}؟',
      body: 'بنقرة واحدة لن نرسل إليك أي رسائل بريد إلكتروني بعد الآن.',
      button: 'إلغاء الاشتراك في جميع الرسائل',
      chooseHeading: 'أو اختر ما تريد الاستمرار في تلقيه',
      chooseBody: 'أزل علامة الاختيار عمّا لم تعد ترغب في تلقيه، ولن نرسل إلا ما يبقى محددًا.',
      save: 'حفظ اختياراتي',
    },
    campaigns: {
      birthday: 'هدايا عيد الميلاد',
      winback: 'عروض عندما لا نراك منذ فترة',
      nps: 'استطلاعات حول طلباتك',
      tier: 'أخبار مستوى عضويتك',
      points: 'تذكير قبل انتهاء صلاحية نقاطك',
      referral: 'دعوات لإحالة أصدقائك، ومكافآتك',
    },
    unsubscribed: {
      title: 'تم إلغاء الاشتراك',
      heading: 'تم إلغاء اشتراكك',
      body: 'لن تصلك بعد الآن أي رسائل من {shop}. لا يلزمك فعل أي شيء آخر، ويمكنك إغلاق هذه الصفحة.',
      resubscribeBody: 'ألغيت الاشتراك عن طريق الخطأ؟',
      resubscribe: 'أعد الاشتراك',
    },
    resubscribed: {
      title: 'تمت إعادة الاشتراك',
      heading: 'أهلاً بعودتك',
      body: 'ستصلك رسائل {shop} من جديد.',
      blocked: 'تعذّر توصيل الرسائل إلى عنوانك من قبل، لذا لا يمكن لـ{shop} مراسلتك بعد الآن. تواصل مع المتجر لتحديث عنوانك.',
    },
    preferencesSaved: {
      title: 'تم حفظ اختياراتك',
      heading: 'تم حفظ اختياراتك',
      keeping: 'ستظل تصلك:',
      stopped: 'لن نرسل إليك:',
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
fieldset{margin:0;padding:0;border:0}
legend{padding:0;font-weight:700}
.choice{display:flex;gap:10px;align-items:flex-start;margin:10px 0;font-weight:400}
.choice input{flex:none;width:20px;height:20px;margin:3px 0 0}
input:focus{outline:3px solid #9db4d6;outline-offset:2px}
ul{margin:0 0 16px;padding-inline-start:22px}
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

// The one-click button posts exactly what RFC 8058 has a mail client post, to the link itself.
const unsubscribeContent = `<div class="card">
<h1>{{ t.heading | replace: '{shop}', shopName }}</h1>
<p>{{ t.body }}</p>
<form method="post" action="{{ oneClickAction }}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">{{ t.button }}</button>
</form>
</div>
<div class="card">
<h2>{{ t.chooseHeading }}</h2>
<form method="post" action="{{ preferencesAction }}">
<input type="hidden" name="token" value="{{ token }}">
<fieldset aria-describedby="choose-hint">
<legend class="hint" id="choose-hint">{{ t.chooseBody }}</legend>
{% for choice in choices %}<label class="choice" for="keep-{{ choice.campaign }}"><input type="checkbox" id="keep-{{ choice.campaign }}" name="keep" value="{{ choice.campaign }}"{% if choice.kept %} checked{% endif %}> <span>{{ choice.name }}</span></label>
{% endfor %}</fieldset>
<button type="submit">{{ t.save }}</button>
</form>
</div>
`;

const unsubscribedContent = `<div class="card">
<h1>{{ t.heading }}</h1>
<p>{{ t.body | replace: '{shop}', shopName }}</p>
</div>
{% if resubscribeAction %}<div class="card">
<form method="post" action="{{ resubscribeAction }}">
<input type="hidden" name="token" value="{{ token }}">
<p>{{ t.resubscribeBody }}</p>
<button type="submit">{{ t.resubscribe }}</button>
</form>
</div>
{% endif %}`;

const resubscribedContent = `<div class="card">
<h1>{{ t.heading }}</h1>
<p>{% if blocked %}{{ t.blocked | replace: '{shop}', shopName }}{% else %}{{ t.body | replace: '{shop}', shopName }}{% endif %}</p>
</div>
`;

const preferencesSavedContent = `<div class="card">
<h1>{{ t.heading }}</h1>
{% if kept.size > 0 %}<p>{{ t.keeping }}</p>
<ul>
{% for name in kept %}<li>{{ name }}</li>
{% endfor %}</ul>
{% endif %}{% if stopped.size > 0 %}<p>{{ t.stopped }}</p>
<ul>
{% for name in stopped %}<li>{{ name }}</li>
{% endfor %}</ul>
{% endif %}</div>
`;

const liquid = new Liquid({ strictVariables: true, strictFilters: true, outputEscape: 'escape' });
const templates = {
  layout: liquid.parse(layout),
  thanks: liquid.parse(thanksContent),
  saved: liquid.parse(savedContent),
  invalid: liquid.parse(invalidContent),
  unsubscribe: liquid.parse(unsubscribeContent),
  unsubscribed: liquid.parse(unsubscribedContent),
  resubscribed: liquid.parse(resubscribedContent),
  preferencesSaved: liquid.parse(preferencesSavedContent),
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

/**
 * What a GET of the unsubscribe link shows, changing nothing: a button that
 * unsubscribes from everything (posting `List-Unsubscribe=One-Click` to
 * `oneClickAction`, the link itself) and a preference form posting the token
 * and the ticked `keep` campaigns to `preferencesAction`. A campaign is ticked
 * unless the customer opted out of it.
 */
export function unsubscribePage(
  locale: string | undefined,
  input: { shopName: string; token: string; oneClickAction: string; preferencesAction: string; optedOut?: readonly Campaign[]; offered?: readonly Campaign[] },
): string {
  const c = copy[pickLocale(locale)];
  // The campaigns the shop runs (all when not said): a shop without loyalty offers no choice about it.
  const choices = (input.offered ?? campaignSchema.options).map((campaign) => ({
    campaign,
    name: c.campaigns[campaign],
    kept: !input.optedOut?.includes(campaign),
  }));
  const content = liquid.renderSync(templates.unsubscribe, {
    t: c.unsubscribe,
    shopName: input.shopName,
    token: input.token,
    oneClickAction: input.oneClickAction,
    preferencesAction: input.preferencesAction,
    choices,
  }) as string;
  return page({ lang: c.lang, dir: c.dir, title: c.unsubscribe.title, shopName: input.shopName }, content);
}

/**
 * After unsubscribing from everything, and for a link of a customer already
 * unsubscribed: with the token and `resubscribeAction`, a button that
 * subscribes again (posting the token to it).
 */
export function unsubscribedPage(locale: string | undefined, input: { shopName: string; token?: string; resubscribeAction?: string }): string {
  const c = copy[pickLocale(locale)];
  const content = liquid.renderSync(templates.unsubscribed, {
    t: c.unsubscribed,
    shopName: input.shopName,
    token: input.token ?? '',
    // Liquid takes "" as true: no form is false.
    resubscribeAction: (input.token && input.resubscribeAction) || false,
  }) as string;
  return page({ lang: c.lang, dir: c.dir, title: c.unsubscribed.title, shopName: input.shopName }, content);
}

/** After subscribing again; `blocked`: the address stays off the list (a bounce or a complaint put it there). */
export function resubscribedPage(locale: string | undefined, input: { shopName: string; blocked: boolean }): string {
  const c = copy[pickLocale(locale)];
  const content = liquid.renderSync(templates.resubscribed, { t: c.resubscribed, shopName: input.shopName, blocked: input.blocked }) as string;
  return page({ lang: c.lang, dir: c.dir, title: c.resubscribed.title, shopName: input.shopName }, content);
}

/** After the preference form is saved: the campaigns kept, and those stopped. */
export function preferencesSavedPage(locale: string | undefined, input: { shopName: string; optedOut: readonly Campaign[]; offered?: readonly Campaign[] }): string {
  const c = copy[pickLocale(locale)];
  const names = (kept: boolean) =>
    (input.offered ?? campaignSchema.options).filter((campaign) => input.optedOut.includes(campaign) !== kept).map((campaign) => c.campaigns[campaign]);
  const content = liquid.renderSync(templates.preferencesSaved, { t: c.preferencesSaved, kept: names(true), stopped: names(false) }) as string;
  return page({ lang: c.lang, dir: c.dir, title: c.preferencesSaved.title, shopName: input.shopName }, content);
}
