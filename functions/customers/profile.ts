/** The customer as the engine keeps it, and what makes one mailable (docs/design.md §5, all campaigns). */
import { createHash } from 'node:crypto';
import type { Campaign } from '../events/retention';
import type { CustomerUpserted } from '../events/shop';

export interface CustomerProfile extends CustomerUpserted {
  /** Time of the event that last changed the profile: older events never overwrite newer ones. */
  updatedAt: string;
  /** When marketing consent last changed (the event's time): an older change never overwrites it. */
  consentChangedAt?: string;
  /** Set by `Customer Deleted`: personal data is gone. */
  deletedAt?: string;
  /** Year of the last birthday email. */
  birthdayLastYear?: number;
  /** The pending birthday email: its year and the sweep that sends it. */
  birthdayOccasion?: number;
  birthdayDueAt?: string;

  /** Order statistics, kept up to date from `Order Placed`, and the order history's version they were computed from. */
  historyVersion?: number;
  /** The history's last page at that version: where the next order is tried first (docs/design.md §3). */
  historyPage?: number;
  orderCount?: number;
  firstOrderAt?: string;
  lastOrderAt?: string;
  totalSpent?: number;
  medianGapDays?: number;

  /** The current winback lapse (its last order), the steps settled in it and the next one pending. */
  winbackLapse?: string;
  winbackStepsSent?: number;
  winbackStep?: number;
  winbackDueAt?: string;
  /** The last winback email, for attributing the next order to it. */
  winbackLastSentAt?: string;
  winbackLastSentStep?: number;
  winbackLastSendKey?: string;
  winbackLastExperiment?: string;
  winbackLastVariant?: string;
  /** The last winback step was held out (the customer is in the holdout group). */
  winbackLastHeldOut?: boolean;
  /** The send key of the winback email an order already converted. */
  winbackConvertedKey?: string;

  /** The pending NPS survey: the order it asks about, and the sweep that sends it. */
  npsOrderId?: string;
  npsDueAt?: string;
  /** When the last survey went out (one per customer per 90 days). */
  npsLastSurveyAt?: string;

  /**
   * Campaigns the customer opted out of on the unsubscribe page (engine-owned:
   * a `Customer Upserted` never changes it). Unsubscribing from everything is
   * the suppression list's business, not this field's.
   */
  optedOut?: Campaign[];

  /** Loyalty (docs/design.md §10, when configured): the live points and the tier held, as of the order history's latest version. */
  pointsBalance?: number;
  loyaltyTier?: string;
  /** The pending tier email: `<tier>#<local day reached>`, and the sweep that sends it. */
  tierOccasion?: string;
  tierDueAt?: string;
  /** The pending expiry warning: the local day the points expire, how many, and the sweep that sends it. */
  pointsOccasion?: string;
  pointsExpiring?: number;
  pointsDueAt?: string;
  /** The last expiry day warned of (or settled without a warning). */
  pointsWarnedDay?: string;
  /** When points or the tier next change with no event: the review recomputes them then. */
  loyaltyReviewAt?: string;
  /** Points expired up to this instant have had their `Points Expired`. */
  pointsExpiredThrough?: string;

  /** The latest NPS score the customer gave (a promoter may be invited to refer friends). */
  npsLatestScore?: number;
  /** The pending referral email: 1, the invitation (with the personal code); 2, a reward, for `referralRewardFor`. */
  referralStep?: number;
  referralRewardFor?: string;
  referralDueAt?: string;
  /** When the invitation was settled: it goes once. */
  referralInvitedAt?: string;
  /** Kept after erasure (docs/design.md §11): what tells a self-referral under a new account. */
  addressHash?: string;
}

/**
 * Consent and an address: the profile-level conditions every campaign shares;
 * with `campaign`, also that the customer has not opted out of that campaign.
 * (The suppression list is checked separately, at send time.)
 */
export const isMailable = (
  profile: Pick<CustomerProfile, 'marketingConsent' | 'email' | 'deletedAt'> & Partial<Pick<CustomerProfile, 'optedOut'>>,
  campaign?: Campaign,
): boolean =>
  profile.marketingConsent === true &&
  !profile.deletedAt &&
  Boolean(profile.email) &&
  !(campaign !== undefined && profile.optedOut?.includes(campaign));

export const timeZoneOf = (profile: Pick<CustomerProfile, 'timeZone'>, defaultTimeZone: string): string =>
  profile.timeZone ?? defaultTimeZone;

/**
 * A stable hash of an address (SHA-256 of it trimmed and lower-cased): how the
 * suppression list keys an address, and what outlives a customer's erasure.
 */
export const addressHash = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex');
