/**
 * The local event bus (docs/design.md §2, §6): what EventBridge does for this project,
 * on a clock the bus owns. Each `describe` is one rule of its behaviour.
 */
import '../../local/environment';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventBridgePublisher } from '../../functions/adapters/eventbridge';
import { LocalEventBus, localAccount, localRegion, type BusEvent, type DeadLetter } from '../../local/event-bus';

const start = new Date('2026-03-01T00:00:00Z');
const at = (iso: string) => new Date(iso);

/** A bus on a virtual clock that keeps what it saw and what it dead-lettered. */
const makeBus = (from = start) => {
  const seen: BusEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  const bus = new LocalEventBus({ start: from, onEvent: (event) => seen.push(event), onDeadLetter: (dl) => deadLetters.push(dl) });
  return { bus, seen, deadLetters };
};

/** A target that records each event it receives with the clock time it ran at. */
const recorder = (bus: LocalEventBus) => {
  const received: { event: BusEvent; now: string }[] = [];
  const target = async (event: BusEvent) => {
    received.push({ event, now: bus.now().toISOString() });
  };
  return { received, target };
};

const order = (detail: unknown) => (detail as { n: string }).n;

describe('a rule with an event pattern delivers the events that match it, and only those', () => {
  it('delivers a matching event to the target and ignores events that do not match', async () => {
    const { bus } = makeBus();
    const orders = recorder(bus);
    bus.addRule({ name: 'orders', pattern: { source: ['shop'], 'detail-type': ['Order Placed'] } }, orders.target, 0);
    bus.put({ source: 'shop', detailType: 'Order Placed', detail: { n: 'match' } });
    bus.put({ source: 'shop', detailType: 'Customer Upserted', detail: { n: 'other type' } });
    bus.put({ source: 'elsewhere', detailType: 'Order Placed', detail: { n: 'other source' } });
    await bus.runUntil(at('2026-03-01T00:00:01Z'));
    expect(orders.received.map((r) => order(r.event.detail))).toEqual(['match']);
  });

  it('matches on the content of the detail, not only on source and detail-type', async () => {
    const { bus } = makeBus();
    const big = recorder(bus);
    bus.addRule({ name: 'big', pattern: { detail: { total: [{ numeric: ['>=', 100] }] } } }, big.target, 0);
    bus.put({ source: 'shop', detailType: 'Order Placed', detail: { n: 'small', total: 99 } });
    bus.put({ source: 'shop', detailType: 'Order Placed', detail: { n: 'big', total: 100 } });
    await bus.runUntil(at('2026-03-01T00:00:01Z'));
    expect(big.received.map((r) => order(r.event.detail))).toEqual(['big']);
  });

  it('delivers one event to every rule that matches it', async () => {
    const { bus } = makeBus();
    const first = recorder(bus);
    const second = recorder(bus);
    bus.addRule({ name: 'first', pattern: { source: ['shop'] } }, first.target, 0);
    bus.addRule({ name: 'second', pattern: { 'detail-type': ['Order Placed'] } }, second.target, 0);
    const event = bus.put({ source: 'shop', detailType: 'Order Placed', detail: { n: 'one' } });
    await bus.runUntil(at('2026-03-01T00:00:01Z'));
    expect(first.received.map((r) => r.event.id)).toEqual([event.id]);
    expect(second.received.map((r) => r.event.id)).toEqual([event.id]);
  });

  it('hands the target the full EventBridge envelope: version "0", id, account, region, time, resources, source, detail-type, detail', async () => {
    const { bus, seen } = makeBus();
    const all = recorder(bus);
    bus.addRule({ name: 'all', pattern: { source: ['shop'] } }, all.target, 0);
    bus.put({ source: 'shop', detailType: 'Order Placed', detail: { orderId: 'o-1', total: 12.5 } });
    bus.put({ source: 'shop', detailType: 'Order Placed', detail: { orderId: 'o-2' }, time: at('2026-02-27T08:30:00.250Z'), resources: ['arn:x'] });
    await bus.runUntil(at('2026-03-01T00:00:01Z'));

    expect(all.received).toHaveLength(2);
    const [first, second] = all.received.map((r) => r.event) as [BusEvent, BusEvent];
    expect(Object.keys(first).sort()).toEqual(
      ['version', 'id', 'account', 'region', 'time', 'resources', 'source', 'detail-type', 'detail'].sort(),
    );
    expect(first).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      account: localAccount,
      region: localRegion,
      // Without a time of its own, an event is stamped with the clock, to the second, as EventBridge does.
      time: '2026-03-01T00:00:00Z',
      resources: [],
      source: 'shop',
      'detail-type': 'Order Placed',
      detail: { orderId: 'o-1', total: 12.5 },
    });
    expect(first.account).toMatch(/^\d{12}$/);
    expect(second).toMatchObject({ time: '2026-02-27T08:30:00Z', resources: ['arn:x'], detail: { orderId: 'o-2' } });
    expect(second.id).not.toBe(first.id);
    // What the targets got is what crossed the bus (bus.ndjson).
    expect(seen).toEqual([first, second]);
  });
});

