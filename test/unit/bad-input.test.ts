/**
 * Issue 11, bad input: a corpus of 1,000 generated events (a seeded PRNG, so
 * every run is the same) goes through the pure `ingest()` over in-memory
 * stores that refuse what AWS refuses (an item over DynamoDB's 400 KB, a
 * number the document client cannot write, an EventBridge entry over 256 KB,
 * JSON too deep to serialise). Nothing throws; every invalid event is rejected
 * with a reason naming its field and a bounded dead letter; every valid one,
 * edges included, is accepted.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { ingest, type IngestPorts } from '../../functions/customers/ingest';
import type { CustomerProfile } from '../../functions/customers/profile';
import { boundedJson, deadLetterCopy, maxDeadLetterCopyBytes, maxEventDepth, measure } from '../../functions/events/bounded';
import type { OutgoingEvent } from '../../functions/events/event';
import { maxOrderTotal } from '../../functions/events/shop';

// ---------------------------------------------------------------- the stores

const kb = 1024;
const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

/** What DynamoDB and its document client refuse: an item over 400 KB, a number they cannot hold exactly. */
const storable = (item: unknown) => {
  if (bytesOf(item) > 400 * kb) throw new Error('ValidationException: Item size has exceeded the maximum allowed size');
  const numbers: unknown[] = [item];
  while (numbers.length) {
    const value = numbers.pop();
    if (typeof value === 'number' && (!Number.isFinite(value) || Math.abs(value) > Number.MAX_SAFE_INTEGER))
      throw new Error(`Number ${value} is not allowed`);
    if (typeof value === 'object' && value !== null) numbers.push(...Object.values(value));
  }
};

/** In-memory ports with AWS's limits; `published` holds every event put on the bus. */
const fakePorts = () => {
  const profiles = new Map<string, CustomerProfile>();
  const orders = new Set<string>();
  const histories = new Map<string, { orderId: string; placedAt: string; total: number }[]>();
  const published: OutgoingEvent[] = [];
  const unused = (): never => {
    throw new Error('ingest does not use this');
  };
  const ports: IngestPorts = {
    config: parseConfig({}),
    // Before every event: each is planned from its own time.
    now: () => new Date(0),
    customers: {
      get: async (id) => profiles.get(id),
      upsert: async (profile) => {
        storable(profile);
        profiles.set(profile.customerId, profile);
        return true;
      },
      erase: async (id) => profiles.delete(id),
      due: unused,
      setBirthdayDue: async () => undefined,
      setOrderStats: async (id, stats) => {
        storable(stats);
        const profile = profiles.get(id);
        if (profile) profiles.set(id, { ...profile, ...stats });
        return true;
      },
      setWinbackDue: async () => true,
      replanWinback: unused,
      setSurveyDue: async (_, due) => {
        storable(due ?? {});
        return true;
      },
      setOptedOut: async () => undefined,
      setConsent: async (profile) => {
        storable(profile);
        return true;
      },
      countByTier: async () => ({}),
      update: async (_, values) => {
        storable(values);
        return true;
      },
    },
    orders: {
      recordOrder: async (order, facts) => {
        storable({ ...order, ...facts });
        const ingestedAt = orders.has(order.orderId) ? order.placedAt : undefined;
        orders.add(order.orderId);
        return { ingestedAt, ...facts };
      },
      complete: async () => undefined,
      latest: async () => undefined,
      appendOrder: async (customerId, entry) => {
        const history = [...(histories.get(customerId) ?? []), entry];
        storable(history);
        histories.set(customerId, history);
        return { orders: history, changes: [] };
      },
      addChange: async (customerId, change) => {
        storable(change);
        return { orders: histories.get(customerId) ?? [], changes: [change] };
      },
      recent: async () => undefined,
      get: async () => ({ attribution: null }),
      history: async (customerId) => ({ orders: histories.get(customerId) ?? [], changes: [] }),
      customerOf: async () => 'c1',
      markCancelled: async (_, __, at) => ({ cancelledAt: at, attribution: null }),
      recordDelivery: async (delivery) => {
        storable(delivery);
        return { deliveredAt: delivery.deliveredAt };
      },
    },
    codes: { issue: async () => true, redeem: async () => undefined },
    events: {
      publish: async (events) => {
        for (const event of events) {
          // JSON.stringify throws on a value too deep, as PutEvents' serialisation would.
          if (bytesOf(event.detail) + event.detailType.length + event.source.length > 256 * kb)
            throw new Error('PutEvents: entry over 256 KB');
        }
        published.push(...events);
      },
    },
    kpis: {
      contribute: async (_key, changes) => storable(changes),
      // Each day of the footprint is an item of its own.
      footprint: async (_customerId, { footprint }) => Object.values(footprint).forEach(storable),
      upTo: async () => ({}),
    },
    // What the story keeps is as storable as the rest: DynamoDB's limits hold for it too.
    story: { note: async (_id, entry) => storable(entry), consent: async (_id, record) => storable(record) },
    referrals: { record: async (_id, referral) => storable(referral), pending: async () => [], settle: async () => undefined },
  };
  return { ports, published };
};

