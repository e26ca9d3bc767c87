/** The customer as the engine keeps it, and what makes one mailable (DESIGN §5, all campaigns). */
import type { CustomerUpserted } from '../events/shop';

export interface CustomerProfile extends CustomerUpserted {
  /** Time of the event that last changed the profile: older events never overwrite newer ones. */
  updatedAt: string;
  /** Set by `Customer Deleted`: personal data is gone. */
  deletedAt?: string;
  /** Year of the last birthday email. */
  birthdayLastYear?: number;
  /** The pending birthday email: its year and the sweep that sends it. */
  birthdayOccasion?: number;
  birthdayDueAt?: string;

  /** Order statistics, kept up to date from `Order Placed`. */
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
  /** The send key of the winback email an order already converted. */
  winbackConvertedKey?: string;

  /** The pending NPS survey: the order it asks about, and the sweep that sends it. */
  npsOrderId?: string;
  npsDueAt?: string;
  /** When the last survey went out (one per customer per 90 days). */
  npsLastSurveyAt?: string;
}

/** Consent and an address: the profile-level conditions every campaign shares. */
export const isMailable = (profile: Pick<CustomerProfile, 'marketingConsent' | 'email' | 'deletedAt'>): boolean =>
  profile.marketingConsent && !profile.deletedAt && Boolean(profile.email);

export const timeZoneOf = (profile: Pick<CustomerProfile, 'timeZone'>, defaultTimeZone: string): string =>
  profile.timeZone ?? defaultTimeZone;
