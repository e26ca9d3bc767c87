/**
 * The hourly winback sweep: reads the customers whose next winback step is due
 * by now, delivers it, and moves their sequence on. Every write is conditional
 * on the lapse still being current, so an order that arrives meanwhile ends
 * the sequence and no later step goes out.
 */
import { isMailable, timeZoneOf, type CustomerProfile } from '../../customers/profile';
import { deliver, type DeliveryPorts } from '../delivery';
import { sweepSlot } from '../local-time';
import type { Attempt, CustomerStore } from '../ports';
import { runSweep, type SweepOutcome, type SweepPorts } from '../sweep';
import { nextWinbackFor } from './rules';

export const winbackSendKey = (customerId: string, lapse: string, step: number) => `winback#${customerId}#${lapse}#${step}`;

type Ports = DeliveryPorts & { customers: CustomerStore };

/** The hourly sweep: queues a send job per customer due by now. */
export const runWinbackSweep = (at: Date, ports: SweepPorts, remainingMs: () => number) => runSweep('winback', 'winbackDue', at, ports, remainingMs);

/** Settles one send job: delivers the email due at `at` and moves the customer's due slot on. */
export const settleWinback = async (profile: CustomerProfile, at: Date, ports: Ports, attempt: Attempt): Promise<SweepOutcome> => {
  const { config, customers } = ports;
  const { lastOrderAt: lapse, winbackStep: step } = profile;
  if (!lapse || !step) return { outcome: 'ended' };
  if (profile.winbackLapse !== lapse) {
    // A step due in an older lapse than the last order's: left by a profile write planned from stale order statistics
    // before such writes were guarded (docs/design.md §3). Planned again for the last order, or every sweep would skip it.
    await customers.replanWinback(profile.customerId, profile.winbackLapse, lapse, nextWinbackFor(profile, at, config));
    return { outcome: 'ended' };
  }
  if (!isMailable(profile)) {
    await customers.setWinbackDue(profile.customerId, lapse, undefined);
    return { outcome: 'ineligible' };
  }
  const timeZone = timeZoneOf(profile, config.defaultTimeZone);
  // Hold the step before sending: fails if an order has ended the lapse since the index was read.
  if (!(await customers.setWinbackDue(profile.customerId, lapse, { lapse, step, dueAt: at }))) return { outcome: 'ended' };

  const { percentOff } = config.winback.steps[step - 1]!;
  const sendKey = winbackSendKey(profile.customerId, lapse, step);
  const outcome = await deliver(
    {
      campaign: 'winback',
      step,
      template: `winback-${step}`,
      sendKey,
      customer: profile,
      timeZone,
      at,
      sendHour: config.winback.sendHour,
      ...(percentOff && { offer: { percentOff, validDays: config.winback.validDays } }),
    },
    ports,
    attempt,
  );
  switch (outcome.outcome) {
    case 'sent':
    case 'heldOut':
    case 'suppressed':
      await customers.setWinbackDue(profile.customerId, lapse, nextWinbackFor(profile, at, config, step), {
        stepsSent: step,
        // A holdout's would-have-sent email is remembered too: their next order is the holdout's conversion.
        ...(outcome.outcome === 'sent' && { sent: { step, at, sendKey, assignment: outcome.assignment } }),
        ...(outcome.outcome === 'heldOut' && { sent: { step, at, sendKey, heldOut: true } }),
      });
      break;
    case 'missed':
      // Never sent late: the step is over, the next one is due on its own day.
      await customers.setWinbackDue(profile.customerId, lapse, nextWinbackFor(profile, at, config, step), { stepsSent: step });
      break;
    case 'deferred':
      await customers.setWinbackDue(profile.customerId, lapse, { lapse, step, dueAt: sweepSlot(outcome.until) });
      break;
    case 'failed':
      break;
  }
  return outcome;
};