// ---------------------------------------------------------------- the corpus

/** mulberry32: a small seeded PRNG, so the corpus is the same on every run. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const random = prng(11);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
/** Letters of several scripts, digits and punctuation: what real ids and names hold. */
const alphabet = [...'abcxyzABCXYZ0189-_.:/#@ éçøßñ', ...'аб中文ا ب ٣', ...'ไทยहिं', '😀'];
const text = (length: number) => {
  let out = '';
  while (out.length < length) out += pick(alphabet);
  return out.slice(0, length).replace(/^\s|\s$/g, 'x').replace(/[\uD800-\uDBFF]$/, 'x');
};

type Detail = Record<string, unknown>;
const detailTypes = ['Customer Upserted', 'Customer Consent Changed', 'Order Placed', 'Order Delivered', 'Order Cancelled', 'Order Refunded', 'Customer Deleted'] as const;
type DetailType = (typeof detailTypes)[number];

const envelope = (detailType: DetailType, detail: unknown, overrides: Record<string, unknown> = {}) => ({
  version: '0',
  id: `e-${int(1, 1e6)}`,
  'detail-type': detailType,
  source: 'shop',
  account: '123456789012',
  time: '2026-04-01T10:00:00Z',
  region: 'eu-west-1',
  resources: [],
  detail,
  ...overrides,
});

