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

/** What DESIGN §6 promises of a run with faults: the fault-free emails, none twice, the same orders and KPIs. */
export const expectSameOutcome = (faulty: MonthRun, clean: MonthRun) => {
  expect(faulty.occasions).toEqual(clean.occasions);
  const sendKeys = faulty.bus.filter((e) => e.source === 'retention' && e['detail-type'] === 'Email Sent').map((e) => e.detail.sendKey);
  expect(new Set(sendKeys).size).toBe(faulty.emails.length);
  expect(faulty.summary.ingested).toEqual(clean.summary.ingested);
  expect(faulty.summary.kpis.days).toEqual(clean.summary.kpis.days);
  expect(faulty.summary.nps).toEqual(clean.summary.nps);
  expect(faulty.summary.conversions).toEqual(clean.summary.conversions);
};
