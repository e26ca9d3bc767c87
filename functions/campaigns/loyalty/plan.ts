/**
 * A customer's loyalty standing after a change (docs/design.md §10), decided from the stored
 * order history alone: the balance and tier, the tier email when a tier is reached, the next
 * points-expiry warning, the next review (when time alone changes something), and the
 * referral invitation a top tier earns. Pure: ingest (after an order, a cancellation, a
 * refund) and the loyalty review (after time passed) both store what it returns.
 */
import type { Config } from '../../config';
import { outgoing, stableEventId, type OutgoingEvent } from '../../events/event';
import { pointsExpired, tierChanged } from '../../events/retention';
import type { StoredHistory } from '../../customers/order-history';
import { timeZoneOf, type CustomerProfile } from '../../customers/profile';
import { localDate, nextSendSlot } from '../local-time';
import { referralEligibility } from '../referral/rules';
import {
  expiredBetween,
  loyaltyOrders,
  loyaltyRedemptions,
  nextExpiryWarning,
  nextLoyaltyChange,
  pointsBatches,
  pointsStanding,
  tierAt,
  tierChange,
  tierNamed,
  type Loyalty,
  type LoyaltyOrder,
  type PointsBatch,
  type Redemption,
} from './rules';

/** A tier email's occasion, `<tier>#<local day reached>`: reaching a tier again another day is another email. */
export const tierOccasion = (tier: string, day: string) => `${tier}#${day}`;
export const tierOfOccasion = (occasion: string) => occasion.slice(0, occasion.lastIndexOf('#'));

/**
 * What loyalty weighs of a customer's history: the orders as it counts them, oldest first, their points batches, the
 * points spent on them, and what each `Order Placed` said it spent. From the whole history (`loyaltyStanding`), or
 * from a page and its summary (docs/design.md §3), which keep only the orders and batches that can still count.
 */
export interface LoyaltyStanding {
  orders: LoyaltyOrder[];
  batches: PointsBatch[];
  redemptions: Redemption[];
  spent: NonNullable<StoredHistory['redemptions']>;
}

export const loyaltyStanding = (history: StoredHistory, loyalty: Pick<Loyalty, 'pointsPerUnit' | 'pointsExpireDays'>): LoyaltyStanding => {
  const orders = loyaltyOrders(history, loyalty);
  return { orders, batches: pointsBatches(orders, loyalty), redemptions: loyaltyRedemptions(history, orders), spent: history.redemptions ?? [] };
};

export interface LoyaltyPlanInput {
  customerId: string;
  standing: LoyaltyStanding;
  /** The profile as stored before this change (undefined: not known yet). */
  profile: CustomerProfile | undefined;
  /** Business time of the change: the event's, or the review's. */
  time: Date;
  /** From when emails are planned (never in the past: docs/design.md §3). */
  from: Date;
  /** Makes the ids of the events it publishes: the same change, the same ids. */
  changeKey: string;
  config: Config;
}

export type LoyaltyPlan = NonNullable<ReturnType<typeof planLoyalty>>;

/** The profile fields the plan decides (an absent one is left as stored; an undefined one is removed). */
export type LoyaltyValues = Partial<
  Pick<
    CustomerProfile,
    'pointsBalance' | 'loyaltyTier' | 'pointsOccasion' | 'pointsExpiring' | 'pointsDueAt' | 'loyaltyReviewAt' | 'tierOccasion' | 'tierDueAt' | 'referralStep' | 'referralDueAt'
  >
>;

export const planLoyalty = ({ customerId, standing, profile, time, from, changeKey, config }: LoyaltyPlanInput) => {
  const loyalty = config.loyalty;
  if (!loyalty) return undefined;
  const { orders, batches, redemptions, spent } = standing;
  const balance = pointsStanding(batches, time, redemptions).balance;
  const before = tierNamed(profile?.loyaltyTier, loyalty);
  const after = tierAt(orders, loyalty, time);
  const change = tierChange(before, after);
  const timeZone = timeZoneOf(profile ?? {}, config.defaultTimeZone);
  const warning = nextExpiryWarning({ batches, redemptions, timeZone, now: from, lastWarnedDay: profile?.pointsWarnedDay, loyalty, window: config.sendWindow });

  const values: LoyaltyValues = {
    pointsBalance: balance,
    loyaltyTier: after?.name,
    pointsOccasion: warning?.occasion,
    pointsExpiring: warning?.expiring,
    pointsDueAt: warning?.dueAt.toISOString(),
    loyaltyReviewAt: nextLoyaltyChange(orders, batches, loyalty, time)?.toISOString(),
  };
  if (change === 'reached') {
    values.tierOccasion = tierOccasion(after!.name, localDate(time, timeZone));
    values.tierDueAt = nextSendSlot(from, timeZone, loyalty.sendHour, config.sendWindow).toISOString();
    // The top tier earns the referral invitation, once.
    const invitation = referralEligibility({ referral: config.referral, tier: after!.name, loyalty, latestNpsScore: profile?.npsLatestScore, invited: profile?.referralInvitedAt !== undefined });
    if (invitation.eligible && profile?.referralDueAt === undefined) {
      values.referralStep = 1;
      values.referralDueAt = nextSendSlot(from, timeZone, config.referral!.sendHour, config.sendWindow).toISOString();
    }
  } else if (change === 'lost' && profile?.tierOccasion && (tierNamed(tierOfOccasion(profile.tierOccasion), loyalty)?.rank ?? 0) > (after?.rank ?? 0)) {
    // A tier lost before its email went out: the email no longer says what is true.
    values.tierOccasion = undefined;
    values.tierDueAt = undefined;
  }

  const events: OutgoingEvent[] = [];
  if (change !== 'same') {
    events.push(
      outgoing(tierChanged, time.toISOString(), { customerId, from: before?.name ?? null, to: after?.name ?? null, direction: change }, stableEventId(tierChanged.detailType, changeKey)),
    );
  }
  return {
    values,
    events,
    change,
    /** The points an order of the history earns (none when it earns none, or no longer counts), and those spent on it. */
    earned: (orderId: string) => orders.find((order) => order.orderId === orderId)?.points || undefined,
    redeemed: (orderId: string) => spent.find((redemption) => redemption.orderId === orderId && orders.some((order) => order.orderId === orderId))?.points || undefined,
    /** `Points Expired` for each batch that expired after `after` and by `time`; each batch's id is its order's (a standing from a summary lacks those expired before it). */
    expired: (after: Date | undefined) =>
      expiredBetween(batches, after, time, redemptions).map((batch) =>
        outgoing(
          pointsExpired,
          time.toISOString(),
          { customerId, orderId: batch.orderId, points: batch.points, expiredAt: batch.expiresAt, balance },
          stableEventId(pointsExpired.detailType, `${customerId}#${batch.orderId}`),
        ),
      ),
  };
};
