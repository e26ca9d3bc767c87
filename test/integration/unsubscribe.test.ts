/**
 * docs/design.md §5 (all campaigns) and RFC 8058, end to end: the one-click POST
 * through `retention simulate` and the real links handler, the page a GET
 * shows (which must not unsubscribe), its preference form, repeats, and
 * tokens that must change nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { dynamoCustomerStore } from '../../functions/adapters/dynamodb/customers';
import { dynamoSuppressions } from '../../functions/adapters/dynamodb/suppressions';
import { signToken } from '../../functions/links/signed-token';
import { unsubscribeLinks } from '../../functions/links/unsubscribe';
import type { BusEvent } from '../../local/event-bus';
import { localKeyring, startLocalStack, type LocalStack } from '../../local/stack';
import { orderDelivered as delivered, orderPlaced as order, runSimulation, upsert } from './run-simulation';

const oneClick = (time: string, customerId: string) => ({ time, recipient: { customerId, action: 'one-click-unsubscribe' } });

describe('one-click unsubscribe through simulate', () => {
  // Both have a birthday on 10 May, one order (so a survey a week after its
  // delivery and, 60 days on, a winback sequence) and next year's birthday.
  const customers = ['stays', 'leaves'];
  let result: Awaited<ReturnType<typeof runSimulation>>;
  const emailsOf = (customerId: string) => result.emails.filter((e) => e.customerId === customerId).map((e) => `${e.campaign} ${e.sentAt.slice(0, 10)}`);

  beforeAll(async () => {
    result = await runSimulation(
      [
        ...customers.map((id) =>
          upsert('2026-05-01T00:00:00Z', { customerId: id, email: `${id}@example.com`, timeZone: 'UTC', birthday: '1990-05-10', locale: 'en' }),
        ),
        ...customers.map((id) => order('2026-05-05T10:00:00Z', id, `${id}-o1`)),
        ...customers.map((id) => delivered('2026-05-08T10:00:00Z', id, `${id}-o1`)),
        // After the birthday email (09:00), before the survey (15 May, 10:00).
        oneClick('2026-05-10T12:00:00Z', 'leaves'),
        // A mail client retrying, and the customer clicking again a day later.
        oneClick('2026-05-10T12:00:05Z', 'leaves'),
        oneClick('2026-05-11T08:00:00Z', 'leaves'),
        // Never emailed: nothing to unsubscribe from.
        oneClick('2026-05-11T08:00:00Z', 'stranger'),
      ],
      '2026-05-01T00:00:00Z',
      '2027-05-11T00:00:00Z',
    );
  }, 300_000);

  it('sends the customer who stays every campaign the rules imply', () => {
    expect(emailsOf('stays')).toEqual([
      'birthday 2026-05-10',
      'nps 2026-05-15',
      'winback 2026-07-04',
      'winback 2026-08-03',
      'winback 2026-09-02',
      'birthday 2027-05-10',
    ]);
  });

  it('sends the customer who one-click-unsubscribed after the birthday email nothing more', () => {
    expect(emailsOf('leaves')).toEqual(['birthday 2026-05-10']);
    // Every email carried the one-click headers the simulator followed.
    const [email] = result.emails.filter((e) => e.customerId === 'leaves');
    expect(email!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(email!.headers['List-Unsubscribe']).toMatch(/^<https:\/\/[^>]+\/unsubscribe\?token=[^>]+>, <mailto:[^>]+>$/);
  });

  it('publishes Customer Unsubscribed once, however often the link is posted', () => {
    const unsubscribed = result.bus.filter((e) => e['detail-type'] === 'Customer Unsubscribed');
    expect(unsubscribed.map((e) => ({ source: e.source, time: e.time, detail: e.detail }))).toEqual([
      { source: 'retention', time: '2026-05-10T12:00:00Z', detail: { customerId: 'leaves', campaigns: 'all', via: 'one-click' } },
    ]);
    expect(result.summary.recipientActions['one-click-unsubscribe']).toBe(4);
  });

  it('stops the later sends at send time, as suppressed', () => {
    expect(result.summary.campaigns.nps.suppressed).toBe(1);
    expect(result.summary.campaigns.birthday.suppressed).toBe(1);
    expect(result.summary.campaigns.winback.suppressed).toBe(3);
  });

  it('dead-letters a one-click action for a customer who was never emailed', () => {
    expect(result.deadLetters.map((d) => d.reason)).toEqual([expect.stringMatching(/input line 10: no email was sent to customer stranger/)]);
  });
});

describe('the unsubscribe endpoint', () => {
  let stack: LocalStack;
  const config = parseConfig({});
  const at = new Date('2026-05-01T00:00:00Z');
  const published: BusEvent[] = [];
  const unsubscribedEvents = () => published.filter((e) => e['detail-type'] === 'Customer Unsubscribed').map((e) => e.detail);
  const link = (customerId: string, campaign = 'birthday', when = at) => unsubscribeLinks(localKeyring, config.shop, customerId, campaign, when).url;
  /** The link as the local server serves it. */
  const local = (url: string) => `${stack.endpoints.links}${new URL(url).pathname}${new URL(url).search}`;
  const oneClickPost = (url: string, init: { body?: string | FormData; contentType?: string } = {}) =>
    fetch(local(url), {
      method: 'POST',
      ...(init.contentType !== '' && { headers: { 'content-type': init.contentType ?? 'application/x-www-form-urlencoded' } }),
      body: init.body ?? 'List-Unsubscribe=One-Click',
    });
  const isSuppressed = (email: string) => dynamoSuppressions(stack.runtime.dynamo, stack.runtime.tableName).isSuppressed(email);
  const profile = (customerId: string) => dynamoCustomerStore(stack.runtime.dynamo, stack.runtime.tableName).get(customerId);

  beforeAll(async () => {
    stack = await startLocalStack({ config, start: at, onEvent: (event) => published.push(event) });
    for (const [customerId, locale] of [['ana', 'ar'], ['ben', 'en'], ['cai', 'ms'], ['dee', 'en'], ['eve', 'en'], ['fay', 'en'], ['gus', 'en']] as const) {
      const event = upsert(at.toISOString(), { customerId, email: `${customerId}@example.com`, locale, timeZone: 'UTC', birthday: '1990-06-10' });
      stack.bus.put({ source: event.source, detailType: event['detail-type'], detail: event.detail, time: at });
    }
    await stack.bus.flush();
  });
  afterAll(() => stack?.close());

  it('a GET shows the page in the customer’s language and unsubscribes nothing', async () => {
    for (let i = 0; i < 3; i++) {
      const response = await fetch(local(link('ana')));
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(html).toMatch(/<html lang="ar" dir="rtl">/);
      // The button posts the RFC 8058 body to the link itself.
      expect(html).toContain(`<form method="post" action="unsubscribe?token=${new URL(link('ana')).searchParams.get('token')}">`);
      expect(html).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
      expect(html).toContain('<form method="post" action="unsubscribe/preferences">');
      expect(html.match(/name="keep"/g)).toHaveLength(3);
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    }
    expect(await isSuppressed('ana@example.com')).toBe(false);
    expect((await profile('ana'))?.optedOut).toBeUndefined();
    expect(unsubscribedEvents()).toEqual([]);
  });

  it('the page’s button unsubscribes at once; repeating it is harmless', async () => {
    const page = await (await fetch(local(link('ana')))).text();
    const action = /<form method="post" action="([^"]+)">\s*<input type="hidden" name="List-Unsubscribe"/.exec(page)![1]!;
    const target = new URL(action.replaceAll('&amp;', '&'), local(link('ana')));
    for (let i = 0; i < 3; i++) {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'List-Unsubscribe=One-Click',
      });
      expect(response.status).toBe(200);
      expect(await response.text()).toMatch(/<html lang="ar" dir="rtl">[\s\S]*تم إلغاء اشتراكك/);
    }
    expect(await isSuppressed('ana@example.com')).toBe(true);
    expect(unsubscribedEvents()).toEqual([{ customerId: 'ana', campaigns: 'all', via: 'one-click' }]);
    // Opened again, the link says it is done, and offers only to subscribe again.
    const again = await (await fetch(local(link('ana')))).text();
    expect(again).toContain('تم إلغاء اشتراكك');
    expect(again.match(/<form /g)).toHaveLength(1);
    expect(again).toContain('<form method="post" action="unsubscribe/resubscribe">');
  });

  it('subscribing again from that page takes the address off the list, once; a bounced address stays', async () => {
    const page = await (await fetch(local(link('ana')))).text();
    const token = /name="token" value="([^"]+)"/.exec(page)![1]!;
    const resubscribe = () =>
      fetch(new URL('unsubscribe/resubscribe', local(link('ana'))), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `token=${encodeURIComponent(token)}`,
      });
    for (let i = 0; i < 2; i++) {
      const response = await resubscribe();
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('أهلاً بعودتك');
    }
    expect(await isSuppressed('ana@example.com')).toBe(false);
    expect(published.filter((e) => e['detail-type'] === 'Customer Resubscribed').map((e) => e.detail)).toEqual([{ customerId: 'ana', via: 'page' }]);
    // The link shows the unsubscribe page again.
    expect(await (await fetch(local(link('ana')))).text()).toContain('name="List-Unsubscribe"');

    await dynamoSuppressions(stack.runtime.dynamo, stack.runtime.tableName).suppress('gus@example.com', 'bounce', at.toISOString());
    const bounced = await fetch(new URL('unsubscribe/resubscribe', local(link('gus'))), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=${encodeURIComponent(new URL(link('gus')).searchParams.get('token')!)}`,
    });
    expect(await bounced.text()).toContain('could not be delivered before');
    expect(await isSuppressed('gus@example.com')).toBe(true);
  });

  it('accepts the one-click POST as multipart/form-data too, ignoring other fields', async () => {
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    form.set('other', 'ignored');
    const response = await oneClickPost(link('ben', 'winback'), { body: form, contentType: '' });
    expect(response.status).toBe(200);
    expect(await isSuppressed('ben@example.com')).toBe(true);
    expect(unsubscribedEvents().at(-1)).toEqual({ customerId: 'ben', campaigns: 'all', via: 'one-click' });
  });

  it('the preference form opts out of the campaigns not kept, and keeps the others', async () => {
    const before = unsubscribedEvents().length;
    const token = new URL(link('cai')).searchParams.get('token')!;
    const post = (keep: string[]) =>
      fetch(`${stack.endpoints.links}/unsubscribe/preferences`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams([['token', token], ...keep.map((k): [string, string] => ['keep', k])]).toString(),
      });
    const response = await post(['birthday']);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toMatch(/<html lang="ms" dir="ltr">/);
    expect(html).toContain('Hadiah hari jadi');
    expect((await profile('cai'))?.optedOut).toEqual(['winback', 'nps']);
    expect(await isSuppressed('cai@example.com')).toBe(false);
    expect(unsubscribedEvents().slice(before)).toEqual([{ customerId: 'cai', campaigns: ['winback', 'nps'], via: 'page' }]);

    // The same choice again changes nothing and says nothing.
    expect((await post(['birthday'])).status).toBe(200);
    expect(unsubscribedEvents().slice(before)).toHaveLength(1);

    // The page now shows the choice made: only birthday ticked.
    const page = await (await fetch(local(link('cai')))).text();
    expect(page).toContain('value="birthday" checked>');
    expect(page).toMatch(/value="winback">/);
    expect(page).toMatch(/value="nps">/);

    // Ticking one back opts back in, and is no unsubscribe.
    expect((await post(['birthday', 'nps'])).status).toBe(200);
    expect((await profile('cai'))?.optedOut).toEqual(['winback']);
    expect(unsubscribedEvents().slice(before)).toHaveLength(1);
  });

  it('keeping nothing on the preference form unsubscribes from everything', async () => {
    const token = new URL(link('dee')).searchParams.get('token')!;
    const response = await fetch(`${stack.endpoints.links}/unsubscribe/preferences`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('You’re unsubscribed');
    expect(await isSuppressed('dee@example.com')).toBe(true);
    expect(unsubscribedEvents().at(-1)).toEqual({ customerId: 'dee', campaigns: 'all', via: 'page' });
  });

  it.each([
    ['a tampered token', () => link('eve').replace(/token=(.)/, (_, c: string) => `token=${c === 'A' ? 'B' : 'A'}`)],
    ['a malformed token', () => 'https://links.shop.example/unsubscribe?token=not-a-token'],
    ['an expired token', () => link('eve', 'birthday', new Date('2023-01-01T00:00:00Z'))],
    [
      'a token for another purpose',
      () =>
        `https://links.shop.example/unsubscribe?token=${signToken(localKeyring, { customerId: 'eve', purpose: 'nps', subject: 'birthday', expiresAt: new Date('2027-01-01T00:00:00Z') })}`,
    ],
    ['a token for a customer that does not exist', () => link('nobody')],
  ])('answers %s with the neutral page and changes nothing', async (_, url) => {
    const neutral = await (await fetch(`${stack.endpoints.links}/nps?token=x.y`)).text();
    const before = unsubscribedEvents().length;
    const post = await oneClickPost(url());
    expect(post.status).toBe(404);
    expect(await post.text()).toBe(neutral);
    const get = await fetch(local(url()));
    expect(get.status).toBe(404);
    expect(await get.text()).toBe(neutral);
    const token = new URL(url()).searchParams.get('token')!;
    const preferences = await fetch(`${stack.endpoints.links}/unsubscribe/preferences`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, keep: 'nps' }).toString(),
    });
    expect(preferences.status).toBe(404);
    expect(await isSuppressed('eve@example.com')).toBe(false);
    expect((await profile('eve'))?.optedOut).toBeUndefined();
    expect(unsubscribedEvents()).toHaveLength(before);
  });

  it('refuses what is not a one-click POST, too large, or of the wrong shape, changing nothing', async () => {
    const url = link('fay');
    const statuses = [
      (await oneClickPost(url, { body: '' })).status,
      (await oneClickPost(url, { body: 'List-Unsubscribe=Two-Clicks' })).status,
      (await oneClickPost(url, { body: '{"List-Unsubscribe":"One-Click"}', contentType: 'application/json' })).status,
      (await oneClickPost(url, { body: `List-Unsubscribe=One-Click&pad=${'a'.repeat(20_000)}` })).status,
      (await oneClickPost(url, { body: '--x\r\nbroken', contentType: 'multipart/form-data; boundary=x' })).status,
      (await fetch(`${stack.endpoints.links}/unsubscribe?token=${'a'.repeat(5000)}`)).status,
      (await fetch(`${stack.endpoints.links}/unsubscribe`)).status,
      (
        await fetch(`${stack.endpoints.links}/unsubscribe/preferences`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ token: new URL(url).searchParams.get('token')!, keep: 'everything' }).toString(),
        })
      ).status,
    ];
    expect(statuses).toEqual([400, 400, 415, 413, 400, 400, 400, 400]);
    expect(await isSuppressed('fay@example.com')).toBe(false);
    expect((await profile('fay'))?.optedOut).toBeUndefined();
  });
});

