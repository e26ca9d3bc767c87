/**
 * docs/design.md §10 over a simulated year, every email and reward worked out by hand from
 * the input: customers climb through the tiers and fall again (a cancellation at once, time
 * a year later, quietly), hear of each tier reached and of points 14 days before they
 * expire, promoters and the top tier are invited to refer friends, friends' first orders
 * reward the referrer once each, and neither a second order nor a self-referral does.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { parseConfig } from '../../functions/config';
import { discountCodeFor } from '../../functions/campaigns/discount-code';
import { referralSendKey } from '../../functions/campaigns/referral/sweep';
import { localKeyring } from '../../local/stack';
import { orderPlaced, runSimulation, upsert } from './run-simulation';

const config = parseConfig({
  loyalty: { pointsPerUnit: { MYR: 1 }, pointsExpireDays: 120, tiers: [{ name: 'Silver', spend: { MYR: 500 } }, { name: 'Gold', spend: { MYR: 2000 } }] },
  referral: { percentOff: 10, rewardPercentOff: 15, validDays: 60 },
  // Only the programme's emails and the survey that finds a promoter.
  birthday: { enabled: false },
  winback: { enabled: false },
});

const zone = 'Asia/Kuala_Lumpur';
const customer = (id: string, locale: string, email = `${id}@example.com`) => upsert('2026-01-01T00:00:00Z', { customerId: id, email, timeZone: zone, locale, firstName: id });
const myr = (time: string, customerId: string, orderId: string, total: number, discountCode?: string) =>
  orderPlaced(time, customerId, orderId, total, { currency: 'MYR', ...(discountCode && { discountCode }) });
const cancelled = (time: string, customerId: string, orderId: string) => ({ time, source: 'shop', 'detail-type': 'Order Cancelled', detail: { orderId, customerId, cancelledAt: time } });
const score = (time: string, customerId: string, value: number) => ({ time, recipient: { customerId, action: 'nps-score', score: value } });

/** Bilal's personal code, as his invitation issues it (the local keyring is fixed). */
const bilalsCode = discountCodeFor(localKeyring.keys.local!, referralSendKey('bilal', 1));

const input = [
  customer('aminah', 'ms'),
  customer('bilal', 'ar'),
  customer('chen', 'en'),
  customer('dana', 'en'),
  customer('erin', 'ms'),
  // Bilal again, under a second account with the same address: referring himself.
  customer('bilal-alt', 'ar', 'bilal@example.com'),
  // 600 MYR: Silver (≥ 500); 1,500 more: Gold (2,100 ≥ 2,000), the top tier, so an invitation too.
  myr('2026-01-10T04:00:00Z', 'aminah', 'a1', 600),
  myr('2026-02-10T04:00:00Z', 'aminah', 'a2', 1500),
  // 300 MYR, no tier; the survey 14 days later; a 10 makes Bilal a promoter.
  myr('2026-03-01T04:00:00Z', 'bilal', 'b1', 300),
  score('2026-03-16T01:30:00Z', 'bilal', 10),
  // Chen's and Dana's first orders with Bilal's code, at once: two rewards, the second owed while the first is pending.
  myr('2026-04-05T04:30:00Z', 'chen', 'c1', 200, bilalsCode),
  myr('2026-04-05T04:30:00Z', 'dana', 'd1', 100, bilalsCode),
  // Chen's second order: nothing (an existing customer).
  myr('2026-05-01T04:00:00Z', 'chen', 'c2', 50, bilalsCode),
  // Bilal's second account: the same address, no reward.
  myr('2026-04-10T04:00:00Z', 'bilal-alt', 'x1', 80, bilalsCode),
  // Gold at once, then cancelled that afternoon: the tier is lost (quietly) and the invitation never goes.
  myr('2026-06-01T04:00:00Z', 'erin', 'e1', 2500),
  cancelled('2026-06-01T08:00:00Z', 'erin', 'e1'),
];

const localDay = (iso: string) => DateTime.fromISO(iso, { zone }).toISODate();

