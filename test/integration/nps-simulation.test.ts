/**
 * docs/design.md §5 nps, end to end: surveys through `retention simulate`, scores
 * clicked through the real links handler, and the NPS that results.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { localKeyring, startLocalStack, type LocalStack } from '../../local/stack';
import { surveyScoreLinks } from '../../functions/campaigns/nps/survey-links';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { BusEvent } from '../../local/event-bus';
import { orderDelivered as delivered, orderPlaced as order, runSimulation, upsert } from './run-simulation';

const score = (time: string, customerId: string, value: number) => ({ time, recipient: { customerId, action: 'nps-score', score: value } });

describe('surveys, scores and the NPS of two months', () => {
  const customers = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8'];
  let result: Awaited<ReturnType<typeof runSimulation>>;

  beforeAll(async () => {
    result = await runSimulation(
      [
        ...customers.map((id) => upsert('2026-05-01T00:00:00Z', { customerId: id, email: `${id}@example.com`, timeZone: 'UTC', locale: id === 'c2' ? 'ar' : 'en' })),
        ...customers.map((id) => order('2026-05-02T10:00:00Z', id, `${id}-o1`)),
        ...['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'].map((id) => delivered('2026-05-04T12:00:00Z', id, `${id}-o1`)),
        // c5 is erased before the survey is due; c8's delivery is never reported.
        { time: '2026-05-08T00:00:00Z', source: 'shop', 'detail-type': 'Customer Deleted', detail: { customerId: 'c5' } },
        // c1 orders again: that survey would fall within 90 days of the first.
        order('2026-05-20T10:00:00Z', 'c1', 'c1-o2'),
        delivered('2026-05-22T10:00:00Z', 'c1', 'c1-o2'),
        score('2026-05-12T08:00:00Z', 'c1', 9),
        score('2026-05-12T08:00:00Z', 'c2', 3),
        score('2026-05-12T08:00:00Z', 'c3', 5),
        score('2026-05-12T08:00:00Z', 'c4', 10),
        score('2026-05-12T08:00:00Z', 'c6', 7),
        score('2026-05-12T08:00:00Z', 'c7', 10),
        // A changed score (detractor to detractor), and a replayed click.
        score('2026-05-13T08:00:00Z', 'c3', 2),
        score('2026-05-13T08:00:00Z', 'c4', 10),
        score('2026-05-17T08:00:00Z', 'c8', 8),
        // Never surveyed: nothing to click.
        score('2026-05-17T08:00:00Z', 'c5', 0),
      ],
      '2026-05-01T00:00:00Z',
      '2026-07-01T00:00:00Z',
    );
  }, 180_000);

  it('sends the surveys the rules imply: 7 days after delivery, else 14 after the order, at 10:00 local', () => {
    expect(result.emails.map((e) => `${e.customerId} ${e.campaign} ${e.sentAt}`).sort()).toEqual([
      'c1 nps 2026-05-11T10:00:00.000Z',
      'c2 nps 2026-05-11T10:00:00.000Z',
      'c3 nps 2026-05-11T10:00:00.000Z',
      'c4 nps 2026-05-11T10:00:00.000Z',
      'c6 nps 2026-05-11T10:00:00.000Z',
      'c7 nps 2026-05-11T10:00:00.000Z',
      'c8 nps 2026-05-16T10:00:00.000Z',
    ]);
    expect(result.summary.campaigns.nps.fatigued).toBe(1);
  });

  it('puts eleven signed score links in each survey', () => {
    for (const email of result.emails) {
      const links = [...email.html.matchAll(/href="([^"]*\/nps\?token=[^"]*)"[^>]*>\s*(\d{1,2})\s*</g)].map((m) => Number(m[2]));
      expect(links).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    }
  });

  it('records exactly the scores clicked: a changed score replaces the first, a replay changes nothing', () => {
    const recorded = result.bus.filter((e) => e['detail-type'] === 'Nps Response Recorded').map((e) => `${e.detail.customerId}=${e.detail.score}`);
    expect(recorded).toEqual(['c1=9', 'c2=3', 'c3=5', 'c4=10', 'c6=7', 'c7=10', 'c3=2', 'c8=8']);
  });

  it('reports the NPS of the latest scores, overall and per day', () => {
    // Promoters c1, c4, c7; passives c6, c8; detractors c2, c3: (3 − 2) / 7.
    expect(result.summary.nps.overall).toEqual({ responses: 7, promoters: 3, passives: 2, detractors: 2, nps: 14.3 });
    expect(result.summary.nps.byDay).toEqual({
      '2026-05-12': { responses: 6, promoters: 3, passives: 1, detractors: 2, nps: 16.7 },
      '2026-05-17': { responses: 1, promoters: 0, passives: 1, detractors: 0, nps: 0 },
    });
  });

  it('publishes one Nps Detractor per detractor response, and Nps Promoter per promoter', () => {
    const of = (type: string) => result.bus.filter((e) => e['detail-type'] === type).map((e) => `${e.detail.customerId}=${e.detail.score} ${e.detail.orderId}`);
    expect(of('Nps Detractor')).toEqual(['c2=3 c2-o1', 'c3=5 c3-o1']);
    expect(of('Nps Promoter')).toEqual(['c1=9 c1-o1', 'c4=10 c4-o1', 'c7=10 c7-o1']);
  });

  it('never surveys an erased customer; a click with no survey is a dead letter', () => {
    expect(result.emails.some((e) => e.customerId === 'c5')).toBe(false);
    expect(result.deadLetters.map((d) => d.reason)).toEqual([expect.stringMatching(/no survey email was sent to customer c5/)]);
  });
});

describe('the links endpoint', () => {
  let stack: LocalStack;
  const at = new Date('2026-05-11T10:00:00Z');
  const link = (score: number, customerId = 'ana') => surveyScoreLinks(localKeyring, parseConfig({}), customerId, 'o1', at)[score]!.url;
  const get = (url: string) => fetch(`${stack.endpoints.links}${new URL(url).pathname}${new URL(url).search}`);
  const published: BusEvent[] = [];
  const recorded = () => published.filter((e) => e['detail-type'] === 'Nps Response Recorded');

  beforeAll(async () => {
    stack = await startLocalStack({ config: parseConfig({}), start: at, onEvent: (event) => published.push(event) });
    const [event] = [upsert(at.toISOString(), { customerId: 'ana', email: 'ana@example.com', locale: 'ar' })];
    stack.bus.put({ source: event.source, detailType: event['detail-type'], detail: event.detail, time: at });
    await stack.bus.flush();
  });
  afterAll(() => stack.close());

  it('records a valid click and thanks the customer in their language, with a comment box', async () => {
    const response = await get(link(4));
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(recorded().map((e) => e.detail)).toEqual([{ customerId: 'ana', surveyId: 'o1', orderId: 'o1', score: 4 }]);
    expect(html).toMatch(/<html[^>]*dir="rtl"/);
    expect(html).toMatch(/<form[^>]*method="post"/);
    expect(html).toContain('name="comment"');
  });

  it('stores a comment with the score and publishes it', async () => {
    const token = new URL(link(4)).searchParams.get('token')!;
    const response = await fetch(`${stack.endpoints.links}/nps/comment`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, comment: 'The parcel came late.' }).toString(),
    });
    expect(response.status).toBe(200);
    const comments = published.filter((e) => e['detail-type'] === 'Nps Comment Added').map((e) => e.detail);
    expect(comments).toEqual([{ customerId: 'ana', surveyId: 'o1', orderId: 'o1', score: 4, comment: 'The parcel came late.' }]);
    const { Item } = await stack.runtime.dynamo.send(
      new GetCommand({ TableName: stack.runtime.tableName, Key: { pk: 'CUSTOMER#ana', sk: 'NPS#o1' } }),
    );
    expect(Item).toMatchObject({ score: 4, comment: 'The parcel came late.' });
  });

  it.each([
    ['a tampered token', () => link(9).replace(/token=(.)/, (_, c: string) => `token=${c === 'A' ? 'B' : 'A'}`)],
    ['a malformed token', () => `${stack.endpoints.links}/nps?token=not-a-token`],
    ['an expired token', () => surveyScoreLinks(localKeyring, parseConfig({}), 'ana', 'o1', new Date('2026-01-01T00:00:00Z'))[9]!.url],
    ['a token for a customer that does not exist', () => link(9, 'nobody')],
  ])('answers %s with the same neutral page and records nothing', async (_, url) => {
    const neutral = await (await get(`${stack.endpoints.links}/nps?token=x.y`)).text();
    const before = recorded().length;
    const response = await get(url());
    expect(response.status).toBe(404);
    expect(await response.text()).toBe(neutral);
    expect(recorded()).toHaveLength(before);
  });

  it('refuses a body that is too large, and a query of the wrong shape', async () => {
    const big = await fetch(`${stack.endpoints.links}/nps/comment`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `token=x&comment=${'a'.repeat(20_000)}`,
    });
    expect(big.status).toBe(413);
    expect((await get(`${stack.endpoints.links}/nps?token=${'a'.repeat(5000)}`)).status).toBe(400);
    expect((await get(`${stack.endpoints.links}/nps`)).status).toBe(400);
  });
});
