/**
 * The daily KPI run (issue 7): the retention KPIs of the trailing period that
 * ended with `day`, from the day counters (one Query, no scan); money per
 * currency, and converted to the base currency when one is configured.
 */
import type { KpiCounters } from '../campaigns/ports';
import { periodCounts } from './counters';
import { publishedKpis, retentionKpis, type MoneyConversion } from './kpis';

export const dailyKpis = async (day: string, counters: KpiCounters, conversion?: MoneyConversion) => {
  const counts = periodCounts(await counters.upTo(day), day);
  return { day, counts, kpis: publishedKpis(retentionKpis(counts, conversion)) };
};

export type DailyKpis = Awaited<ReturnType<typeof dailyKpis>>;
