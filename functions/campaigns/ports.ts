/**
 * The ports the campaign use cases depend on. Adapters in functions/adapters
 * implement them against AWS; tests of the rules need none of them.
 */
import type { DueIndexName } from '../adapters/dynamodb/table';
import type { OutgoingEvent } from '../events/event';
import type { OrderPlaced, OrderDelivered } from '../events/shop';
import type { CustomerProfile } from '../customers/profile';
import type { Campaign } from '../events/retention';
import type { RenderedEmail } from '../templates/render';
import type { NoOrderStats, OrderHistoryEntry, OrderStats, WinbackDue } from './winback/rules';
import type { OrderChange, RecentHistory, StoredHistory, SummarizedPage } from '../customers/order-history';
import type { LoyaltyValues } from './loyalty/plan';
import type { SurveyDue } from './nps/rules';
import type { Assignment, Experiment } from './experiments';
import type { DayCounters, VersionedFootprint } from '../ops/counters';
import type { Attribution } from './conversions';
import type { ConsentRecord, StoryEntry } from '../customers/story';

export interface CustomerStore {
  get(customerId: string): Promise<CustomerProfile | undefined>;
  /**
   * Writes the profile unless a later event already changed it, or the order statistics its due slots were computed
   * from (`statsVersion`, the `historyVersion` read) have changed since; false when skipped.
   */
  upsert(profile: CustomerProfile, statsVersion: number | undefined): Promise<boolean>;
  /**
   * Removes personal data and anything pending, unless a later event re-created the customer;
   * keeps the address's hash, when given (a self-referral under a new account is still told).
   */
  erase(customerId: string, at: string, addressHash?: string): Promise<boolean>;
  /**
   * Sets (undefined: removes) engine-owned fields of a customer who is there and not erased,
   * each due time with its index shard; with `onlyIf`, only while those fields hold those
   * values (undefined: absent). False when skipped.
   */
  update(customerId: string, values: Partial<CustomerProfile>, onlyIf?: Partial<CustomerProfile>): Promise<boolean>;
  /** How many customers hold each of these loyalty tiers, counted through the tier index (never a scan). */
  countByTier(tiers: string[]): Promise<Record<string, number>>;
  /** The customers a campaign's sweep must act on at `at` (due then or before), page by page, read through its due-time index. */
  due(index: DueIndexName, at: Date): AsyncIterable<string[]>;
  /** Moves (or clears) the pending birthday email; records the year once it is done. */
  setBirthdayDue(
    customerId: string,
    due: { occasion: number; dueAt: Date } | undefined,
    lastCelebratedYear?: number,
  ): Promise<void>;
  /**
   * Stores order statistics and the winback step they imply, unless statistics
   * from a later version of the history (functions/customers/order-history.ts)
   * are already there. `converted` marks the winback email an order converted,
   * so it converts once; `survey` is set as `setSurveyDue` sets it, whether or
   * not the statistics were (one write when both go).
   */
  setOrderStats(
    customerId: string,
    /**
     * With the loyalty standing the same history implies (docs/design.md §10), when the programme is on, and the
     * history's last page.
     */
    stats: (OrderStats | NoOrderStats) & LoyaltyValues & Pick<CustomerProfile, 'historyPage'>,
    version: number,
    winback: { due: WinbackDue | undefined; stepsSent: number } | undefined,
    also: { converted?: string; survey?: SurveyDue } | undefined,
    /** The profile the winback step and the survey were planned from: nothing is written once it changed (false). */
    plannedFrom: Pick<CustomerProfile, 'updatedAt' | 'consentChangedAt'> | undefined,
  ): Promise<boolean>;
  /**
   * Moves the customer's winback sequence on, only while `lapse` is still their
   * current lapse (an order since then has ended it): false otherwise.
   */
  setWinbackDue(
    customerId: string,
    lapse: string,
    due: WinbackDue | undefined,
    settled?: { stepsSent: number; sent?: { step: number; at: Date; sendKey: string; assignment?: Assignment; heldOut?: boolean } },
  ): Promise<boolean>;
  /**
   * Plans the customer's winback sequence again for their last order (`lastOrderAt`), from its first step, only
   * while their stored lapse is still `stale` (an older one) and that order still their last.
   */
  replanWinback(customerId: string, stale: string | undefined, lastOrderAt: string, due: WinbackDue | undefined): Promise<boolean>;
  /**
   * Sets (or clears) the customer's pending survey. With `onlyFor`, only while
   * the pending survey is about that order (or, with `orNone`, none is pending);
   * `sentAt` records a survey that went out.
   */
  setSurveyDue(customerId: string, due: SurveyDue | undefined, options?: { onlyFor?: string; orNone?: boolean; sentAt?: Date }): Promise<boolean>;
  /**
   * Replaces the campaigns the customer opted out of (an empty list clears them);
   * resolves to the previous list, or undefined when there is no such customer
   * or they were erased (nothing is written then).
   */
  setOptedOut(customerId: string, campaigns: Campaign[]): Promise<{ previous: Campaign[] } | undefined>;
  /**
   * Sets marketing consent on its own (with the due slots it opens or closes,
   * and the address when none is known yet), unless a later consent change is
   * already stored, the customer was erased, or the order statistics the due
   * slots were computed from (`statsVersion`) have changed since; false when skipped.
   */
  setConsent(
    profile: Pick<CustomerProfile, 'customerId' | 'marketingConsent' | 'consentChangedAt' | 'birthdayOccasion' | 'birthdayDueAt' | 'winbackStep' | 'winbackDueAt'> &
      Partial<Pick<CustomerProfile, 'email' | 'winbackLapse' | 'winbackStepsSent'>>,
    statsVersion: number | undefined,
  ): Promise<boolean>;
}

