/**
 * Ingestion of the shop's events (docs/design.md §3): validate, then store. An invalid
 * event is rejected to the dead letters with a reason naming the bad field and
 * never stops the others; a duplicate changes nothing.
 */
import { z } from 'zod';
import type { Config } from '../config';
import { measure, parseBounded, rejection } from '../events/bounded';
import { outgoing, stableEventId } from '../events/event';
import { campaignConversion, campaignConversionReverted, pointsEarned, pointsRedeemed, type Campaign } from '../events/retention';
import { planLoyalty } from '../campaigns/loyalty/plan';
import { convertReferral } from '../campaigns/referral/conversion';
import { customerConsentChanged, customerDeleted, customerUpserted, orderCancelled, orderDelivered, orderPlaced, orderRefunded, type OrderPlaced } from '../events/shop';
import { nextDueFor } from '../campaigns/birthday/rules';
import { attributeOrder } from '../campaigns/conversions';
import { nextWinbackFor, stepsSentIn, type NoOrderStats, type OrderStats } from '../campaigns/winback/rules';
import { surveyDue, type SurveyDueInput } from '../campaigns/nps/rules';
import type { CustomerStore, CustomerStory, DiscountCodes, EventPublisher, KpiCounters, OrderRecord, OrderStore, Referrals } from '../campaigns/ports';
import { originOf, type ConsentRecord, type DueSlots, type EventOrigin, type ReceivedEntry } from './story';
import { conversionChanges } from '../ops/counters';
import { addressHash, isMailable, timeZoneOf, type CustomerProfile } from './profile';
import { isPlatformEvent, translatePlatformEvent } from '../sources';
import { countingOrders, type OrderChange, type StoredHistory } from './order-history';
import { recentFacts, summarize, wholeFacts } from './history-summary';

export const shopEventSchema = z.discriminatedUnion('detail-type', [
  customerUpserted.envelope,
  customerConsentChanged.envelope,
  orderPlaced.envelope,
  orderDelivered.envelope,
  orderCancelled.envelope,
  orderRefunded.envelope,
  customerDeleted.envelope,
]);

export interface IngestPorts {
  config: Config;
  /** The clock the function runs by (the wall clock on AWS, the bus clock locally). */
  now: () => Date;
  customers: CustomerStore;
  orders: OrderStore;
  codes: DiscountCodes;
  events: EventPublisher;
  kpis: KpiCounters;
  story: CustomerStory;
  referrals: Referrals;
}

/** `ignored`: a platform's topic the engine does not use. */
export type IngestOutcome = 'stored' | 'duplicate' | 'stale' | 'rejected' | 'ignored';

export interface IngestResult {
  outcome: IngestOutcome;
  reason?: string;
  /** The order converted a campaign email (not counted for a holdout). */
  conversion?: { campaign: Campaign; step?: number; revenue: number; currency: string };
  /** Its cancellation undid the conversion it made (not counted for a holdout). */
  reverted?: { campaign: Campaign; step?: number };
  /** The due slots the event set or cleared (for the customer's story). */
  due?: DueSlots;
  /** The customer, when the event named only its order. */
  customerId?: string;
  /** Loyalty (docs/design.md §10): the points the order earned and those spent on it, and the referral it converted. */
  pointsEarned?: number;
  pointsRedeemed?: number;
  referral?: { revenue: number; currency: string };
}

/** An event about an order no event of which is stored yet: thrown, so the queue delivers it again later. */
export class OrderNotYetKnown extends Error {
  constructor(orderId: string) {
    super(`order ${orderId} is not known yet`);
    this.name = 'OrderNotYetKnown';
  }
}

/**
 * From when an event's occasions are planned: its own time, or the moment it is
 * processed if that is later. History loaded today, or an event that waited in
 * a queue, plans nothing in the past: an occasion whose day is over is missed,
 * never sent late (docs/design.md §3).
 */
const dueFrom = (time: Date, ports: IngestPorts) => new Date(Math.max(time.getTime(), ports.now().getTime()));

/**
 * The customer of an event that may name only its order (Shopify's refunds and
 * fulfillments): found through the order index; until an event of the order
 * is stored, the event is tried again (the queue delivers it later).
 */
