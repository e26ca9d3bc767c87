/**
 * docs/design.md §5 and §6: the same handler records each SES event per message
 * (delivered, bounced, complained), suppresses by hash without the address, and
 * logs message ids and outcomes, never an address.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../functions/config';
import { dynamoMessageStatuses } from '../../functions/adapters/dynamodb/message-status';
import { dynamoSuppressions, suppressionKey } from '../../functions/adapters/dynamodb/suppressions';
import type { BusEvent, DeadLetter } from '../../local/event-bus';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { bounce, complaint, customers, success } from './ses-simulator';

// The handlers' lines are read below: at INFO from the logger's creation (Powertools sets each invocation back to that level).
vi.hoisted(() => vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'INFO'));
afterAll(() => vi.unstubAllEnvs());

describe('each message is recorded, and the suppression list holds hashes', () => {
  let stack: LocalStack;
  const busEvents: BusEvent[] = [];
  const deadLetters: DeadLetter[] = [];
  const handlerLogs: string[] = [];
  const statuses = () => dynamoMessageStatuses(stack.runtime.dynamo, stack.runtime.tableName, stack.runtime.config.records);
  const messageTo = (address: string) => stack.ses.accepted.find((email) => email.to.includes(address))!.messageId;
  const sesEvent = (type: string, address: string) =>
    busEvents.find(
      (e) => e.source === 'aws.ses' && e['detail-type'] === type && (e.detail as { mail: { destination: string[] } }).mail.destination.includes(address),
    )!;

  beforeAll(async () => {
    const write = process.stdout.write.bind(process.stdout);
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = String(chunk);
      if (text.includes('"function_name":"retention-sesEvents"')) handlerLogs.push(text);
      return text.startsWith('{') ? true : write(chunk, ...(rest as []));
    });
    try {
      stack = await startLocalStack({
        config: parseConfig({}),
        start: new Date('2026-04-09T00:00:00Z'),
        onEvent: (event) => busEvents.push(event),
        onDeadLetter: (deadLetter) => deadLetters.push(deadLetter),
      });
      for (const line of customers('2026-04-09T00:00:00Z')) {
        stack.bus.putAt(new Date(line.time), { source: line.source, detailType: line['detail-type'], detail: line.detail });
      }
      await stack.bus.runUntil(new Date('2026-04-11T00:00:00Z'));
    } finally {
      spy.mockRestore();
    }
  }, 120_000);
  afterAll(() => stack?.close());

  it('success@: delivered, with its campaign and customer', async () => {
    const messageId = messageTo(success);
    expect(await statuses().get(messageId)).toEqual({
      messageId,
      campaign: 'birthday',
      customerId: 'reads',
      deliveredAt: '2026-04-10T09:00:00.000Z',
    });
  });

  it('bounce@: bounced, permanently', async () => {
    const messageId = messageTo(bounce);
    expect(await statuses().get(messageId)).toEqual({
      messageId,
      campaign: 'birthday',
      customerId: 'bounces',
      bouncedAt: '2026-04-10T09:00:00.000Z',
      bounceType: 'Permanent',
      bounceSubType: 'General',
    });
  });

  it('complaint@: delivered, then complained', async () => {
    const messageId = messageTo(complaint);
    expect(await statuses().get(messageId)).toEqual({
      messageId,
      campaign: 'birthday',
      customerId: 'complains',
      deliveredAt: '2026-04-10T09:00:00.000Z',
      complainedAt: '2026-04-10T09:00:00.000Z',
      complaintFeedbackType: 'abuse',
    });
  });

  it('suppresses bounce@ and complaint@ with their reason and time, keyed by hash, without the address', async () => {
    const suppressions = dynamoSuppressions(stack.runtime.dynamo, stack.runtime.tableName);
    expect(await suppressions.isSuppressed(bounce)).toBe(true);
    expect(await suppressions.isSuppressed('Complaint@Simulator.AmazonSES.com')).toBe(true);
    expect(await suppressions.isSuppressed(success)).toBe(false);
    const item = async (address: string) =>
      (await stack.runtime.dynamo.send(new GetCommand({ TableName: stack.runtime.tableName, Key: suppressionKey(address) }))).Item;
    expect(await item(bounce)).toEqual({ ...suppressionKey(bounce), reason: 'bounce', suppressedAt: '2026-04-10T09:00:00.000Z' });
    expect(await item(complaint)).toEqual({ ...suppressionKey(complaint), reason: 'complaint', suppressedAt: '2026-04-10T09:00:00.000Z' });
    expect(JSON.stringify([await item(bounce), await item(complaint)])).not.toContain('@');
  });

  it('the same event twice changes nothing', async () => {
    const messageId = messageTo(complaint);
    const before = await statuses().get(messageId);
    expect(await stack.invoke('sesEvents', sesEvent('Email Complaint Received', complaint))).toMatchObject({ outcome: 'duplicate', suppressed: 0 });
    expect(await stack.invoke('sesEvents', sesEvent('Email Delivered', complaint))).toMatchObject({ outcome: 'duplicate' });
    expect(await statuses().get(messageId)).toEqual(before);
  });

  it('an SES event that fails its schema goes to the dead letters with the reason, naming fields, not values', async () => {
    stack.bus.put({ source: 'aws.ses', detailType: 'Email Bounced', detail: { eventType: 'Bounce', mail: { messageId: 'm-1', destination: ['someone@example.com'] } } });
    await stack.bus.flush();
    expect(deadLetters).toEqual([expect.objectContaining({ reason: expect.stringMatching(/^SES event does not match its schema: detail\.mail\.timestamp: /) })]);
    expect(deadLetters[0]!.reason).not.toMatch(/@/);
  });

  it('logs message ids and outcomes, never an address', () => {
    // Three messages SES accepted (their ids reconciled with the send ledger), two deliveries, a bounce and a complaint.
    expect(handlerLogs.filter((line) => line.includes('"outcome":"reconciled"'))).toHaveLength(3);
    expect(handlerLogs.filter((line) => line.includes('"outcome":"recorded"'))).toHaveLength(4);
    expect(handlerLogs.join('\n')).toContain(messageTo(bounce));
    for (const line of handlerLogs) expect(line).not.toMatch(/@/);
  });
});