describe('opt-outs from the preference form hold at send time', () => {
  // Both: a birthday on 10 May, an order delivered on 4 May (a survey on
  // 11 May) and, 60 days after the order, a winback sequence.
  let stack: LocalStack;
  const config = parseConfig({});
  const start = new Date('2026-05-01T00:00:00Z');

  beforeAll(async () => {
    stack = await startLocalStack({ config, start });
    for (const customerId of ['all-in', 'birthday-only']) {
      const events = [
        upsert(start.toISOString(), { customerId, email: `${customerId}@example.com`, timeZone: 'UTC', birthday: '1990-05-10' }),
        order('2026-05-02T10:00:00Z', customerId, `${customerId}-o1`),
        delivered('2026-05-04T10:00:00Z', customerId, `${customerId}-o1`),
      ];
      for (const event of events) stack.bus.putAt(new Date(event.time), { source: event.source, detailType: event['detail-type'], detail: event.detail, time: new Date(event.time) });
    }
    await stack.bus.runUntil(new Date('2026-05-05T00:00:00Z'));
    // Through the page, as the customer would: untick the survey and the winback offers.
    const url = unsubscribeLinks(localKeyring, config.shop, 'birthday-only', 'birthday', start).url;
    const page = await (await fetch(`${stack.endpoints.links}${new URL(url).pathname}${new URL(url).search}`)).text();
    const token = /<input type="hidden" name="token" value="([^"]+)">/.exec(page)![1]!;
    const response = await fetch(`${stack.endpoints.links}/unsubscribe/preferences`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, keep: 'birthday' }).toString(),
    });
    expect(response.status).toBe(200);
    await stack.bus.runUntil(new Date('2026-09-15T00:00:00Z'));
  }, 300_000);
  afterAll(() => stack?.close());

  it('keeps sending the campaigns kept, and none of the others', () => {
    const sent = (customerId: string) =>
      stack.ses.accepted
        .filter((email) => email.to.includes(`${customerId}@example.com`))
        .map((email) => `${email.tags.campaign} ${email.sentAt.slice(0, 10)}`);
    expect(sent('all-in')).toEqual(['birthday 2026-05-10', 'nps 2026-05-11', 'winback 2026-07-01', 'winback 2026-07-31', 'winback 2026-08-30']);
    expect(sent('birthday-only')).toEqual(['birthday 2026-05-10']);
  });
});