describe('events are delivered in time order', () => {
  it('delivers events queued with at() in the order of their times, not the order they were queued in', async () => {
    const { bus } = makeBus();
    const all = recorder(bus);
    bus.addRule({ name: 'all', pattern: { source: ['shop'] } }, all.target, 0);
    for (const [n, time] of [
      ['third', '2026-03-03T10:00:00Z'],
      ['first', '2026-03-01T10:00:00Z'],
      ['second', '2026-03-02T10:00:00Z'],
    ] as const) {
      bus.at(at(time), () => void bus.put({ source: 'shop', detailType: 'Tick', detail: { n }, time: at(time) }));
    }
    await bus.runUntil(at('2026-03-04T00:00:00Z'));
    expect(all.received.map((r) => [order(r.event.detail), r.now])).toEqual([
      ['first', '2026-03-01T10:00:00.000Z'],
      ['second', '2026-03-02T10:00:00.000Z'],
      ['third', '2026-03-03T10:00:00.000Z'],
    ]);
  });

  it('keeps the queueing order of events due at the same time', async () => {
    const { bus } = makeBus();
    const all = recorder(bus);
    bus.addRule({ name: 'all', pattern: { source: ['shop'] } }, all.target, 0);
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    for (const n of names) bus.at(at('2026-03-01T10:00:00Z'), () => void bus.put({ source: 'shop', detailType: 'Tick', detail: { n } }));
    await bus.runUntil(at('2026-03-02T00:00:00Z'));
    expect(all.received.map((r) => order(r.event.detail))).toEqual(names);
  });

  it('delivers an event a target publishes after the current one, at the same clock time, before anything due later', async () => {
    const { bus } = makeBus();
    const log: string[] = [];
    bus.addRule(
      { name: 'orders', pattern: { 'detail-type': ['Order Placed'] } },
      async (event) => {
        log.push(`start ${order(event.detail)} at ${bus.now().toISOString()}`);
        bus.put({ source: 'retention', detailType: 'Followed Up', detail: { n: `after ${order(event.detail)}` } });
        // Still inside this delivery: the published event must not have been delivered yet.
        await Promise.resolve();
        log.push(`end ${order(event.detail)}`);
      },
      0,
    );
    bus.addRule(
      { name: 'follow-ups', pattern: { 'detail-type': ['Followed Up'] } },
      async (event) => void log.push(`${order(event.detail)} at ${bus.now().toISOString()} stamped ${event.time}`),
      0,
    );
    bus.at(at('2026-03-01T10:00:00Z'), () => void bus.put({ source: 'shop', detailType: 'Order Placed', detail: { n: 'A' } }));
    bus.at(at('2026-03-01T11:00:00Z'), () => void bus.put({ source: 'shop', detailType: 'Order Placed', detail: { n: 'B' } }));
    await bus.runUntil(at('2026-03-02T00:00:00Z'));
    expect(log).toEqual([
      'start A at 2026-03-01T10:00:00.000Z',
      'end A',
      'after A at 2026-03-01T10:00:00.000Z stamped 2026-03-01T10:00:00Z',
      'start B at 2026-03-01T11:00:00.000Z',
      'end B',
      'after B at 2026-03-01T11:00:00.000Z stamped 2026-03-01T11:00:00Z',
    ]);
  });

  it('advances the clock to `until` at the end of a run, and leaves events due later for the next run', async () => {
    const { bus } = makeBus();
    const all = recorder(bus);
    bus.addRule({ name: 'all', pattern: { source: ['shop'] } }, all.target, 0);
    bus.at(at('2026-03-05T00:00:00Z'), () => void bus.put({ source: 'shop', detailType: 'Tick', detail: { n: 'later' } }));
    await bus.runUntil(at('2026-03-02T00:00:00Z'));
    expect(bus.now().toISOString()).toBe('2026-03-02T00:00:00.000Z');
    expect(all.received).toEqual([]);
    await bus.runUntil(at('2026-03-06T00:00:00Z'));
    expect(all.received.map((r) => [order(r.event.detail), r.now])).toEqual([['later', '2026-03-05T00:00:00.000Z']]);
    expect(bus.now().toISOString()).toBe('2026-03-06T00:00:00.000Z');
  });
});