/** A valid detail of each type, its values drawn at random within their bounds. */
const validDetail = (detailType: DetailType): Detail => {
  const customerId = text(int(1, 128));
  switch (detailType) {
    case 'Customer Upserted':
      return {
        customerId,
        email: `${pick(['ana', 'b.lim', 'chan+shop', 'x'.repeat(64)])}@${pick(['example.com', 'mail.example.co.uk', `${'d'.repeat(63)}.example`])}`,
        firstName: text(int(1, 100)),
        lastName: text(int(1, 100)),
        locale: pick(['en', 'ms-MY', 'ar', 'zh-Hant-TW', 'EN-us', 'en-US-u-ca-gregory-nu-latn-x-abcdef']),
        timeZone: pick(['UTC', 'Asia/Kuala_Lumpur', 'America/Argentina/ComodRivadavia', 'Pacific/Kiritimati']),
        birthday: pick(['--04-10', '--02-29', '2000-02-29', '1604-12-31', '1990-04-01']),
        marketingConsent: random() < 0.8,
        tier: pick(['gold', 'silver', text(50)]),
      };
    case 'Order Placed':
      return {
        orderId: text(int(1, 128)),
        customerId,
        placedAt: pick(['2026-03-31T10:00:00Z', '2026-03-31T18:00:00+08:00', '1970-01-01T00:00:00Z', '9999-12-31T23:59:59Z']),
        total: pick([0, 0.30000000000000004, 42.5, 123_456_789.99, maxOrderTotal]),
        currency: pick(['EUR', 'MYR', 'IRR', 'KWD']),
        discountCode: pick(['SPRING10', 'ABCDEFGHJK', 'été-10 %', 'x'.repeat(64)]),
      };
    case 'Order Delivered':
      return { orderId: text(int(1, 128)), customerId, deliveredAt: pick(['2026-03-31T10:00:00Z', '2026-04-01T00:00:00-12:00']) };
    case 'Customer Consent Changed':
      return { customerId, ...(random() < 0.5 && { email: 'ana@example.com' }), marketingConsent: random() < 0.5, changedAt: '2026-03-31T18:00:00+08:00' };
    case 'Order Cancelled':
      return { orderId: text(int(1, 128)), customerId, cancelledAt: '2026-03-31T10:00:00Z', ...(random() < 0.5 && { refunded: pick([0, 42.5, maxOrderTotal]) }) };
    case 'Order Refunded':
      return { orderId: text(int(1, 128)), customerId, refundId: text(int(1, 128)), refundedAt: '2026-04-01T00:00:00-12:00', amount: pick([0, 0.01, 42.5, maxOrderTotal]) };
    case 'Customer Deleted':
      return { customerId };
  }
};

const deep = (levels: number, leaf: unknown = 'x'): unknown => {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = i % 2 ? [value] : { a: value };
  return value;
};
const big = (bytes: number) => 'x'.repeat(bytes);

const wrongTypes = [7, null, true, [], {}, ['x']];
const idValues = ['', ' ', '\t\n', '\u00a0\u3000', big(129), big(400 * kb), 'a\u0000b', 'o1\r\n', ...wrongTypes];
const oneLine = (max: number) => [big(max + 1), big(300 * kb), 'Ana\r\nBcc: victim@example.com', 'a\u0007', 7, null, []];

/** Per field of each event, values that must be refused. */
const badValues: Record<DetailType, Record<string, unknown[]>> = {
  'Customer Upserted': {
    customerId: idValues,
    email: [
      'not-an-address',
      `${big(200 * kb)}@example.com`,
      `${big(65)}@example.com`,
      `ana@${big(64)}.com`,
      `${'a'.repeat(64)}@${['b'.repeat(63), 'c'.repeat(63), 'd'.repeat(62)].join('.')}`,
      'ana@example',
      ' ana@example.com',
      '',
      ...wrongTypes,
    ],
    firstName: oneLine(100),
    lastName: oneLine(100),
    locale: ['en_US', 'x-private', 'i-klingon', 'root', 'en-a-bbb-a-ccc', 'en-US-u-ca-gregory-nu-latn-x-abcdefg', big(300 * kb), '', 7],
    timeZone: ['Mars/Olympus', `Europe/${big(60)}`, big(300 * kb), '', 7],
    birthday: ['2026-02-30', '2025-02-29', '--13-01', '--02-30', '04-10', big(300 * kb), 19900410],
    marketingConsent: ['yes', 1, null],
    tier: oneLine(50),
  },
  'Order Placed': {
    orderId: idValues,
    customerId: idValues,
    placedAt: ['yesterday', '2026-02-30T00:00:00Z', '1969-12-31T23:59:59Z', '2026-04-01T10:00:00+99:00', big(400 * kb), 1_774_000_000_000],
    total: [-1, -0.01, 1e308, maxOrderTotal + 1, Infinity, Number.NaN, '12.50', null, undefined],
    currency: ['eur', 'EURO', '', big(300 * kb), 978],
    discountCode: ['', '   ', big(65), big(400 * kb), 'SAVE\u000010', 10],
  },
  'Order Delivered': {
    orderId: idValues,
    customerId: idValues,
    deliveredAt: ['yesterday', '2026-13-01T00:00:00Z', big(400 * kb), null],
  },
  'Customer Consent Changed': {
    customerId: idValues,
    email: ['not-an-address', `${big(65)}@example.com`, 7],
    marketingConsent: ['subscribed', 1, null, undefined],
    changedAt: ['yesterday', big(400 * kb), undefined],
  },
  'Order Cancelled': {
    orderId: idValues,
    customerId: idValues,
    cancelledAt: ['yesterday', '2026-02-30T00:00:00Z', big(400 * kb), null],
    refunded: [-1, maxOrderTotal + 1, Number.NaN, '12.50', null],
  },
  'Order Refunded': {
    orderId: idValues,
    customerId: idValues,
    refundId: idValues,
    refundedAt: ['yesterday', '1969-12-31T23:59:59Z', big(400 * kb), undefined],
    amount: [-0.01, 1e308, maxOrderTotal + 1, '5', null, undefined],
  },
  'Customer Deleted': { customerId: idValues },
};

