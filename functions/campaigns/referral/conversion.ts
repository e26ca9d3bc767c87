/**
 * A new customer's first order with a personal referral code (docs/design.md §10): the
 * referrer is owed a reward, recorded under them once per referred customer, announced
 * (`Referral Converted`) and made due as their referral email's step 2. Every step is safe
 * to repeat and decides from what is stored: a retried order ends the same.
 */
import type { Config } from '../../config';
import { outgoing, stableEventId } from '../../events/event';
import { referralConverted } from '../../events/retention';
import type { StoredHistory } from '../../customers/order-history';
import { timeZoneOf, type CustomerProfile } from '../../customers/profile';
import { nextSendSlot } from '../local-time';
import type { CustomerStore, DiscountCode, EventPublisher, Referrals } from '../ports';
import { referralOutcome, type ReferralOutcome } from './rules';

export interface ReferralConversionPorts {
  config: Config;
  customers: Pick<CustomerStore, 'get' | 'update'>;
  referrals: Referrals;
  events: EventPublisher;
}

export interface ReferralConversionInput {
  /** The personal code the order redeemed. */
  code: DiscountCode;
  order: { orderId: string; customerId: string; placedAt: string; total: number; currency: string };
  /** The ordering customer's profile as it was before the order (undefined: not known yet). */
  referred: CustomerProfile | undefined;
  history: StoredHistory;
  /** Business time of the order event, and from when the reward's email is planned. */
  time: Date;
  from: Date;
}

export const convertReferral = async ({ code, order, referred, history, time, from }: ReferralConversionInput, ports: ReferralConversionPorts): Promise<ReferralOutcome> => {
  const { config } = ports;
  const referrer = await ports.customers.get(code.customerId);
  const outcome = referralOutcome({
    referral: config.referral,
    referrer: referrer && { customerId: referrer.customerId, email: referrer.email, addressHash: referrer.addressHash, code: code.code, codeExpiresAt: code.expiresAt },
    referred: { customerId: order.customerId, email: referred?.email, addressHash: referred?.addressHash, orders: history.orders },
    order: { orderId: order.orderId, placedAt: order.placedAt, discountCode: code.code },
  });
  if (outcome.kind === 'none' || !referrer) return outcome;
  await ports.referrals.record(referrer.customerId, { referredId: order.customerId, orderId: order.orderId, code: code.code, convertedAt: order.placedAt });
  await ports.events.publish([
    outgoing(
      referralConverted,
      time.toISOString(),
      { referrerId: referrer.customerId, customerId: order.customerId, orderId: order.orderId, code: code.code, revenue: order.total, currency: order.currency },
      // One per referred customer, whatever retries: their first order is one.
      stableEventId(referralConverted.detailType, order.customerId),
    ),
  ]);
  // Due now, unless a referral email is pending for them: settling that one finds this reward.
  const dueAt = nextSendSlot(from, timeZoneOf(referrer, config.defaultTimeZone), config.referral!.sendHour, config.sendWindow);
  await ports.customers.update(referrer.customerId, { referralStep: 2, referralRewardFor: order.customerId, referralDueAt: dueAt.toISOString() }, { referralDueAt: undefined });
  return outcome;
};
