/**
 * docs/design.md §5 birthday, end to end: `retention simulate` over dynalite and
 * aws-ses-v2-local, read back from emails.ndjson, bus.ndjson and dead-letters.ndjson.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { syntheticCustomers } from '../../local/synthetic';
import { codeAlphabet } from '../../functions/campaigns/discount-code';
import { runSimulation, upsert } from './run-simulation';

type Customer = ReturnType<typeof syntheticCustomers>[number];

/**
 * The birthday emails docs/design.md §5 implies for one customer, written out from the
 * rule itself: for each year, the local celebration date (28 February for
 * 29 February in a non-leap year), sent by the first hourly sweep at or after
 * the later of 09:00 local and the customer's arrival, if that sweep is still
 * on the date and before 20:00 local.
 */
const expectedBirthdayEmails = (customer: Customer, from: Date, to: Date): string[] => {
  const { detail } = customer;
  if (!detail.marketingConsent || !detail.birthday) return [];
  const zone = detail.timeZone ?? 'UTC';
  const [month, day] = detail.birthday.slice(-5).split('-').map(Number) as [number, number];
  const arrival = DateTime.fromISO(customer.time, { zone });
  const sends: string[] = [];
  for (const year of [arrival.year - 1, arrival.year, arrival.year + 1]) {
    const leap = DateTime.fromObject({ year }).isInLeapYear;
    const date = DateTime.fromObject({ year, month, day: month === 2 && day === 29 && !leap ? 28 : day }, { zone });
    const eligible = DateTime.max(date.set({ hour: 9 }), arrival);
    const sweep = DateTime.fromMillis(Math.ceil(eligible.toMillis() / 3_600_000) * 3_600_000, { zone });
    if (sweep.hasSame(date, 'day') && sweep.hour < 20 && sweep.toMillis() >= from.getTime() && sweep.toMillis() < to.getTime()) {
      sends.push(`${detail.customerId} ${sweep.toUTC().toISO({ suppressMilliseconds: false })}`);
    }
  }
  return sends;
};