interface Case {
  name: string;
  event: unknown;
  /** The field every issue of the reason must name, or `accepted`. */
  expect: string;
}

const withField = (detailType: DetailType, field: string, value: unknown): Case => {
  const detail = validDetail(detailType);
  if (value === undefined) delete detail[field];
  else detail[field] = value;
  const shown = typeof value === 'string' && value.length > 40 ? `${value.length} characters` : JSON.stringify(value);
  return { name: `${detailType}: ${field} = ${shown}`, event: envelope(detailType, detail), expect: `detail.${field}` };
};

/** Whole events a stranger can send: not objects, wrong envelopes, nested or sized to hurt. */
const structural = (): Case[] => [
  ...[null, 42, 'Customer Upserted', [], true].map((event) => ({ name: `the event is ${JSON.stringify(event)}`, event, expect: '(event)' })),
  { name: 'no detail-type', event: { ...envelope('Customer Deleted', { customerId: 'c1' }), 'detail-type': undefined }, expect: 'detail-type' },
  { name: 'an unknown detail-type', event: envelope('Nope' as DetailType, { customerId: 'c1' }), expect: 'detail-type' },
  { name: 'another source', event: envelope('Customer Deleted', { customerId: 'c1' }, { source: 'evil' }), expect: 'source' },
  { name: 'no detail', event: envelope('Customer Deleted', undefined), expect: 'detail' },
  { name: 'a detail that is an array', event: envelope('Order Placed', [validDetail('Order Placed')]), expect: 'detail' },
  { name: 'a time that is not one', event: envelope('Customer Deleted', { customerId: 'c1' }, { time: 'yesterday' }), expect: 'time' },
  { name: '10,000 resources that are not strings', event: envelope('Customer Deleted', { customerId: 'c1' }, { resources: Array(10_000).fill(1) }), expect: 'resources' },
  { name: 'a 20,000-level value in a field', event: envelope('Customer Upserted', { ...validDetail('Customer Upserted'), firstName: deep(20_000) }), expect: 'detail.firstName' },
  { name: 'a 20,000-level value in an unknown field', event: envelope('Order Placed', { ...validDetail('Order Placed'), extra: deep(20_000) }), expect: 'detail.extra' },
  { name: 'a 20,000-level value beside the detail', event: { ...envelope('Customer Deleted', { customerId: 'c1' }), junk: deep(20_000) }, expect: 'junk' },
  { name: 'a 20,000-level event', event: deep(20_000), expect: '(event)' },
  { name: 'a 33-level value', event: envelope('Customer Deleted', { customerId: 'c1', extra: deep(maxEventDepth) }), expect: 'detail.extra' },
  { name: 'a 400 KB unknown field', event: envelope('Customer Upserted', { ...validDetail('Customer Upserted'), notes: big(400 * kb) }), expect: 'detail.notes' },
  {
    name: '100,000 small unknown fields',
    event: envelope('Customer Deleted', { customerId: 'c1', ...Object.fromEntries(Array.from({ length: 100_000 }, (_, i) => [`k${i}`, 1])) }),
    expect: 'detail',
  },
  { name: 'a 300 KB key', event: envelope('Customer Deleted', { customerId: 'c1', [big(300 * kb)]: 1 }), expect: 'detail' },
  { name: 'a 1 MB detail-type', event: envelope(big(1024 * kb) as DetailType, {}), expect: 'detail-type' },
];

