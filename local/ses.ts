/**
 * Local SES v2: aws-ses-v2-local stores every message and serves the web inbox;
 * in front of it a thin pass-through records what SES accepted and publishes
 * the configuration-set events SES would put on EventBridge, including the
 * mailbox simulator's bounces and complaints (DESIGN §6).
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesModule from 'aws-ses-v2-local';
import type { z } from 'zod';
import type { EventDefinition } from '../functions/events/event';
import { emailBounced, emailComplaintReceived, emailDelivered } from '../functions/events/ses';
import { localAccount, localRegion, type LocalEventBus } from './event-bus';

export interface AcceptedEmail {
  messageId: string;
  /** Clock time SES accepted it. */
  sentAt: string;
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  tags: Record<string, string>;
  /** SES publishes events only for messages sent through a configuration set. */
  configurationSetName?: string;
}

interface SendEmailRequest {
  FromEmailAddress: string;
  Destination?: { ToAddresses?: string[] };
  Content: {
    Simple?: {
      Subject: { Data: string };
      Body: { Html?: { Data: string }; Text?: { Data: string } };
      Headers?: { Name: string; Value: string }[];
    };
  };
  EmailTags?: { Name: string; Value: string }[];
  ConfigurationSetName?: string;
}

/** What the SES mailbox simulator does with a message to `address`, as on AWS. */
export const simulatorOutcome = (address: string): 'bounce' | 'complaint' | 'delivery' => {
  const match = /^([a-z]+)(\+[^@]*)?@simulator\.amazonses\.com$/i.exec(address.trim());
  const mailbox = match?.[1]?.toLowerCase();
  return mailbox === 'bounce' ? 'bounce' : mailbox === 'complaint' ? 'complaint' : 'delivery';
};

// A CommonJS module: Node's ESM loader hands over module.exports, bundlers the function itself.
const sesServer: typeof sesModule =
  typeof sesModule === 'function' ? sesModule : (sesModule as unknown as { default: typeof sesModule }).default;

const listen = (server: Server, port: number, host: string) =>
  new Promise<number>((resolve) => server.listen(port, host, () => resolve((server.address() as AddressInfo).port)));

export interface LocalSes {
  /** Where the SDK sends. */
  endpoint: string;
  /** The inbox viewer. */
  inboxUrl: string;
  accepted: AcceptedEmail[];
  close(): Promise<void>;
}

export const startLocalSes = async (
  bus: LocalEventBus,
  options: { port?: number; inboxPort?: number; host?: string } = {},
): Promise<LocalSes> => {
  const host = options.host ?? '127.0.0.1';
  const inbox = await sesServer({ host, port: options.inboxPort ?? 0 });
  const inboxPort = (inbox.address() as AddressInfo).port;
  const accepted: AcceptedEmail[] = [];

  const front = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const upstream = httpRequest(
        { host, port: inboxPort, method: req.method, path: req.url, headers: req.headers },
        (upstreamRes) => {
          const out: Buffer[] = [];
          upstreamRes.on('data', (chunk: Buffer) => out.push(chunk));
          upstreamRes.on('end', () => {
            const responseBody = Buffer.concat(out);
            if (req.method === 'POST' && req.url === '/v2/email/outbound-emails' && upstreamRes.statusCode === 200) {
              const email = record(JSON.parse(body.toString('utf8')), JSON.parse(responseBody.toString('utf8')).MessageId);
              accepted.push(email);
              publishEvents(bus, email);
            }
            res.writeHead(upstreamRes.statusCode ?? 500, upstreamRes.headers);
            res.end(responseBody);
          });
        },
      );
      upstream.on('error', (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      upstream.end(body);
    });
  });

  const record = (request: SendEmailRequest, messageId: string): AcceptedEmail => ({
    messageId,
    sentAt: bus.now().toISOString(),
    from: request.FromEmailAddress,
    to: request.Destination?.ToAddresses ?? [],
    subject: request.Content.Simple?.Subject.Data ?? '',
    html: request.Content.Simple?.Body.Html?.Data ?? '',
    text: request.Content.Simple?.Body.Text?.Data ?? '',
    headers: Object.fromEntries((request.Content.Simple?.Headers ?? []).map((h) => [h.Name, h.Value])),
    tags: Object.fromEntries((request.EmailTags ?? []).map((t) => [t.Name, t.Value])),
    configurationSetName: request.ConfigurationSetName,
  });

  const port = await listen(front, options.port ?? 0, host);
  return {
    endpoint: `http://${host}:${port}`,
    inboxUrl: `http://${host}:${inboxPort}`,
    accepted,
    close: async () => {
      await new Promise((resolve) => front.close(resolve));
      await new Promise((resolve) => inbox.close(resolve));
    },
  };
};

