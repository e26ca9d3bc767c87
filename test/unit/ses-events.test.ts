/**
 * docs/design.md §5, all campaigns: what SES reports of a message. Permanent bounces
 * and complaints suppress the address at once; transient bounces, deliveries,
 * opens and clicks are only recorded. The events are shaped as SES puts them
 * on EventBridge (the detail is SES's event record).
 */
import { describe, expect, it } from 'vitest';
import type { MessageEvent, MessageStatuses } from '../../functions/campaigns/ports';
import { decide, handleSesEvent, type SesEventPorts } from '../../functions/deliverability/ses-events';
import { sesEventSchema, sesStatusEventSchema, type SesStatusEvent } from '../../functions/events/ses';
import { sendKeyTag } from '../../functions/campaigns/delivery';

const mail = {
  timestamp: '2026-04-10T09:00:00.000Z',
  source: '"Shop" <shop@example.com>',
  sourceArn: 'arn:aws:ses:eu-west-1:123456789012:identity/example.com',
  sendingAccountId: '123456789012',
  messageId: '0102018f-msg-1',
  destination: ['Someone@Example.com'],
  headersTruncated: false,
  tags: {
    'ses:configuration-set': ['retention'],
    'ses:from-domain': ['example.com'],
    campaign: ['winback'],
    step: ['2'],
    experiment: ['subject-line'],
    variant: ['b'],
  },
};