const customerOfOrder = async (customerId: string | undefined, orderId: string, ports: IngestPorts) => {
  const found = customerId ?? (await ports.orders.customerOf(orderId));
  if (found === undefined) throw new OrderNotYetKnown(orderId);
  return found;
};

/**
 * An event from the bus: the shop's own, or a shop platform's (docs/design.md §3a),
 * translated first into the shop's own and each of those ingested in order.
 */
export const ingest = async (raw: unknown, ports: IngestPorts): Promise<IngestResult> => {
  if (!isPlatformEvent(raw)) return ingestShopEvent(raw, ports, originOf(raw, false));
  // Bounded before translating too: a platform's payload is a stranger's as much as any.
  const { bytes, problem } = measure(raw);
  const translation = problem ? { kind: 'rejected' as const, reason: problem } : translatePlatformEvent(raw);
  if (translation.kind === 'ignored') return { outcome: 'ignored', reason: translation.reason };
  if (translation.kind === 'rejected') {
    await ports.events.publish([rejection(raw, translation.reason, bytes)]);
    return { outcome: 'rejected', reason: translation.reason };
  }
  const results: IngestResult[] = [];
  for (const line of translation.events) results.push(await ingestShopEvent(line, ports, 'shopify'));
  // One platform event, one result: stored when any of its events was, with what they converted or reverted.
  const stored = results.find((result) => result.outcome === 'stored');
  return {
    outcome: stored ? 'stored' : (results[0]?.outcome ?? 'ignored'),
    conversion: results.find((result) => result.conversion)?.conversion,
    reverted: results.find((result) => result.reverted)?.reverted,
  };
};

/** The customer id of an event that failed its schema, when it has a plausible one: its story tells the rejection. */
const customerIdOf = (raw: unknown): string | undefined => {
  const id = (raw as { detail?: { customerId?: unknown } } | null)?.detail?.customerId;
  return typeof id === 'string' && /^[\x21-\x7e]{1,128}$/.test(id) ? id : undefined;
};

const ingestShopEvent = async (raw: unknown, ports: IngestPorts, origin: EventOrigin): Promise<IngestResult> => {
  // Bounded before parsing, so nothing a stranger sends can throw; the dead letter keeps a bounded copy.
  const parsed = parseBounded(shopEventSchema, raw);
  if (!parsed.success) {
    const { reason } = parsed;
    await ports.events.publish([rejection(raw, reason, parsed.bytes)]);
    const customerId = customerIdOf(raw);
    const { time: at, 'detail-type': detailType, id } = (raw ?? {}) as { time?: unknown; 'detail-type'?: unknown; id?: unknown };
    if (customerId && typeof at === 'string' && !Number.isNaN(Date.parse(at)) && typeof detailType === 'string') {
      await ports.story.note(customerId, {
        kind: 'received',
        at: new Date(at).toISOString(),
        detailType: detailType.slice(0, 64),
        ...(typeof id === 'string' && { eventId: id.slice(0, 128) }),
        origin,
        outcome: 'rejected',
        reason,
      });
    }
    return { outcome: 'rejected', reason };
  }
  const event = parsed.data;
  const result = await storeShopEvent(event, ports, origin);
  // An order notes its story itself, before its completion marker (a duplicate of it notes nothing).
  if (event['detail-type'] !== 'Order Placed') await noteReceived(event, result, origin, ports);
  return result;
};

type ShopEvent = z.infer<typeof shopEventSchema>;

/** The story's entry for an event (functions/customers/story.ts); the same event, the same entry. */
const noteReceived = async (event: ShopEvent, result: IngestResult, origin: EventOrigin, ports: IngestPorts) => {
  const detail = event.detail as { customerId?: string; orderId?: string; total?: number; currency?: string; discountCode?: string; amount?: number };
  const customerId = detail.customerId ?? result.customerId;
  if (!customerId || result.outcome === 'duplicate') return;
  const entry: ReceivedEntry = {
    kind: 'received',
    at: new Date(event.time).toISOString(),
    detailType: event['detail-type'],
    eventId: event.id,
    origin,
    outcome: result.outcome,
    ...(result.reason && { reason: result.reason }),
    ...(detail.orderId && { orderId: detail.orderId }),
    ...(detail.total !== undefined && { total: detail.total }),
    ...(detail.amount !== undefined && { total: detail.amount }),
    ...(detail.currency && { currency: detail.currency }),
    ...(detail.discountCode && { discountCode: detail.discountCode }),
    ...(result.due && Object.keys(result.due).length && { due: result.due }),
  };
  await ports.story.note(customerId, entry);
};