describe('a schedule rule fires Scheduled Events at its times', () => {
  const hourly = () => {
    const { bus } = makeBus(at('2026-03-01T00:00:00Z'));
    const sweeps = recorder(bus);
    bus.addRule({ name: 'sweep', schedule: 'cron(0 * * * ? *)' }, sweeps.target, 0);
    return { bus, sweeps };
  };
  const hours = (day: string) => Array.from({ length: 24 }, (_, h) => `${day}T${String(h).padStart(2, '0')}:00:00Z`);

  it('fires cron(0 * * * ? *) 24 times over a day, at whole hours, with the firing time in `time`', async () => {
    const { bus, sweeps } = hourly();
    await bus.runUntil(at('2026-03-02T00:00:00Z'));
    expect(sweeps.received.map((r) => r.event.time)).toEqual(hours('2026-03-01'));
    // The clock reads the firing time while the target runs: handlers take business time from the event.
    expect(sweeps.received.map((r) => r.now.replace('.000Z', 'Z'))).toEqual(hours('2026-03-01'));
  });

  it('delivers an event published for the same instant (putAt) before that instant\'s firing', async () => {
    const { bus, sweeps } = hourly();
    const order: string[] = [];
    bus.addRule({ name: 'ingest', pattern: { source: ['shop'] } }, async () => void order.push('event'), 0);
    bus.addRule({ name: 'log', schedule: 'cron(0 * * * ? *)' }, async (event) => void order.push(`sweep ${event.time}`), 0);
    bus.putAt(at('2026-03-01T09:00:00Z'), { source: 'shop', detailType: 'Customer Upserted', detail: {}, time: at('2026-03-01T09:00:00Z') });
    await bus.runUntil(at('2026-03-01T10:00:00Z'));
    expect(order.slice(-3)).toEqual(['sweep 2026-03-01T08:00:00Z', 'event', 'sweep 2026-03-01T09:00:00Z']);
    expect(sweeps.received).toHaveLength(10);
  });

  it('sends a Scheduled Event from aws.events naming the rule in resources', async () => {
    const { bus, sweeps } = hourly();
    await bus.runUntil(at('2026-03-01T01:00:00Z'));
    expect(sweeps.received.map((r) => r.event)).toEqual([
      {
        version: '0',
        id: expect.any(String),
        account: localAccount,
        region: localRegion,
        time: '2026-03-01T00:00:00Z',
        resources: [`arn:aws:events:${localRegion}:${localAccount}:rule/sweep`],
        source: 'aws.events',
        'detail-type': 'Scheduled Event',
        detail: {},
      },
    ]);
  });

  it('counts a firing at exactly the start and not one at exactly `until` (runUntil delivers what is due strictly before it)', async () => {
    const { bus, sweeps } = hourly();
    await bus.runUntil(at('2026-03-01T03:00:00Z'));
    expect(sweeps.received.map((r) => r.event.time)).toEqual(['2026-03-01T00:00:00Z', '2026-03-01T01:00:00Z', '2026-03-01T02:00:00Z']);
  });

  it('fires each hour once when runUntil is called twice, to noon and then to midnight', async () => {
    const { bus, sweeps } = hourly();
    await bus.runUntil(at('2026-03-01T12:00:00Z'));
    expect(sweeps.received.map((r) => r.event.time)).toEqual(hours('2026-03-01').slice(0, 12));
    await bus.runUntil(at('2026-03-02T00:00:00Z'));
    expect(sweeps.received.map((r) => r.event.time)).toEqual(hours('2026-03-01'));
  });

  it('does not fire before a start that falls between two firings', async () => {
    const { bus } = makeBus(at('2026-03-01T00:30:00Z'));
    const sweeps = recorder(bus);
    bus.addRule({ name: 'sweep', schedule: 'cron(0 * * * ? *)' }, sweeps.target, 0);
    await bus.runUntil(at('2026-03-01T03:00:00Z'));
    expect(sweeps.received.map((r) => r.event.time)).toEqual(['2026-03-01T01:00:00Z', '2026-03-01T02:00:00Z']);
  });

  it('interleaves firings with events in time order', async () => {
    const { bus } = makeBus();
    const log: string[] = [];
    bus.addRule({ name: 'sweep', schedule: 'cron(0 * * * ? *)' }, async (event) => void log.push(`sweep ${event.time}`), 0);
    bus.addRule({ name: 'all', pattern: { source: ['shop'] } }, async (event) => void log.push(`event ${event.time}`), 0);
    const time = at('2026-03-01T01:30:00Z');
    bus.at(time, () => void bus.put({ source: 'shop', detailType: 'Tick', detail: {}, time }));
    await bus.runUntil(at('2026-03-01T03:00:00Z'));
    expect(log).toEqual(['sweep 2026-03-01T00:00:00Z', 'sweep 2026-03-01T01:00:00Z', 'event 2026-03-01T01:30:00Z', 'sweep 2026-03-01T02:00:00Z']);
  });
});

