/**
 * The daily KPI run (issue 7): the retention KPIs of the trailing period that
 * ended with `day`, from the day counters (one Query, no scan).
 */
import type { KpiCounters } from '../campaigns/ports';
import { periodCounts } from './counters';
import { publishedKpis, retentionKpis } from './kpis';

export const dailyKpis = async (day: string, counters: KpiCounters) => {
  const counts = periodCounts(await counters.upTo(day), day);
  return { day, counts, kpis: publishedKpis(retentionKpis(counts)) };
};

export type DailyKpis = Awaited<ReturnType<typeof dailyKpis>>;