export interface NpsResponse {
  customerId: string;
  surveyId: string;
  score: number;
  comment?: string;
  recordedAt: string;
}

export interface NpsResponses {
  /** Records a score; `changed` is false for a replay of the same score. `firstRecordedAt`: when the survey was first answered. */
  record(response: Omit<NpsResponse, 'comment'>): Promise<{ changed: false } | { changed: true; previousScore?: number; firstRecordedAt: string }>;
  /** Stores a comment with an existing response; the response, or undefined when there is none. */
  comment(customerId: string, surveyId: string, comment: string): Promise<NpsResponse | undefined>;
}

/** The daily KPI counters (functions/ops/counters.ts). */
export interface KpiCounters {
  /**
   * Sets what one event (`key`: an order, a conversion, a survey) contributes
   * to each day's counters, replacing what it contributed before: safe to repeat.
   */
  contribute(key: string, changes: DayCounters): Promise<void>;
  /**
   * Sets a customer's whole footprint in the day counters, computed from a
   * version of their order history: unless one from a later version is
   * already there, so concurrent and retried orders and cancellations of one
   * customer end with the footprint of their whole history.
   */
  footprint(customerId: string, footprint: VersionedFootprint): Promise<void>;
  /** Every day's counters up to `day` (a UTC date, included), late contributions included. */
  upTo(day: string): Promise<DayCounters>;
}

/** What ingesting an order decided, once: a retry after a partial failure reuses it, whatever changed since. */
export interface OrderFacts {
  /** The campaign email the order converts, or null for none. */
  attribution: Attribution | null;
}

export interface StoredOrder {
  /** Set last, when everything the order changes is done: a later delivery of it is a duplicate. */
  ingestedAt?: string;
  /** Its delivery, when that was reported first. */
  deliveredAt?: string;
  /** When it was found cancelled (or refunded in full), if it was, by an earlier event. */
  cancelledAt?: string;
  /**
   * This write placed it: no event of the order was placed before (a retry, a duplicate, the same order sent twice is
   * not first), so no record of it is in the history yet.
   */
  first?: boolean;
}

/** What is stored of one order: each field once its event came. */
export interface OrderRecord extends OrderFacts {
  placedAt?: string;
  total?: number;
  currency?: string;
  deliveredAt?: string;
  cancelledAt?: string;
}

export interface AppendOptions {
  pointsRedeemed?: number;
  /** The orders the profile counts (a long history is kept in pages), and its history's last page, as read: hints only. */
  knownOrders?: number;
  page?: number;
  /** The order's first recording (`StoredOrder.first`). */
  first?: boolean;
  /** The summary of the pages before a page (./../customers/history-summary.ts), for a page that has none. */
  summarize?: (earlier: StoredHistory) => string;
}

