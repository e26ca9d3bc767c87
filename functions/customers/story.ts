/**
 * A customer's story (docs/design.md §11): what the engine received about them,
 * what it decided for each campaign email (sent, or skipped and why), what
 * SES reported, and every change of their consent. Written as it happens, as
 * small items in the customer's own partition (reads by key, never a scan),
 * each with a deterministic key so that a retry writes the same item again.
 * Pure: the types, the keys, and the timeline `retention explain` prints.
 */
import type { Campaign } from '../events/retention';
import type { CustomerProfile } from './profile';

/** The due slots an event set (an ISO instant) or cleared (null). */
export type DueSlots = Partial<Record<Campaign, string | null>>;

/** Where an event came from: the shop's own events, a platform's, an import of history. */
export type EventOrigin = 'shop' | 'shopify' | 'woocommerce' | 'import';

/**
 * The `resources` entry that marks the origin of a shop event the engine
 * publishes itself (a WooCommerce webhook's, an import's); a Shopify event is
 * the platform's own, and anything else the shop's.
 */
export const originResource = (origin: 'woocommerce' | 'import') => `retention:origin/${origin}`;

export const originOf = (raw: unknown, platform: boolean): EventOrigin => {
  if (platform) return 'shopify';
  const resources = (raw as { resources?: unknown } | null)?.resources;
  for (const origin of ['woocommerce', 'import'] as const) if (Array.isArray(resources) && resources.includes(originResource(origin))) return origin;
  return 'shop';
};

/** An event about the customer, and what ingest made of it. */
export interface ReceivedEntry {
  kind: 'received';
  at: string;
  detailType: string;
  /** The delivered event's id: the same delivery twice is one entry, a second event another. */
  eventId?: string;
  origin: EventOrigin;
  outcome: string;
  reason?: string;
  orderId?: string;
  total?: number;
  currency?: string;
  discountCode?: string;
  due?: DueSlots;
}

/** What a campaign email came to, the outcomes of the sender (functions/sending/sender.ts). */
export type EmailOutcome = 'sent' | 'heldOut' | 'suppressed' | 'missed' | 'deferred' | 'fatigued' | 'ineligible' | 'ended' | 'failed';

export interface EmailEntry {
  kind: 'email';
  /** The time the email was due (the sweep's slot). */
  at: string;
  campaign: Campaign;
  step?: number;
  outcome: EmailOutcome;
  subject?: string;
  messageId?: string;
  discountCode?: string;
  /** Deferred: the day it moved to, and the email that had the customer's day. */
  until?: string;
  takenBy?: string;
  /** Suppressed or ineligible: why (no consent, opted out, no address, unsubscribed, bounce, complaint, erased). */
  why?: string;
  /** Failed for good: SES's refusal, as the engine put it. */
  reason?: string;
  /** Sent or held out: the occasion's send key (its item in the send ledger). */
  sendKey?: string;
}

/** What SES reported that stops mail to the address. */
export interface DeliverabilityEntry {
  kind: 'deliverability';
  at: string;
  event: 'bounced' | 'complained';
  messageId: string;
  campaign?: string;
}

export type StoryEntry = ReceivedEntry | EmailEntry | DeliverabilityEntry;

/** Where a consent or preference change came from (docs/design.md §11). */
export type ConsentSource = EventOrigin | 'unsubscribe' | 'preferences' | 'resubscribe';

/** One change of the customer's consent or preferences, as the ledger keeps it. */
export interface ConsentRecord {
  at: string;
  source: ConsentSource;
  /** Marketing consent after the change (absent: unchanged). */
  marketingConsent?: boolean;
  /** The campaigns opted out of after the change (absent: unchanged). */
  optedOut?: Campaign[];
  /** Subscribed to everything again, or unsubscribed from everything (the suppression list). */
  subscribed?: boolean;
  /** The language of the notice the customer saw (the page's, or the customer's locale for a shop's event). */
  noticeLanguage?: string;
}

/** A short stable hash, to tell apart entries at the same instant. */
const fnv = (text: string) => {
  let hash = 2166136261;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 16777619);
  return (hash >>> 0).toString(36);
};

/** Sort keys: time first, so a Query returns the story in order. */
export const storySortKey = (entry: StoryEntry): string => {
  const about =
    entry.kind === 'received'
      ? `${entry.detailType}#${entry.eventId ?? entry.orderId ?? fnv(entry.reason ?? '')}`
      : entry.kind === 'email'
        ? `${entry.campaign}#${entry.step ?? ''}`
        : `${entry.event}#${entry.messageId}`;
  return `STORY#${entry.at}#${entry.kind}#${about}`;
};

export const consentSortKey = (record: ConsentRecord): string => `CONSENT#${record.at}#${record.source}#${fnv(JSON.stringify(record))}`;

/** Epoch seconds `days` after `at`: DynamoDB's TTL attribute. */
export const expiresAfter = (at: string, days: number): number => Math.floor(Date.parse(at) / 1000) + Math.round(days * 86_400);

/** An item past its TTL: DynamoDB deletes it within days, and until then a read must not count it. */
export const expired = (item: { ttl?: unknown }, now: Date): boolean => typeof item.ttl === 'number' && item.ttl * 1000 <= now.getTime();