describe('a year of birthdays', () => {
  const from = new Date('2026-01-01T00:00:00Z');
  const to = new Date('2027-01-01T00:00:00Z');
  const customers = syntheticCustomers({ count: 300, time: from, seed: 7 });
  // Add the edge cases by hand, so they are sure to be in the data set.
  customers.push(
    { ...customers[0]!, detail: { ...customers[0]!.detail, customerId: 'leapling', email: 'leapling@example.com', birthday: '1992-02-29', timeZone: 'Asia/Kuala_Lumpur', marketingConsent: true } },
    { ...customers[0]!, detail: { ...customers[0]!.detail, customerId: 'no-consent', email: 'no-consent@example.com', birthday: '--06-01', marketingConsent: false } },
  );
  let result: Awaited<ReturnType<typeof runSimulation>>;

  beforeAll(async () => {
    result = await runSimulation(customers, from.toISOString(), to.toISOString());
  }, 240_000);

  it('sends exactly the birthday emails the rules imply, no more and no fewer', () => {
    const expected = customers.flatMap((customer) => expectedBirthdayEmails(customer, from, to)).sort();
    const sent = result.emails.map((email) => `${email.customerId} ${email.sentAt}`).sort();
    expect(expected.length).toBeGreaterThan(200);
    expect(sent).toEqual(expected);
  });

  it('celebrates 29 February on 28 February in 2026, a non-leap year', () => {
    const leapling = result.emails.filter((email) => email.customerId === 'leapling');
    expect(leapling.map((email) => email.sentAt)).toEqual(['2026-02-28T01:00:00.000Z']);
  });

  it('sends nothing to a customer without marketing consent', () => {
    expect(result.emails.filter((email) => email.customerId === 'no-consent')).toEqual([]);
  });

  it('sends each email in the 09:00–20:00 local window', () => {
    const zones = new Map(customers.map((c) => [c.detail.customerId, c.detail.timeZone ?? 'UTC']));
    for (const email of result.emails) {
      const hour = DateTime.fromISO(email.sentAt, { zone: zones.get(email.customerId) }).hour;
      expect(hour, `${email.customerId} at ${email.sentAt}`).toBeGreaterThanOrEqual(9);
      expect(hour).toBeLessThan(20);
    }
  });

  it('gives every email a unique, single-use discount code and publishes it as Discount Code Issued', () => {
    const codes = result.emails.map((email) => email.discountCode);
    expect(new Set(codes).size).toBe(codes.length);
    for (const email of result.emails) {
      expect(email.discountCode).toMatch(new RegExp(`^[${codeAlphabet}]{8,}$`));
      expect(email.html).toContain(email.discountCode);
      expect(email.text).toContain(email.discountCode);
    }
    const issued = result.bus.filter((e) => e.source === 'retention' && e['detail-type'] === 'Discount Code Issued');
    expect(issued.map((e) => e.detail.code).sort()).toEqual([...codes].sort());
    for (const event of issued) {
      expect(event.detail.percentOff).toBe(15);
      // Valid 14 days from the send.
      expect(Date.parse(event.detail.expiresAt as string) - Date.parse(event.time)).toBe(14 * 86_400_000);
    }
  });

  it('carries List-Unsubscribe (https and mailto) and List-Unsubscribe-Post on every email', () => {
    for (const email of result.emails) {
      expect(email.headers['List-Unsubscribe']).toMatch(/^<https:\/\/[^>]+\/unsubscribe\?token=[^>]+>, <mailto:[^>]+>$/);
      expect(email.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    }
  });

  it('has an HTML and a plain-text part, in the customer\'s language; Arabic right-to-left', () => {
    const byLocale = new Map(customers.map((c) => [c.detail.customerId, c.detail.locale]));
    for (const email of result.emails) {
      expect(email.html).toMatch(/^<!doctype html>/i);
      expect(email.text.length).toBeGreaterThan(100);
      expect(email.locale).toBe(byLocale.get(email.customerId)!.slice(0, 2));
    }
    const arabic = result.emails.find((email) => email.locale === 'ar')!;
    expect(arabic.html).toMatch(/<html[^>]*lang="ar"[^>]*dir="rtl"|<html[^>]*dir="rtl"[^>]*lang="ar"/);
  });
});

describe('replays and duplicates', () => {
  const from = '2026-04-01T00:00:00Z';
  const to = '2026-05-01T00:00:00Z';
  const customers = syntheticCustomers({ count: 80, time: new Date(from), seed: 11, around: { date: new Date('2026-04-15T00:00:00Z'), days: 14 } });
  const withoutMessageId = (emails: { messageId: string }[]) => emails.map(({ messageId: _, ...email }) => email);

  it('the same input run twice, and with every event duplicated, gives identical emails', async () => {
    const once = await runSimulation(customers, from, to);
    const again = await runSimulation(customers, from, to);
    const doubled = await runSimulation(customers.flatMap((c) => [c, c]), from, to);
    expect(once.emails.length).toBeGreaterThan(30);
    expect(withoutMessageId(again.emails)).toEqual(withoutMessageId(once.emails));
    expect(withoutMessageId(doubled.emails)).toEqual(withoutMessageId(once.emails));
  }, 120_000);

  it('an older upsert arriving late does not overwrite a newer one', async () => {
    const { emails } = await runSimulation(
      [
        upsert('2026-04-02T00:00:00Z', { customerId: 'c1', email: 'c1@example.com', birthday: '--04-10' }),
        // Published later, but describes the customer as they were before.
        { ...upsert('2026-04-01T00:00:00Z', { customerId: 'c1', email: 'c1@example.com', birthday: '--04-10', marketingConsent: false }), time: '2026-04-01T00:00:00Z' },
      ],
      '2026-04-01T00:00:00Z',
      '2026-04-20T00:00:00Z',
    );
    expect(emails.map((e) => e.customerId)).toEqual(['c1']);
  }, 60_000);
});

describe('bad input', () => {
  it('malformed lines and invalid events land in dead-letters.ndjson with a reason; everything else still runs', async () => {
    const { emails, deadLetters, summary } = await runSimulation(
      [
        upsert('2026-04-01T00:00:00Z', { customerId: 'good', email: 'good@example.com', birthday: '--04-10' }),
        '{ this is not json',
        { time: 'yesterday', source: 'shop', 'detail-type': 'Customer Upserted', detail: {} },
        upsert('2026-04-01T00:00:00Z', { customerId: 'bad-email', email: 'not-an-address', birthday: '--04-10' }),
        upsert('2026-04-01T00:00:00Z', { customerId: 'bad-zone', email: 'z@example.com', timeZone: 'Mars/Olympus', birthday: '--04-10' }),
        upsert('2026-04-01T00:00:00Z', { customerId: 'bad-date', email: 'd@example.com', birthday: '2026-02-30' }),
        { time: '2026-04-01T00:00:00Z', source: 'shop', 'detail-type': 'Order Placed', detail: { orderId: 'o1', customerId: 'good', placedAt: '2026-04-01T00:00:00Z', total: 'lots', currency: 'EUR' } },
        upsert('2026-04-01T00:00:00Z', { customerId: 'good-2', email: 'good2@example.com', birthday: '--04-11' }),
      ],
      '2026-04-01T00:00:00Z',
      '2026-04-20T00:00:00Z',
    );
    expect(emails.map((e) => e.customerId).sort()).toEqual(['good', 'good-2']);
    const reasons = deadLetters.map((d) => d.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'input line 2: not valid JSON',
        expect.stringMatching(/^input line 3: time: /),
        'detail.email: Invalid email address',
        'detail.timeZone: is not a known IANA time zone',
        'detail.birthday: must be a real date as YYYY-MM-DD or --MM-DD',
        'detail.total: Invalid input: expected number, received string',
      ]),
    );
    expect(deadLetters).toHaveLength(6);
    expect(summary.deadLetters).toBe(6);
  }, 60_000);
});

describe('SES mailbox simulator addresses behave as on AWS', () => {
  it('bounce@ yields Email Bounced, complaint@ Email Complaint Received, success@ Email Delivered', async () => {
    const { bus } = await runSimulation(
      [
        upsert('2026-04-01T00:00:00Z', { customerId: 'b', email: 'bounce@simulator.amazonses.com', birthday: '--04-10' }),
        upsert('2026-04-01T00:00:00Z', { customerId: 'c', email: 'complaint+x@simulator.amazonses.com', birthday: '--04-10' }),
        upsert('2026-04-01T00:00:00Z', { customerId: 's', email: 'success@simulator.amazonses.com', birthday: '--04-10' }),
      ],
      '2026-04-01T00:00:00Z',
      '2026-04-20T00:00:00Z',
    );
    const ses = (type: string) =>
      bus.filter((e) => e.source === 'aws.ses' && e['detail-type'] === type).map((e) => (e.detail.mail as { destination: string[] }).destination[0]);
    expect(ses('Email Bounced')).toEqual(['bounce@simulator.amazonses.com']);
    expect(ses('Email Complaint Received')).toEqual(['complaint+x@simulator.amazonses.com']);
    expect(ses('Email Delivered').sort()).toEqual(['complaint+x@simulator.amazonses.com', 'success@simulator.amazonses.com']);
  }, 60_000);
});
