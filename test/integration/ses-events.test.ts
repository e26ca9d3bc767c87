/**
 * docs/design.md §5 and §6, SES events end to end over dynalite and aws-ses-v2-local:
 * the mailbox-simulator addresses produce SES's events locally as on AWS, the
 * same handler records them per message, and a hard bounce or a complaint
 * stops every later email at the send-time suppression check.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { parseConfig } from '../../functions/config';
import { dynamoMessageStatuses } from '../../functions/adapters/dynamodb/message-status';
import { dynamoSuppressions, suppressionKey } from '../../functions/adapters/dynamodb/suppressions';
import { logger } from '../../functions/observability';
import type { BusEvent, DeadLetter } from '../../local/event-bus';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { runSimulation, upsert } from './run-simulation';

const bounce = 'bounce@simulator.amazonses.com';
const complaint = 'complaint@simulator.amazonses.com';
const success = 'success@simulator.amazonses.com';
const customers = (time: string) => [
  upsert(time, { customerId: 'bounces', email: bounce, birthday: '--04-10' }),
  upsert(time, { customerId: 'complains', email: complaint, birthday: '--04-10' }),
  upsert(time, { customerId: 'reads', email: success, birthday: '--04-10' }),
];

describe('after a hard bounce or a complaint, the address gets no further email', () => {
  let result: Awaited<ReturnType<typeof runSimulation>>;

  beforeAll(async () => {
    // Two birthdays: 10 April 2026 and 10 April 2027.
    result = await runSimulation(customers('2026-04-09T00:00:00Z'), '2026-04-09T00:00:00Z', '2027-04-12T00:00:00Z');
  }, 300_000);

  const sentTo = (address: string) => result.emails.filter((email) => email.to === address).map((email) => email.sentAt);

  it('success@ gets both birthday emails', () => {
    expect(sentTo(success)).toEqual(['2026-04-10T09:00:00.000Z', '2027-04-10T09:00:00.000Z']);
  });

  it('bounce@ and complaint@ get the first, and nothing a year later', () => {
    expect(sentTo(bounce)).toEqual(['2026-04-10T09:00:00.000Z']);
    expect(sentTo(complaint)).toEqual(['2026-04-10T09:00:00.000Z']);
  });

  it('the birthday sweep counts the later sends as suppressed', () => {
    expect(result.summary.campaigns.birthday).toMatchObject({ suppressed: 2 });
  });

  it('the SES events crossed the bus and none was dead-lettered', () => {
    const ses = (type: string) => result.bus.filter((e) => e.source === 'aws.ses' && e['detail-type'] === type).length;
    expect(ses('Email Bounced')).toBe(1);
    expect(ses('Email Complaint Received')).toBe(1);
    expect(ses('Email Delivered')).toBe(3); // complaint@ is delivered first, then complains
    expect(result.deadLetters).toEqual([]);
  });
});

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
    const level = logger.getLevelName();
    logger.setLogLevel('INFO');
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
      logger.setLogLevel(level);
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