describe('loyalty and referral: a simulated year', () => {
  let result: Awaited<ReturnType<typeof runSimulation>>;
  const detailsOf = (detailType: string) => result.bus.filter((event) => event['detail-type'] === detailType).map((event) => event.detail);
  const programmeEmails = () => result.emails.filter((email) => ['tier', 'points', 'referral'].includes(email.campaign));

  beforeAll(async () => {
    result = await runSimulation(input, '2026-01-01T00:00:00Z', '2027-02-15T00:00:00Z', config);
  }, 600_000);

  it('sends exactly the emails the rules imply, each on its day', () => {
    expect(programmeEmails().map((email) => [localDay(email.sentAt), email.customerId, email.campaign, email.step ?? null])).toEqual([
      ['2026-01-10', 'aminah', 'tier', null],
      ['2026-02-10', 'aminah', 'tier', null],
      // The tier email has the day; the invitation goes the next morning.
      ['2026-02-11', 'aminah', 'referral', 1],
      ['2026-03-16', 'bilal', 'referral', 1],
      // One email a day: the second reward the next morning.
      ['2026-04-05', 'bilal', 'referral', 2],
      ['2026-04-06', 'bilal', 'referral', 2],
      // 14 days before each batch of points expires (120 days after its order).
      ['2026-04-26', 'aminah', 'points', null],
      ['2026-05-27', 'aminah', 'points', null],
      ['2026-06-01', 'erin', 'tier', null],
      ['2026-06-15', 'bilal', 'points', null],
      ['2026-07-20', 'chen', 'points', null],
      ['2026-07-20', 'dana', 'points', null],
      ['2026-07-25', 'bilal-alt', 'points', null],
      ['2026-08-15', 'chen', 'points', null],
    ]);
  });

  it('names the tier reached and the points in the customer’s language', () => {
    const [silver, gold] = programmeEmails().filter((email) => email.campaign === 'tier' && email.customerId === 'aminah');
    expect(silver!.locale).toBe('ms');
    expect(silver!.subject).toContain('Silver');
    expect(gold!.subject).toContain('Gold');
    expect(gold!.text).toContain('2100');
    const warnings = programmeEmails().filter((email) => email.campaign === 'points' && email.customerId === 'aminah');
    // 600 expiring of 2,100; then 1,500 of 1,500 (the first batch expired on 10 May).
    expect(warnings.map((email) => [email.text.includes('600'), email.text.includes('2100'), email.text.includes('1500')])).toEqual([
      [true, true, false],
      [false, false, true],
    ]);
    const invitation = programmeEmails().find((email) => email.customerId === 'bilal' && email.step === 1)!;
    expect(invitation.locale).toBe('ar');
    expect(invitation.html).toContain('dir="rtl"');
    expect(invitation.discountCode).toBe(bilalsCode);
    expect(invitation.text).toContain(bilalsCode);
  });

  it('issues the personal code once, for many customers each once, and a reward code per friend', () => {
    const codes = detailsOf('Discount Code Issued').filter((detail) => detail.campaign === 'referral');
    expect(codes.map(({ customerId, step, percentOff, oncePerCustomer }) => [customerId, step, percentOff, oncePerCustomer ?? false])).toEqual([
      ['aminah', 1, 10, true],
      ['bilal', 1, 10, true],
      ['bilal', 2, 15, false],
      ['bilal', 2, 15, false],
    ]);
    const rewards = programmeEmails().filter((email) => email.step === 2);
    expect(new Set(rewards.map((email) => email.discountCode)).size).toBe(2);
  });

  it('rewards the referrer once per new customer: not a second order, not himself', () => {
    const converted = detailsOf('Referral Converted').map(({ referrerId, customerId, orderId, revenue, currency }) => [referrerId, customerId, orderId, revenue, currency]);
    // Of one instant: in no particular order.
    expect(converted.sort()).toEqual([
      ['bilal', 'chen', 'c1', 200, 'MYR'],
      ['bilal', 'dana', 'd1', 100, 'MYR'],
    ]);
  });

  it('expires each batch of points unspent, 120 days after its order', () => {
    const expired = detailsOf('Points Expired').map(({ customerId, orderId, points, expiredAt }) => [String(expiredAt).slice(0, 10), customerId, orderId, points]);
    expect(expired.sort()).toEqual([
      ['2026-05-10', 'aminah', 'a1', 600],
      ['2026-06-10', 'aminah', 'a2', 1500],
      ['2026-06-29', 'bilal', 'b1', 300],
      ['2026-08-03', 'chen', 'c1', 200],
      ['2026-08-03', 'dana', 'd1', 100],
      ['2026-08-08', 'bilal-alt', 'x1', 80],
      ['2026-08-29', 'chen', 'c2', 50],
    ]);
  });

  it('climbs and falls through the tiers: by a cancellation at once, by time a year on', () => {
    expect(detailsOf('Tier Changed').map(({ customerId, from, to, direction }) => [customerId, from, to, direction])).toEqual([
      ['aminah', null, 'Silver', 'reached'],
      ['aminah', 'Silver', 'Gold', 'reached'],
      ['erin', null, 'Gold', 'reached'],
      ['erin', 'Gold', null, 'lost'],
      // A year after the first order it leaves the rolling year (1,500 MYR: Silver), then the second.
      ['aminah', 'Gold', 'Silver', 'lost'],
      ['aminah', 'Silver', null, 'lost'],
    ]);
    const times = result.bus.filter((event) => event['detail-type'] === 'Tier Changed').map((event) => event.time.slice(0, 10));
    expect(times.slice(-2)).toEqual(['2027-01-10', '2027-02-10']);
  });

  it('reports the programme’s figures in summary.json and on the dashboard, from the one catalogue', async () => {
    // Issued: every order's points, Erin's cancelled 2,500 included; expired: the seven batches above.
    expect(result.summary.loyalty).toEqual({
      pointsIssued: 600 + 1500 + 300 + 200 + 50 + 80 + 100 + 2500,
      // No order spent any.
      pointsRedeemed: 0,
      pointsExpired: 600 + 1500 + 300 + 200 + 80 + 100 + 50,
      referralCodesSent: 2,
      referralConversions: 2,
      referralRevenue: { MYR: 300 },
      // A year after her orders Aminah holds no tier any more.
      customersPerTier: { Silver: 0, Gold: 0 },
    });
    const html = await readFile(join(result.out, 'dashboard.html'), 'utf8');
    const figure = (series: string) => new RegExp(`data-series="${series}" data-has-data="true" data-figure="\\w+" data-value="([^"]*)"`).exec(html)?.[1];
    expect(figure('pointsIssued')).toBe(String(result.summary.loyalty.pointsIssued));
    expect(figure('pointsExpired')).toBe(String(result.summary.loyalty.pointsExpired));
    expect(figure('sent:referral:1')).toBe('2');
    expect(figure('referralConverted:referral')).toBe('2');
    expect(figure('referralRevenue:referral@MYR')).toBe('300');
    expect(figure('tierCustomers@Gold')).toBe('0');
  });

  it('ends the same under killed invocations and lost DynamoDB answers: each email once, each event once by id', async () => {
    // Half a year holds every kind: tier emails, invitations, both rewards, warnings and expiries.
    const to = '2026-07-01T00:00:00Z';
    const faulty = await runSimulation(input, '2026-01-01T00:00:00Z', to, config, undefined, { crash: 0.2, 'dynamodb.after': 0.2 });
    expect(faulty.summary.faults.injected.crash).toBeGreaterThan(0);
    // On the last day counted, 30 June, Aminah is Gold (Erin's Gold was cancelled the day she reached it).
    expect(faulty.summary.loyalty.customersPerTier).toEqual({ Silver: 0, Gold: 1 });
    const emails = (run: typeof result) =>
      run.emails
        .filter((email) => ['tier', 'points', 'referral'].includes(email.campaign) && email.sentAt < to)
        .map((email) => [localDay(email.sentAt), email.customerId, email.campaign, email.step ?? null]);
    expect(emails(faulty)).toEqual(emails(result));
    // The same codes (the two rewards of one instant may go out in either order).
    const codes = (run: typeof result) => run.emails.filter((email) => email.campaign === 'referral' && email.sentAt < to).map((email) => email.discountCode).sort();
    expect(codes(faulty)).toEqual(codes(result));
    const distinct = (run: typeof result, detailType: string) => [
      ...new Map(run.bus.filter((event) => event['detail-type'] === detailType && event.time < to).map((event) => [event.detail.eventId, { ...event.detail }])).values(),
    ].sort((a, b) => String(a.eventId).localeCompare(String(b.eventId)));
    for (const detailType of ['Referral Converted', 'Points Expired', 'Tier Changed', 'Points Earned']) expect(distinct(faulty, detailType)).toEqual(distinct(result, detailType));
  }, 600_000);
});
