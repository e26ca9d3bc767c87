/** Runs the month of ./month-input.ts with and without faults, and what a faulty run must have in common with a clean one. */
import { DateTime } from 'luxon';
import { expect } from 'vitest';
import { parseConfig } from '../../../functions/config';
import type { FaultRates } from '../../../local/faults';
import { runSimulation } from '../run-simulation';
import { month, monthInput, timeZones } from './month-input';

export { monthInput };

export const runMonth = async (options: { faults?: FaultRates; input?: (string | object)[] } = {}) => {
  const run = await runSimulation(options.input ?? monthInput, month.from, month.to, parseConfig({}), undefined, options.faults);
  return {
    ...run,
    /** Each email as what it was: customer, campaign, step and the customer's local day. */
    occasions: run.emails
      .map((email) => `${email.customerId} ${email.campaign} ${email.step ?? '-'} ${DateTime.fromISO(email.sentAt, { zone: timeZones.get(email.customerId) }).toISODate()}`)
      .sort(),
  };
};

export type MonthRun = Awaited<ReturnType<typeof runMonth>>;

/** What docs/design.md §6 promises of a run with faults: the fault-free emails, none twice, the same orders and KPIs. */
export const expectSameOutcome = (faulty: MonthRun, clean: MonthRun) => {
  expect(faulty.occasions).toEqual(clean.occasions);
  const sendKeys = faulty.bus.filter((e) => e.source === 'retention' && e['detail-type'] === 'Email Sent').map((e) => e.detail.sendKey);
  expect(new Set(sendKeys).size).toBe(faulty.emails.length);
  // Every order in once (a retry of a completed one is a duplicate, a no-op), nothing rejected that was not.
  expect(faulty.summary.ingested.stored + (faulty.summary.ingested.duplicate ?? 0)).toBeGreaterThanOrEqual(clean.summary.ingested.stored);
  expect(faulty.summary.ingested.rejected).toEqual(clean.summary.ingested.rejected);
  // Each day's KPIs as in the fault-free run; a day whose daily run failed all its attempts is in the dead letters instead.
  const kpiRunsLost = new Set(faulty.deadLetters.filter((d) => d.rule === 'kpis').map((d) => (d.event as { time: string }).time.slice(0, 10)));
  for (const [day, kpis] of Object.entries(clean.summary.kpis.days)) {
    const ranOn = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
    if (kpiRunsLost.has(ranOn)) expect(faulty.summary.kpis.days[day]).toBeUndefined();
    else expect([day, faulty.summary.kpis.days[day]]).toEqual([day, kpis]);
  }
  expect(faulty.summary.nps).toEqual(clean.summary.nps);
  expect(faulty.summary.conversions).toEqual(clean.summary.conversions);
};