/** A consent change for the ledger, when the event changed consent. */
const noteConsent = async (customerId: string, before: boolean | undefined, after: boolean, at: string, origin: EventOrigin, locale: string | undefined, ports: IngestPorts) => {
  if (before === after) return;
  const record: ConsentRecord = { at, source: origin, marketingConsent: after, ...(locale && { noticeLanguage: locale }) };
  await ports.story.consent(customerId, record);
};

const dueSlot = (due: { dueAt: Date } | undefined): string | null => due?.dueAt.toISOString() ?? null;

const storeShopEvent = async (event: ShopEvent, ports: IngestPorts, origin: EventOrigin): Promise<IngestResult> => {
  const time = new Date(event.time);
  switch (event['detail-type']) {
    case 'Customer Upserted':
      return upsertCustomer(event, time, origin, ports);
    case 'Customer Consent Changed':
      return changeConsent(event, time, origin, ports);
    case 'Order Placed':
      return placeOrder(event, time, origin, ports);
    case 'Order Delivered': {
      const { orderId } = event.detail;
      const customerId = await customerOfOrder(event.detail.customerId, orderId, ports);
      const order = await ports.orders.recordDelivery({ ...event.detail, customerId });
      // The survey counts from the delivery, if it is about this order (or none is pending); a cancelled order has none.
      const profile = await ports.customers.get(customerId);
      const due = profile && isMailable(profile) && !order.cancelledAt ? surveyFor(profile, orderId, order, dueFrom(time, ports), ports.config) : undefined;
      if (due) await ports.customers.setSurveyDue(customerId, due, { onlyFor: orderId, orNone: true });
      return { outcome: 'stored', customerId, ...(due && { due: { nps: dueSlot(due) } }) };
    }
    case 'Order Cancelled':
      return changeOrder(event.detail.customerId, { kind: 'cancelled', orderId: event.detail.orderId }, time, ports);
    case 'Order Refunded': {
      const { orderId, refundId, amount } = event.detail;
      const customerId = await customerOfOrder(event.detail.customerId, orderId, ports);
      return { customerId, ...(await changeOrder(customerId, { kind: 'refunded', orderId, refundId, amount }, time, ports)) };
    }
    case 'Customer Deleted': {
      // The address's hash outlives the erasure: a self-referral under a new account is still told (docs/design.md §10).
      const email = (await ports.customers.get(event.detail.customerId))?.email;
      return { outcome: (await ports.customers.erase(event.detail.customerId, time.toISOString(), email && addressHash(email))) ? 'stored' : 'stale' };
    }
  }
};

/**
 * The birthday email and the winback step a profile plans, and the fields that hold them: the step with its lapse,
 * which an order stored without consent did not record.
 */
const plannedSlots = (profile: CustomerProfile, time: Date, ports: IngestPorts) => {
  const birthday = nextDueFor(profile, dueFrom(time, ports), ports.config, profile.birthdayLastYear);
  const winback = nextWinbackFor(profile, dueFrom(time, ports), ports.config);
  return {
    due: { birthday: dueSlot(birthday), winback: dueSlot(winback) },
    values: {
      birthdayOccasion: birthday?.occasion,
      birthdayDueAt: birthday?.dueAt.toISOString(),
      winbackStep: winback?.step,
      winbackDueAt: winback?.dueAt.toISOString(),
      ...(winback && { winbackLapse: winback.lapse, winbackStepsSent: stepsSentIn(profile) }),
    },
  };
};

/** Tries a profile write this many times while an order changes the statistics it was decided from (below). */
const profileWriteAttempts = 5;

/**
 * Decides a profile's change from a fresh read, and again while its write fails because an order changed the order
 * statistics meanwhile: the winback schedule follows them, so the write holds only while they are those read
 * (docs/design.md §3). `decide` answers undefined when its write failed. Each failure is another event's progress;
 * past a few, the event fails and its queue retries it.
 */
