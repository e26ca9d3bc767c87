/**
 * Unsubscribing (docs/design.md §5, all campaigns; RFC 8058, RFC 2369): the signed
 * link in every email's `List-Unsubscribe` header names the customer.
 *
 * - From everything (the one-click POST, the page's button, the mailto): the
 *   customer's address goes on the suppression list, which every send checks
 *   at send time, and `Customer Unsubscribed` (`all`) is published once; a
 *   repeat finds the address already listed and changes nothing.
 * - From some campaigns (the page's preference form): the campaigns not kept
 *   are stored on the profile (`optedOut`), which `isMailable(profile, campaign)`
 *   respects; keeping none is unsubscribing from everything.
 *
 * Any invalid link (tampered, expired, another purpose, a customer unknown or
 * erased) changes nothing. Reading the page changes nothing either.
 */
import { outgoing } from '../events/event';
import { campaignSchema, customerResubscribed, customerUnsubscribed, type Campaign } from '../events/retention';
import { verifyToken, type Keyring } from '../links/signed-token';
import { unsubscribePurpose } from '../links/unsubscribe';
import type { CustomerStore, CustomerStory, EventPublisher, Suppressions } from '../campaigns/ports';
import { pageLocales } from '../links/pages';
import { resolveLocale } from '../templates/locale';
import type { CustomerProfile } from './profile';
import type { ConsentRecord } from './story';

export interface UnsubscribePorts {
  keyring: Keyring;
  customers: Pick<CustomerStore, 'get' | 'setOptedOut'>;
  suppressions: Pick<Suppressions, 'isSuppressed' | 'suppress' | 'liftUnsubscribe'>;
  events: EventPublisher;
  /** The consent ledger (docs/design.md §11): every change made here, with the language of the page that made it. */
  story: Pick<CustomerStory, 'consent'>;
}

/** A change for the consent ledger, noticed in the language the page showed. */
const ledger = (customer: CustomerProfile, now: Date, change: Omit<ConsentRecord, 'at' | 'noticeLanguage'>, ports: UnsubscribePorts) =>
  ports.story.consent(customer.customerId, { at: now.toISOString(), ...change, noticeLanguage: resolveLocale([...pageLocales], customer.locale) });

export type UnsubscribeVia = 'one-click' | 'page' | 'mailto';

/** The suppression list's reason for an address its owner unsubscribed. */
export const unsubscribeReason = 'unsubscribe' as const;

type Customer = CustomerProfile & { email: string };

/** The customer of a valid, unexpired unsubscribe token, still with us and with an address. */
const customerOf = async (token: string, now: Date, ports: UnsubscribePorts): Promise<Customer | undefined> => {
  const claims = verifyToken(ports.keyring, token, unsubscribePurpose, now);
  if (!claims) return undefined;
  const customer = await ports.customers.get(claims.customerId);
  if (!customer || customer.deletedAt || !customer.email) return undefined;
  return customer as Customer;
};

export type UnsubscribeResult = { valid: false } | { valid: true; customer: CustomerProfile; changed: boolean };

/** Suppresses the address and, the first time only, says so on the bus. */
const suppressAll = async (customer: Customer, via: UnsubscribeVia, now: Date, ports: UnsubscribePorts) => {
  // The customer's wish first: were the publish to fail, the address is listed all the same.
  const changed = await ports.suppressions.suppress(customer.email, unsubscribeReason, now.toISOString());
  // Ledgered whether or not this call listed it: a retry after a crash between the two writes the same record.
  await ledger(customer, now, { source: 'unsubscribe', subscribed: false }, ports);
  if (changed) {
    await ports.events.publish([
      outgoing(customerUnsubscribed, now.toISOString(), { customerId: customer.customerId, campaigns: 'all', via }),
    ]);
  }
  return changed;
};

/** From everything: the one-click POST (RFC 8058) and the page's button (`one-click`), or the mailto. */
export const unsubscribeAll = async (token: string, via: UnsubscribeVia, now: Date, ports: UnsubscribePorts): Promise<UnsubscribeResult> => {
  const customer = await customerOf(token, now, ports);
  if (!customer) return { valid: false };
  return { valid: true, customer, changed: await suppressAll(customer, via, now, ports) };
};

export type ResubscribeResult = { valid: false } | { valid: true; customer: CustomerProfile; resubscribed: boolean };

/**
 * Subscribed again from the unsubscribed page, with the same signed link: the
 * address comes off the list if it was on it by its owner's unsubscribe (not
 * after a bounce or a complaint), and the first time only it says so on the bus.
 */
