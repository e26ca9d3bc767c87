/** docs/design.md §3 Customer Deleted: personal data removed, suppression kept. */
// First, as the local stack imports it: the handlers' logger is created quiet.
import '../../local/environment';
import { describe, expect, it } from 'vitest';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../functions/config';
import { startLocalStack } from '../../local/stack';
import { runSimulation, upsert } from './run-simulation';

const deleted = (time: string, customerId: string) => ({ time, source: 'shop', 'detail-type': 'Customer Deleted', detail: { customerId } });

describe('erasure', () => {
  it('removes personal data and anything pending, and keeps the profile from coming back with an older event', async () => {
    const stack = await startLocalStack({ config: parseConfig({}), start: new Date('2026-03-01T00:00:00Z') });
    try {
      const put = (event: { time: string; source: string; 'detail-type': string; detail: Record<string, unknown> }) =>
        stack.bus.put({ source: event.source, detailType: event['detail-type'], detail: event.detail, time: new Date(event.time) });
      put(upsert('2026-03-01T00:00:00Z', { customerId: 'gone', email: 'gone@example.com', firstName: 'Ana', lastName: 'Lima', birthday: '1990-03-10' }));
      put({
        time: '2026-03-01T00:00:00Z',
        source: 'shop',
        'detail-type': 'Order Placed',
        detail: { orderId: 'o1', customerId: 'gone', placedAt: '2026-03-01T00:00:00Z', total: 10, currency: 'EUR' },
      });
      await stack.bus.flush();
      // A survey answer with a comment in the customer's own words.
      await stack.runtime.dynamo.send(
        new PutCommand({
          TableName: stack.runtime.tableName,
          Item: { pk: 'CUSTOMER#gone', sk: 'NPS#o0', customerId: 'gone', surveyId: 'o0', score: 4, comment: 'Ana here, call me on 555-0100' },
        }),
      );
      put(deleted('2026-03-02T00:00:00Z', 'gone'));
      // An upsert published before the deletion, arriving after it, changes nothing.
      put(upsert('2026-03-01T12:00:00Z', { customerId: 'gone', email: 'gone@example.com', firstName: 'Ana', birthday: '1990-03-10' }));
      await stack.bus.flush();
      const { Item } = await stack.runtime.dynamo.send(
        new GetCommand({ TableName: stack.runtime.tableName, Key: { pk: 'CUSTOMER#gone', sk: 'PROFILE' }, ConsistentRead: true }),
      );
      for (const field of ['email', 'firstName', 'lastName', 'birthday', 'birthdayDueAt', 'winbackDueAt', 'npsDueAt', 'npsOrderId']) {
        expect(Item, field).not.toHaveProperty(field);
      }
      expect(Item).toMatchObject({ customerId: 'gone', deletedAt: '2026-03-02T00:00:00.000Z', marketingConsent: false });
      const survey = await stack.runtime.dynamo.send(
        new GetCommand({ TableName: stack.runtime.tableName, Key: { pk: 'CUSTOMER#gone', sk: 'NPS#o0' }, ConsistentRead: true }),
      );
      // The comment goes; the score, which says nothing about the person, stays for the NPS.
      expect(survey.Item).toMatchObject({ score: 4 });
      expect(survey.Item).not.toHaveProperty('comment');
      // Nothing pending: a month of sweeps sends nothing.
      await stack.bus.runUntil(new Date('2026-04-01T00:00:00Z'));
      expect(stack.ses.accepted).toEqual([]);
    } finally {
      await stack.close();
    }
  }, 120_000);

  it('a suppressed address stays suppressed after erasure and a re-import', async () => {
    const address = 'bounce@simulator.amazonses.com';
    const { emails } = await runSimulation(
      [
        upsert('2026-03-01T00:00:00Z', { customerId: 'b1', email: address, birthday: '--03-05' }),
        // The birthday email of 5 March bounces hard: the address is suppressed.
        deleted('2026-03-10T00:00:00Z', 'b1'),
        // Re-imported under a new id with the same address, birthday in April.
        upsert('2026-03-11T00:00:00Z', { customerId: 'b2', email: address, birthday: '--04-01' }),
      ],
      '2026-03-01T00:00:00Z',
      '2026-04-10T00:00:00Z',
    );
    expect(emails.map((e) => `${e.customerId} ${e.sentAt.slice(0, 10)}`)).toEqual(['b1 2026-03-05']);
  }, 120_000);
});
