/**
 * Events a shop publishes (docs/design.md §3), source `shop`. Every field is bounded by
 * what it means in the real world, so nothing a shop (or a stranger) sends can
 * grow an item past DynamoDB's limits, a number past what the KPIs can add up,
 * or an address past what SMTP can deliver; each refusal names its field.
 */
import { z } from 'zod';
import { timeZoneSchema } from '../config';
import { defineEvent, isoInstant } from './event';

/** Control characters (NUL, CR, LF, ...) have no place in a one-line value: they break logs, keys and mail headers. */
const controlCharacter = /\p{Cc}/u;
const oneLine = (max: number) =>
  z
    .string()
    .max(max, { abort: true, message: `must be at most ${max} characters` })
    .refine((value) => !controlCharacter.test(value), { message: 'must not contain control characters' });

/** The shop's own keys (a UUID is 36 characters, an order number far fewer): not blank, at most 128. */
const id = oneLine(128).refine((value) => value.trim().length > 0, { message: 'must not be blank' });

/** Instants in 1970–9999: a real order's time, written as four-digit UTC years everywhere downstream. */
const instant = isoInstant.refine(
  (value) => {
    const time = Date.parse(value);
    return time >= 0 && time < Date.UTC(10_000, 0, 1);
  },
  { message: 'must be between 1970 and 9999' },
);

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (month: number, year?: number) =>
  month === 2 ? (year === undefined || isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * `YYYY-MM-DD` or `--MM-DD` (no year); the day must exist (29 February only in a leap year).
 * Any year is kept: shops write placeholders such as 0000 or 1604 for "year unknown",
 * and refusing them would refuse the customer.
 */
export const birthdaySchema = z.string().refine(
  (value) => {
    const match = /^(?:(\d{4})|-)-(\d{2})-(\d{2})$/.exec(value);
    if (!match) return false;
    const year = match[1] === undefined ? undefined : Number(match[1]);
    const month = Number(match[2]);
    const day = Number(match[3]);
    return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(month, year);
  },
  { message: 'must be a real date as YYYY-MM-DD or --MM-DD' },
);

/**
 * RFC 5321 §4.5.3.1: a local part of at most 64 octets, a domain of at most 255
 * with labels of at most 63 (RFC 1035), and a path of at most 256 octets, so an
 * address of at most 254. SES refuses anything longer; the syntax is zod's.
 */
const localPart = (address: string) => address.slice(0, Math.max(address.lastIndexOf('@'), 0));
const domainOf = (address: string) => (address.includes('@') ? address.slice(address.lastIndexOf('@') + 1) : '');

export const emailSchema = z
  .string()
  // First, so the address pattern never runs over a huge string.
  .max(254, { abort: true, message: 'must be at most 254 characters (RFC 5321)' })
  .pipe(
    z
      .email()
      .refine((address) => Buffer.byteLength(localPart(address), 'utf8') <= 64, {
        message: 'must have a local part of at most 64 characters (RFC 5321)',
      })
      .refine((address) => domainOf(address).split('.').every((label) => label.length <= 63), {
        message: 'must have domain labels of at most 63 characters (RFC 1035)',
      }),
  );

const isCanonicalizable = (tag: string) => {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
};

/**
 * A BCP 47 language tag that `Intl` (and so every formatter the templates use)
 * accepts; RFC 5646 §4.4.1 sizes tags at 35 characters, private use and
 * extensions aside.
 */
export const localeSchema = z
  .string()
  .max(35, { abort: true, message: 'must be at most 35 characters (RFC 5646)' })
  .refine(isCanonicalizable, { message: 'must be a BCP 47 language tag such as en or ms-MY' });

export const customerUpserted = defineEvent(
  'shop',
  'Customer Upserted',
  z.object({
    customerId: id,
    email: emailSchema,
    /** A name is one line of text in any script; 100 characters holds the longest in real use. */
    firstName: oneLine(100).optional(),
    lastName: oneLine(100).optional(),
    locale: localeSchema.optional(),
    timeZone: timeZoneSchema.optional(),
    birthday: birthdaySchema.optional(),
    /** Absent: unchanged (none for a new customer), as when a platform sends consent on its own (`Customer Consent Changed`). */
    marketingConsent: z.boolean().optional(),
    /** A key of `birthday.percentOffByTier`: a short label. */
    tier: oneLine(50).optional(),
  }),
);

/**
 * An order's total in its currency's units. 10^12 holds the largest real order
 * even in the currencies with the smallest units (a million Iranian rials is
 * about a dollar) while its cents (10^14) and any customer's sum of them stay
 * exact integers in a double, as DynamoDB's document client requires. Any
 * number of decimals: a shop's floating-point sum (0.30000000000000004) is
 * still a real total; the KPIs round to the cent.
 */
export const maxOrderTotal = 1e12;

/** An amount of money in the order's currency, bounded as an order's total is. */
const amount = z
  .number()
  .nonnegative({ message: 'must not be negative' })
  .max(maxOrderTotal, { message: `must be at most ${maxOrderTotal} (in the currency's units)` });

export const orderPlaced = defineEvent(
  'shop',
  'Order Placed',
  z.object({
    orderId: id,
    customerId: id,
    placedAt: instant,
    total: amount,
    currency: z.string().regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as EUR' }),
    /**
     * The code the customer typed: ours are 10 letters and digits, a shop's own
     * may be any printable text (refusing an odd one would refuse the order).
     */
    discountCode: oneLine(64)
      .refine((code) => code.trim().length > 0, { message: 'must not be blank' })
      .optional(),
    /** Loyalty points the customer spent on the order at the shop's checkout (docs/design.md §10). */
    pointsRedeemed: z.number({ message: 'must be a whole number of points' }).int({ message: 'must be a whole number of points' }).min(0).max(1_000_000_000).optional(),
  }),
);

export const orderDelivered = defineEvent(
  'shop',
  'Order Delivered',
  // `customerId` may be left out (Shopify's fulfillment payloads have none): the engine finds the order's customer.
  z.object({ orderId: id, customerId: id.optional(), deliveredAt: instant }),
);

/**
 * An order cancelled, or refunded in full: it no longer counts anywhere it
 * counted (docs/design.md §3). `refunded`, what the shop paid back, is kept for the record.
 */
export const orderCancelled = defineEvent(
  'shop',
  'Order Cancelled',
  z.object({ orderId: id, customerId: id, cancelledAt: instant, refunded: amount.optional() }),
);

/**
 * A refund of part of an order (`refundId`: the shop's id of that refund, so
 * the same refund counts once): the order's revenue is lowered by it; refunds
 * that reach its total make it count no more, as a cancellation does.
 * `customerId` may be left out (Shopify's refund payloads have none): the
 * engine finds the order's customer itself.
 */
export const orderRefunded = defineEvent(
  'shop',
  'Order Refunded',
  z.object({ orderId: id, customerId: id.optional(), refundId: id, refundedAt: instant, amount }),
);

/**
 * Email marketing consent given or withdrawn, on its own (Shopify sends it
 * apart from the customer since API 2025-01): the latest `changedAt` wins,
 * whatever else changed in the profile meanwhile.
 */
export const customerConsentChanged = defineEvent(
  'shop',
  'Customer Consent Changed',
  z.object({ customerId: id, email: emailSchema.optional(), marketingConsent: z.boolean(), changedAt: instant }),
);

export const customerDeleted = defineEvent('shop', 'Customer Deleted', z.object({ customerId: id }));

export const shopEvents = [customerUpserted, customerConsentChanged, orderPlaced, orderDelivered, orderCancelled, orderRefunded, customerDeleted] as const;

export type CustomerUpserted = z.infer<typeof customerUpserted.detail>;
export type OrderPlaced = z.infer<typeof orderPlaced.detail>;
export type OrderDelivered = z.infer<typeof orderDelivered.detail>;
export type OrderCancelled = z.infer<typeof orderCancelled.detail>;
export type OrderRefunded = z.infer<typeof orderRefunded.detail>;
