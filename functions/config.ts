/**
 * The one configuration schema (docs/design.md §5 defaults). Read once at start, by the
 * CDK app (which hands it to every function) and by the local runtime.
 * A shop overrides any default in `retention.config.json`.
 */
import { readFileSync, existsSync } from 'node:fs';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { Campaign } from './events/retention';

const hour = z.number().int().min(0).max(24);
const percent = z.number().int().min(1).max(100);
/** Share of customers a campaign keeps as a holdout group: recorded as "would have sent", not emailed. */
const holdoutShare = z.number().min(0).max(0.9).default(0);

/**
 * Zones found valid: luxon builds an `Intl` formatter to check a name (150 µs),
 * and every upsert checks one. Only real zones are kept, so the set stays small.
 */
const validZones = new Set<string>();
const isValidZone = (zone: string) => validZones.has(zone) || (IANAZone.isValidZone(zone) && Boolean(validZones.add(zone)));

/** An IANA zone name (the longest, America/Argentina/ComodRivadavia, has 32 characters). */
export const timeZoneSchema = z
  .string()
  .max(64, { abort: true, message: 'must be at most 64 characters' })
  .refine(isValidZone, { message: 'is not a known IANA time zone' });

/** The currencies `Intl` knows (ISO 4217): a typo in the configuration is caught at start. */
const knownCurrencies = new Set(Intl.supportedValuesOf('currency'));
/** An ISO 4217 currency code (`EUR`, `MYR`, `JPY`). */
export const currencyCodeSchema = z.string().refine((code) => knownCurrencies.has(code), { message: 'must be an ISO 4217 currency code such as EUR' });

/**
 * An amount per currency (`{ "MYR": 500 }`). Keys are checked here rather than by a record key
 * schema, whose error ("Invalid key in record") would not say what a key must be.
 */
const perCurrency = <T extends z.ZodType>(value: T) =>
  z.record(z.string(), value).superRefine((amounts, context) => {
    for (const code of Object.keys(amounts)) {
      const checked = currencyCodeSchema.safeParse(code);
      if (!checked.success) context.addIssue({ code: 'custom', path: [code], message: checked.error.issues[0]!.message });
    }
  });

/**
 * A loyalty tier (docs/design.md §10), reached by the spend of the last 365 days in any one of
 * the currencies it lists (`{ "MYR": 500, "USD": 120 }`: either will do; currencies are never
 * added together), or by the points earned in those days.
 */
const tierSchema = z
  .object({
    /** The name customers see (at most 50 characters, as the shop's own `tier` on a customer). */
    name: z.string().trim().min(1, { message: 'must not be blank' }).max(50, { message: 'must be at most 50 characters' }),
    spend: perCurrency(z.number().positive())
      .refine((spend) => Object.keys(spend).length > 0, { message: 'must name at least one currency' })
      .optional(),
    points: z.number().int().positive().optional(),
  })
  .refine((tier) => (tier.spend === undefined) !== (tier.points === undefined), { message: 'needs either spend or points (not both)' });

/**
 * Tiers go from the lowest to the highest: every threshold above the one of any earlier tier
 * measured the same way (the same currency, or points), and no two tiers by the same name.
 */
const tiersSchema = z.array(tierSchema).superRefine((tiers, context) => {
  tiers.forEach((tier, i) => {
    const earlier = tiers.slice(0, i);
    const namesake = earlier.find((other) => other.name === tier.name);
    if (namesake) context.addIssue({ code: 'custom', path: [i, 'name'], message: `must be unique: "${tier.name}" is tier ${earlier.indexOf(namesake)}'s name too` });
    for (const [currency, threshold] of Object.entries(tier.spend ?? {})) {
      const above = earlier.filter((other) => (other.spend?.[currency] ?? -Infinity) >= threshold).at(-1);
      if (above)
        context.addIssue({
          code: 'custom',
          path: [i, 'spend', currency],
          message: `must be more than the ${above.spend![currency]} ${currency} of the lower tier "${above.name}" (tiers go from lowest to highest)`,
        });
    }
    const above = tier.points === undefined ? undefined : earlier.filter((other) => (other.points ?? -Infinity) >= tier.points!).at(-1);
    if (above)
      context.addIssue({
        code: 'custom',
        path: [i, 'points'],
        message: `must be more than the ${above.points} points of the lower tier "${above.name}" (tiers go from lowest to highest)`,
      });
  });
});

