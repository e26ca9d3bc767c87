/**
 * An order stored while a profile update or a consent change works on its customer
 * (docs/design.md §3), over dynalite. The winback schedule follows the order
 * statistics: an update that read the profile before the order's statistics were
 * stored, and then wrote the schedule of the older last order, left a lapse that
 * no longer matched the last order. Every sweep then skipped the customer, every
 * hour, and the sequence was lost. The order is injected at the worst moment:
 * just after the update read the profile, before it wrote.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeAdapters } from '../../functions/adapters';
import { nextWinbackFor } from '../../functions/campaigns/winback/rules';
import { parseConfig } from '../../functions/config';
import { ingest, type IngestPorts } from '../../functions/customers/ingest';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { orderPlaced, upsert } from './run-simulation';

const envelope = (id: string, event: object) => ({ version: '0', id, account: '0', region: 'local-1', resources: [], ...event });

describe('an order stored between a profile write and the read it was decided from', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startLocalStack({ config: parseConfig({}), start: new Date('2026-01-01T00:00:00Z') });
  });
  afterAll(() => stack?.close());

  /** The ingest ports, whose first read of the profile lets `event` be stored before it answers. */
  const racedBy = (event: object): IngestPorts => {
    const stores = storeAdapters(stack.runtime);
    let reads = 0;
    return {
      ...stores,
      customers: {
        ...stores.customers,
        async get(customerId) {
          const profile = await stores.customers.get(customerId);
          if (reads++ === 0) await stack.invoke('ingest', envelope(`raced-${customerId}`, event));
          return profile;
        },
      },
    };
  };

  const twoOrders = async (customerId: string) => {
    await stack.invoke('ingest', envelope(`u-${customerId}`, upsert('2026-01-01T00:00:00Z', { customerId, email: `${customerId}@example.com`, timeZone: 'Asia/Kuala_Lumpur' })));
    await stack.invoke('ingest', envelope(`o1-${customerId}`, orderPlaced('2026-01-02T08:00:00Z', customerId, `${customerId}-1`)));
    return orderPlaced('2026-02-03T08:00:00Z', customerId, `${customerId}-2`);
  };

  it("an update: stored, with the winback schedule of the order that came meanwhile", async () => {
    const second = await twoOrders('nurul');
    const result = await ingest(envelope('u2-nurul', upsert('2026-02-10T00:00:00Z', { customerId: 'nurul', email: 'nurul@example.com', firstName: 'Nurul', timeZone: 'Asia/Kuala_Lumpur' })), racedBy(second));
    expect(result.outcome).toBe('stored');
    const profile = (await storeAdapters(stack.runtime).customers.get('nurul'))!;
    expect(profile.firstName).toBe('Nurul');
    expect(profile.lastOrderAt).toBe('2026-02-03T08:00:00.000Z');
    expect(profile.winbackLapse).toBe(profile.lastOrderAt);
    expect(result.due?.winback).toBe(profile.winbackDueAt);
  });

  it('a consent change: stored, with the winback schedule of the order that came meanwhile', async () => {
    const second = await twoOrders('omar');
    await stack.invoke('ingest', envelope('off-omar', { time: '2026-01-03T00:00:00Z', source: 'shop', 'detail-type': 'Customer Consent Changed', detail: { customerId: 'omar', marketingConsent: false, changedAt: '2026-01-03T00:00:00Z' } }));
    const consent = envelope('on-omar', { time: '2026-02-10T00:00:00Z', source: 'shop', 'detail-type': 'Customer Consent Changed', detail: { customerId: 'omar', marketingConsent: true, changedAt: '2026-02-10T00:00:00Z' } });
    const result = await ingest(consent, racedBy(second));
    expect(result.outcome).toBe('stored');
    const profile = (await storeAdapters(stack.runtime).customers.get('omar'))!;
    expect(profile.marketingConsent).toBe(true);
    expect(profile.lastOrderAt).toBe('2026-02-03T08:00:00.000Z');
    // The step due is the one of the last order's lapse, as the order itself would have planned it with consent.
    expect(profile.winbackLapse).toBe(profile.lastOrderAt);
    expect(result.due?.winback).toBe(profile.winbackDueAt);
    expect(profile.winbackDueAt).toBeDefined();
  });

  it("an order: its winback step planned with the consent given meanwhile (at checkout, say)", async () => {
    await stack.invoke('ingest', envelope('u-lina', upsert('2026-01-01T00:00:00Z', { customerId: 'lina', email: 'lina@example.com', marketingConsent: false, timeZone: 'Asia/Riyadh' })));
    await stack.invoke('ingest', envelope('o1-lina', orderPlaced('2026-01-02T08:00:00Z', 'lina', 'lina-1')));
    const consent = { time: '2026-02-03T08:00:00Z', source: 'shop', 'detail-type': 'Customer Consent Changed', detail: { customerId: 'lina', marketingConsent: true, changedAt: '2026-02-03T08:00:00Z' } };
    const result = await ingest(envelope('o2-lina', orderPlaced('2026-02-03T08:00:00Z', 'lina', 'lina-2')), racedBy(consent));
    expect(result.outcome).toBe('stored');
    const profile = (await storeAdapters(stack.runtime).customers.get('lina'))!;
    expect(profile.marketingConsent).toBe(true);
    expect(profile.lastOrderAt).toBe('2026-02-03T08:00:00.000Z');
    expect(profile.winbackLapse).toBe(profile.lastOrderAt);
    expect(profile.winbackDueAt).toBeDefined();
    expect(result.due?.winback).toBe(profile.winbackDueAt);
  });
});

