/**
 * The data each campaign's templates are rendered with (docs/design.md §5 "templates").
 * Liquid runs with strict variables, so every field here must be present:
 * use "" for an unknown first name rather than leaving it out.
 *
 * These are type aliases rather than interfaces on purpose: a type alias is
 * assignable to `Record<string, unknown>` (the renderer's `data` parameter),
 * an interface is not, because interfaces carry no implicit index signature.
 */

/** Shared by every campaign: the sender, shown in the header and footer. */
export type ShopTemplateData = {
  name: string;
  /** Postal address, one line; required in marketing email footers. */
  address: string;
  siteUrl: string;
};

/** Links every marketing email carries; both https. */
export type LinksTemplateData = {
  shop: string;
  unsubscribe: string;
};

/** templates/birthday/*.mjml */
export type BirthdayTemplateData = {
  shop: ShopTemplateData;
  customer: {
    /** "" when unknown; the templates then use a generic greeting. */
    firstName: string;
  };
  offer: {
    code: string;
    percentOff: number;
    /** Already formatted in the email's locale, e.g. "6 December 2026". */
    expiresOn: string;
  };
  links: LinksTemplateData;
};

/**
 * templates/winback-1/*.mjml: the first winback email, sent when a customer
 * is at risk. A reminder only: it carries no offer, so under strict variables
 * the template cannot refer to one.
 */
export type WinbackReminderTemplateData = {
  shop: ShopTemplateData;
  customer: {
    /** "" when unknown; the templates then use a generic greeting. */
    firstName: string;
  };
  links: LinksTemplateData;
};

/**
 * templates/winback-2/*.mjml (30 days after the reminder, 10 % by default)
 * and templates/winback-3/*.mjml (60 days after, 20 % by default, last chance).
 */
export type WinbackOfferTemplateData = WinbackReminderTemplateData & {
  offer: {
    code: string;
    percentOff: number;
    /** Already formatted in the email's locale, e.g. "6 December 2026". */
    expiresOn: string;
  };
};

/**
 * templates/nps/*.mjml: the NPS survey, sent about one order (docs/design.md §5 "nps").
 * `survey.scores` holds the eleven signed score links, 0 to 10 in order; the
 * templates show each as a link whose text is the score alone.
 */
export type NpsSurveyTemplateData = {
  shop: ShopTemplateData;
  customer: {
    /** "" when unknown; the templates then use a generic greeting. */
    firstName: string;
  };
  links: LinksTemplateData;
  survey: {
    /** The shop's order id, shown as a reference. */
    orderId: string;
    scores: { score: number; url: string }[];
  };
};

/**
 * templates/tier/*.mjml: sent when a customer reaches a higher loyalty tier
 * (docs/design.md §10 "Tiers"; a tier lost is quiet, no email).
 */
export type TierTemplateData = {
  shop: ShopTemplateData;
  customer: {
    /** "" when unknown; the templates then use a generic greeting. */
    firstName: string;
  };
  links: LinksTemplateData;
  loyalty: {
    /** The tier reached, by the name customers see (`loyalty.tiers[].name` of the configuration), e.g. "Gold". */
    tier: string;
    /** Their points balance. */
    balance: number;
  };
};

/**
 * templates/points/*.mjml: the expiry warning, sent `expiryWarningDays` (14)
 * before a batch of the customer's points expires (docs/design.md §10
 * "Expiry warning"). One email per local expiry day, however many batches.
 */
export type PointsExpiringTemplateData = {
  shop: ShopTemplateData;
  customer: {
    /** "" when unknown; the templates then use a generic greeting. */
    firstName: string;
  };
  links: LinksTemplateData;
  loyalty: {
    /** Their points balance, the expiring points included. */
    balance: number;
    /** The points that expire on `expiresOn`. */
    expiring: number;
    /** Already formatted in the email's locale, e.g. "6 December 2026". */
    expiresOn: string;
    /** The tier they hold, as customers see its name; "" when they hold none (the templates then leave the tier out). */
    tier: string;
  };
};

/**
 * templates/referral-1/*.mjml: the referral invitation, with the customer's
 * personal code to give to friends (docs/design.md §10 "Referral"): a friend's
 * first order with it gets `offer.percentOff` % off, and the customer a reward
 * code of `referral.rewardPercentOff` % for each friend who orders.
 */
export type ReferralInviteTemplateData = {
  shop: ShopTemplateData;
  customer: {
    /** "" when unknown; the templates then use a generic greeting. */
    firstName: string;
  };
  links: LinksTemplateData;
  offer: {
    /** The customer's personal referral code, for their friends (in the reward email: their reward code). */
    code: string;
    /** What the code takes off a friend's first order (in the reward email: off the customer's next order). */
    percentOff: number;
    /** The code's last day, already formatted in the email's locale, e.g. "6 December 2026". */
    expiresOn: string;
  };
  referral: {
    /** The customer's reward code, per friend who orders with the code. */
    rewardPercentOff: number;
  };
};

/**
 * templates/referral-2/*.mjml: the referral reward, sent when a friend's first
 * order used the customer's code. Nothing about the friend: their name is never shown.
 */
export type ReferralRewardTemplateData = Omit<ReferralInviteTemplateData, 'referral'>;
