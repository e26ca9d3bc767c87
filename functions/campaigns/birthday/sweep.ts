/**
 * The hourly birthday sweep: reads the customers whose birthday email is due
 * by now through the due-time index, delivers each, and moves each customer's
 * due slot on (next year, or the next day when deferred).
 */
import { isMailable, timeZoneOf, type CustomerProfile } from '../../customers/profile';
import { deliver, type DeliveryPorts } from '../delivery';
import { sweepSlot } from '../local-time';
import type { Attempt, CustomerStore } from '../ports';
import { runSweep, type SweepOutcome, type SweepPorts } from '../sweep';
import { birthdayPercentOff, nextDueFor } from './rules';

export const birthdaySendKey = (customerId: string, year: number) => `birthday#${customerId}#${year}`;

type Ports = DeliveryPorts & { customers: CustomerStore };

/** The hourly sweep: queues a send job per customer due by now. */
export const runBirthdaySweep = (at: Date, ports: SweepPorts, remainingMs: () => number) => runSweep('birthday', 'birthdayDue', at, ports, remainingMs);

/** Settles one send job: delivers the email due at `at` and moves the customer's due slot on. */
export const settleBirthday = async (profile: CustomerProfile, at: Date, ports: Ports, attempt: Attempt): Promise<SweepOutcome> => {
  const { config } = ports;
  const occasion = profile.birthdayOccasion;
  if (occasion === undefined || !isMailable(profile) || !profile.birthday) {
    await ports.customers.setBirthdayDue(profile.customerId, undefined);
    return { outcome: 'ineligible' };
  }
  const timeZone = timeZoneOf(profile, config.defaultTimeZone);
  const outcome = await deliver(
    {
      campaign: 'birthday',
      sendKey: birthdaySendKey(profile.customerId, occasion),
      customer: profile,
      timeZone,
      at,
      sendHour: config.birthday.sendHour,
      // With loyalty on, the tier the customer holds in it (docs/design.md §10); else the shop's own.
      offer: { percentOff: birthdayPercentOff(config.loyalty ? profile.loyaltyTier : profile.tier, config.birthday), validDays: config.birthday.validDays },
    },
    ports,
    attempt,
  );
  switch (outcome.outcome) {
    case 'sent':
    case 'heldOut':
    case 'suppressed':
      // This year's occasion is settled; the next one is a year away.
      await ports.customers.setBirthdayDue(profile.customerId, nextDueFor(profile, at, config, occasion), occasion);
      break;
    case 'missed':
      // The sweep that should have sent it did not run in time: next year's, without settling this one.
      await ports.customers.setBirthdayDue(profile.customerId, nextDueFor(profile, at, config, occasion));
      break;
    case 'deferred':
      await ports.customers.setBirthdayDue(profile.customerId, { occasion, dueAt: sweepSlot(outcome.until) });
      break;
    case 'failed':
      break;
  }
  return outcome;
};
