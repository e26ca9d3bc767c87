/**
 * The loyalty programme's two emails (docs/design.md §10): `tier` when a tier is reached,
 * `points` before a batch of points expires. Hourly sweeps queue the customers due; the
 * sender settles each job here, deciding from the profile as it is then: a tier lost or
 * points spent since the email was planned are not announced.
 */
import { campaignSettings } from '../../config';
import { isMailable, timeZoneOf, type CustomerProfile } from '../../customers/profile';
import { deliver, formatDate, type DeliveryPorts } from '../delivery';
import { sweepSlot } from '../local-time';
import type { Attempt, CustomerStore } from '../ports';
import { runSweep, type SweepOutcome, type SweepPorts } from '../sweep';
import { tierOfOccasion } from './plan';

export const tierSendKey = (customerId: string, occasion: string) => `tier#${customerId}#${occasion}`;
export const pointsSendKey = (customerId: string, occasion: string) => `points#${customerId}#${occasion}`;

type Ports = DeliveryPorts & { customers: CustomerStore };

export const runTierSweep = (at: Date, ports: SweepPorts, remainingMs: () => number) => runSweep('tier', 'tierDue', at, ports, remainingMs);
export const runPointsSweep = (at: Date, ports: SweepPorts, remainingMs: () => number) => runSweep('points', 'pointsDue', at, ports, remainingMs);

/** Settles the tier email: sent once per tier reached, while the customer still holds it. */
export const settleTier = async (profile: CustomerProfile, at: Date, ports: Ports, attempt: Attempt): Promise<SweepOutcome> => {
  const occasion = profile.tierOccasion;
  if (occasion === undefined) return { outcome: 'ended' };
  // Only while this is still the pending tier email (a newer tier may have replaced it).
  const move = (tierDueAt: string | undefined) => ports.customers.update(profile.customerId, { tierDueAt, ...(tierDueAt === undefined && { tierOccasion: undefined }) }, { tierOccasion: occasion });
  const tier = tierOfOccasion(occasion);
  if (profile.loyaltyTier !== tier) {
    await move(undefined);
    return { outcome: 'ended' };
  }
  if (!isMailable(profile)) {
    await move(undefined);
    return { outcome: 'ineligible' };
  }
  const outcome = await deliver(
    {
      campaign: 'tier',
      sendKey: tierSendKey(profile.customerId, occasion),
      customer: profile,
      timeZone: timeZoneOf(profile, ports.config.defaultTimeZone),
      at,
      sendHour: campaignSettings(ports.config, 'tier').sendHour,
      data: { loyalty: { tier, balance: profile.pointsBalance ?? 0 } },
    },
    ports,
    attempt,
  );
  await afterDelivery(outcome, move);
  return outcome;
};

/** Settles the expiry warning: once per local day points expire, with the balance and what expires. */
export const settlePoints = async (profile: CustomerProfile, at: Date, ports: Ports, attempt: Attempt): Promise<SweepOutcome> => {
  const occasion = profile.pointsOccasion;
  if (occasion === undefined) return { outcome: 'ended' };
  // Settled: this expiry day is warned of, and the review plans the next warning at once.
  const move = (pointsDueAt: string | undefined) =>
    ports.customers.update(
      profile.customerId,
      pointsDueAt === undefined ? { pointsDueAt, pointsOccasion: undefined, pointsExpiring: undefined, pointsWarnedDay: occasion, loyaltyReviewAt: at.toISOString() } : { pointsDueAt },
      { pointsOccasion: occasion },
    );
  if (!profile.pointsExpiring) {
    await move(undefined);
    return { outcome: 'ended' };
  }
  if (!isMailable(profile)) {
    await move(undefined);
    return { outcome: 'ineligible' };
  }
  const timeZone = timeZoneOf(profile, ports.config.defaultTimeZone);
  const outcome = await deliver(
    {
      campaign: 'points',
      sendKey: pointsSendKey(profile.customerId, occasion),
      customer: profile,
      timeZone,
      at,
      sendHour: campaignSettings(ports.config, 'points').sendHour,
      data: (locale) => ({
        loyalty: {
          balance: profile.pointsBalance ?? 0,
          expiring: profile.pointsExpiring,
          expiresOn: formatDate(occasion, locale, timeZone),
          tier: profile.loyaltyTier ?? '',
        },
      }),
    },
    ports,
    attempt,
  );
  await afterDelivery(outcome, move);
  return outcome;
};

/** What a delivery's outcome does to the pending email: settled, moved to the next day, or left for the retry. */
export const afterDelivery = async (outcome: SweepOutcome, move: (dueAt: string | undefined) => Promise<unknown>) => {
  switch (outcome.outcome) {
    case 'sent':
    case 'heldOut':
    case 'suppressed':
    case 'missed':
      await move(undefined);
      break;
    case 'deferred':
      await move(sweepSlot(outcome.until).toISOString());
      break;
  }
};
