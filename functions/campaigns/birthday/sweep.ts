/**
 * The hourly birthday sweep: reads the customers whose birthday email is due
 * by now through the due-time index, delivers each, and moves each customer's
 * due slot on (next year, or the next day when deferred).
 */
import { isMailable, timeZoneOf, type CustomerProfile } from '../../customers/profile';
import { deliver, type DeliveryOutcome, type DeliveryPorts } from '../delivery';
import { inSendWindow, sweepSlot } from '../local-time';
import type { CustomerStore } from '../ports';
import { birthdayPercentOff, nextDueFor } from './rules';

export const birthdaySendKey = (customerId: string, year: number) => `birthday#${customerId}#${year}`;

export type SweepOutcome = DeliveryOutcome['outcome'] | 'missed' | 'ineligible';

export interface SweepResult {
  campaign: 'birthday';
  /** Customers the due-time index returned. */
  due: number;
  outcomes: Partial<Record<SweepOutcome, number>>;
  /** Failures worth a retry of the whole sweep (sent ones are no-ops then). */
  retryable: string[];
}

/** Bounded, so a large day does not open thousands of connections at once. */
const concurrency = 16;

export const runBirthdaySweep = async (
  at: Date,
  ports: DeliveryPorts & { customers: CustomerStore },
): Promise<SweepResult> => {
  const due = await ports.customers.due('birthdayDue', at);
  const result: SweepResult = { campaign: 'birthday', due: due.length, outcomes: {}, retryable: [] };
  const queue = [...due];
  const worker = async () => {
    for (let profile = queue.shift(); profile; profile = queue.shift()) {
      const outcome = await sweepOne(profile, at, ports);
      result.outcomes[outcome.outcome] = (result.outcomes[outcome.outcome] ?? 0) + 1;
      if (outcome.outcome === 'failed' && outcome.retryable) result.retryable.push(`${profile.customerId}: ${outcome.reason}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return result;
};

const sweepOne = async (
  profile: CustomerProfile,
  at: Date,
  ports: DeliveryPorts & { customers: CustomerStore },
): Promise<DeliveryOutcome | { outcome: 'missed' | 'ineligible' }> => {
  const { config } = ports;
  const occasion = profile.birthdayOccasion;
  if (occasion === undefined || !isMailable(profile) || !profile.birthday) {
    await ports.customers.setBirthdayDue(profile.customerId, undefined);
    return { outcome: 'ineligible' };
  }
  const timeZone = timeZoneOf(profile, config.defaultTimeZone);
  if (!inSendWindow(at, timeZone, config.sendWindow)) {
    // The sweep that should have sent it did not run in time: never mail outside the window.
    await ports.customers.setBirthdayDue(profile.customerId, nextDueFor(profile, at, config, occasion));
    return { outcome: 'missed' };
  }
  const outcome = await deliver(
    {
      campaign: 'birthday',
      sendKey: birthdaySendKey(profile.customerId, occasion),
      customer: profile,
      timeZone,
      at,
      sendHour: config.birthday.sendHour,
      offer: { percentOff: birthdayPercentOff(profile.tier, config.birthday), validDays: config.birthday.validDays },
    },
    ports,
  );
  switch (outcome.outcome) {
    case 'sent':
    case 'duplicate':
    case 'suppressed':
      // This year's occasion is settled; the next one is a year away.
      await ports.customers.setBirthdayDue(profile.customerId, nextDueFor(profile, at, config, occasion), occasion);
      break;
    case 'deferred':
      await ports.customers.setBirthdayDue(profile.customerId, { occasion, dueAt: sweepSlot(outcome.until) });
      break;
    case 'failed':
      break;
  }
  return outcome;
};