export interface OrderStore {
  /**
   * Stores the order and what was decided about it (the first values win);
   * what is stored of it, so a retry can tell what is done and reuses what was decided.
   */
  recordOrder(order: OrderPlaced, facts: OrderFacts): Promise<StoredOrder & OrderFacts>;
  /** The completion marker, written last. */
  complete(customerId: string, orderId: string, at: string): Promise<void>;
  /**
   * Adds an order to the customer's history, with the loyalty points spent on it (docs/design.md §3): an order's first
   * recording is tried first on the page the profile last named, if it holds a summary of the pages before it, and
   * then resolves to that page alone; otherwise to the whole history. A page the order opens gets its summary.
   */
  appendOrder(customerId: string, order: OrderHistoryEntry, options?: AppendOptions): Promise<StoredHistory | RecentHistory>;
  /** The customer's whole order history (empty when none). */
  history(customerId: string): Promise<StoredHistory>;
  /**
   * The history's page `page` with the summary of the pages before (docs/design.md §3), when it holds one and is not
   * full (it is then the last); undefined otherwise.
   */
  recent(customerId: string, page: number): Promise<SummarizedPage | undefined>;
  /** Adds a cancellation or a refund to the customer's history (once, however often); resolves to the whole history. */
  addChange(customerId: string, change: OrderChange, knownOrders?: number): Promise<StoredHistory>;
  /** The customer an order belongs to, found by the order id alone; undefined while no event of the order is stored. */
  customerOf(orderId: string): Promise<string | undefined>;
  /** What is stored of an order. */
  get(customerId: string, orderId: string): Promise<OrderRecord>;
  /** Marks an order as no longer counting (the first time stays); what is stored of it. */
  markCancelled(customerId: string, orderId: string, at: string): Promise<OrderRecord>;
  /** Records the delivery (the first report wins); the order as it now stands (placedAt unknown while the order has not come). */
  recordDelivery(delivery: OrderDelivered & { customerId: string }): Promise<{ placedAt?: string; deliveredAt: string; cancelledAt?: string }>;
  /** The customer's latest order that counts (by `placedAt`), with its delivery if reported. */
  latest(customerId: string): Promise<{ orderId: string; placedAt: string; deliveredAt?: string } | undefined>;
}

/** Who is sending, and when by the infrastructure's clock (leases are not business time). */
export interface Attempt {
  /** Stable across redeliveries of one send job (its SQS message id): an attempt of the same job takes over at once. */
  owner: string;
  now: Date;
}

/** What the ledger holds of an occasion's send key, once an attempt asked for it. */
export type Claim =
  /** Ours: `sendingAt` when an earlier attempt of ours reached SES without learning whether it accepted. */
  | { state: 'claimed'; sendingAt?: string }
  /** SES accepted it (its answer, or its own `Email Sent` event, said so); `published` once its events are out. */
  | { state: 'sent'; messageId: string; published: boolean }
  | { state: 'heldOut'; published: boolean }
  /** Another job holds a live lease on it. */
  | { state: 'busy' };

export interface SendLedger {
  /**
   * Claims an occasion's deterministic send key with a lease: free, ours
   * already, or a lease that expired with no message id recorded. Otherwise
   * says what is there. Safe to repeat.
   */
  claim(sendKey: string, customerId: string, attempt: Attempt): Promise<Claim>;
  /** Notes that the attempt is about to call SES; false when the claim is no longer ours. */
  markSending(sendKey: string, attempt: Attempt): Promise<boolean>;
  /** Gives up a claim whose email certainly did not go (deferred, refused): nothing is recorded. */
  release(sendKey: string, attempt: Attempt): Promise<void>;
  /**
   * SES's message id, with the events that follow the send written in the same
   * item (the outbox), unless they were already published.
   */
  recordSent(sendKey: string, messageId: string, outbox: OutgoingEvent[]): Promise<void>;
  /** Settles a held-out occasion, with its outbox. */
  recordHeldOut(sendKey: string, attempt: Attempt, outbox: OutgoingEvent[]): Promise<void>;
  /** The message id SES reported in its own `Email Sent` event, for a send whose answer was lost. */
  reconcile(sendKey: string, messageId: string): Promise<void>;
  /** The outbox was published: cleared. */
  published(sendKey: string): Promise<void>;
  /** Sends whose outbox is still unpublished since before `before`, with their events (a crash left them). */
  unpublished(before: Date): AsyncIterable<{ sendKey: string; outbox: OutgoingEvent[] }>;
  /** Claims the customer's one email of a local day; false when another send holds it. Safe to repeat. */
  claimDay(customerId: string, localDate: string, sendKey: string): Promise<boolean>;
  /** The send key of the email that has the customer's local day, if one has. */
  dayHolder(customerId: string, localDate: string): Promise<string | undefined>;
}

export type SuppressionReason = 'bounce' | 'complaint' | 'unsubscribe';

