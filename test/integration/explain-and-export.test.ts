/**
 * docs/design.md §11 and §6: after a simulated quarter, `retention explain` tells
 * each customer's story with the right reason for every email that did not go
 * (deferred by another campaign, suppressed after a bounce, unsubscribed
 * through the link, erased, held out), and `retention customer export` holds
 * every item the store has for a customer, compared with a direct read of
 * their key range. Both read the data the simulation kept in its --out.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { isHeldOut } from '../../functions/campaigns/holdout';
import { explain, exportRecord, openRecordSource } from '../../local/customer-record';
import { explainPage } from '../../local/explain-page';
import type { LocalStack } from '../../local/stack';
import { orderDelivered, orderPlaced, runSimulation, upsert } from './run-simulation';

// Held out of the birthday campaign at a share of one half: found by the same hash the engine uses.
const config = parseConfig({ birthday: { holdoutShare: 0.5 } });
const ids = Array.from({ length: 40 }, (_, i) => `cust-${i}`);
const mailed = ids.filter((id) => !isHeldOut('birthday', id, 0.5));
const [sent, deferred, bounced, unsubscribed, erased] = mailed;
const heldOut = ids.find((id) => isHeldOut('birthday', id, 0.5))!;

const customer = (time: string, customerId: string, birthday: string, email = `${customerId}@example.com`) =>
  upsert(time, { customerId, email, timeZone: 'UTC', birthday, locale: 'en' });

describe('explain and export after a simulated quarter', () => {
  let out: string;
  const story = async (customerId: string) => (await explain(customerId, { kind: 'data', dir: out }, config)).text;

  beforeAll(async () => {
    ({ out } = await runSimulation(
      [
        customer('2026-03-01T00:00:00Z', sent!, '1990-03-10'),
        // Her survey falls due on her birthday: the birthday takes the day.
        customer('2026-03-01T00:00:00Z', deferred!, '1990-03-20'),
        orderPlaced('2026-03-06T12:00:00Z', deferred!, 'o-deferred'),
        orderDelivered('2026-03-13T12:00:00Z', deferred!, 'o-deferred'),
        // SES's mailbox simulator bounces the birthday email; the survey later finds the address suppressed.
        customer('2026-03-01T00:00:00Z', bounced!, '1990-03-05', 'bounce@simulator.amazonses.com'),
        orderPlaced('2026-03-10T12:00:00Z', bounced!, 'o-bounced'),
        orderDelivered('2026-03-12T12:00:00Z', bounced!, 'o-bounced'),
        // Unsubscribes with the link of her birthday email; the survey then finds her unsubscribed.
        customer('2026-03-01T00:00:00Z', unsubscribed!, '1990-03-08'),
        { time: '2026-03-08T12:00:00Z', recipient: { customerId: unsubscribed, action: 'one-click-unsubscribe' } },
        orderPlaced('2026-03-10T12:00:00Z', unsubscribed!, 'o-unsubscribed'),
        orderDelivered('2026-03-12T12:00:00Z', unsubscribed!, 'o-unsubscribed'),
        customer('2026-03-01T00:00:00Z', erased!, '1990-04-01'),
        { time: '2026-03-15T00:00:00Z', source: 'shop', 'detail-type': 'Customer Deleted', detail: { customerId: erased } },
        customer('2026-03-01T00:00:00Z', heldOut, '1990-03-12'),
      ],
      '2026-03-01T00:00:00Z',
      '2026-06-01T00:00:00Z',
      config,
      undefined,
      undefined,
      true,
    ));
  }, 120_000);

  it('tells an email that went: its subject, code and what SES reported', async () => {
    const text = await story(sent!);
    expect(text).toMatch(/2026-03-10T09:00:00.000Z {2}email {10}birthday email sent: "Happy birthday.*", code \w+ \(message \S+\)/);
    expect(text).toMatch(/message \S+ delivered/);
    expect(text).toMatch(/Customer Upserted from shop; birthday due 2026-03-10T09:00:00.000Z/);
    expect(text).toMatch(/marketing consent given \(source: shop, notice in en\)/);
  });

  it('tells an email deferred by another campaign, and which one took the day', async () => {
    const text = await story(deferred!);
    expect(text).toMatch(/nps deferred to 2026-03-21T10:00:00.000Z: the birthday email took that day/);
    expect(text).toMatch(/2026-03-21T10:00:00.000Z {2}email {10}nps email sent/);
  });

  it('tells the bounce, and the email it stopped', async () => {
    const text = await story(bounced!);
    expect(text).toMatch(/hard bounce reported by SES for message \S+ \(birthday\): the address is suppressed/);
    expect(text).toMatch(/nps not sent: suppressed \(the address hard-bounced\)/);
    expect(text).toMatch(/now: .*address suppressed: the address hard-bounced/);
  });

  it('tells an unsubscribe through the link, in the consent ledger, and the email it stopped', async () => {
    const text = await story(unsubscribed!);
    expect(text).toMatch(/2026-03-08T12:00:00.000Z {2}consent {8}unsubscribed from everything \(source: unsubscribe, notice in en\)/);
    expect(text).toMatch(/nps not sent: suppressed \(the address unsubscribed\)/);
  });

  it('tells an erased customer: nothing of them is left but the erasure', async () => {
    const text = await story(erased!);
    expect(text).toMatch(/erased: personal data removed/);
    expect(text).not.toMatch(/consent given|Customer Upserted/);
    const { document } = await exportRecord(erased!, { kind: 'data', dir: out });
    expect(document.profile).not.toHaveProperty('email');
    expect(document.consentLedger).toEqual([]);
  });

  it('tells a customer held out of the campaign', async () => {
    expect(await story(heldOut)).toMatch(/2026-03-12T09:00:00.000Z {2}skip {11}birthday not sent: held out/);
  });

  it('exports every item the store has for a customer, and what is theirs elsewhere', async () => {
    const source = await openRecordSource({ kind: 'data', dir: out });
    let direct: Record<string, unknown>[];
    try {
      direct = (await source.client.send(new QueryCommand({ TableName: source.tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `CUSTOMER#${deferred}` } }))).Items!;
    } finally {
      await source.close();
    }
    const { document } = await exportRecord(deferred!, { kind: 'data', dir: out });
    const exported = JSON.stringify(document);
    expect(direct.length).toBeGreaterThan(8);
    // What has expired (a day's slot, a week after its day) is no longer theirs to see, as DynamoDB deletes it within days.
    const end = Date.parse('2026-06-01T00:00:00Z') / 1000;
    const live = direct.filter((item) => typeof item.ttl !== 'number' || item.ttl > end);
    expect(live.length).toBeLessThan(direct.length);
    for (const { pk: _pk, ...item } of live) {
      // Each item whole, in one of the document's groups (sets as lists).
      const plain = JSON.parse(JSON.stringify(item, (_key, value) => (value instanceof Set ? [...value].sort() : value)));
      const groups = Object.values(document).flatMap((group) => (Array.isArray(group) ? group : [group]));
      expect(groups, `${String(item.sk)} in the export`).toContainEqual(plain);
    }
    expect(document.emails.map((email) => email.email)).toEqual(['birthday', 'nps', 'winback step 1']);
    expect(document.emails[0]).toMatchObject({ subject: expect.stringMatching(/birthday/i), deliveredAt: expect.any(String) });
    expect(document.discountCodes).toHaveLength(1);
    expect(document.sendLedger).toHaveLength(3);
    expect(document.orders[0]).toMatchObject({ orderId: 'o-deferred' });
    expect(exported).toContain(`${deferred}@example.com`);
  });

  it('tells the same story on the ops dashboard, searchable by customer id, everything escaped', async () => {
    const source = await openRecordSource({ kind: 'data', dir: out });
    try {
      const stack = { runtime: { dynamo: source.client, tableName: source.tableName }, bus: { now: () => new Date('2026-06-01T00:00:00Z') } } as unknown as LocalStack;
      const page = explainPage(stack, config);
      const html = await page(new URL(`http://dashboard/explain?customer=${bounced}`));
      expect(html).toContain(`<h2>Customer ${bounced}</h2>`);
      expect(html).toMatch(/<tr class="skip">.*nps not sent: suppressed \(the address hard-bounced\)/);
      expect(await page(new URL('http://dashboard/explain'))).toContain('<form method="get" action="/explain">');
      const hostile = await page(new URL('http://dashboard/explain?customer=%3Cscript%3Ealert(1)%3C%2Fscript%3E'));
      expect(hostile).not.toContain('<script>');
      expect(hostile).toContain('&#60;script&#62;');
    } finally {
      await source.close();
    }
  });

  it('keeps records for their configured periods: each carries its expiry (docs/design.md §11)', async () => {
    const { document } = await exportRecord(sent!, { kind: 'data', dir: out });
    const days = (item: { ttl?: number }, from: string) => Math.round(((item.ttl ?? 0) * 1000 - Date.parse(from)) / 86_400_000);
    const storyEntry = document.story[0] as { ttl: number; at: string };
    expect(days(storyEntry, storyEntry.at)).toBe(config.records.storyDays);
    const consent = document.consentLedger[0] as { ttl: number; at: string };
    expect(days(consent, consent.at)).toBe(config.records.consentDays);
    const message = document.messageStatus[0] as { ttl: number; deliveredAt: string };
    expect(days(message, message.deliveredAt)).toBe(config.records.messageStatusDays);
    expect(document.sendLedger[0]).toHaveProperty('ttl');
    // The profile and orders are kept: what suppression and the KPIs need has no expiry.
    expect(document.profile).not.toHaveProperty('ttl');
    expect(document.orders.every((order) => !('ttl' in (order as object)))).toBe(true);
  });
});