describe('a failing target is retried, then the event is dead-lettered with the reason', () => {
  /** A target that fails its first `failures` calls (Infinity: always), counting its calls. */
  const flaky = (failures: number) => {
    const calls: BusEvent[] = [];
    const target = async (event: BusEvent) => {
      calls.push(event);
      if (calls.length <= failures) throw new Error(`boom ${calls.length}`);
    };
    return { calls, target };
  };

  it('retries a failing target `retryAttempts` more times', async () => {
    const { bus } = makeBus();
    const target = flaky(Infinity);
    bus.addRule({ name: 'ingest', pattern: { source: ['shop'] } }, target.target, 3);
    bus.put({ source: 'shop', detailType: 'Order Placed', detail: {} });
    await bus.runUntil(at('2026-03-01T00:00:01Z'));
    expect(target.calls).toHaveLength(4);
  });

  it('makes a single attempt when retryAttempts is 0', async () => {
    const { bus, deadLetters } = makeBus();
    const target = flaky(Infinity);
    bus.addRule({ name: 'ingest', pattern: { source: ['shop'] } }, target.target, 0);
    bus.put({ source: 'shop', detailType: 'Order Placed', detail: {} });
    await bus.runUntil(at('2026-03-01T00:00:01Z'));
    expect(target.calls).toHaveLength(1);
    expect(deadLetters).toHaveLength(1);
  });

  it('does not dead-letter an event whose target succeeds on a retry', async () => {
    const { bus, deadLetters } = makeBus();
    const target = flaky(2);
    bus.addRule({ name: 'ingest', pattern: { source: ['shop'] } }, target.target, 2);
    const event = bus.put({ source: 'shop', detailType: 'Order Placed', detail: {} });
    await bus.runUntil(at('2026-03-01T00:00:01Z'));
    expect(target.calls.map((e) => e.id)).toEqual([event.id, event.id, event.id]);
    expect(deadLetters).toEqual([]);
  });

  it('dead-letters an event whose target always fails once, with a reason naming the rule, the attempt count and the error', async () => {
    const { bus, deadLetters } = makeBus();
    const target = flaky(Infinity);
    bus.addRule({ name: 'ingest', pattern: { source: ['shop'] } }, target.target, 2);
    const time = at('2026-03-01T10:00:00Z');
    let event: BusEvent | undefined;
    bus.at(time, () => void (event = bus.put({ source: 'shop', detailType: 'Order Placed', detail: { orderId: 'o-1' } })));
    await bus.runUntil(at('2026-03-02T00:00:00Z'));
    expect(target.calls).toHaveLength(3);
    expect(deadLetters).toHaveLength(1);
    const [deadLetter] = deadLetters as [DeadLetter];
    expect(deadLetter.reason).toContain('ingest');
    expect(deadLetter.reason).toMatch(/\b3 attempts\b/);
    expect(deadLetter.reason).toContain('boom 3');
    expect(deadLetter).toEqual({ at: '2026-03-01T10:00:00.000Z', reason: deadLetter.reason, rule: 'ingest', event });
  });

  it('dead-letters a failing scheduled firing too, and goes on with the next', async () => {
    const { bus, deadLetters } = makeBus();
    const target = flaky(2);
    bus.addRule({ name: 'sweep', schedule: 'cron(0 * * * ? *)' }, target.target, 1);
    await bus.runUntil(at('2026-03-01T02:00:00Z'));
    expect(target.calls.map((e) => e.time)).toEqual(['2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z', '2026-03-01T01:00:00Z']);
    expect(deadLetters.map((dl) => [dl.rule, (dl.event as BusEvent).time])).toEqual([['sweep', '2026-03-01T00:00:00Z']]);
    expect(deadLetters[0]!.reason).toMatch(/sweep.*\b2 attempts\b.*boom 2/);
  });

  it('still delivers the event to the other rules, and the later events, when one target fails', async () => {
    const { bus, deadLetters } = makeBus();
    const healthy = recorder(bus);
    bus.addRule({ name: 'broken', pattern: { source: ['shop'] } }, flaky(Infinity).target, 1);
    bus.addRule({ name: 'healthy', pattern: { source: ['shop'] } }, healthy.target, 0);
    bus.put({ source: 'shop', detailType: 'Tick', detail: { n: '1' } });
    bus.put({ source: 'shop', detailType: 'Tick', detail: { n: '2' } });
    await bus.runUntil(at('2026-03-01T00:00:01Z'));
    expect(healthy.received.map((r) => order(r.event.detail))).toEqual(['1', '2']);
    expect(deadLetters.map((dl) => dl.rule)).toEqual(['broken', 'broken']);
  });
});