export interface Suppressions {
  isSuppressed(email: string): Promise<boolean>;
  /** Why the address is on the list, or undefined when it is not (read as `isSuppressed` reads it). */
  reasonFor(email: string): Promise<SuppressionReason | undefined>;
  /**
   * Puts an address on the list for good, with the reason and time; stores a
   * hash of it, never the address. False when it was already there (the first
   * reason stays).
   */
  suppress(email: string, reason: SuppressionReason, at: string): Promise<boolean>;
  /**
   * Takes an address its owner unsubscribed off the list, when they subscribe
   * again; a bounce or a complaint stays. False when there was no such entry.
   */
  liftUnsubscribe(email: string): Promise<boolean>;
}

export interface DiscountCode {
  code: string;
  customerId: string;
  campaign: string;
  step?: number;
  /** The A/B test and variant of the email that carried the code. */
  experiment?: string;
  variant?: string;
  percentOff: number;
  expiresAt: string;
  sendKey: string;
  /** A referral invitation's personal code (docs/design.md §10): many customers may use it, each once. */
  oncePerCustomer?: boolean;
}

/** A friend a customer referred (docs/design.md §10): the reward owed them, once per friend. */
export interface ReferralRecord {
  referredId: string;
  orderId: string;
  code: string;
  convertedAt: string;
  /** When the reward's email was settled (sent, held out, or not mailable). */
  settledAt?: string;
}

export interface Referrals {
  /** Records a conversion under the referrer (the first record stays). */
  record(referrerId: string, referral: ReferralRecord): Promise<void>;
  /** The rewards not settled yet, oldest conversion first. */
  pending(referrerId: string): Promise<ReferralRecord[]>;
  settle(referrerId: string, referredId: string, at: string): Promise<void>;
}

export interface DiscountCodes {
  /** Stores a new code; false when the code already belongs to another send. */
  issue(code: DiscountCode): Promise<boolean>;
  /** Marks a code used by an order; the code, or undefined when unknown, expired or already used (by another order, unless it is `oncePerCustomer`). */
  redeem(code: string, orderId: string, at: string): Promise<DiscountCode | undefined>;
}

export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  tags: Record<string, string>;
}

export interface Mailer {
  send(email: OutgoingEmail): Promise<{ messageId: string }>;
}

export interface EventPublisher {
  publish(events: OutgoingEvent[]): Promise<void>;
}

export interface Templates {
  /** The template locale for a customer's `locale`: exact, then language, then `en`. */
  localeFor(campaign: string, requested: string | undefined): string;
  render(campaign: string, locale: string, data: Record<string, unknown>, variant?: string): Promise<RenderedEmail>;
  /** The A/B test the template set declares, if any. */
  experimentFor(campaign: string): Experiment | undefined;
}

/** What SES reported of one message, by its SES message id: no address, only what it was and what became of it. */
export interface MessageStatus {
  messageId: string;
  /** From the message's tags. */
  campaign?: string;
  step?: number;
  experiment?: string;
  variant?: string;
  customerId?: string;
  /** When each happened first (SES's timestamps, ISO-8601). */
  deliveredAt?: string;
  bouncedAt?: string;
  complainedAt?: string;
  openedAt?: string;
  clickedAt?: string;
  bounceType?: string;
  bounceSubType?: string;
  complaintFeedbackType?: string;
}

export type MessageEventKind = 'delivered' | 'bounced' | 'complained' | 'opened' | 'clicked';

export interface MessageEvent {
  messageId: string;
  kind: MessageEventKind;
  at: string;
  /** Who and what the message was, from its tags. */
  about: Pick<MessageStatus, 'campaign' | 'step' | 'experiment' | 'variant' | 'customerId'>;
  /** What SES said of a bounce or complaint. */
  details?: Pick<MessageStatus, 'bounceType' | 'bounceSubType' | 'complaintFeedbackType'>;
}

export interface MessageStatuses {
  /**
   * Records that the event happened to the message; the earliest time of each
   * kind is kept. False when that was already recorded (a replay changes nothing).
   */
  record(event: MessageEvent): Promise<boolean>;
  get(messageId: string): Promise<MessageStatus | undefined>;
}

/**
 * The customer's story and consent ledger (functions/customers/story.ts,
 * docs/design.md §11): appended as things happen; writing the same entry again
 * changes nothing.
 */
export interface CustomerStory {
  note(customerId: string, entry: StoryEntry): Promise<void>;
  consent(customerId: string, record: ConsentRecord): Promise<void>;
}
