/**
 * Delivering one campaign email, the same for every campaign (docs/design.md §2, §5,
 * §8): suppression checked at send time; the occasion's send key claimed with
 * a lease before SES is called; the customer's one email of the local day
 * claimed (else the send is deferred, not dropped); the discount code issued,
 * the template rendered here, then sent; SES's message id and the events that
 * follow written together (the outbox), then published.
 *
 * Exactly once in outcome: every step is safe to repeat, and a repeat decides
 * from what is stored. A message SES accepted is never sent again once its id
 * is known, from SES's answer or from SES's own `Email Sent` event (the send
 * key travels as a message tag). The one window left: SES accepted, its answer
 * was lost, and its event was not recorded within `reconcileMinutes`.
 * Expected failures are values; only bugs throw.
 */
import { shopLink } from './shop-link';
import { DateTime } from 'luxon';
import { campaignSettings, type Config } from '../config';
import { outgoing, stableEventId, type OutgoingEvent } from '../events/event';
import { discountCodeIssued, emailHeldOut, emailSent, type Campaign } from '../events/retention';
import { isMailable, type CustomerProfile } from '../customers/profile';
import { notMailableBecause, suppressionWhy } from '../customers/story';
import type { Keyring } from '../links/signed-token';
import { unsubscribeLinks } from '../links/unsubscribe';
import { discountCodeFor } from './discount-code';
import { assignVariant, type Assignment } from './experiments';
import { isHeldOut } from './holdout';
import { inSendWindow, localDate, nextLocalDayAt } from './local-time';
import type { Attempt, DiscountCodes, EventPublisher, Mailer, SendLedger, Suppressions, Templates } from './ports';

export interface DeliveryPorts {
  config: Config;
  keyring: Keyring;
  ledger: SendLedger;
  suppressions: Suppressions;
  codes: DiscountCodes;
  templates: Templates;
  mailer: Mailer;
  events: EventPublisher;
}

export interface Send {
  campaign: Campaign;
  step?: number;
  /** The template set under templates/; the campaign's name by default. */
  template?: string;
  /** Deterministic: campaign, customer and occasion. */
  sendKey: string;
  customer: CustomerProfile;
  timeZone: string;
  /** Business time, from the event being handled (the sweep that queued the job). */
  at: Date;
  /** Local hour a deferred send moves to on the next day. */
  sendHour: number;
  offer?: { percentOff: number; validDays: number; oncePerCustomer?: true };
  /** Campaign-specific template data (given the email's locale, for dates); shop, customer, offer and links are added here. */
  data?: Record<string, unknown> | ((locale: string) => Record<string, unknown>);
}

export type DeliveryOutcome =
  /** `again`: an earlier attempt sent it (this one finished what it left). */
  | { outcome: 'sent'; messageId: string; step?: number; discountCode?: string; assignment?: Assignment; again?: boolean; subject?: string }
  /** In the campaign's holdout group: recorded as would-have-sent, not emailed. */
  | { outcome: 'heldOut' }
  /** `why`: no consent, opted out, no address, or the address's suppression (docs/design.md §11, explain). */
  | { outcome: 'suppressed'; why?: string }
  /** Outside the customer's local send window (the sweep that should have sent it ran late): never mailed then. */
  | { outcome: 'missed' }
  /** `takenBy`: the send key of the email that has the day. */
  | { outcome: 'deferred'; until: Date; takenBy?: string }
  | { outcome: 'failed'; retryable: boolean; reason: string };

const maxCodeAttempts = 5;

/** Never settles the occasion: only the job that holds the send may. */
const heldByAnother: DeliveryOutcome = { outcome: 'failed', retryable: true, reason: 'another job holds the send' };

/**
 * How long an attempt that reached SES without an answer waits for SES's own
 * `Email Sent` event before it takes the email as never sent. SES publishes
 * within seconds; the job comes back after its visibility timeout anyway.
 */
export const reconcileMinutes = 15;

/** A failure of SES that says the message was not accepted (throttled, refused, invalid): safe to send again. */
export class NotSent extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'NotSent';
  }
}