const decidedOnFreshProfile = async (customerId: string, what: string, ports: IngestPorts, decide: (existing: CustomerProfile | undefined) => Promise<IngestResult | undefined>) => {
  for (let attempt = 0; attempt < profileWriteAttempts; attempt++) {
    const result = await decide(await ports.customers.get(customerId));
    if (result) return result;
  }
  throw new Error(`customer ${customerId}: the order statistics changed under ${profileWriteAttempts} ${what} writes in a row`);
};

/** A profile's update, with the due slots it opens or closes. */
const upsertCustomer = (event: Extract<ShopEvent, { 'detail-type': 'Customer Upserted' }>, time: Date, origin: EventOrigin, ports: IngestPorts): Promise<IngestResult> => {
  const updatedAt = time.toISOString();
  const { marketingConsent, ...detail } = event.detail;
  return decidedOnFreshProfile(detail.customerId, 'profile', ports, async (existing) => {
    if (existing?.updatedAt && existing.updatedAt > updatedAt) return { outcome: 'stale' };
    // Consent changed on its own since (a platform's consent topic): this older update does not undo it.
    const consent =
      marketingConsent !== undefined && !(existing?.consentChangedAt && existing.consentChangedAt > updatedAt)
        ? { marketingConsent, consentChangedAt: updatedAt }
        : {};
    const profile: CustomerProfile = { ...existing, ...detail, ...consent, updatedAt, deletedAt: undefined };
    const planned = plannedSlots(profile, time, ports);
    if (!(await ports.customers.upsert({ ...detail, ...consent, updatedAt, ...planned.values }, existing?.historyVersion))) return undefined;
    // Orders that came before the customer did: the survey about the latest one is scheduled now, as it would have been.
    if (existing?.lastOrderAt && !existing.updatedAt && isMailable(profile)) await surveyLatestOrder(profile, time, ports);
    if (consent.marketingConsent !== undefined) {
      await noteConsent(profile.customerId, existing?.marketingConsent, consent.marketingConsent, updatedAt, origin, profile.locale, ports);
    }
    return { outcome: 'stored', due: planned.due };
  });
};

/** Consent on its own, with the due slots it opens or closes. */
const changeConsent = (event: Extract<ShopEvent, { 'detail-type': 'Customer Consent Changed' }>, time: Date, origin: EventOrigin, ports: IngestPorts): Promise<IngestResult> => {
  const { customerId, email, marketingConsent } = event.detail;
  const changedAt = new Date(event.detail.changedAt).toISOString();
  return decidedOnFreshProfile(customerId, 'consent', ports, async (existing) => {
    if (existing?.deletedAt || (existing?.consentChangedAt && existing.consentChangedAt > changedAt)) return { outcome: 'stale' };
    const profile = { ...existing, customerId, email: existing?.email ?? email, marketingConsent, consentChangedAt: changedAt } as CustomerProfile;
    const planned = plannedSlots(profile, time, ports);
    const values = { customerId, ...(!existing?.email && { email }), marketingConsent, consentChangedAt: changedAt, ...planned.values };
    if (!(await ports.customers.setConsent(values, existing?.historyVersion))) return undefined;
    // Consent given after the orders came: the survey about the latest one, if its day is still ahead.
    if (!existing?.marketingConsent && existing?.lastOrderAt && isMailable(profile)) await surveyLatestOrder(profile, time, ports);
    await noteConsent(customerId, existing?.marketingConsent, marketingConsent, changedAt, origin, existing?.locale, ports);
    return { outcome: 'stored', due: planned.due };
  });
};

/** The profile with an order history's statistics, and the winback step it plans. */
const withStats = (current: CustomerProfile | undefined, stats: OrderStats | NoOrderStats, time: Date, ports: IngestPorts) => {
  const profile = current && { ...current, ...stats };
  return { profile, winback: profile && { due: nextWinbackFor(profile, dueFrom(time, ports), ports.config), stepsSent: stepsSentIn(profile) } };
};

/**
 * Stores the statistics of a history's `version` with what follows from them and from the profile (the winback
 * step, the survey): planned from the profile as read, the write holds only while the profile is unchanged; when an
 * update or a consent change landed meanwhile (consent given at checkout, say), they are planned again from a fresh
 * read (docs/design.md §3). Once a longer history's statistics are stored, its writer's plans stand.
 */