export const resubscribe = async (token: string, now: Date, ports: UnsubscribePorts): Promise<ResubscribeResult> => {
  const customer = await customerOf(token, now, ports);
  if (!customer) return { valid: false };
  const lifted = await ports.suppressions.liftUnsubscribe(customer.email);
  if (lifted) await ledger(customer, now, { source: 'resubscribe', subscribed: true }, ports);
  if (lifted) await ports.events.publish([outgoing(customerResubscribed, now.toISOString(), { customerId: customer.customerId, via: 'page' })]);
  return { valid: true, customer, resubscribed: !(await ports.suppressions.isSuppressed(customer.email)) };
};

/** Subjects are short; anything far longer is not a reply to our mailto. */
const maxSubjectLength = 2048;

/**
 * The token in the subject of a mail sent to the header's mailto:
 * `unsubscribe <token>`, as the mailto's `subject=unsubscribe%20<token>` asks
 * for; reply prefixes (`Re:`, `Fwd:`) and a still-encoded `%20` are tolerated.
 */
export const mailtoToken = (subject: string): string | undefined => {
  if (subject.length > maxSubjectLength) return undefined;
  const match = /^\s*(?:(?:re|fw|fwd|aw|sv)\s*:\s*)*unsubscribe(?:\s+|%20)([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)\s*$/i.exec(subject);
  return match?.[1];
};

/**
 * The mailto half of `List-Unsubscribe`: the subject of a mail to the
 * unsubscribe mailbox (on AWS, an SES receipt rule's Lambda hands it here);
 * the same as a one-click POST, recorded as `mailto`.
 */
export const unsubscribeByMailto = async (subject: string, now: Date, ports: UnsubscribePorts): Promise<UnsubscribeResult> => {
  const token = mailtoToken(subject);
  return token ? unsubscribeAll(token, 'mailto', now, ports) : { valid: false };
};

export type PreferencesView =
  | { valid: false }
  | { valid: true; customer: CustomerProfile; unsubscribed: boolean; optedOut: Campaign[] };

/** What the page shows for a link (a GET): reads only, never writes. */
export const viewPreferences = async (token: string, now: Date, ports: UnsubscribePorts): Promise<PreferencesView> => {
  const customer = await customerOf(token, now, ports);
  if (!customer) return { valid: false };
  return {
    valid: true,
    customer,
    unsubscribed: await ports.suppressions.isSuppressed(customer.email),
    optedOut: customer.optedOut ?? [],
  };
};

export type PreferencesResult =
  | { valid: false }
  | { valid: true; customer: CustomerProfile; unsubscribed: boolean; optedOut: Campaign[]; changed: boolean };

/**
 * The preference form: the campaigns in `keep` stay, the others are opted out
 * (ticking one again opts back in). `Customer Unsubscribed` lists the opted-out
 * campaigns whenever the choice adds one; keeping none unsubscribes from everything.
 */
export const savePreferences = async (
  token: string,
  keep: readonly Campaign[],
  now: Date,
  ports: UnsubscribePorts,
  /** The campaigns the form offered (those the shop runs): a choice about another is kept as it was. */
  offered: readonly Campaign[] = campaignSchema.options,
): Promise<PreferencesResult> => {
  const customer = await customerOf(token, now, ports);
  if (!customer) return { valid: false };
  const optedOut = campaignSchema.options.filter((campaign) =>
    offered.includes(campaign) ? !keep.includes(campaign) : (customer.optedOut ?? []).includes(campaign),
  );
  // Nothing the shop sends is kept: that is unsubscribing.
  if (offered.every((campaign) => optedOut.includes(campaign))) {
    const changed = await suppressAll(customer, 'page', now, ports);
    return { valid: true, customer, unsubscribed: true, optedOut, changed };
  }
  const stored = await ports.customers.setOptedOut(customer.customerId, optedOut);
  if (!stored) return { valid: false };
  const added = optedOut.filter((campaign) => !stored.previous.includes(campaign));
  const changed = added.length > 0 || stored.previous.some((campaign) => !optedOut.includes(campaign));
  if (changed) await ledger(customer, now, { source: 'preferences', optedOut }, ports);
  if (added.length) {
    await ports.events.publish([
      outgoing(customerUnsubscribed, now.toISOString(), { customerId: customer.customerId, campaigns: optedOut, via: 'page' }),
    ]);
  }
  return {
    valid: true,
    customer,
    unsubscribed: await ports.suppressions.isSuppressed(customer.email),
    optedOut,
    changed,
  };
};