/** Why a customer is not mailable for a campaign, from the profile alone (the suppression list is checked apart). */
export const notMailableBecause = (profile: Partial<CustomerProfile>, campaign?: Campaign): string | undefined => {
  if (profile.deletedAt) return 'erased';
  if (profile.marketingConsent !== true) return 'no marketing consent';
  if (!profile.email) return 'no address';
  if (campaign && profile.optedOut?.includes(campaign)) return `opted out of ${campaign}`;
  return undefined;
};

/** The campaign (and step) of a send key, `campaign#customer#occasion[#step]`. */
export const emailOfSendKey = (sendKey: string): string => {
  const [campaign, , , step] = sendKey.split('#');
  return campaign === 'winback' && step ? `winback step ${step}` : (campaign ?? sendKey);
};

const suppressionWords: Record<string, string> = {
  unsubscribe: 'the address unsubscribed',
  bounce: 'the address hard-bounced',
  complaint: 'the address complained (marked as spam)',
};

/** A suppression-list reason as a person reads it. */
export const suppressionWhy = (reason: string): string => suppressionWords[reason] ?? reason;

/** One line of the timeline: when, what kind, and the sentence. */
export interface StoryLine {
  at: string;
  what: 'event' | 'email' | 'skip' | 'deliverability' | 'consent' | 'order' | 'survey' | 'code' | 'erasure' | 'pending';
  text: string;
}

const emailName = (entry: Pick<EmailEntry, 'campaign' | 'step'>) => (entry.step !== undefined ? `${entry.campaign} step ${entry.step}` : entry.campaign);

const dueText = (due: DueSlots | undefined) =>
  Object.entries(due ?? {})
    .map(([campaign, at]) => (at ? `${campaign} due ${at}` : `${campaign} cleared`))
    .join(', ');

export const receivedLine = (entry: ReceivedEntry): StoryLine => {
  const order = entry.orderId ? ` ${entry.orderId}` : '';
  const money = entry.total !== undefined ? ` (${entry.total} ${entry.currency ?? ''})`.replace(' )', ')') : '';
  const code = entry.discountCode ? `, code ${entry.discountCode}` : '';
  const outcome = entry.outcome === 'stored' ? '' : ` — ${entry.outcome}${entry.reason ? `: ${entry.reason}` : ''}`;
  const due = dueText(entry.due);
  return { at: entry.at, what: 'event', text: `${entry.detailType}${order}${money}${code} from ${entry.origin}${outcome}${due ? `; ${due}` : ''}` };
};

export const emailLine = (entry: EmailEntry): StoryLine => {
  const name = emailName(entry);
  switch (entry.outcome) {
    case 'sent':
      return {
        at: entry.at,
        what: 'email',
        text: `${name} email sent${entry.subject ? `: "${entry.subject}"` : ''}${entry.discountCode ? `, code ${entry.discountCode}` : ''}${entry.messageId ? ` (message ${entry.messageId})` : ''}`,
      };
    case 'deferred':
      return { at: entry.at, what: 'skip', text: `${name} deferred to ${entry.until}: ${entry.takenBy ? `the ${emailOfSendKey(entry.takenBy)} email took that day` : 'another email took that day'} (one email a day)` };
    case 'suppressed':
      return { at: entry.at, what: 'skip', text: `${name} not sent: suppressed${entry.why ? ` (${entry.why})` : ''}` };
    case 'missed':
      return { at: entry.at, what: 'skip', text: `${name} not sent: missed (outside the customer's local send window when it was handled)` };
    case 'heldOut':
      return { at: entry.at, what: 'skip', text: `${name} not sent: held out (in the campaign's holdout group, counted as the baseline)` };
    case 'fatigued':
      return { at: entry.at, what: 'skip', text: `${name} not sent: fatigued (a survey went out within the fatigue period)` };
    case 'ineligible':
      return { at: entry.at, what: 'skip', text: `${name} not sent: not mailable${entry.why ? ` (${entry.why})` : ''}` };
    case 'ended':
      return { at: entry.at, what: 'skip', text: `${name} not sent: nothing pending any more` };
    case 'failed':
      return { at: entry.at, what: 'skip', text: `${name} failed: ${entry.reason ?? 'SES refused it'}` };
  }
};

export const deliverabilityLine = (entry: DeliverabilityEntry): StoryLine => ({
  at: entry.at,
  what: 'deliverability',
  text: `${entry.event === 'bounced' ? 'hard bounce' : 'complaint'} reported by SES for message ${entry.messageId}${entry.campaign ? ` (${entry.campaign})` : ''}: the address is suppressed`,
});

export const consentLine = (record: ConsentRecord): StoryLine => {
  const changes = [
    record.marketingConsent !== undefined && `marketing consent ${record.marketingConsent ? 'given' : 'withdrawn'}`,
    record.subscribed !== undefined && (record.subscribed ? 'subscribed again' : 'unsubscribed from everything'),
    record.optedOut !== undefined && (record.optedOut.length ? `opted out of ${record.optedOut.join(', ')}` : 'opted in to every campaign'),
  ].filter(Boolean);
  return { at: record.at, what: 'consent', text: `${changes.join('; ')} (source: ${record.source}${record.noticeLanguage ? `, notice in ${record.noticeLanguage}` : ''})` };
};

export const storyLine = (entry: StoryEntry): StoryLine =>
  entry.kind === 'received' ? receivedLine(entry) : entry.kind === 'email' ? emailLine(entry) : deliverabilityLine(entry);
