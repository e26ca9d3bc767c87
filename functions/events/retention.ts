/** Events the engine publishes (docs/design.md §4), source `retention`. */
import { z } from 'zod';
import { defineEvent, isoInstant } from './event';

/** The campaigns: the three of docs/design.md §5, and the loyalty programme's emails of §10. */
export const campaignSchema = z.enum(['birthday', 'winback', 'nps', 'tier', 'points', 'referral']);
export type Campaign = z.infer<typeof campaignSchema>;

export const emailSent = defineEvent(
  'retention',
  'Email Sent',
  z.object({
    messageId: z.string(),
    customerId: z.string(),
    campaign: campaignSchema,
    step: z.number().int().optional(),
    locale: z.string(),
    sendKey: z.string(),
    discountCode: z.string().optional(),
    /** The A/B test the email was part of, and its variant. */
    experiment: z.string().optional(),
    variant: z.string().optional(),
  }),
);

export const discountCodeIssued = defineEvent(
  'retention',
  'Discount Code Issued',
  z.object({
    code: z.string(),
    customerId: z.string(),
    campaign: campaignSchema,
    step: z.number().int().optional(),
    percentOff: z.number(),
    expiresAt: isoInstant,
    /** A referral invitation's personal code (docs/design.md §10): the shop lets many customers use it, each once. */
    oncePerCustomer: z.literal(true).optional(),
  }),
);

/** A customer of a campaign's holdout group who would have been sent this email, and was not. */
export const emailHeldOut = defineEvent(
  'retention',
  'Email Held Out',
  z.object({ customerId: z.string(), campaign: campaignSchema, step: z.number().int().optional(), sendKey: z.string() }),
);

/** An order the engine attributes to a campaign email (docs/design.md §5, winback): by its code, or by timing. */
export const campaignConversion = defineEvent(
  'retention',
  'Campaign Conversion',
  z.object({
    campaign: campaignSchema,
    step: z.number().int().optional(),
    orderId: z.string(),
    customerId: z.string(),
    revenue: z.number(),
    currency: z.string(),
    /** `code`: the order redeemed the campaign's code; `window`: it came within the window after an email. */
    via: z.enum(['code', 'window']),
    /** The customer was in the holdout group: the order converts the email they would have had. */
    holdout: z.boolean().optional(),
    experiment: z.string().optional(),
    variant: z.string().optional(),
  }),
);

/**
 * A conversion undone: the order that made it was cancelled or refunded in
 * full (docs/design.md §3). The fields of the `Campaign Conversion` it reverts.
 */
export const campaignConversionReverted = defineEvent('retention', 'Campaign Conversion Reverted', campaignConversion.detail);

/** An event the engine could not accept; routed to the dead-letter queue. */
export const eventRejected = defineEvent(
  'retention',
  'Event Rejected',
  z.object({ reason: z.string(), event: z.unknown() }),
);

const npsResponse = z.object({
  customerId: z.string(),
  /** The survey: the order it asked about. */
  surveyId: z.string(),
  orderId: z.string(),
  score: z.number().int().min(0).max(10),
  comment: z.string().optional(),
});

/** A score clicked (or changed) in an NPS survey. */
export const npsResponseRecorded = defineEvent(
  'retention',
  'Nps Response Recorded',
  npsResponse.extend({ previousScore: z.number().int().optional() }),
);
/** A detractor (0–6): for customer service to follow up. */
export const npsDetractor = defineEvent('retention', 'Nps Detractor', npsResponse);
/** A promoter (9–10): for a review request or a referral. */
export const npsPromoter = defineEvent('retention', 'Nps Promoter', npsResponse);
/** A comment left on the thank-you page, with the response's score. */
export const npsCommentAdded = defineEvent('retention', 'Nps Comment Added', npsResponse.extend({ comment: z.string() }));

/**
 * A customer unsubscribed (docs/design.md §5, all campaigns): from everything (their
 * address is now suppressed), or from the listed campaigns on the preference page.
 */
export const customerUnsubscribed = defineEvent(
  'retention',
  'Customer Unsubscribed',
  z.object({
    customerId: z.string(),
    campaigns: z.union([z.literal('all'), z.array(campaignSchema).min(1)]),
    /** The header's https URL (RFC 8058), the page's preference form, or the header's mailto. */
    via: z.enum(['one-click', 'page', 'mailto']),
  }),
);

/** A customer who had unsubscribed from everything subscribed again, from the unsubscribe page. */
export const customerResubscribed = defineEvent('retention', 'Customer Resubscribed', z.object({ customerId: z.string(), via: z.literal('page') }));

/**
 * A version of the templates and campaign settings was published from the
 * studio (docs/design.md §9): the sending functions use it from their next
 * sweep. `rollbackOf`: it republished that earlier version.
 */
export const contentPublished = defineEvent(
  'retention',
  'Content Published',
  z.object({
    version: z.number().int().positive(),
    /** The studio user who published (staff, never a customer). */
    by: z.string(),
    /** The files that differ from the version before, e.g. `birthday/ms.mjml`, `settings.json`. */
    changed: z.array(z.string()),
    /** 0: the defaults the deployment ships. */
    rollbackOf: z.number().int().min(0).optional(),
  }),
);

/** Loyalty (docs/design.md §10): the points an order earned, and the balance after it. */
export const pointsEarned = defineEvent(
  'retention',
  'Points Earned',
  z.object({ customerId: z.string(), orderId: z.string(), points: z.number().int().positive(), balance: z.number().int() }),
);

/** Loyalty (docs/design.md §10): the customer's tier changed, up (`reached`: they hear of it) or down (`lost`: quiet). */
export const tierChanged = defineEvent(
  'retention',
  'Tier Changed',
  z.object({ customerId: z.string(), from: z.string().nullable(), to: z.string().nullable(), direction: z.enum(['reached', 'lost']) }),
);

/** Loyalty (docs/design.md §10): points spent on an order (its `pointsRedeemed`), and the balance after it. */
export const pointsRedeemed = defineEvent(
  'retention',
  'Points Redeemed',
  z.object({ customerId: z.string(), orderId: z.string(), points: z.number().int().positive(), balance: z.number().int() }),
);

/** Loyalty (docs/design.md §10): an order's points, or what was left of them, expired unspent. */
export const pointsExpired = defineEvent(
  'retention',
  'Points Expired',
  z.object({ customerId: z.string(), orderId: z.string(), points: z.number().int().positive(), expiredAt: isoInstant, balance: z.number().int() }),
);

/**
 * Referral (docs/design.md §10): a new customer's first order used a customer's personal code;
 * the referrer is owed a reward (its email carries the code). Once per referred customer.
 */
export const referralConverted = defineEvent(
  'retention',
  'Referral Converted',
  z.object({
    referrerId: z.string(),
    customerId: z.string(),
    orderId: z.string(),
    code: z.string(),
    revenue: z.number(),
    currency: z.string(),
  }),
);