describe('a customer left with a winback step of an older lapse, before such writes were guarded', () => {
  let stack: LocalStack;
  const config = parseConfig({});
  const due = '2026-02-20T10:00:00.000Z';
  beforeAll(async () => {
    stack = await startLocalStack({ config, start: new Date('2026-02-20T00:00:00Z') });
  });
  afterAll(() => stack?.close());

  it("is planned again for their last order by the next sweep, not skipped every hour", async () => {
    await stack.invoke('ingest', envelope('u-siti', upsert('2026-01-01T00:00:00Z', { customerId: 'siti', email: 'siti@example.com', timeZone: 'UTC' })));
    await stack.invoke('ingest', envelope('o1-siti', orderPlaced('2026-01-02T08:00:00Z', 'siti', 'siti-1')));
    await stack.invoke('ingest', envelope('o2-siti', orderPlaced('2026-02-03T08:00:00Z', 'siti', 'siti-2')));
    // What the race left: the step and lapse of the first order, due this morning.
    await stack.runtime.dynamo.send(
      new UpdateCommand({
        TableName: stack.runtime.tableName,
        Key: { pk: 'CUSTOMER#siti', sk: 'PROFILE' },
        UpdateExpression: 'SET winbackLapse = :first, winbackStepsSent = :none, winbackStep = :step, winbackDueAt = :due, winbackDueShard = :shard',
        ExpressionAttributeValues: { ':first': '2026-01-02T08:00:00.000Z', ':none': 0, ':step': 2, ':due': due, ':shard': '0' },
      }),
    );
    const stuck = (await storeAdapters(stack.runtime).customers.get('siti'))!;
    await stack.bus.runUntil(new Date('2026-02-20T13:00:00Z'));
    const after = (await storeAdapters(stack.runtime).customers.get('siti'))!;
    expect(after.winbackLapse).toBe(after.lastOrderAt);
    expect(after.winbackStepsSent).toBe(0);
    const planned = nextWinbackFor(stuck, new Date(due), config)!;
    expect([after.winbackStep, after.winbackDueAt]).toEqual([planned.step, planned.dueAt.toISOString()]);
    expect(Date.parse(after.winbackDueAt!)).toBeGreaterThan(Date.parse(due));
  });
});