export const deliver = async (send: Send, ports: DeliveryPorts, attempt: Attempt): Promise<DeliveryOutcome> => {
  const { customer, sendKey, at } = send;
  if (!inSendWindow(at, send.timeZone, ports.config.sendWindow)) return { outcome: 'missed' };

  // The ledger first: an earlier attempt may have sent it (and its own bounce suppressed the address since).
  const claim = await ports.ledger.claim(sendKey, customer.customerId, attempt);
  switch (claim.state) {
    case 'busy':
      // Another job holds it: this one comes back later, when that one has settled it (or died, and its lease expired).
      return heldByAnother;
    case 'heldOut':
      if (!claim.published) await publishOutbox(sendKey, heldOutEvents(send), ports);
      return { outcome: 'heldOut' };
    case 'sent': {
      // An earlier attempt sent it: finish what it left (the outbox), never send again.
      const facts = emailFacts(send, ports);
      const offer = send.offer && (await issueCode(send, ports, facts.assignment));
      if (!claim.published) {
        const events = sentEvents(send, facts, claim.messageId, offer);
        await ports.ledger.recordSent(sendKey, claim.messageId, events);
        await publishOutbox(sendKey, events, ports);
      }
      return { outcome: 'sent', messageId: claim.messageId, step: send.step, discountCode: offer?.code, assignment: facts.assignment, again: true };
    }
    case 'claimed':
      if (claim.sendingAt && attempt.now.getTime() - Date.parse(claim.sendingAt) < reconcileMinutes * 60_000) {
        return { outcome: 'failed', retryable: true, reason: `an earlier attempt reached SES without an answer; waiting up to ${reconcileMinutes} minutes for SES's event` };
      }
  }

  // Consent and the customer's own opt-outs, then the address's suppression, read at send time.
  const notMailable = notMailableBecause(customer, send.campaign);
  const suppression = notMailable ? undefined : await ports.suppressions.reasonFor(customer.email);
  if (notMailable || suppression) {
    await ports.ledger.release(sendKey, attempt);
    return { outcome: 'suppressed', why: notMailable ?? suppressionWhy(suppression!) };
  }

  if (isHeldOut(send.campaign, customer.customerId, campaignSettings(ports.config, send.campaign).holdoutShare)) {
    // The occasion is settled as if sent (once per occasion), without an email or the day's slot.
    const events = heldOutEvents(send);
    await ports.ledger.recordHeldOut(sendKey, attempt, events);
    await publishOutbox(sendKey, events, ports);
    return { outcome: 'heldOut' };
  }

  const day = localDate(at, send.timeZone);
  const birthdayWins = send.campaign !== 'birthday' && birthdayPendingOn(customer, day, send.timeZone);
  if (birthdayWins || !(await ports.ledger.claimDay(customer.customerId, day, sendKey))) {
    await ports.ledger.release(sendKey, attempt);
    const takenBy = birthdayWins ? `birthday#${customer.customerId}#${customer.birthdayOccasion}` : await ports.ledger.dayHolder(customer.customerId, day);
    return { outcome: 'deferred', until: nextLocalDayAt(at, send.timeZone, send.sendHour), ...(takenBy && { takenBy }) };
  }

  const sent = emailFacts(send, ports);
  const offer = send.offer && (await issueCode(send, ports, sent.assignment));
  const links = unsubscribeLinks(ports.keyring, ports.config.shop, customer.customerId, send.campaign, at);
  const email = await ports.templates.render(sent.template, sent.locale, {
    ...(typeof send.data === 'function' ? send.data(sent.locale) : send.data),
    // Every link to the shop names the email (UTM); the call to action also applies the code where the shop can.
    shop: { name: ports.config.shop.name, address: ports.config.shop.address, siteUrl: shopLink(ports.config.shop, sent.template) },
    customer: { firstName: customer.firstName ?? '' },
    ...(offer && {
      offer: { code: offer.code, percentOff: offer.percentOff, expiresOn: formatDate(offer.expiresAt, sent.locale, send.timeZone) },
    }),
    links: { shop: shopLink(ports.config.shop, sent.template, offer?.code), unsubscribe: links.url },
  }, sent.assignment?.variant);

  if (!(await ports.ledger.markSending(sendKey, attempt))) return heldByAnother;
  let messageId: string;
  try {
    ({ messageId } = await ports.mailer.send({
      to: customer.email,
      subject: email.subject,
      html: email.html,
      text: email.text,
      headers: links.headers,
      tags: {
        campaign: send.campaign,
        // Customer ids, never addresses: SES events name the customer they concern by it.
        customerId: customer.customerId,
        // How a message SES accepted, whose answer was lost, finds its ledger entry again.
        sendKey: sendKeyTag(sendKey),
        ...(send.step !== undefined && { step: String(send.step) }),
        ...(sent.assignment && { experiment: sent.assignment.experiment, variant: sent.assignment.variant }),
      },
    }));
  } catch (error) {
    if (error instanceof NotSent) {
      // Certainly not sent: free the occasion for the next attempt at once.
      await ports.ledger.release(sendKey, attempt);
      return { outcome: 'failed', retryable: error.retryable, reason: error.message };
    }
    // Unknown: SES may have accepted it. The lease stays; SES's event will tell (reconcileMinutes).
    return { outcome: 'failed', retryable: true, reason: `SES did not answer (${error instanceof Error ? error.name : 'error'})` };
  }
  const events = sentEvents(send, sent, messageId, offer);
  await ports.ledger.recordSent(sendKey, messageId, events);
  await publishOutbox(sendKey, events, ports);
  return { outcome: 'sent', messageId, step: send.step, discountCode: offer?.code, assignment: sent.assignment, subject: email.subject };
};