export const configSchema = z.object({
  /** Time zone of customers who have none. */
  defaultTimeZone: timeZoneSchema.default('UTC'),
  /** Emails go out only inside this local window: [startHour, endHour). */
  sendWindow: z
    .object({ startHour: hour.default(9), endHour: hour.default(20) })
    .default({ startHour: 9, endHour: 20 }),
  /** The sender's pace (docs/design.md §8): a share of the SES account's send rate, read from SES unless given here. */
  sending: z
    .object({
      /** Emails a second the account may send; by default SES's own `SendQuota.MaxSendRate`. */
      maxSendRate: z.number().positive().optional(),
      /** The share of that rate the engine uses, leaving room for the shop's other mail. */
      quotaShare: z.number().gt(0).max(1).default(0.8),
    })
    .default({ quotaShare: 0.8 }),
  shop: z
    .object({
      name: z.string().default('Example Shop'),
      /** Postal address shown in every footer (CAN-SPAM, PECR). */
      address: z.string().default('1 Example Street, 10000 Example City'),
      fromAddress: z.email().default('hello@shop.example'),
      /** Public base URL of the link endpoint (unsubscribe, survey). */
      linkBaseUrl: z.url({ protocol: /^https?$/ }).default('https://links.shop.example'),
      /** Address whose mailbox handles `mailto:` unsubscribes. */
      unsubscribeMailbox: z.email().default('unsubscribe@shop.example'),
      /** Where the shop's own site lives (call-to-action buttons). */
      siteUrl: z.url({ protocol: /^https$/ }).default('https://shop.example'),
      /**
       * UTM parameters on every link to the shop, so its analytics credit the email:
       * `utm_campaign` is the email (`birthday`, `winback-2`, `nps`); `false` adds none.
       */
      utm: z
        .union([z.literal(false), z.object({ source: z.string().min(1).default('retention'), medium: z.string().min(1).default('email') })])
        .default({ source: 'retention', medium: 'email' }),
      /**
       * How an email with a discount code links to the shop: `shopify` applies the code for
       * the customer (Shopify's `/discount/<code>?redirect=<page>` link); `none` links to the page.
       */
      discountLinks: z.enum(['none', 'shopify']).default('none'),
      /**
       * The currencies the shop sells in: the CloudWatch dashboard, fixed at deploy, draws a series
       * of each money figure per currency listed; without it, one search per figure finds every currency.
       */
      currencies: z.array(currencyCodeSchema).min(1).optional(),
    })
    .default({
      name: 'Example Shop',
      address: '1 Example Street, 10000 Example City',
      fromAddress: 'hello@shop.example',
      linkBaseUrl: 'https://links.shop.example',
      unsubscribeMailbox: 'unsubscribe@shop.example',
      siteUrl: 'https://shop.example',
      utm: { source: 'retention', medium: 'email' },
      discountLinks: 'none',
    }),
  /** Shop platforms feeding the engine (docs/design.md §3a). */
  sources: z
    .object({
      shopify: z
        .object({
          /** The EventBridge partner event source Shopify created, `aws.partner/shopify.com/<app-id>/<name>`. */
          eventSourceName: z.string().regex(/^aws\.partner\/shopify\.com\/[^/]+\/[^/]+$/, {
            message: 'must be the partner event source name, aws.partner/shopify.com/<app-id>/<name>',
          }),
        })
        .optional(),
      /** Present (`{}`): the stack keeps a webhook secret and `POST /webhooks/woocommerce` accepts deliveries signed with it. */
      woocommerce: z.object({}).strict().optional(),
    })
    .default({}),
  birthday: z
    .object({
      /** A campaign can be switched off; its sweep then sends nothing. */
      enabled: z.boolean().default(true),
      holdoutShare,
      /** Local hour the birthday email goes out. */
      sendHour: hour.default(9),
      percentOff: percent.default(15),
      /** Per-tier discount, e.g. `{ "gold": 25 }`; other tiers get `percentOff`. */
      percentOffByTier: z.record(z.string(), percent).default({}),
      validDays: z.number().int().min(1).max(365).default(14),
    })
    .default({ enabled: true, holdoutShare: 0, sendHour: 9, percentOff: 15, percentOffByTier: {}, validDays: 14 }),
  winback: z
    .object({
      enabled: z.boolean().default(true),
      holdoutShare,
      /** Local hour the winback emails go out from. */
      sendHour: hour.default(10),
      /** Expected reorder interval for customers with fewer than three orders. */
      defaultIntervalDays: z.number().positive().default(30),
      /** A customer is at risk when the days since their last order reach this many intervals. */
      riskFactor: z.number().positive().default(2),
      /** Days after the at-risk day each step is due; a step with `percentOff` carries a code. */
      steps: z
        .array(z.object({ offsetDays: z.number().int().min(0), percentOff: percent.optional() }))
        .min(1)
        .default([{ offsetDays: 0 }, { offsetDays: 30, percentOff: 10 }, { offsetDays: 60, percentOff: 20 }]),
      validDays: z.number().int().min(1).max(365).default(14),
      /** An order this many days after a winback email counts as its conversion. */
      conversionWindowDays: z.number().int().min(1).default(30),
    })
    .default({
      enabled: true,
      holdoutShare: 0,
      sendHour: 10,
      defaultIntervalDays: 30,
      riskFactor: 2,
      steps: [{ offsetDays: 0 }, { offsetDays: 30, percentOff: 10 }, { offsetDays: 60, percentOff: 20 }],
      validDays: 14,
      conversionWindowDays: 30,
    }),
  nps: z
    .object({
      enabled: z.boolean().default(true),
      holdoutShare,
      /** Local hour the survey goes out from. */
      sendHour: hour.default(10),
      afterDeliveryDays: z.number().int().min(0).default(7),
      /** When no delivery is reported. */
      afterOrderDays: z.number().int().min(0).default(14),
      /** At most one survey per customer in this many days. */
      fatigueDays: z.number().int().min(0).default(90),
      /** How long the score links work; a later click within it replaces the score. */
      linkValidDays: z.number().int().min(1).default(30),
    })
    .default({ enabled: true, holdoutShare: 0, sendHour: 10, afterDeliveryDays: 7, afterOrderDays: 14, fatigueDays: 90, linkValidDays: 30 }),
  /**
   * Loyalty (docs/design.md §10): off unless present. Points per order and currency, expiring
   * in batches; tiers by the spend (or points) of the last 365 days.
   */
  loyalty: z
    .object({
      /** Points per unit of each currency (`{ "MYR": 1, "USD": 4 }`), rounded down; an order in a currency not listed earns none. */
      pointsPerUnit: perCurrency(z.number().positive()).default({}),
      /** Each order's points expire this many days after it was placed. */
      pointsExpireDays: z.number().int().min(1).max(3650).default(365),
      /** The local day this many days before points expire, the customer hears of it. */
      expiryWarningDays: z.number().int().min(1).max(90).default(14),
      /** Local hour the loyalty emails go out from. */
      sendHour: hour.default(10),
      /** The share of customers who get no tier and points emails (their points and tiers still count). */
      holdoutShare,
      /** From the lowest to the highest; none: points only. */
      tiers: tiersSchema.default([]),
    })
    .refine((loyalty) => loyalty.pointsExpireDays > loyalty.expiryWarningDays, {
      message: 'must be more than expiryWarningDays, or no warning could go out before points expire',
      path: ['pointsExpireDays'],
    })
    .optional(),
  /** Referral (docs/design.md §10): off unless present. */
  referral: z
    .object({
      /** What the personal code takes off a new customer's first order. */
      percentOff: percent.default(10),
      /** The referrer's reward code, once per referred customer. */
      rewardPercentOff: percent.default(15),
      /** How long each code works after its email. */
      validDays: z.number().int().min(1).max(365).default(30),
      /** Local hour the referral emails go out from. */
      sendHour: hour.default(10),
      holdoutShare,
    })
    .optional(),
  /**
   * Money in the KPIs (README "Retention KPIs"): always per currency; with `baseCurrency`, also
   * converted to it, `rates` giving the value of one unit of each other currency in the base
   * currency (`{ "MYR": 0.21 }` for a EUR base). A figure with a currency without a rate has no converted value.
   */
  kpis: z
    .object({
      baseCurrency: currencyCodeSchema.optional(),
      rates: z.record(currencyCodeSchema, z.number().positive()).default({}),
    })
    .refine((kpis) => kpis.baseCurrency || !Object.keys(kpis.rates).length, { message: 'rates need a baseCurrency to convert to', path: ['baseCurrency'] })
    .default({ rates: {} }),
  /**
   * How long records that are not needed forever are kept (docs/design.md §11), in days:
   * DynamoDB deletes each item that long after it was written (its `ttl`). What suppression
   * and the KPIs need (the suppression list, orders and their history, the day counters) is
   * kept; the profile goes only with erasure.
   */
  records: z
    .object({
      /** What SES reported of each message (delivered, opened, clicked, bounced). */
      messageStatusDays: z.number().int().min(1).default(400),
      /** Each occasion's send key: at least a year, so that an occasion is never sent twice. */
      sendKeyDays: z.number().int().min(366).default(400),
      /** Survey answers (score and comment); the day counters keep the NPS. */
      surveyAnswerDays: z.number().int().min(31).default(730),
      /** The customer's story: events received, emails sent and skipped, SES's reports. */
      storyDays: z.number().int().min(1).default(400),
      /** The consent ledger: each change of consent or preferences. */
      consentDays: z.number().int().min(1).default(2555),
    })
    .default({ messageStatusDays: 400, sendKeyDays: 400, surveyAnswerDays: 730, storyDays: 400, consentDays: 2555 }),
});

