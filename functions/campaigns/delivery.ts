/**
 * Delivering one campaign email, the same for every campaign (DESIGN §2, §5):
 * suppression check at send time, the occasion's send key claimed before SES
 * is called, the customer's one email of the local day claimed (else the send
 * is deferred, not dropped), the discount code issued, the template rendered
 * here, then sent. Expected failures are values; only bugs throw.
 */
import { DateTime } from 'luxon';
import type { Config } from '../config';
import { outgoing } from '../events/event';
import { discountCodeIssued, emailHeldOut, emailSent, type Campaign } from '../events/retention';
import { isMailable, type CustomerProfile } from '../customers/profile';
import type { Keyring } from '../links/signed-token';
import { unsubscribeLinks } from '../links/unsubscribe';
import { discountCodeFor } from './discount-code';
import { assignVariant, type Assignment } from './experiments';
import { isHeldOut } from './holdout';
import { inSendWindow, localDate, nextLocalDayAt } from './local-time';
import type { DiscountCodes, EventPublisher, Mailer, SendLedger, Suppressions, Templates } from './ports';

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
  /** Business time, from the event being handled. */
  at: Date;
  /** Local hour a deferred send moves to on the next day. */
  sendHour: number;
  offer?: { percentOff: number; validDays: number };
  /** Campaign-specific template data; shop, customer, offer and links are added here. */
  data?: Record<string, unknown>;
}

export type DeliveryOutcome =
  | { outcome: 'sent'; messageId: string; step?: number; discountCode?: string; assignment?: Assignment }
  | { outcome: 'duplicate' }
  /** In the campaign's holdout group: recorded as would-have-sent, not emailed. */
  | { outcome: 'heldOut' }
  | { outcome: 'suppressed' }
  /** Outside the customer's local send window (the sweep that should have sent it ran late): never mailed then. */
  | { outcome: 'missed' }
  | { outcome: 'deferred'; until: Date }
  | { outcome: 'failed'; retryable: boolean; reason: string };

const maxCodeAttempts = 5;

export const deliver = async (send: Send, ports: DeliveryPorts): Promise<DeliveryOutcome> => {
  const { customer, sendKey, at } = send;
  if (!inSendWindow(at, send.timeZone, ports.config.sendWindow)) return { outcome: 'missed' };
  // Consent and the customer's own opt-outs, then the address's suppression, read at send time.
  if (!isMailable(customer, send.campaign) || (await ports.suppressions.isSuppressed(customer.email))) return { outcome: 'suppressed' };
  if (!(await ports.ledger.claimSend(sendKey, customer.customerId, at))) return { outcome: 'duplicate' };

  if (isHeldOut(send.campaign, customer.customerId, ports.config[send.campaign].holdoutShare)) {
    // The occasion is settled as if sent (once per occasion), without an email or the day's slot.
    await ports.ledger.markSent(sendKey, 'held-out');
    await ports.events.publish([
      outgoing(emailHeldOut, at.toISOString(), { customerId: customer.customerId, campaign: send.campaign, step: send.step, sendKey }),
    ]);
    return { outcome: 'heldOut' };
  }

  const day = localDate(at, send.timeZone);
  if (!(await ports.ledger.claimDay(customer.customerId, day, sendKey))) {
    await ports.ledger.releaseSend(sendKey);
    return { outcome: 'deferred', until: nextLocalDayAt(at, send.timeZone, send.sendHour) };
  }

  try {
    const template = send.template ?? send.campaign;
    const experiment = ports.templates.experimentFor(template);
    const assignment = experiment && assignVariant(experiment, customer.customerId);
    const offer = send.offer && (await issueCode(send, ports, assignment));
    const links = unsubscribeLinks(ports.keyring, ports.config.shop, customer.customerId, send.campaign, at);
    const locale = ports.templates.localeFor(template, customer.locale);
    const email = await ports.templates.render(template, locale, {
      ...send.data,
      shop: { name: ports.config.shop.name, address: ports.config.shop.address, siteUrl: ports.config.shop.siteUrl },
      customer: { firstName: customer.firstName ?? '' },
      ...(offer && {
        offer: { code: offer.code, percentOff: offer.percentOff, expiresOn: formatDate(offer.expiresAt, locale, send.timeZone) },
      }),
      links: { shop: ports.config.shop.siteUrl, unsubscribe: links.url },
    }, assignment?.variant);
    const { messageId } = await ports.mailer.send({
      to: customer.email,
      subject: email.subject,
      html: email.html,
      text: email.text,
      headers: links.headers,
      tags: {
        campaign: send.campaign,
        // Customer ids, never addresses: SES events name the customer they concern by it.
        customerId: customer.customerId,
        ...(send.step !== undefined && { step: String(send.step) }),
        ...(assignment && { experiment: assignment.experiment, variant: assignment.variant }),
      },
    });
    await ports.ledger.markSent(sendKey, messageId);
    const time = at.toISOString();
    await ports.events.publish([
      outgoing(emailSent, time, {
        messageId,
        customerId: customer.customerId,
        campaign: send.campaign,
        step: send.step,
        locale,
        sendKey,
        discountCode: offer?.code,
        ...assignment,
      }),
      ...(offer ? [outgoing(discountCodeIssued, time, { ...offer, campaign: send.campaign })] : []),
    ]);
    return { outcome: 'sent', messageId, step: send.step, discountCode: offer?.code, assignment };
  } catch (error) {
    // Nothing went out: free the occasion and the day so a retry can send it.
    await ports.ledger.releaseDay(customer.customerId, day, sendKey);
    await ports.ledger.releaseSend(sendKey);
    return { outcome: 'failed', retryable: true, reason: error instanceof Error ? error.message : String(error) };
  }
};

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
    };
    if (await ports.codes.issue(issued)) return { code, percentOff: issued.percentOff, expiresAt, customerId: issued.customerId, step: send.step };
  }
  throw new Error(`no free discount code after ${maxCodeAttempts} attempts`);
};

/** The expiry as the customer reads dates: their language, their time zone. */
const formatDate = (iso: string, locale: string, timeZone: string) =>
  DateTime.fromISO(iso, { zone: timeZone }).setLocale(locale).toLocaleString(DateTime.DATE_FULL);