const envelope = (detailType: string, detail: Record<string, unknown>) => ({
  version: '0',
  id: 'c3d4e5f6-a7b8-9012-cdef-123456789012',
  'detail-type': detailType,
  source: 'aws.ses',
  account: '123456789012',
  time: '2026-04-10T09:00:05Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});

const bounced = (bounceType: 'Permanent' | 'Transient' | 'Undetermined', bounceSubType = 'General') =>
  envelope('Email Bounced', {
    eventType: 'Bounce',
    mail,
    bounce: {
      bounceType,
      bounceSubType,
      bouncedRecipients: [{ emailAddress: 'Someone@Example.com', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
      timestamp: '2026-04-10T09:00:02.669Z',
      feedbackId: '0100018f-feedback',
      reportingMTA: 'dsn; mta.example.com',
    },
  });
const complained = envelope('Email Complaint Received', {
  eventType: 'Complaint',
  mail,
  complaint: {
    feedbackId: '0100018f-feedback',
    complaintSubType: null,
    complainedRecipients: [{ emailAddress: 'Someone@Example.com' }],
    timestamp: '2026-04-11T07:00:00.000Z',
    userAgent: 'Mozilla/5.0',
    complaintFeedbackType: 'abuse',
    arrivalDate: '2026-04-11T06:59:00.000Z',
  },
});
const delivered = envelope('Email Delivered', {
  eventType: 'Delivery',
  mail,
  delivery: {
    timestamp: '2026-04-10T09:00:01.000Z',
    processingTimeMillis: 1025,
    recipients: ['Someone@Example.com'],
    smtpResponse: '250 2.0.0 OK',
    reportingMTA: 'a8-21.smtp-out.amazonses.com',
    remoteMtaIp: '192.0.2.1',
  },
});
const opened = envelope('Email Opened', {
  eventType: 'Open',
  mail,
  open: { ipAddress: '192.0.2.1', timestamp: '2026-04-10T12:00:00.000Z', userAgent: 'Mozilla/5.0' },
});
const clicked = envelope('Email Clicked', {
  eventType: 'Click',
  mail,
  click: { ipAddress: '192.0.2.1', timestamp: '2026-04-10T12:01:00.000Z', userAgent: 'Mozilla/5.0', link: 'https://shop.example/', linkTags: {} },
});

const parse = (event: unknown): SesStatusEvent => sesStatusEventSchema.parse(event);
const about = { campaign: 'winback', step: 2, experiment: 'subject-line', variant: 'b', customerId: undefined };

describe('a permanent bounce suppresses the recipient at once', () => {
  it('records the bounce with its type and suppresses each bounced recipient, reason bounce', () => {
    expect(decide(parse(bounced('Permanent')))).toEqual({
      record: {
        messageId: '0102018f-msg-1',
        kind: 'bounced',
        at: '2026-04-10T09:00:02.669Z',
        about,
        details: { bounceType: 'Permanent', bounceSubType: 'General' },
      },
      suppress: [{ email: 'Someone@Example.com', reason: 'bounce' }],
    });
  });

  it('also when SES itself held it back because the address is on its suppression list', () => {
    expect(decide(parse(bounced('Permanent', 'OnAccountSuppressionList'))).suppress).toEqual([
      { email: 'Someone@Example.com', reason: 'bounce' },
    ]);
  });
});

describe('a transient or undetermined bounce is recorded, not suppressed', () => {
  it.each(['Transient', 'Undetermined'] as const)('%s', (bounceType) => {
    const decision = decide(parse(bounced(bounceType)));
    expect(decision.record).toMatchObject({ kind: 'bounced', details: { bounceType } });
    expect(decision.suppress).toEqual([]);
  });
});

describe('a complaint suppresses the recipient at once', () => {
  it('records the complaint and suppresses each complaining recipient, reason complaint', () => {
    expect(decide(parse(complained))).toEqual({
      record: {
        messageId: '0102018f-msg-1',
        kind: 'complained',
        at: '2026-04-11T07:00:00.000Z',
        about,
        details: { complaintFeedbackType: 'abuse' },
      },
      suppress: [{ email: 'Someone@Example.com', reason: 'complaint' }],
    });
  });
});

describe('delivery, open and click are recorded only', () => {
  it.each([
    [delivered, 'delivered', '2026-04-10T09:00:01.000Z'],
    [opened, 'opened', '2026-04-10T12:00:00.000Z'],
    [clicked, 'clicked', '2026-04-10T12:01:00.000Z'],
  ] as const)('%#: %s', (event, kind, at) => {
    expect(decide(parse(event))).toEqual({ record: { messageId: '0102018f-msg-1', kind, at, about }, suppress: [] });
  });
});

describe('the message is described by its tags', () => {
  it('takes campaign, step, experiment and variant from the tags the engine sends with, and the customer id if a tag carries it', () => {
    const tagged = envelope('Email Delivered', {
      ...delivered.detail,
      mail: { ...mail, tags: { ...mail.tags, customerId: ['c-42'] } },
    });
    expect(decide(parse(tagged)).record.about).toEqual({ ...about, customerId: 'c-42' });
  });

  it('leaves out what the tags do not say', () => {
    const untagged = envelope('Email Delivered', { ...delivered.detail, mail: { ...mail, tags: { 'ses:configuration-set': ['retention'] } } });
    expect(decide(parse(untagged)).record.about).toEqual({});
  });
});

/** In memory, as the DynamoDB adapter behaves: the earliest time of each kind is kept, a replay changes nothing. */
const memoryPorts = () => {
  const records = new Map<string, MessageEvent[]>();
  const suppressed = new Map<string, { reason: string; at: string }>();
  const reconciled = new Map<string, string>();
  const statuses: MessageStatuses = {
    async record(event) {
      const seen = records.get(event.messageId) ?? [];
      const earlier = seen.find((e) => e.kind === event.kind && e.at <= event.at);
      if (earlier) return false;
      records.set(event.messageId, [...seen.filter((e) => e.kind !== event.kind), event]);
      return true;
    },
    get: async () => undefined,
  };
  const ports: SesEventPorts = {
    statuses,
    story: { note: async () => undefined, consent: async () => undefined },
    suppressions: {
      async suppress(email, reason, at) {
        const key = email.toLowerCase();
        if (suppressed.has(key)) return false;
        suppressed.set(key, { reason, at });
        return true;
      },
    },
    ledger: {
      async reconcile(sendKey, messageId) {
        reconciled.set(sendKey, messageId);
      },
    },
    configurationSetName: 'retention',
  };
  return { ports, records, suppressed, reconciled };
};

describe('handling an event: suppress, then record; the same event twice changes nothing', () => {
  it('a permanent bounce suppresses once and records once', async () => {
    const { ports, records, suppressed } = memoryPorts();
    const event = parse(bounced('Permanent'));
    expect(await handleSesEvent(event, ports)).toEqual({
      outcome: 'recorded',
      messageId: '0102018f-msg-1',
      kind: 'bounced',
      suppressed: 1,
      reason: 'bounce',
    });
    expect(await handleSesEvent(event, ports)).toEqual({ outcome: 'duplicate', messageId: '0102018f-msg-1', kind: 'bounced', suppressed: 0, reason: 'bounce' });
    expect([...suppressed.values()]).toEqual([{ reason: 'bounce', at: '2026-04-10T09:00:02.669Z' }]);
    expect(records.get('0102018f-msg-1')).toHaveLength(1);
  });

  it('a delivery suppresses nothing', async () => {
    const { ports, suppressed } = memoryPorts();
    expect(await handleSesEvent(parse(delivered), ports)).toMatchObject({ outcome: 'recorded', suppressed: 0 });
    expect(suppressed.size).toBe(0);
  });

  it('ignores messages sent through another configuration set: the default bus carries the whole account\'s SES events', async () => {
    const { ports, records, suppressed } = memoryPorts();
    const foreign = envelope('Email Bounced', {
      ...bounced('Permanent').detail,
      mail: { ...mail, tags: { 'ses:configuration-set': ['order-confirmations'] } },
    });
    expect(await handleSesEvent(parse(foreign), ports)).toEqual({
      outcome: 'ignored',
      messageId: '0102018f-msg-1',
      why: 'another configuration set',
    });
    expect(suppressed.size).toBe(0);
    expect(records.size).toBe(0);
  });
});

describe('SES accepting a message tells the send ledger its id (docs/design.md §8)', () => {
  it('the send key travels as a tag: a send whose answer was lost learns its message id', async () => {
    const { ports, reconciled } = memoryPorts();
    const sendKey = 'winback#c-1#2026-01-01T00:00:00.000Z#2';
    const accepted = sesEventSchema.parse(
      envelope('Email Sent', { eventType: 'Send', mail: { ...mail, tags: { ...mail.tags, sendKey: [sendKeyTag(sendKey)] } } }),
    );
    expect(await handleSesEvent(accepted, ports)).toEqual({ outcome: 'reconciled', messageId: '0102018f-msg-1' });
    expect(reconciled.get(sendKey)).toBe('0102018f-msg-1');
  });
});
