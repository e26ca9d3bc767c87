/** Events the engine publishes (DESIGN §4), source `retention`. */
import { z } from 'zod';
import { defineEvent, isoInstant } from './event';

export const campaignSchema = z.enum(['birthday', 'winback', 'nps']);
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
  }),
);

export const discountCodeIssued = defineEvent(
  'retention',
  'Discount Code Issued',
  z.object({
    code: z.string(),
    customerId: z.string(),
    campaign: campaignSchema,
    percentOff: z.number(),
    expiresAt: isoInstant,
  }),
);

/** An event the engine could not accept; routed to the dead-letter queue. */
export const eventRejected = defineEvent(
  'retention',
  'Event Rejected',
  z.object({ reason: z.string(), event: z.unknown() }),
);
