/**
 * DESIGN §2 and §5, all campaigns: the send path over dynalite and
 * aws-ses-v2-local — one email per occasion, one per customer per local day
 * (the second deferred, not dropped), never to a suppressed address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../functions/config';
import { deliveryAdapters } from '../../functions/adapters/delivery';
import { suppressionKey } from '../../functions/adapters/dynamodb/suppressions';
import { deliver, type Send } from '../../functions/campaigns/delivery';
import { localKeyring, startLocalStack, type LocalStack } from '../../local/stack';

let stack: LocalStack;
let ports: ReturnType<typeof deliveryAdapters> & { keyring: typeof localKeyring };

beforeAll(async () => {
  stack = await startLocalStack({ config: parseConfig({}), start: new Date('2026-05-05T00:00:00Z') });
  ports = { ...deliveryAdapters(stack.runtime), keyring: localKeyring };
});
afterAll(() => stack.close());

const send = (customerId: string, sendKey: string, at = '2026-05-05T01:00:00Z', timeZone = 'Asia/Kuala_Lumpur'): Send => ({
  campaign: 'birthday',
  sendKey,
  customer: { customerId, email: `${customerId}@example.com`, marketingConsent: true, updatedAt: at, locale: 'ms' },
  timeZone,
  at: new Date(at),
  sendHour: 9,
  offer: { percentOff: 15, validDays: 14 },
});
const sentTo = (address: string) => stack.ses.accepted.filter((email) => email.to.includes(address));

describe('one email per occasion', () => {
  it('a second delivery of the same send key is a no-op', async () => {
    const first = await deliver(send('once', 'birthday#once#2026'), ports);
    const second = await deliver(send('once', 'birthday#once#2026'), ports);
    expect(first.outcome).toBe('sent');
    expect(second).toEqual({ outcome: 'duplicate' });
    expect(sentTo('once@example.com')).toHaveLength(1);
  });
});

describe('at most one email per customer per local day', () => {
  it('defers a second send on the same local day to the next day\'s send hour, and sends nothing', async () => {
    expect((await deliver(send('busy', 'birthday#busy#2026'), ports)).outcome).toBe('sent');
    const second = await deliver(send('busy', 'other#busy#1', '2026-05-05T05:00:00Z'), ports);
    // 09:00 on 6 May in Kuala Lumpur.
    expect(second).toEqual({ outcome: 'deferred', until: new Date('2026-05-06T01:00:00Z') });
    expect(sentTo('busy@example.com')).toHaveLength(1);
  });

  it('lets the deferred send through on the next local day', async () => {
    expect((await deliver(send('busy', 'other#busy#1', '2026-05-06T01:00:00Z'), ports)).outcome).toBe('sent');
    expect(sentTo('busy@example.com')).toHaveLength(2);
  });

  it('counts days in the customer\'s time zone: 19:00 UTC is already the next morning in Kiritimati (UTC+14)', async () => {
    expect((await deliver(send('zone', 'a#zone', '2026-05-05T00:00:00Z', 'Pacific/Kiritimati'), ports)).outcome).toBe('sent');
    expect((await deliver(send('zone', 'b#zone', '2026-05-05T19:00:00Z', 'Pacific/Kiritimati'), ports)).outcome).toBe('sent');
  });

  it('holds when two sends for the same customer race', async () => {
    const outcomes = await Promise.all(['x', 'y', 'z'].map((key) => deliver(send('race', `${key}#race`), ports)));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['deferred', 'deferred', 'sent']);
    expect(sentTo('race@example.com')).toHaveLength(1);
  });
});

describe('only between 09:00 and 20:00 local time', () => {
  it('sends nothing at 07:00 local (a late sweep), and claims nothing', async () => {
    // 23:00 UTC is 07:00 the next morning in Kuala Lumpur.
    expect(await deliver(send('early', 'birthday#early#2026', '2026-05-05T23:00:00Z'), ports)).toEqual({ outcome: 'missed' });
    expect((await deliver(send('early', 'birthday#early#2026', '2026-05-06T01:00:00Z'), ports)).outcome).toBe('sent');
  });
});

describe('suppression is checked at send time', () => {
  it('sends nothing to a suppressed address, and claims nothing', async () => {
    await stack.runtime.dynamo.send(
      new PutCommand({ TableName: stack.runtime.tableName, Item: { ...suppressionKey('Gone@Example.com'), reason: 'unsubscribed' } }),
    );
    expect(await deliver(send('gone', 'birthday#gone#2026'), ports)).toEqual({ outcome: 'suppressed' });
    expect(sentTo('gone@example.com')).toHaveLength(0);
  });
});