/** What the email is, derived from the send alone: any attempt finds the same. */
const emailFacts = (send: Send, ports: Pick<DeliveryPorts, 'templates'>) => {
  const template = send.template ?? send.campaign;
  const experiment = ports.templates.experimentFor(template);
  return { template, assignment: experiment && assignVariant(experiment, send.customer.customerId), locale: ports.templates.localeFor(template, send.customer.locale) };
};

/** The events that follow a send, with ids derived from its send key: any attempt builds the same ones. */
const sentEvents = (send: Send, facts: ReturnType<typeof emailFacts>, messageId: string, offer?: IssuedOffer): OutgoingEvent[] => {
  const time = send.at.toISOString();
  const { customerId } = send.customer;
  return [
    outgoing(
      emailSent,
      time,
      { messageId, customerId, campaign: send.campaign, step: send.step, locale: facts.locale, sendKey: send.sendKey, discountCode: offer?.code, ...facts.assignment },
      stableEventId(emailSent.detailType, send.sendKey),
    ),
    ...(offer ? [outgoing(discountCodeIssued, time, { ...offer, campaign: send.campaign }, stableEventId(discountCodeIssued.detailType, send.sendKey))] : []),
  ];
};

const heldOutEvents = (send: Send) => [
  outgoing(
    emailHeldOut,
    send.at.toISOString(),
    { customerId: send.customer.customerId, campaign: send.campaign, step: send.step, sendKey: send.sendKey },
    stableEventId(emailHeldOut.detailType, send.sendKey),
  ),
];

/** SES tag values allow letters, digits, `_`, `-` and `.`: the send key travels base64url-encoded. */
export const sendKeyTag = (sendKey: string) => Buffer.from(sendKey, 'utf8').toString('base64url');
export const sendKeyFromTag = (tag: string) => Buffer.from(tag, 'base64url').toString('utf8');

/** Publishes the events written with a state change, then clears them; what a crash leaves, the outbox relay republishes. */
export const publishOutbox = async (sendKey: string, events: OutgoingEvent[], ports: Pick<DeliveryPorts, 'events' | 'ledger'>) => {
  await ports.events.publish(events);
  await ports.ledger.published(sendKey);
};

/**
 * The birthday wins its day (docs/design.md §5): on the customer's local birthday,
 * while its email is pending, another campaign's email moves to the next day,
 * whatever order the sends are processed in.
 */
const birthdayPendingOn = (customer: CustomerProfile, day: string, timeZone: string) =>
  customer.birthdayDueAt !== undefined && isMailable(customer, 'birthday') && localDate(new Date(customer.birthdayDueAt), timeZone) === day;

type IssuedOffer = Awaited<ReturnType<typeof issueCode>>;

const issueCode = async (send: Send, ports: DeliveryPorts, assignment: Assignment | undefined) => {
  const secret = ports.keyring.keys[ports.keyring.current]!;
  const expiresAt = new Date(send.at.getTime() + send.offer!.validDays * 86_400_000).toISOString();
  for (let attempt = 0; attempt < maxCodeAttempts; attempt++) {
    const code = discountCodeFor(secret, send.sendKey, attempt);
    const issued = {
      code,
      customerId: send.customer.customerId,
      campaign: send.campaign,
      step: send.step,
      ...assignment,
      percentOff: send.offer!.percentOff,
      expiresAt,
      sendKey: send.sendKey,
      ...(send.offer!.oncePerCustomer && { oncePerCustomer: true as const }),
    };
    if (await ports.codes.issue(issued)) {
      return { code, percentOff: issued.percentOff, expiresAt, customerId: issued.customerId, step: send.step, ...(issued.oncePerCustomer && { oncePerCustomer: true as const }) };
    }
  }
  throw new Error(`no free discount code after ${maxCodeAttempts} attempts`);
};

/** The expiry as the customer reads dates: their language, their time zone. */
export const formatDate = (iso: string, locale: string, timeZone: string) =>
  DateTime.fromISO(iso, { zone: timeZone }).setLocale(locale).toLocaleString(DateTime.DATE_FULL);