/** Events at the edges of what is valid: each must be accepted. */
const edges = (): Case[] => [
  {
    name: 'a 254-character address: 64-character local part, 63-character labels',
    event: envelope('Customer Upserted', { ...validDetail('Customer Upserted'), email: `${'a'.repeat(64)}@${['b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.')}` }),
    expect: 'accepted',
  },
  ...['ا'.repeat(100), '王'.repeat(100), '😀'.repeat(50), "Zoë O'Brien-Łukasiewicz"].map((firstName) => ({
    name: `a name of ${firstName.length} UTF-16 units`,
    event: envelope('Customer Upserted', { ...validDetail('Customer Upserted'), firstName, lastName: firstName }),
    expect: 'accepted' as const,
  })),
  { name: '128-character ids', event: envelope('Order Placed', { ...validDetail('Order Placed'), orderId: 'o'.repeat(128), customerId: 'c'.repeat(128) }), expect: 'accepted' },
  { name: 'ids in any script', event: envelope('Order Delivered', { ...validDetail('Order Delivered'), orderId: '注文-١٢٣', customerId: 'клиент #7' }), expect: 'accepted' },
  { name: 'unknown small fields, ignored', event: envelope('Customer Deleted', { customerId: 'c1', note: 'x', nested: { a: [1, 2] } }), expect: 'accepted' },
  { name: 'an own __proto__ key, ignored', event: JSON.parse('{"version":"0","id":"e","detail-type":"Customer Deleted","source":"shop","account":"1","time":"2026-04-01T10:00:00Z","region":"r","resources":[],"detail":{"customerId":"c1","__proto__":{"polluted":true}}}'), expect: 'accepted' },
  { name: 'a 200 KB event, under EventBridge’s 256 KB', event: envelope('Customer Deleted', { customerId: 'c1', notes: big(200 * kb) }), expect: 'accepted' },
];

const corpusSize = 1_000;
const corpus = (): Case[] => {
  const enumerated: Case[] = [...structural(), ...edges()];
  for (const detailType of detailTypes)
    for (const [field, values] of Object.entries(badValues[detailType])) for (const value of values) enumerated.push(withField(detailType, field, value));
  // The rest drawn at random: a bad value of some field, or a valid event with random values.
  const drawn: Case[] = [];
  while (enumerated.length + drawn.length < corpusSize) {
    const detailType = pick(detailTypes);
    if (random() < 0.4) drawn.push({ name: `a valid ${detailType}`, event: envelope(detailType, validDetail(detailType)), expect: 'accepted' });
    else {
      const [field, values] = pick(Object.entries(badValues[detailType]));
      drawn.push(withField(detailType, field, pick(values)));
    }
  }
  return [...enumerated, ...drawn];
};

// ---------------------------------------------------------------- the rules

const fieldsOf = (reason: string) =>
  reason
    .split('; ')
    .filter((part) => !/^and \d+ more$/.test(part))
    .map((part) => part.slice(0, part.indexOf(': ')));
/** `detail.email` names `detail.email`; `resources.3` names `resources`. */
const names = (field: string, expected: string) => field === expected || field.startsWith(`${expected}.`);

