/**
 * The referral rules of docs/design.md §10, as pure functions:
 * - promoters (latest NPS score 9–10) and customers in the top loyalty tier get a personal
 *   referral code, once;
 * - a new customer whose first order uses it gets its discount, and the referrer a reward
 *   code: one reward per referred customer, none for referring oneself (same customer, or
 *   same address, an erased customer's by its hash), none for a code an existing customer used.
 */
import { addressHash } from '../../customers/profile';
import type { Config } from '../../config';
import type { Loyalty } from '../loyalty/rules';
import { npsCategory } from '../nps/rules';

export type Referral = NonNullable<Config['referral']>;


// Eligibility

export type ReferralEligibility =
  | { eligible: true; as: 'promoter' | 'top tier' }
  | { eligible: false; reason: 'referral off' | 'already invited' | 'neither a promoter nor in the top tier' };

export interface ReferralEligibilityInput {
  /** `referral` of the configuration: undefined when off. */
  referral: Referral | undefined;
  /** Their latest NPS score: an earlier 10 does not make a promoter of someone who now says 5. */
  latestNpsScore?: number;
  /** The name of the tier they hold. */
  tier?: string;
  loyalty?: Pick<Loyalty, 'tiers'>;
  /** Whether their personal code was already issued: it is issued once. */
  invited: boolean;
}

export const referralEligibility = ({ referral, latestNpsScore, tier, loyalty, invited }: ReferralEligibilityInput): ReferralEligibility => {
  if (!referral) return { eligible: false, reason: 'referral off' };
  if (invited) return { eligible: false, reason: 'already invited' };
  if (latestNpsScore !== undefined && npsCategory(latestNpsScore) === 'promoter') return { eligible: true, as: 'promoter' };
  // The top tier is the last configured; without tiers, only promoters qualify.
  const top = loyalty?.tiers.at(-1);
  if (top && tier === top.name) return { eligible: true, as: 'top tier' };
  return { eligible: false, reason: 'neither a promoter nor in the top tier' };
};

// Conversion

export interface ReferralParty {
  customerId: string;
  /** Absent once the customer is erased. */
  email?: string;
  /** The `addressHash` of an erased customer's address. */
  addressHash?: string;
}

/** The owner of the code the order used. */
export interface Referrer extends ReferralParty {
  code: string;
  codeExpiresAt: string;
}

export interface ReferredCustomer extends ReferralParty {
  /** Every order they placed, cancelled ones included: placing and cancelling does not make a customer new again. */
  orders: { orderId: string; placedAt: string }[];
  /** The order whose referral earned a reward, once one did. */
  rewardedOrderId?: string;
}

export interface ReferralOrder {
  orderId: string;
  placedAt: string;
  discountCode?: string;
  /** Cancelled, or refunded in full, by the time the reward is decided. */
  cancelled?: boolean;
}

export type NoRewardReason =
  | 'referral off'
  | 'no referral code'
  | 'self-referral: same customer'
  | 'self-referral: same address'
  | 'existing customer'
  | 'already rewarded'
  | 'code expired'
  | 'order cancelled';

export type ReferralOutcome = { kind: 'reward'; referrerId: string; referredId: string } | { kind: 'none'; reason: NoRewardReason };

export interface ReferralOutcomeInput {
  referral: Referral | undefined;
  /** The owner of the order's code, if it is someone's referral code. */
  referrer: Referrer | undefined;
  referred: ReferredCustomer;
  order: ReferralOrder;
}

/** Codes are typed by hand: `ab2c` is `AB2C`. */
const sameCode = (a: string, b: string) => a.trim().toUpperCase() === b.trim().toUpperCase();

const hashesOf = (party: ReferralParty) => [party.email === undefined ? undefined : addressHash(party.email), party.addressHash].filter((hash) => hash !== undefined);

const sameAddress = (a: ReferralParty, b: ReferralParty) => {
  const theirs = new Set(hashesOf(b));
  return hashesOf(a).some((hash) => theirs.has(hash));
};

/**
 * Whether `order` earns its referrer a reward. The referred customer is new when no other
 * order of theirs came before it (at the same instant, the smaller id first: one order is
 * first). Asked again about the order that was rewarded (a redelivered event), the answer is
 * the same reward, so the effects that follow it can be repeated safely.
 */
export const referralOutcome = ({ referral, referrer, referred, order }: ReferralOutcomeInput): ReferralOutcome => {
  const none = (reason: NoRewardReason): ReferralOutcome => ({ kind: 'none', reason });
  if (!referral) return none('referral off');
  if (!referrer || order.discountCode === undefined || !sameCode(order.discountCode, referrer.code)) return none('no referral code');
  if (referrer.customerId === referred.customerId) return none('self-referral: same customer');
  if (sameAddress(referrer, referred)) return none('self-referral: same address');
  const placed = Date.parse(order.placedAt);
  const earlier = referred.orders.some(
    (other) => other.orderId !== order.orderId && (Date.parse(other.placedAt) < placed || (Date.parse(other.placedAt) === placed && other.orderId < order.orderId)),
  );
  if (earlier) return none('existing customer');
  if (referred.rewardedOrderId !== undefined && referred.rewardedOrderId !== order.orderId) return none('already rewarded');
  if (placed > Date.parse(referrer.codeExpiresAt)) return none('code expired');
  if (order.cancelled) return none('order cancelled');
  return { kind: 'reward', referrerId: referrer.customerId, referredId: referred.customerId };
};
