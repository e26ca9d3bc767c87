/**
 * The loyalty review (docs/design.md §10): hourly, the customers whose points or tier change
 * with time alone (a batch of points expires, an order leaves the rolling year) are read
 * through their due index, never a scan, and their standing recomputed from the stored
 * history: `Points Expired` per batch, `Tier Changed` for a tier lost (quietly: no email),
 * and the next warning and review planned. Events go out before the write, with ids from
 * what they announce, so a retry after a crash publishes the same ones; once out, the
 * expiries are recorded even when an order came in meanwhile, so they go out once.
 */
import type { Config } from '../../config';
import { recentLoyalty } from '../../customers/history-summary';
import { historyVersion } from '../../customers/order-history';
import type { CustomerProfile } from '../../customers/profile';
import type { CustomerStore, EventPublisher, OrderStore } from '../ports';
import { stopMarginMs } from '../sweep';
import { loyaltyStanding, planLoyalty } from './plan';
import type { Loyalty } from './rules';

export interface ReviewPorts {
  config: Config;
  customers: Pick<CustomerStore, 'due' | 'get' | 'update'>;
  orders: Pick<OrderStore, 'history' | 'recent'>;
  events: EventPublisher;
}

export interface ReviewResult {
  /** Customers the index returned. */
  due: number;
  /** Batches of points that expired, the points in them, and tiers lost. */
  expired: number;
  pointsExpired: number;
  tiersLost: number;
  complete: boolean;
}

export const runLoyaltyReview = async (at: Date, ports: ReviewPorts, remainingMs: () => number): Promise<ReviewResult> => {
  const result: ReviewResult = { due: 0, expired: 0, pointsExpired: 0, tiersLost: 0, complete: true };
  // Switched off, nothing is read: what is due waits in the index.
  if (!ports.config.loyalty) return result;
  for await (const customerIds of ports.customers.due('loyaltyReview', at)) {
    for (const customerId of customerIds) {
      const reviewed = await reviewCustomer(customerId, at, ports);
      result.due++;
      result.expired += reviewed.expired;
      result.pointsExpired += reviewed.points;
      result.tiersLost += reviewed.tierLost ? 1 : 0;
    }
    if (remainingMs() < stopMarginMs) {
      result.complete = false;
      break;
    }
  }
  return result;
};

export const reviewCustomer = async (customerId: string, at: Date, ports: ReviewPorts) => {
  const profile = await ports.customers.get(customerId);
  // Reviewed already (a repeated run), or moved on by an order since.
  if (!profile?.loyaltyReviewAt || Date.parse(profile.loyaltyReviewAt) > at.getTime()) return { expired: 0, points: 0, tierLost: false };
  const rules = ports.config.loyalty!;
  const after = profile.pointsExpiredThrough === undefined ? undefined : new Date(profile.pointsExpiredThrough);
  const { standing, version } = (await lastPageStanding(customerId, profile, rules, after, at, ports)) ?? (await wholeStanding(customerId, rules, ports));
  const plan = planLoyalty({ customerId, standing, profile, time: at, from: at, changeKey: `${customerId}#review#${at.toISOString()}`, config: ports.config })!;
  const expired = plan.expired(after);
  if (expired.length || plan.events.length) await ports.events.publish([...expired, ...plan.events]);
  const through = at.toISOString();
  // Only over the history it was computed from: an order stored meanwhile planned its own.
  const stored = await ports.customers.update(customerId, { ...plan.values, pointsExpiredThrough: through }, { historyVersion: version });
  // The expiries were announced all the same: recorded alone (unless another review moved on), so the next review does not announce them again.
  if (!stored && expired.length) await ports.customers.update(customerId, { pointsExpiredThrough: through }, { pointsExpiredThrough: profile.pointsExpiredThrough });
  return { expired: expired.length, points: expired.reduce((sum, event) => sum + (event.detail as { points: number }).points, 0), tierLost: plan.change === 'lost' };
};

const wholeStanding = async (customerId: string, rules: Loyalty, ports: ReviewPorts) => {
  const history = await ports.orders.history(customerId);
  return { standing: loyaltyStanding(history, rules), version: historyVersion(history) };
};

/**
 * The standing told from the history's last page and its summary (docs/design.md §3), as for an order: when the
 * profile names that page, and the points that expired since the last review (`after`) are all among those the
 * summary keeps (it expired after the summary's last order). A first review reads the whole history.
 */
const lastPageStanding = async (customerId: string, profile: CustomerProfile, rules: Loyalty, after: Date | undefined, at: Date, ports: ReviewPorts) => {
  if (!after || !profile.historyPage) return undefined;
  const page = await ports.orders.recent(customerId, profile.historyPage);
  return page && recentLoyalty(page, rules, after < at ? after : at);
};
