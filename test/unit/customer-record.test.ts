/** docs/design.md §11: the story and the export are pure shapes of what the store holds about a customer. */
import { describe, expect, it } from 'vitest';
import { explainCustomer, exportCustomer, relatedKeys, unexpired, type CustomerRecord } from '../../functions/customers/record';
import { consentSortKey, expiresAfter, storySortKey, type ConsentRecord, type StoryEntry } from '../../functions/customers/story';

const story = (entry: StoryEntry) => ({ pk: 'CUSTOMER#c1', sk: storySortKey(entry), ...entry, ttl: expiresAfter(entry.at, 400) });
const consent = (record: ConsentRecord) => ({ pk: 'CUSTOMER#c1', sk: consentSortKey(record), kind: 'consent', ...record, ttl: expiresAfter(record.at, 2555) });

const record = (items: Record<string, unknown>[], rest: Partial<CustomerRecord> = {}): CustomerRecord => ({ customerId: 'c1', items, codes: [], messages: [], sends: [], ...rest });

const profile = { pk: 'CUSTOMER#c1', sk: 'PROFILE', customerId: 'c1', email: 'c1@example.com', marketingConsent: true, winbackStep: 2, winbackDueAt: '2026-06-01T10:00:00.000Z' };
const sent: StoryEntry = { kind: 'email', at: '2026-03-02T09:00:00.000Z', campaign: 'birthday', outcome: 'sent', subject: 'Happy birthday', messageId: 'm-1', discountCode: 'CODE1', sendKey: 'birthday#c1#2026' };
const deferred: StoryEntry = { kind: 'email', at: '2026-03-02T10:00:00.000Z', campaign: 'nps', outcome: 'deferred', until: '2026-03-03T10:00:00.000Z', takenBy: 'birthday#c1#2026' };
const received: StoryEntry = { kind: 'received', at: '2026-03-01T08:00:00.000Z', detailType: 'Customer Upserted', origin: 'import', outcome: 'stored', due: { birthday: '2026-03-02T09:00:00.000Z' } };

describe('the story of a customer', () => {
  it('is in time order, each skip with its reason, ending with where they stand', () => {
    const lines = explainCustomer(
      record([profile, story(deferred), story(sent), story(received), consent({ at: '2026-03-05T00:00:00.000Z', source: 'unsubscribe', subscribed: false, noticeLanguage: 'ms' })], {
        suppression: { reason: 'unsubscribe', suppressedAt: '2026-03-05T00:00:00.000Z' },
      }),
      new Date('2026-04-01T00:00:00Z'),
      'UTC',
    );
    expect(lines.map((line) => line.text)).toEqual([
      'Customer Upserted from import; birthday due 2026-03-02T09:00:00.000Z',
      'birthday email sent: "Happy birthday", code CODE1 (message m-1)',
      'nps deferred to 2026-03-03T10:00:00.000Z: the birthday email took that day (one email a day)',
      'unsubscribed from everything (source: unsubscribe, notice in ms)',
      'now: marketing consent given; address suppressed: the address unsubscribed (2026-03-05T00:00:00.000Z); time zone UTC',
      'pending: winback step 2 due 2026-06-01T10:00:00.000Z',
    ]);
  });

  it('names what else to read by key: the codes, messages and send keys it mentions', () => {
    expect(relatedKeys([profile, story(sent), { sk: 'ORDER#o1', discountCode: ' code2 ' }])).toEqual({ codes: ['CODE1', 'CODE2'], messageIds: ['m-1'], sendKeys: ['birthday#c1#2026'] });
  });

  it('leaves out what has expired, as DynamoDB will delete it', () => {
    const items = [profile, story(sent), { pk: 'CUSTOMER#c1', sk: 'DAY#2026-03-02', ttl: expiresAfter('2026-03-02T00:00:00Z', 8) }];
    expect(unexpired(record(items), new Date('2026-03-05T00:00:00Z')).items).toHaveLength(3);
    expect(unexpired(record(items), new Date('2026-03-11T00:00:00Z')).items).toHaveLength(2);
    expect(unexpired(record(items), new Date('2027-04-10T00:00:00Z')).items).toEqual([profile]);
  });

  it('tells an erased customer as erased, and one never upserted as unknown', () => {
    expect(explainCustomer(record([{ ...profile, deletedAt: '2026-03-09T00:00:00.000Z' }]), new Date(), 'UTC').at(-1)!.text).toMatch(/^erased/);
    expect(explainCustomer(record([]), new Date(), 'UTC').at(-1)!.text).toMatch(/^no profile/);
  });
});

describe('the export of a customer', () => {
  it('holds every item of their partition once, grouped, sets as lists, and their emails with subjects', () => {
    const items = [profile, story(sent), { pk: 'CUSTOMER#c1', sk: 'ORDERS', orders: new Set(['b', 'a']) }, { pk: 'CUSTOMER#c1', sk: 'SOMETHING#new', x: 1 }];
    const document = exportCustomer(record(items, { messages: [{ pk: 'MESSAGE#m-1', sk: 'STATUS', messageId: 'm-1', deliveredAt: '2026-03-02T09:00:01.000Z' }] }), new Date('2026-04-01T00:00:00Z'));
    expect(document.orderHistory).toEqual({ sk: 'ORDERS', orders: ['a', 'b'] });
    expect(document.other).toEqual([{ sk: 'SOMETHING#new', x: 1 }]);
    expect(document.emails).toEqual([
      { sentAt: sent.at, email: 'birthday', subject: 'Happy birthday', discountCode: 'CODE1', messageId: 'm-1', deliveredAt: '2026-03-02T09:00:01.000Z' },
    ]);
    const grouped = Object.values(document).flatMap((group) => (Array.isArray(group) ? group : [group]));
    expect(grouped.filter((group) => group && typeof group === 'object' && 'sk' in group && String(group.sk) !== 'STATUS')).toHaveLength(items.length);
  });

  it('holds an order history kept in pages as one history: every record, the log in the order it was written', () => {
    const pages = [
      { pk: 'CUSTOMER#c1', sk: 'ORDERS#000001', orders: new Set(['c']), changes: new Set(['x']), log: ['k3', 'k4'] },
      { pk: 'CUSTOMER#c1', sk: 'ORDERS', orders: new Set(['b', 'a']), log: ['k1', 'k2'] },
    ];
    expect(exportCustomer(record([profile, ...pages]), new Date('2026-04-01T00:00:00Z')).orderHistory).toEqual({
      sk: 'ORDERS',
      orders: ['a', 'b', 'c'],
      changes: ['x'],
      log: ['k1', 'k2', 'k3', 'k4'],
    });
  });
});