const storeStats = async <Plan>(
  customerId: string,
  existing: CustomerProfile | undefined,
  version: number,
  plan: (profile: CustomerProfile | undefined) => Plan,
  write: (plan: Plan, plannedFrom: CustomerProfile | undefined) => Promise<boolean>,
  ports: IngestPorts,
): Promise<Plan> => {
  let current = existing;
  for (let attempt = 0; attempt < profileWriteAttempts; attempt++) {
    const planned = plan(current);
    if (await write(planned, current)) return planned;
    const fresh = await ports.customers.get(customerId);
    if ((fresh?.historyVersion ?? 0) >= version) return planned;
    current = fresh;
  }
  throw new Error(`customer ${customerId}: the profile changed under ${profileWriteAttempts} writes of its order statistics in a row`);
};

/**
 * An order: its code redeemed, then recorded by its id with the campaign
 * email it converts (its attribution), the customer's order statistics
 * recomputed from their whole history (so a late order is placed where it
 * belongs), the winback sequence restarted from the new last order, the survey
 * about it made due, and its contribution to the KPI day counters. Every step
 * is safe to repeat, the attribution is decided once (the first recording's
 * stays), the KPI footprint is the whole history's (whichever order gets there
 * last), and the completion marker is written last: a retry after any partial
 * failure ends where one clean delivery ends, and a delivery after completion
 * is a duplicate.
 */
