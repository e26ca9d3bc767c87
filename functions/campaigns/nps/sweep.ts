/**
 * The hourly NPS sweep: reads the customers whose survey is due by now,
 * applies the 90-day fatigue rule, and sends the survey with its eleven
 * signed score links. Writes are conditional on the pending survey still being
 * the same order, so a newer order's survey is never lost.
 */
import { isMailable, timeZoneOf, type CustomerProfile } from '../../customers/profile';
import { deliver, type DeliveryPorts } from '../delivery';
import { sweepSlot } from '../local-time';
import type { Attempt, CustomerStore } from '../ports';
import { runSweep, type SweepOutcome, type SweepPorts } from '../sweep';
import { isFatigued } from './rules';
import { surveyScoreLinks } from './survey-links';

export const surveySendKey = (customerId: string, orderId: string) => `nps#${customerId}#${orderId}`;

type Ports = DeliveryPorts & { customers: CustomerStore };

/** The hourly sweep: queues a send job per customer due by now. */
export const runNpsSweep = (at: Date, ports: SweepPorts, remainingMs: () => number) => runSweep('nps', 'npsDue', at, ports, remainingMs);

/** Settles one send job: delivers the email due at `at` and moves the customer's due slot on. */
export const settleNps = async (profile: CustomerProfile, at: Date, ports: Ports, attempt: Attempt): Promise<SweepOutcome> => {
  const { config, customers } = ports;
  const orderId = profile.npsOrderId;
  if (!orderId) return { outcome: 'ended' };
  const clear = (sentAt?: Date) => customers.setSurveyDue(profile.customerId, undefined, { onlyFor: orderId, sentAt });
  if (!isMailable(profile)) {
    await clear();
    return { outcome: 'ineligible' };
  }
  if (isFatigued(profile.npsLastSurveyAt, at, config.nps.fatigueDays)) {
    await clear();
    return { outcome: 'fatigued' };
  }
  const timeZone = timeZoneOf(profile, config.defaultTimeZone);
  const outcome = await deliver(
    {
      campaign: 'nps',
      sendKey: surveySendKey(profile.customerId, orderId),
      customer: profile,
      timeZone,
      at,
      sendHour: config.nps.sendHour,
      data: { survey: { orderId, scores: surveyScoreLinks(ports.keyring, config, profile.customerId, orderId, at) } },
    },
    ports,
    attempt,
  );
  switch (outcome.outcome) {
    case 'sent':
    case 'heldOut':
      // A held-out customer would have been surveyed: the 90 days count for them too.
      await clear(at);
      break;
    case 'suppressed':
    case 'missed':
      await clear();
      break;
    case 'deferred':
      await customers.setSurveyDue(profile.customerId, { orderId, dueAt: sweepSlot(outcome.until) }, { onlyFor: orderId });
      break;
    case 'failed':
      break;
  }
  return outcome;
};