export type Config = z.infer<typeof configSchema>;

/** The loyalty programme's emails (docs/design.md §10), on while their block is present (`tier` also needs tiers). */
export const programmeRuns = (config: { loyalty?: Pick<NonNullable<Config['loyalty']>, 'tiers'>; referral?: object }, campaign: 'tier' | 'points' | 'referral') =>
  campaign === 'referral' ? config.referral !== undefined : config.loyalty !== undefined && (campaign === 'points' || config.loyalty.tiers.length > 0);

/** A campaign's switch and holdout: the three of docs/design.md §5 have their own block; the loyalty programme's share theirs. */
export const campaignSettings = (config: Config, campaign: Campaign): { enabled: boolean; holdoutShare: number; sendHour: number } => {
  switch (campaign) {
    case 'tier':
    case 'points':
      return { enabled: programmeRuns(config, campaign), holdoutShare: config.loyalty?.holdoutShare ?? 0, sendHour: config.loyalty?.sendHour ?? 10 };
    case 'referral':
      return { enabled: programmeRuns(config, campaign), holdoutShare: config.referral?.holdoutShare ?? 0, sendHour: config.referral?.sendHour ?? 10 };
    default:
      return config[campaign];
  }
};

export const parseConfig = (input: unknown): Config => {
  const result = configSchema.safeParse(input ?? {});
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`retention.config.json: ${issue.path.join('.') || '(root)'} ${issue.message}`);
  }
  return result.data;
};

export const defaultConfigFile = 'retention.config.json';

/** The shop's configuration file, or the defaults when there is none. */
export const loadConfigFile = (file = defaultConfigFile): Config =>
  parseConfig(existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {});