const placeOrder = async (event: Extract<ShopEvent, { 'detail-type': 'Order Placed' }>, time: Date, origin: EventOrigin, ports: IngestPorts): Promise<IngestResult> => {
  const order: OrderPlaced = event.detail;
  const placedAt = new Date(order.placedAt).toISOString();
  const existing = await ports.customers.get(order.customerId);
  // Redeeming again for the same order is a no-op, so a duplicate may do it before it finds out it is one.
  const redeemed = order.discountCode ? await ports.codes.redeem(order.discountCode, order.orderId, placedAt) : undefined;
  // A personal referral code converts no email of its own customer's: it may earn its owner a reward (below).
  const personal = redeemed?.oncePerCustomer ? redeemed : undefined;
  const stored = await ports.orders.recordOrder(order, {
    attribution: attributeOrder({ placedAt, redeemed: personal ? undefined : redeemed, profile: existing, windowDays: ports.config.winback.conversionWindowDays }) ?? null,
  });
  if (stored.ingestedAt) return { outcome: 'duplicate' };
  const attribution = stored.attribution ?? undefined;
  const rule = ports.config.winback;
  const loyaltyRules = ports.config.loyalty;
  const appended = await ports.orders.appendOrder(
    order.customerId,
    { orderId: order.orderId, placedAt, total: order.total, currency: order.currency },
    { pointsRedeemed: order.pointsRedeemed, knownOrders: existing?.orderCount, page: existing?.historyPage, first: stored.first, summarize: (earlier) => summarize(earlier, rule, loyaltyRules) },
  );
  // A personal referral code weighs the whole history; the rest is told from its summary when it can be.
  const facts =
    ('summary' in appended && !personal && recentFacts(appended, order.orderId, rule, loyaltyRules && { rules: loyaltyRules, time })) ||
    wholeFacts('summary' in appended ? await appended.whole() : appended, order.orderId, rule, loyaltyRules);
  const { stats, counted, version, history: storedHistory } = facts;
  // Cancelled (or refunded in full) before it arrived: it counts nowhere, and converts nothing.
  if (!counted && !stored.cancelledAt) await ports.orders.markCancelled(order.customerId, order.orderId, time.toISOString());

  const converted = attribution?.campaign === 'winback' ? existing?.winbackLastSendKey : undefined;
  const loyalty = facts.loyalty && planLoyalty({ customerId: order.customerId, standing: facts.loyalty, profile: existing, time, from: dueFrom(time, ports), changeKey: `${order.customerId}#${version}`, config: ports.config });
  // Before the tier is stored: a retry after a crash between the two decides the same, and publishes the same ids.
  const earned = loyalty?.earned(order.orderId);
  const spent = loyalty?.redeemed(order.orderId);
  if (earned || spent || loyalty?.events.length) {
    const points = { customerId: order.customerId, orderId: order.orderId, balance: loyalty!.values.pointsBalance! };
    await ports.events.publish([
      ...(spent ? [outgoing(pointsRedeemed, time.toISOString(), { ...points, points: spent }, stableEventId(pointsRedeemed.detailType, order.orderId))] : []),
      ...(earned ? [outgoing(pointsEarned, time.toISOString(), { ...points, points: earned }, stableEventId(pointsEarned.detailType, order.orderId))] : []),
      ...(loyalty?.events ?? []),
    ]);
  }
  const referral =
    personal && counted && storedHistory
      ? await convertReferral(
          { code: personal, order: { orderId: order.orderId, customerId: order.customerId, placedAt, total: counted.total, currency: order.currency }, referred: existing, history: storedHistory, time, from: dueFrom(time, ports) },
          ports,
        )
      : undefined;
  const { profile, winback, survey } = await storeStats(
    order.customerId,
    existing,
    version,
    (current) => {
      const { profile, winback } = withStats(current, stats, time, ports);
      return {
        profile,
        winback,
        // The survey is about the latest order; until its delivery is reported (it may have come first), it counts from the order.
        survey:
          counted && profile && isMailable(profile) && stats.lastOrderAt === placedAt
            ? surveyFor(profile, order.orderId, { placedAt, deliveredAt: stored.deliveredAt }, dueFrom(time, ports), ports.config)
            : undefined,
      };
    },
    (plan, plannedFrom) =>
      ports.customers.setOrderStats(
        order.customerId,
        { ...stats, ...loyalty?.values, historyPage: facts.page },
        version,
        plan.winback,
        { converted: counted && converted, survey: plan.survey },
        plannedFrom,
      ),
    ports,
  );

  const converts = counted && attribution && !attribution.holdout;
  await ports.kpis.footprint(order.customerId, facts.footprint);
  if (converts) await ports.kpis.contribute(conversionKey(order.orderId), conversionChanges(attribution.campaign, placedAt, counted.total, order.currency));

  if (counted && attribution) {
    await ports.events.publish([
      outgoing(
        campaignConversion,
        time.toISOString(),
        { ...attribution, orderId: order.orderId, customerId: order.customerId, revenue: counted.total, currency: order.currency },
        stableEventId(campaignConversion.detailType, order.orderId),
      ),
    ]);
  }
  const result: IngestResult = {
    outcome: 'stored',
    ...(converts && { conversion: { campaign: attribution.campaign, step: attribution.step, revenue: counted.total, currency: order.currency } }),
    ...(profile && { due: { winback: dueSlot(winback?.due), ...(survey && { nps: dueSlot(survey) }) } }),
    ...(earned && { pointsEarned: earned }),
    ...(spent && { pointsRedeemed: spent }),
    ...(referral?.kind === 'reward' && { referral: { revenue: counted!.total, currency: order.currency } }),
  };
  await noteReceived(event, result, origin, ports);
  await ports.orders.complete(order.customerId, order.orderId, time.toISOString());
  return result;
};

const conversionKey = (orderId: string) => `CONVERSION#${orderId}`;

/**
 * A cancellation or a refund (docs/design.md §3): recorded in the customer's history,
 * then everything the order fed recomputed without it (or with its lower
 * total): the order statistics and the winback sequence they imply, the KPI
 * footprint, the conversion it made, and the survey pending about it (moved
 * to the customer's previous delivered order while that one's survey day is
 * still ahead, else cancelled). Each step is safe to repeat and decides from
 * what is stored, so a retry, a duplicate, or a cancellation arriving before
 * its order all end the same.
 */
