/**
 * What SES publishes to EventBridge (source `aws.ses`, the account's default
 * bus) for a message sent through a configuration set with an EventBridge
 * destination, as far as the engine reads it. The detail is SES's event record:
 * `eventType`, the `mail` it is about, and one object named after the event.
 * Fields the engine does not read are left out of the schemas (and stripped).
 * The local SES (local/ses.ts) produces these same events.
 */
import { z } from 'zod';
import { defineEvent, isoInstant } from './event';

/** The message an event is about: SES's id, its recipients, and its tags (each name with a list of values). */
export const sesMail = z.object({
  timestamp: isoInstant,
  messageId: z.string().min(1),
  destination: z.array(z.string()),
  /** The sender's tags and SES's own (`ses:configuration-set`, `ses:from-domain`, ...). */
  tags: z.record(z.string(), z.array(z.string())).default({}),
});
export type SesMail = z.infer<typeof sesMail>;

/** An address SES names in a bounce or complaint. Not validated as an address: SES's word is taken as it is. */
const recipient = z.object({ emailAddress: z.string().min(1) });

/** SES accepted the message (the `Send` event): how a send whose answer was lost learns its message id. */
export const emailAccepted = defineEvent(
  'aws.ses',
  'Email Sent',
  z.object({ eventType: z.literal('Send'), mail: sesMail }),
);

export const emailDelivered = defineEvent(
  'aws.ses',
  'Email Delivered',
  z.object({
    eventType: z.literal('Delivery'),
    mail: sesMail,
    delivery: z.object({ timestamp: isoInstant, recipients: z.array(z.string()) }),
  }),
);

export const emailBounced = defineEvent(
  'aws.ses',
  'Email Bounced',
  z.object({
    eventType: z.literal('Bounce'),
    mail: sesMail,
    bounce: z.object({
      /** `Permanent`: the address will not accept mail (a hard bounce); `Transient`: SES gave up retrying for now. */
      bounceType: z.enum(['Permanent', 'Transient', 'Undetermined']),
      bounceSubType: z.string(),
      bouncedRecipients: z.array(recipient),
      timestamp: isoInstant,
    }),
  }),
);

export const emailComplaintReceived = defineEvent(
  'aws.ses',
  'Email Complaint Received',
  z.object({
    eventType: z.literal('Complaint'),
    mail: sesMail,
    complaint: z.object({
      complainedRecipients: z.array(recipient),
      timestamp: isoInstant,
      /** The feedback report's `Feedback-Type` (`abuse`, ...), when the mailbox provider sent one. */
      complaintFeedbackType: z.string().optional(),
    }),
  }),
);

export const emailOpened = defineEvent(
  'aws.ses',
  'Email Opened',
  z.object({ eventType: z.literal('Open'), mail: sesMail, open: z.object({ timestamp: isoInstant }) }),
);

export const emailClicked = defineEvent(
  'aws.ses',
  'Email Clicked',
  z.object({ eventType: z.literal('Click'), mail: sesMail, click: z.object({ timestamp: isoInstant }) }),
);

/** Every SES event the engine consumes. */
export const sesEvents = [emailAccepted, emailDelivered, emailBounced, emailComplaintReceived, emailOpened, emailClicked] as const;

/** What SES reports of a message after accepting it: what is recorded per message. */
const statusEvents = [emailDelivered.envelope, emailBounced.envelope, emailComplaintReceived.envelope, emailOpened.envelope, emailClicked.envelope] as const;
export const sesStatusEventSchema = z.discriminatedUnion('detail-type', [...statusEvents]);
export type SesStatusEvent = z.infer<typeof sesStatusEventSchema>;

/** A delivered SES event, whichever of them it is. */
export const sesEventSchema = z.discriminatedUnion('detail-type', [emailAccepted.envelope, ...statusEvents]);
export type SesEvent = z.infer<typeof sesEventSchema>;