describe('an event matching a dead-letter rule goes to the dead letters', () => {
  const rejection = { source: ['retention'], 'detail-type': ['Event Rejected'] };

  it('records detail.reason as the reason and detail.event as the event', async () => {
    const { bus, deadLetters } = makeBus();
    bus.addDeadLetterRule(rejection);
    const original = { source: 'shop', 'detail-type': 'Customer Upserted', detail: { customerId: 'c-1', email: 'not an address' } };
    bus.at(at('2026-03-01T10:00:00Z'), () =>
      void bus.put({ source: 'retention', detailType: 'Event Rejected', detail: { reason: 'detail.email: Invalid email address', event: original } }),
    );
    await bus.runUntil(at('2026-03-02T00:00:00Z'));
    expect(deadLetters).toEqual([{ at: '2026-03-01T10:00:00.000Z', reason: 'detail.email: Invalid email address', event: original }]);
  });

  it('leaves events that do not match it alone', async () => {
    const { bus, deadLetters } = makeBus();
    bus.addDeadLetterRule(rejection);
    bus.put({ source: 'retention', detailType: 'Email Sent', detail: { reason: 'not a rejection' } });
    bus.put({ source: 'shop', detailType: 'Event Rejected', detail: { reason: 'wrong source' } });
    await bus.runUntil(at('2026-03-01T00:00:01Z'));
    expect(deadLetters).toEqual([]);
  });
});