const changeOrder = async (customerId: string, change: OrderChange, time: Date, ports: IngestPorts): Promise<IngestResult> => {
  const existing = await ports.customers.get(customerId);
  const stored = await ports.orders.addChange(customerId, change, existing?.orderCount);
  const { counted, version, stats, footprint, page, loyalty: standing } = wholeFacts(stored, change.orderId, ports.config.winback, ports.config.loyalty);
  const placed = stored.orders.some((entry) => entry.orderId === change.orderId);
  // No longer counting: marked so that a late delivery schedules no survey about it.
  const order = !counted && (placed || change.kind === 'cancelled')
    ? await ports.orders.markCancelled(customerId, change.orderId, time.toISOString())
    : await ports.orders.get(customerId, change.orderId);

  const loyalty = standing && planLoyalty({ customerId, standing, profile: existing, time, from: dueFrom(time, ports), changeKey: `${customerId}#${version}`, config: ports.config });
  // Before the tier is stored, as for an order.
  if (loyalty?.events.length) await ports.events.publish(loyalty.events);
  const { profile, winback } = await storeStats(
    customerId,
    existing,
    version,
    (current) => withStats(current, stats, time, ports),
    (plan, plannedFrom) => ports.customers.setOrderStats(customerId, { ...stats, ...loyalty?.values, historyPage: page }, version, plan.winback, undefined, plannedFrom),
    ports,
  );
  await ports.kpis.footprint(customerId, footprint);
  const due: DueSlots = profile ? { winback: dueSlot(winback?.due) } : {};
  if (!counted && profile?.npsOrderId === change.orderId) {
    const moved = isMailable(profile) ? await previousSurvey(profile, stored, change.orderId, time, ports) : undefined;
    await ports.customers.setSurveyDue(customerId, moved, { onlyFor: change.orderId });
    due.nps = dueSlot(moved);
  }
  const attribution = placed ? order.attribution : null;
  if (attribution) await reviseConversion(customerId, change.orderId, order, counted, time, ports);
  const reverted = attribution && !attribution.holdout && !counted;
  return { outcome: 'stored', due, ...(reverted && { reverted: { campaign: attribution.campaign, step: attribution.step } }) };
};

/** The conversion an order made, at its revenue now; undone, with an event out, when the order no longer counts. */
const reviseConversion = async (customerId: string, orderId: string, order: OrderRecord, counted: { total: number } | undefined, time: Date, ports: IngestPorts) => {
  const attribution = order.attribution!;
  if (!attribution.holdout) {
    await ports.kpis.contribute(conversionKey(orderId), conversionChanges(attribution.campaign, order.placedAt!, counted?.total ?? 0, order.currency, counted ? 1 : 0));
  }
  if (counted) return;
  await ports.events.publish([
    outgoing(
      campaignConversionReverted,
      time.toISOString(),
      { ...attribution, orderId, customerId, revenue: order.total ?? 0, currency: order.currency ?? '' },
      stableEventId(campaignConversionReverted.detailType, orderId),
    ),
  ]);
};

/** The survey about the customer's latest delivered order but the one cancelled, if its day is still ahead. */
const previousSurvey = async (profile: CustomerProfile, stored: StoredHistory, cancelled: string, time: Date, ports: IngestPorts) => {
  const candidates = countingOrders(stored)
    .filter((entry) => entry.orderId !== cancelled)
    .sort((a, b) => b.placedAt.localeCompare(a.placedAt));
  // Only recent orders can still have their survey day ahead: a few reads at most.
  for (const candidate of candidates.slice(0, 3)) {
    const order = await ports.orders.get(profile.customerId, candidate.orderId);
    if (order.deliveredAt) return surveyFor(profile, candidate.orderId, { deliveredAt: order.deliveredAt }, dueFrom(time, ports), ports.config);
  }
  return undefined;
};

const surveyLatestOrder = async (profile: CustomerProfile, time: Date, ports: IngestPorts) => {
  const latest = await ports.orders.latest(profile.customerId);
  if (!latest) return;
  const survey = surveyFor(profile, latest.orderId, latest, dueFrom(time, ports), ports.config);
  if (survey) await ports.customers.setSurveyDue(profile.customerId, survey, { onlyFor: latest.orderId, orNone: true });
};

/**
 * The survey about an order counts from its delivery; when that day is over (or
 * no delivery is known), from the order. A pure function of the two, so the
 * order in which they arrive does not matter.
 */
const surveyFor = (profile: CustomerProfile, orderId: string, order: { placedAt?: string; deliveredAt?: string }, now: Date, config: Config) => {
  const due = (basis: SurveyDueInput['basis']) =>
    surveyDue({ orderId, basis, timeZone: timeZoneOf(profile, config.defaultTimeZone), now, nps: config.nps, window: config.sendWindow });
  return (order.deliveredAt && due({ delivered: order.deliveredAt })) || (order.placedAt ? due({ placed: order.placedAt }) : undefined);
};