describe('the bad-input corpus: 1,000 generated events through ingest', () => {
  const cases = corpus();

  it('has 1,000 events, more than a quarter of them valid', () => {
    expect(cases).toHaveLength(corpusSize);
    expect(cases.filter((c) => c.expect === 'accepted').length).toBeGreaterThan(corpusSize / 4);
  });

  it('never throws: each event is stored or rejected with a reason naming its field, and valid edges are accepted', { timeout: 60_000 }, async () => {
    const failures: string[] = [];
    for (const { name, event, expect: expected } of cases) {
      const { ports, published } = fakePorts();
      let result;
      try {
        result = await ingest(event, ports);
      } catch (error) {
        failures.push(`${name}: threw ${(error as Error).message.slice(0, 200)}`);
        continue;
      }
      const rejected = published.filter((e) => e.detailType === 'Event Rejected');
      if (expected === 'accepted') {
        if (result.outcome === 'rejected') failures.push(`${name}: refused (${result.reason})`);
        continue;
      }
      if (result.outcome !== 'rejected') {
        failures.push(`${name}: accepted`);
        continue;
      }
      const reason = result.reason ?? '';
      const fields = fieldsOf(reason);
      if (!fields.length || !fields.every((field) => names(field, expected))) failures.push(`${name}: "${reason.slice(0, 300)}" does not name ${expected}`);
      if (reason.length > 2_000) failures.push(`${name}: a reason of ${reason.length} characters`);
      if (rejected.length !== 1 || rejected[0]!.detail.reason !== reason) failures.push(`${name}: no dead letter with the reason`);
      else if (bytesOf(rejected[0]!.detail) > maxDeadLetterCopyBytes + 4 * kb) failures.push(`${name}: a dead letter of ${bytesOf(rejected[0]!.detail)} bytes`);
    }
    expect(failures).toEqual([]);
  });

  it('names fields, never echoes their values (reasons are logged)', async () => {
    for (const value of ['Ana\r\nBcc: victim@example.com', 'not-an-address', `${'y'.repeat(65)}@example.com`]) {
      const field = value.includes('Bcc') ? 'firstName' : 'email';
      const { ports } = fakePorts();
      const { reason } = await ingest(withField('Customer Upserted', field, value).event, ports);
      expect(reason).toMatch(new RegExp(`^detail\\.${field}: `));
      expect(reason).not.toContain(value.slice(0, 20));
    }
  });
});

describe('an event is measured before any schema or JSON reads it', () => {
  it('finds a 20,000-level value without recursion, naming the field it is in', () => {
    expect(measure({ detail: { address: deep(20_000) } }).problem).toBe(`detail.address: nested deeper than ${maxEventDepth} levels`);
  });

  it('finds an event over EventBridge’s 256 KB, naming the field that takes it over', () => {
    expect(measure({ detail: { notes: big(300 * kb) } }).problem).toBe("detail.notes: too large: the event passes EventBridge's 256 KB");
  });

  it('lets a real event through', () => {
    expect(measure(envelope('Order Placed', validDetail('Order Placed'))).problem).toBeUndefined();
  });
});

describe('the dead letter keeps a bounded copy of a refused event', () => {
  it('the event itself when it is small', () => {
    const event = envelope('Customer Deleted', { customerId: '' });
    expect(deadLetterCopy(event)).toBe(event);
  });

  it('a preview and the original size when it is large', () => {
    const copy = deadLetterCopy({ detail: { notes: big(400 * kb) } }) as { truncated: boolean; bytes: number; preview: string };
    expect(copy).toMatchObject({ truncated: true, preview: expect.stringMatching(/^\{"detail":\{"notes":"xxx/) });
    expect(copy.bytes).toBeGreaterThan(400 * kb);
    expect(bytesOf(copy)).toBeLessThan(8 * kb);
  });

  it('a preview cut at the depth limit when it is deeply nested', () => {
    const copy = deadLetterCopy(deep(20_000)) as { truncated: boolean; preview: string };
    expect(copy.truncated).toBe(true);
    expect(copy.preview).toContain('"…"');
    expect(boundedJson(deep(20_000), 100).complete).toBe(false);
  });
});
