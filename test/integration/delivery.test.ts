/**
 * docs/design.md §2 and §5, all campaigns: the send path over dynalite and
 * aws-ses-v2-local — one email per occasion, one per customer per local day
 * (the second deferred, not dropped), never to a suppressed address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../functions/config';
import { deliveryAdapters } from '../../functions/adapters/delivery';
import { suppressionKey } from '../../functions/adapters/dynamodb/suppressions';
import { deliver as deliverAs, reconcileMinutes, type Send } from '../../functions/campaigns/delivery';
import { leaseSeconds } from '../../functions/adapters/dynamodb/send-ledger';
import { localKeyring, startLocalStack, type LocalStack } from '../../local/stack';

let stack: LocalStack;
let ports: Awaited<ReturnType<ReturnType<typeof deliveryAdapters>>> & { keyring: typeof localKeyring };

beforeAll(async () => {
  stack = await startLocalStack({ config: parseConfig({}), start: new Date('2026-05-05T00:00:00Z') });
  ports = { ...(await deliveryAdapters(stack.runtime)()), keyring: localKeyring };
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
/** One job's attempt at the send's own time. */
const deliver = (what: Send, p: typeof ports, owner = `job-${what.sendKey}`) => deliverAs(what, p, { owner, now: what.at });
const sentTo = (address: string) => stack.ses.accepted.filter((email) => email.to.includes(address));

describe('one email per occasion', () => {
  it('a second delivery of the same send key sends nothing: it only finds the first one sent', async () => {
    const first = await deliver(send('once', 'birthday#once#2026'), ports);
    const second = await deliver(send('once', 'birthday#once#2026'), ports, 'another-job');
    expect(first.outcome).toBe('sent');
    expect(second).toMatchObject({ outcome: 'sent', again: true, messageId: first.outcome === 'sent' ? first.messageId : '' });
    expect(sentTo('once@example.com')).toHaveLength(1);
  });
});

describe('leases, not one-way claims (docs/design.md §8)', () => {
  it('a job killed between the claim and SES: another job waits for the lease, then sends', async () => {
    const what = send('killed', 'birthday#killed#2026');
    const claimed = await ports.ledger.claim(what.sendKey, 'killed', { owner: 'killed-job', now: what.at });
    expect(claimed).toEqual({ state: 'claimed' });
    // Never settled by a job that does not hold it: it comes back later.
    expect(await deliverAs(what, ports, { owner: 'next-job', now: new Date(what.at.getTime() + 1000) })).toEqual({ outcome: 'failed', retryable: true, reason: 'another job holds the send' });
    expect(sentTo('killed@example.com')).toHaveLength(0);
    const later = new Date(what.at.getTime() + (leaseSeconds + 1) * 1000);
    expect((await deliverAs(what, ports, { owner: 'next-job', now: later })).outcome).toBe('sent');
    expect(sentTo('killed@example.com')).toHaveLength(1);
  });

  it('the same job coming back takes over at once (its earlier attempt is over)', async () => {
    const what = send('back', 'birthday#back#2026');
    await ports.ledger.claim(what.sendKey, 'back', { owner: 'job-1', now: what.at });
    expect((await deliverAs(what, ports, { owner: 'job-1', now: what.at })).outcome).toBe('sent');
  });

  it('an attempt that reached SES without an answer is not sent again: SES\'s own event tells its id', async () => {
    const what = send('unanswered', 'birthday#unanswered#2026');
    const attempt = { owner: 'job-u', now: what.at };
    await ports.ledger.claim(what.sendKey, 'unanswered', attempt);
    await ports.ledger.markSending(what.sendKey, attempt);
    const retry = { owner: 'job-u', now: new Date(what.at.getTime() + 60_000) };
    expect(await deliverAs(what, ports, retry)).toMatchObject({ outcome: 'failed', retryable: true });
    await ports.ledger.reconcile(what.sendKey, 'ses-accepted-1');
    expect(await deliverAs(what, ports, retry)).toMatchObject({ outcome: 'sent', messageId: 'ses-accepted-1', again: true });
    expect(sentTo('unanswered@example.com')).toHaveLength(0);
  });

  it(`without SES's event for ${reconcileMinutes} minutes, the email is taken as never sent, and sent`, async () => {
    const what = send('silent', 'birthday#silent#2026');
    const attempt = { owner: 'job-s', now: what.at };
    await ports.ledger.claim(what.sendKey, 'silent', attempt);
    await ports.ledger.markSending(what.sendKey, attempt);
    const later = { owner: 'job-s', now: new Date(what.at.getTime() + (reconcileMinutes + 1) * 60_000) };
    expect((await deliverAs(what, ports, later)).outcome).toBe('sent');
    expect(sentTo('silent@example.com')).toHaveLength(1);
  });
});

describe('at most one email per customer per local day', () => {
  it('defers a second send on the same local day to the next day\'s send hour, and sends nothing', async () => {
    expect((await deliver(send('busy', 'birthday#busy#2026'), ports)).outcome).toBe('sent');
    const second = await deliver(send('busy', 'other#busy#1', '2026-05-05T05:00:00Z'), ports);
    // 09:00 on 6 May in Kuala Lumpur; the customer's story will tell which email had the day.
    expect(second).toEqual({ outcome: 'deferred', until: new Date('2026-05-06T01:00:00Z'), takenBy: 'birthday#busy#2026' });
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
      new PutCommand({ TableName: stack.runtime.tableName, Item: { ...suppressionKey('Gone@Example.com'), reason: 'unsubscribe' } }),
    );
    expect(await deliver(send('gone', 'birthday#gone#2026'), ports)).toEqual({ outcome: 'suppressed', why: 'the address unsubscribed' });
    expect(sentTo('gone@example.com')).toHaveLength(0);
  });
});

describe('links to the shop', () => {
  const hrefs = (html: string) => [...html.matchAll(/href="(https:\/\/shop\.example[^"]*)"/g)].map((m) => m[1]!.replaceAll('&amp;', '&'));

  it('carry UTM parameters naming the email', async () => {
    await deliver(send('utm', 'birthday#utm#2026'), ports);
    const links = hrefs(sentTo('utm@example.com')[0]!.html);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link).toBe('https://shop.example/?utm_source=retention&utm_medium=email&utm_campaign=birthday');
  });

  it("apply the email's own code on a Shopify shop, from its call to action", async () => {
    const shopify = { ...ports, config: parseConfig({ shop: { discountLinks: 'shopify' } }) };
    await deliver(send('applied', 'birthday#applied#2026'), shopify);
    const [email] = sentTo('applied@example.com');
    const page = '/?utm_source=retention&utm_medium=email&utm_campaign=birthday';
    const links = hrefs(email!.html).map((link) => new URL(link));
    const applying = links.filter((url) => url.pathname.startsWith('/discount/'));
    expect(applying.length).toBeGreaterThan(0);
    for (const url of applying) {
      // The code the email shows, applied, then the page the email names.
      expect(email!.text).toContain(decodeURIComponent(url.pathname.slice('/discount/'.length)));
      expect(url.searchParams.get('redirect')).toBe(page);
    }
    for (const url of links.filter((u) => !applying.includes(u))) expect(`${url.pathname}${url.search}`).toBe(page);
  });
});
