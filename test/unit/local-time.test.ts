/**
 * The sweep that sends what is due on a local day (functions/campaigns/local-time.ts), which every
 * campaign's rule uses: the first sweep from the send hour (or from now, later on the day itself),
 * kept only when it falls on that local day before the send window closes.
 */
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { sweepOnDay, sweepSlot } from '../../functions/campaigns/local-time';
import { seededRandom } from '../../local/synthetic';

const window = { startHour: 8, endHour: 20 };

describe('the sweep of a local day', () => {
  it('is the first sweep from the send hour on that day', () => {
    const day = DateTime.fromISO('2026-03-15', { zone: 'Asia/Kuala_Lumpur' });
    // 10:00 in Kuala Lumpur is 02:00 UTC.
    expect(sweepOnDay(day, 10, new Date('2026-03-01T00:00:00Z'), window)).toEqual(new Date('2026-03-15T02:00:00Z'));
  });

  it('is the next sweep when the day has come already, and none once the window closed or the day is over', () => {
    const day = DateTime.fromISO('2026-03-15', { zone: 'Asia/Kathmandu' }); // UTC+05:45
    expect(sweepOnDay(day, 10, new Date('2026-03-15T06:10:00Z'), window)).toEqual(new Date('2026-03-15T07:00:00Z'));
    // 20:15 local: past the window.
    expect(sweepOnDay(day, 10, new Date('2026-03-15T14:30:00Z'), window)).toBeUndefined();
    expect(sweepOnDay(day, 10, new Date('2026-03-16T03:00:00Z'), window)).toBeUndefined();
  });

  it("keeps exactly the sweeps luxon's hasSame puts on the day, across zones, offsets and their changes", () => {
    const random = seededRandom(7);
    const zones = ['Asia/Kuala_Lumpur', 'Asia/Riyadh', 'Europe/London', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Apia', 'America/Santiago'];
    let kept = 0;
    let dropped = 0;
    for (let i = 0; i < 1_500; i++) {
      const zone = zones[Math.floor(random() * zones.length)]!;
      const day = DateTime.fromMillis(Date.UTC(2026, 0, 1) + Math.floor(random() * 730) * 86_400_000, { zone }).startOf('day');
      const hour = Math.floor(random() * 24);
      const now = new Date(day.toMillis() + (random() - 0.3) * 3 * 86_400_000);
      // As each rule told it before: luxon's own comparison of the local days.
      const sendTime = day.set({ hour }).toJSDate();
      const dueAt = sweepSlot(sendTime > now ? sendTime : now);
      const dueLocal = DateTime.fromJSDate(dueAt, { zone });
      const expected = dueLocal.hasSame(day, 'day') && dueLocal.hour < window.endHour ? dueAt : undefined;
      expect([zone, day.toISODate(), hour, now.toISOString(), sweepOnDay(day, hour, now, window)]).toEqual([zone, day.toISODate(), hour, now.toISOString(), expected]);
      if (expected) kept++;
      else dropped++;
    }
    expect(kept).toBeGreaterThan(200);
    expect(dropped).toBeGreaterThan(200);
  });
});
