/** Events a shop publishes (DESIGN §3), source `shop`. */
import { z } from 'zod';
import { timeZoneSchema } from '../config';
import { defineEvent, isoInstant } from './event';

const id = z.string().min(1).max(128);
const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
const daysInMonth = (month: number, year?: number) =>
  month === 2 ? (year === undefined || isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/** `YYYY-MM-DD` or `--MM-DD` (no year); the day must exist (29 February only in a leap year). */
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

export const localeSchema = z
  .string()
  .regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, { message: 'must be a BCP 47 language tag such as en or ms-MY' });

export const customerUpserted = defineEvent(
  'shop',
  'Customer Upserted',
  z.object({
    customerId: id,
    email: z.email(),
    firstName: z.string().max(100).optional(),
    lastName: z.string().max(100).optional(),
    locale: localeSchema.optional(),
    timeZone: timeZoneSchema.optional(),
    birthday: birthdaySchema.optional(),
    marketingConsent: z.boolean(),
    tier: z.string().max(50).optional(),
  }),
);

export const orderPlaced = defineEvent(
  'shop',
  'Order Placed',
  z.object({
    orderId: id,
    customerId: id,
    placedAt: isoInstant,
    total: z.number().nonnegative(),
    currency: z.string().regex(/^[A-Z]{3}$/, { message: 'must be an ISO 4217 code such as EUR' }),
    discountCode: z.string().min(1).max(64).optional(),
  }),
);

export const orderDelivered = defineEvent(
  'shop',
  'Order Delivered',
  z.object({ orderId: id, customerId: id, deliveredAt: isoInstant }),
);

export const customerDeleted = defineEvent('shop', 'Customer Deleted', z.object({ customerId: id }));

export const shopEvents = [customerUpserted, orderPlaced, orderDelivered, customerDeleted] as const;

export type CustomerUpserted = z.infer<typeof customerUpserted.detail>;
export type OrderPlaced = z.infer<typeof orderPlaced.detail>;
export type OrderDelivered = z.infer<typeof orderDelivered.detail>;