describe('addRule refuses an invalid pattern or schedule expression at once', () => {
  const noop = async () => undefined;

  it.each([
    ['a leaf that is not an array', { source: 'shop' }],
    ['an empty pattern', {}],
    ['an unknown operator', { detail: { total: [{ between: [1, 2] }] } }],
    ['an empty list of values', { source: [] }],
  ])('throws on a pattern with %s', (_, pattern) => {
    const { bus } = makeBus();
    expect(() => bus.addRule({ name: 'bad', pattern }, noop, 0)).toThrow(/pattern/i);
  });

  it.each([
    ['a unix cron with five fields', 'cron(0 * * * *)'],
    ['a cron without "?"', 'cron(0 * * * * *)'],
    ['a plural unit for 1', 'rate(1 hours)'],
    ['not an expression', 'every hour'],
  ])('throws on a schedule with %s', (_, schedule) => {
    const { bus } = makeBus();
    expect(() => bus.addRule({ name: 'bad', schedule }, noop, 0)).toThrow(/schedule expression/i);
  });

  it('throws on an invalid dead-letter pattern too', () => {
    const { bus } = makeBus();
    expect(() => bus.addDeadLetterRule({ source: 'retention' })).toThrow(/pattern/i);
  });
});

describe('PutEvents over HTTP, through the real SDK client', () => {
  let bus: LocalEventBus | undefined;
  let client: EventBridgeClient | undefined;
  afterEach(async () => {
    client?.destroy();
    await bus?.close();
    bus = client = undefined;
  });

  const serve = async () => {
    const made = makeBus();
    bus = made.bus;
    const endpoint = await bus.listen();
    expect(endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    client = new EventBridgeClient({ endpoint, region: 'local-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
    return { ...made, client, endpoint };
  };

  it('puts an event that reaches a matching rule with the given Time and Detail', async () => {
    const { bus, client } = await serve();
    const orders = recorder(bus);
    bus.addRule({ name: 'orders', pattern: { source: ['shop'], 'detail-type': ['Order Placed'] } }, orders.target, 0);
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'retention',
            Source: 'shop',
            DetailType: 'Order Placed',
            Detail: JSON.stringify({ orderId: 'o-1', total: 42 }),
            Time: at('2026-02-14T09:15:30Z'),
            Resources: ['arn:aws:shop:order/o-1'],
          },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries).toEqual([{ EventId: expect.any(String) }]);
    await bus.runUntil(at('2026-03-01T00:00:01Z'));
    expect(orders.received.map((r) => r.event)).toEqual([
      expect.objectContaining({
        id: result.Entries![0]!.EventId,
        source: 'shop',
        'detail-type': 'Order Placed',
        time: '2026-02-14T09:15:30Z',
        resources: ['arn:aws:shop:order/o-1'],
        detail: { orderId: 'o-1', total: 42 },
      }),
    ]);
  });

  it('stamps an entry without Time with the bus clock', async () => {
    const { bus, client } = await serve();
    const all = recorder(bus);
    bus.addRule({ name: 'all', pattern: { source: ['shop'] } }, all.target, 0);
    await bus.runUntil(at('2026-03-01T07:00:00Z'));
    await client.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'Tick', Detail: '{}' }] }));
    await bus.runUntil(at('2026-03-01T07:00:01Z'));
    expect(all.received.map((r) => r.event.time)).toEqual(['2026-03-01T07:00:00Z']);
  });

  it.each([
    ['a JSON string', '"just text"'],
    ['a JSON array', '[1, 2]'],
    ['JSON null', 'null'],
    ['not JSON at all', '{"customerId": '],
  ])('fails an entry whose Detail is %s and accepts the others in the same call', async (_, detail) => {
    const { bus, client } = await serve();
    const all = recorder(bus);
    bus.addRule({ name: 'all', pattern: { source: ['shop'] } }, all.target, 0);
    const result = await client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'shop', DetailType: 'Tick', Detail: JSON.stringify({ n: 'before' }) },
          { Source: 'shop', DetailType: 'Tick', Detail: detail },
          { Source: 'shop', DetailType: 'Tick', Detail: JSON.stringify({ n: 'after' }) },
        ],
      }),
    );
    expect(result.FailedEntryCount).toBe(1);
    const [before, failed, after] = result.Entries ?? [];
    expect(before).toEqual({ EventId: expect.any(String) });
    expect(failed?.EventId).toBeUndefined();
    expect(failed?.ErrorCode).toEqual(expect.any(String));
    expect(failed?.ErrorMessage).toEqual(expect.any(String));
    expect(after).toEqual({ EventId: expect.any(String) });
    await bus.runUntil(at('2026-03-01T00:00:01Z'));
    expect(all.received.map((r) => order(r.event.detail))).toEqual(['before', 'after']);
  });

  it('fails an entry without Source or DetailType', async () => {
    const { client } = await serve();
    const result = await client.send(
      new PutEventsCommand({ Entries: [{ DetailType: 'Tick', Detail: '{}' }, { Source: 'shop', Detail: '{}' }] }),
    );
    expect(result.FailedEntryCount).toBe(2);
    expect(result.Entries?.map((entry) => entry.ErrorCode)).toEqual([expect.any(String), expect.any(String)]);
  });

  it('carries what the engine publishes (the eventBridgePublisher adapter), more than ten events in batches', async () => {
    const { bus, client } = await serve();
    const all = recorder(bus);
    bus.addRule({ name: 'all', pattern: { source: ['retention'] } }, all.target, 0);
    const events = Array.from({ length: 12 }, (_, i) => ({
      source: 'retention',
      detailType: 'Email Sent',
      time: `2026-03-01T09:00:${String(i).padStart(2, '0')}Z`,
      detail: { n: String(i) },
    }));
    await eventBridgePublisher(client, 'retention').publish(events);
    await bus.runUntil(at('2026-03-01T00:00:01Z'));
    expect(all.received.map((r) => [order(r.event.detail), r.event.time])).toEqual(events.map((e) => [e.detail.n, e.time]));
  });

  it('makes the eventBridgePublisher adapter throw when the bus rejects an entry', async () => {
    const { client } = await serve();
    const publisher = eventBridgePublisher(client, 'retention');
    await expect(publisher.publish([{ source: '', detailType: 'Email Sent', time: '2026-03-01T09:00:00Z', detail: {} }])).rejects.toThrow(
      /PutEvents rejected 1 event/,
    );
  });

  it('answers an operation other than PutEvents with an error', async () => {
    const { endpoint } = await serve();
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'x-amz-target': 'AWSEvents.ListRules', 'content-type': 'application/x-amz-json-1.1' },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ __type: 'UnknownOperationException' });
  });
});