/**
 * SES → EventBridge (source `aws.ses`), shaped as AWS shapes them (the detail
 * is SES's event record: `eventType`, `mail`, and the event's own object):
 * Email Sent, then delivered, bounced or complained, as the mailbox simulator
 * answers on AWS. Only a message sent through a configuration set has events,
 * and its `mail.tags` carry SES's own tags next to the sender's. Each detail is
 * type-checked against the declaration the handler parses it with
 * (functions/events/ses.ts); the extra fields SES sends are here too.
 */
const publishEvents = (bus: LocalEventBus, email: AcceptedEmail) => {
  if (!email.configurationSetName) return;
  const timestamp = email.sentAt;
  const fromAddress = /<([^>]+)>\s*$/.exec(email.from)?.[1] ?? email.from;
  const mail = {
    timestamp,
    source: email.from,
    sourceArn: `arn:aws:ses:${localRegion}:${localAccount}:identity/${fromAddress.split('@')[1] ?? fromAddress}`,
    sendingAccountId: localAccount,
    messageId: email.messageId,
    destination: email.to,
    headersTruncated: false,
    headers: [
      { name: 'From', value: email.from },
      { name: 'To', value: email.to.join(', ') },
      { name: 'Subject', value: email.subject },
      ...Object.entries(email.headers).map(([name, value]) => ({ name, value })),
    ],
    commonHeaders: { from: [email.from], to: email.to, messageId: email.messageId, subject: email.subject },
    tags: {
      'ses:configuration-set': [email.configurationSetName],
      'ses:source-ip': ['127.0.0.1'],
      'ses:from-domain': [fromAddress.split('@')[1] ?? ''],
      'ses:caller-identity': ['local'],
      ...Object.fromEntries(Object.entries(email.tags).map(([name, value]) => [name, [value]])),
    },
  };
  const put = <D extends z.ZodType>(event: EventDefinition<'aws.ses', string, D>, detail: z.input<D>) =>
    bus.put({ source: event.source, detailType: event.detailType, detail });
  const reportingMTA = 'dsn; local-ses.simulator.amazonses.com';
  bus.put({ source: 'aws.ses', detailType: 'Email Sent', detail: { eventType: 'Send', mail, send: {} } });
  for (const recipient of email.to) {
    const outcome = simulatorOutcome(recipient);
    if (outcome === 'bounce') {
      const bounce = {
        bounceType: 'Permanent' as const,
        bounceSubType: 'General',
        bouncedRecipients: [{ emailAddress: recipient, action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
        timestamp,
        feedbackId: `${email.messageId}-bounce`,
        reportingMTA,
      };
      put(emailBounced, { eventType: 'Bounce', mail, bounce });
      continue;
    }
    const delivery = {
      timestamp,
      processingTimeMillis: 0,
      recipients: [recipient],
      smtpResponse: '250 2.6.0 Message received',
      reportingMTA: 'local-ses.simulator.amazonses.com',
      remoteMtaIp: '127.0.0.1',
    };
    put(emailDelivered, { eventType: 'Delivery', mail, delivery });
    if (outcome === 'complaint') {
      const complaint = {
        feedbackId: `${email.messageId}-complaint`,
        complaintSubType: null,
        complainedRecipients: [{ emailAddress: recipient }],
        timestamp,
        userAgent: 'Amazon SES Mailbox Simulator',
        complaintFeedbackType: 'abuse',
        arrivalDate: timestamp,
      };
      put(emailComplaintReceived, { eventType: 'Complaint', mail, complaint });
    }
  }
};
