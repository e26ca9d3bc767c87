/**
 * Sample data for every template set: the one source of "sample customers"
 * for `retention templates check` (which renders every template with each of
 * them, under strict variables) and for the studio's preview.
 *
 * Each set's data is typed by its type in ./data, so a field added to the data
 * model must be added here too, or this file stops compiling. Pure data and
 * `Intl` only: no Node modules, so a browser bundle can import it as well.
 */
import type {
  BirthdayTemplateData,
  LinksTemplateData,
  NpsSurveyTemplateData,
  PointsExpiringTemplateData,
  ReferralInviteTemplateData,
  ReferralRewardTemplateData,
  ShopTemplateData,
  TierTemplateData,
  WinbackOfferTemplateData,
  WinbackReminderTemplateData,
} from './data';

export interface SampleCustomer {
  /** Stable id, e.g. for a `<select>` value. */
  id: string;
  /** What a marketer picks from, e.g. "Malay speaker". */
  label: string;
  /** "" when unknown: the templates then use their generic greeting. */
  firstName: string;
  /** The customer's locale as a shop sends it; the template locale is resolved from it. */
  locale: string;
}

/**
 * Customers who stress a template differently: a long name (the subject
 * length check renders with the longest), Malay, Arabic (right to left) and
 * no first name at all (the `{% else %}` greeting).
 */
export const sampleCustomers: SampleCustomer[] = [
  { id: 'long-name', label: 'English speaker with a long name', firstName: 'Maximiliana-Josephine', locale: 'en-GB' },
  { id: 'malay', label: 'Malay speaker', firstName: 'Nurul Aisyah', locale: 'ms-MY' },
  { id: 'arabic', label: 'Arabic speaker', firstName: 'عبد الرحمن', locale: 'ar-AE' },
  { id: 'no-name', label: 'No first name', firstName: '', locale: 'en' },
];

/** The sample customer whose first name is the longest (the worst case for a subject's length). */
export const longestSampleCustomer: SampleCustomer = sampleCustomers.reduce((a, b) =>
  [...b.firstName].length > [...a.firstName].length ? b : a,
);

const shop: ShopTemplateData = {
  name: 'Kedai Bunga',
  address: '12 Jalan Bukit Bintang, 55100 Kuala Lumpur, Malaysia',
  siteUrl: 'https://bunga.example',
};

// Signed-token shaped, as functions/links builds them: base64url(claims).base64url(hmac).
const links: LinksTemplateData = {
  shop: 'https://bunga.example/',
  unsubscribe:
    'https://links.bunga.example/unsubscribe?token=eyJraWQiOiJrMSIsImMiOiJjdXMtMTA0ODIiLCJwIjoidW5zdWJzY3JpYmUiLCJzIjoiYmlydGhkYXkiLCJlIjoxNzk2NTEyMDAwfQ.Xq3lHb7nQ0vJtR8m2WcK5pYdF1sGzA9uE4oNiV6hTkM',
};

/** An offer's (or a points batch's) expiry as delivery formats it: a long date in the email's locale. */
const expiry = new Date(Date.UTC(2026, 11, 6));
const formatDate = (date: Date, locale: string) => {
  try {
    return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
  } catch {
    // Not a locale tag Intl knows: English, as the templates fall back to.
    return new Intl.DateTimeFormat('en', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
  }
};
const expiresOn = formatDate(expiry, 'en');

const birthday: BirthdayTemplateData = {
  shop,
  customer: { firstName: longestSampleCustomer.firstName },
  offer: { code: 'BD7KQ2XH9M', percentOff: 15, expiresOn },
  links,
};

const winbackReminder: WinbackReminderTemplateData = {
  shop,
  customer: { firstName: longestSampleCustomer.firstName },
  links,
};

const winbackTenOff: WinbackOfferTemplateData = {
  ...winbackReminder,
  offer: { code: 'WB4HR7M2PT', percentOff: 10, expiresOn },
};

const winbackLastChance: WinbackOfferTemplateData = {
  ...winbackReminder,
  offer: { code: 'TC9P3WX6KN', percentOff: 20, expiresOn },
};

const nps: NpsSurveyTemplateData = {
  shop,
  customer: { firstName: longestSampleCustomer.firstName },
  links,
  survey: {
    orderId: '#10482',
    scores: Array.from({ length: 11 }, (_, score) => ({
      score,
      url: `https://links.bunga.example/nps?token=eyJraWQiOiJrMSIsImMiOiJjdXMtMTA0ODIiLCJwIjoibnBzIiwicyI6IiMxMDQ4Mjoke3Njb3JlfSJ9.s${score}Kf2WqLm8RtZ3vHn0YbXcJ4aPdE7gUoT`,
    })),
  },
};

const tier: TierTemplateData = {
  shop,
  customer: { firstName: longestSampleCustomer.firstName },
  links,
  loyalty: { tier: 'Gold', balance: 1240 },
};

// A tier held: the `{% if loyalty.tier != "" %}` branch. The check reads the other branch too.
const points: PointsExpiringTemplateData = {
  shop,
  customer: { firstName: longestSampleCustomer.firstName },
  links,
  loyalty: { balance: 1240, expiring: 350, expiresOn, tier: 'Gold' },
};

const referralInvite: ReferralInviteTemplateData = {
  shop,
  customer: { firstName: longestSampleCustomer.firstName },
  links,
  offer: { code: 'RF7KM3QX2D', percentOff: 10, expiresOn },
  referral: { rewardPercentOff: 15 },
};

const referralReward: ReferralRewardTemplateData = {
  shop,
  customer: { firstName: longestSampleCustomer.firstName },
  links,
  offer: { code: 'RW4TN8PH6C', percentOff: 15, expiresOn },
};

/** Sample data per template set (the directory name under templates/), with the default customer. */
export const templateSamples: Record<string, Record<string, unknown>> = {
  birthday,
  'winback-1': winbackReminder,
  'winback-2': winbackTenOff,
  'winback-3': winbackLastChance,
  nps,
  tier,
  points,
  'referral-1': referralInvite,
  'referral-2': referralReward,
};

export const hasSample = (set: string): boolean => Object.hasOwn(templateSamples, set);

/**
 * A set's sample data for one customer, with dates written in `locale` (the
 * template's locale, e.g. "ms": "6 Disember 2026"). A fresh copy every call,
 * so a caller may change it. Throws for a set that has no sample data.
 */
export function sampleFor(set: string, customer: { firstName: string } = longestSampleCustomer, locale = 'en'): Record<string, unknown> {
  if (!hasSample(set)) throw new Error(`no sample data for template set "${set}" (add it to functions/templates/samples.ts)`);
  const data = structuredClone(templateSamples[set]!);
  data.customer = { firstName: customer.firstName };
  const offer = data.offer as { expiresOn: string } | undefined;
  if (offer) offer.expiresOn = formatDate(expiry, locale);
  const loyalty = data.loyalty as { expiresOn?: string } | undefined;
  if (loyalty && 'expiresOn' in loyalty) loyalty.expiresOn = formatDate(expiry, locale);
  return data;
}
