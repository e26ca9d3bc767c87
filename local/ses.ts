/**
 * Local SES v2: aws-ses-v2-local's own handlers validate and accept each
 * message, and its web inbox shows them; around them, this records what SES
 * accepted and publishes the configuration-set events SES would put on
 * EventBridge, including the mailbox simulator's bounces and complaints
 * (docs/design.md §6).
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import inboxModule from 'aws-ses-v2-local';
import { getStoreReadonly, type Email as StoredEmail } from 'aws-ses-v2-local/dist/store.js';
import getAccountHandler from 'aws-ses-v2-local/dist/v2/getAccount.js';
import sendEmailHandler from 'aws-ses-v2-local/dist/v2/sendEmail.js';
import type { z } from 'zod';
import type { EventDefinition } from '../functions/events/event';
import { emailBounced, emailComplaintReceived, emailDelivered } from '../functions/events/ses';
import { localAccount, localRegion, type LocalEventBus } from './event-bus';
import { listening, portError } from './ports';

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

// CommonJS modules: Node's ESM loader hands over module.exports, bundlers the function itself.
const commonJs = <T>(module: T): T => (typeof module === 'function' ? module : (module as unknown as { default: T }).default ?? module);
const inboxServer = commonJs(inboxModule);

type ApiHandler = (req: { body: unknown }, res: ApiResponse) => unknown;
interface ApiResponse {
  status(code: number): ApiResponse;
  send(body: unknown): void;
}
/** aws-ses-v2-local's own handlers of the two SES v2 operations the engine calls, run without its HTTP server. */
const operations: Record<string, ApiHandler> = {
  'POST /v2/email/outbound-emails': commonJs(sendEmailHandler as ApiHandler),
  'GET /v2/email/account': commonJs(getAccountHandler as ApiHandler),
};

/** Listens on `port`; a port it cannot have is a PortError naming the part and its variable. */
const listen = async (server: Server, name: 'ses' | 'inbox', port: number, host: string) => {
  await listening(server, port, host).catch((error: unknown) => {
    throw portError(name, port, error);
  });
  return (server.address() as AddressInfo).port;
};

export interface LocalSes {
  /** Where the SDK sends. */
  endpoint: string;
  /** The SES API's request listener, for an SDK client in this process (./in-process.ts). */
  listener: RequestListener;
  /** The inbox viewer, when started. */
  inboxUrl?: string;
  /** What SES accepted, when kept (`keepAccepted`). */
  accepted: AcceptedEmail[];
  /** How many messages SES accepted. */
  acceptedCount(): number;
  close(): Promise<void>;
}

export interface LocalSesOptions {
  port?: number;
  inboxPort?: number;
  host?: string;
  /** Serve aws-ses-v2-local's web inbox (`npm start`, the studio); without it, no message is kept there. @default true */
  inbox?: boolean;
  /**
   * With the inbox: the file its messages are kept in (NDJSON, aws-ses-v2-local's own records), loaded
   * back at start, so the inbox outlives a restart of `npm start`; its Clear button empties it.
   */
  inboxFile?: string;
  /** Keep every accepted message in `accepted` (tests); a long simulation streams them to `onAccepted` instead. @default true */
  keepAccepted?: boolean;
  onAccepted?: (email: AcceptedEmail) => void;
}

export const startLocalSes = async (bus: LocalEventBus, options: LocalSesOptions = {}): Promise<LocalSes> => {
  const host = options.host ?? '127.0.0.1';
  const inbox = options.inbox === false ? undefined : await inboxServer({ host, port: options.inboxPort ?? 0 });
  if (inbox && !inbox.listening) {
    // aws-ses-v2-local's server swallows its listen error: listening once more tells what it was.
    const inboxPort = options.inboxPort ?? 0;
    const probe = createServer();
    await listen(probe, 'inbox', inboxPort, host);
    probe.close();
    throw portError('inbox', inboxPort, new Error('aws-ses-v2-local did not listen'));
  }
  const accepted: AcceptedEmail[] = [];
  const inboxFile = inbox ? options.inboxFile : undefined;
  // The inbox of the last run, as aws-ses-v2-local stored it, counted as accepted.
  const restored = inboxFile ? restoreInbox(inboxFile) : 0;
  let acceptedCount = restored;
  if (inbox && inboxFile) {
    // The inbox's Clear button empties the kept copy too.
    inbox.on('request', (request: IncomingMessage) => {
      if (request.method === 'POST' && request.url?.split('?')[0] === '/clear-store') writeFileSync(inboxFile, '');
    });
  }

  // The SES v2 API as aws-ses-v2-local serves it (its authorization check, its handlers, its 404), in this process.
  const listener: RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const reply = (status: number, body: unknown) => {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html; charset=utf-8' : 'application/json; charset=utf-8' });
        res.end(text);
      };
      const operation = operations[`${req.method} ${req.url?.split('?')[0]}`];
      if (!operation) return reply(404, '<UnknownOperationException/>');
      if (!String(req.headers.authorization ?? '').startsWith('AWS')) return reply(403, { message: 'Missing Authentication Token' });
      let request: SendEmailRequest | undefined;
      try {
        request = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as SendEmailRequest) : undefined;
      } catch {
        return reply(400, { message: 'Bad Request Exception', detail: 'the body is not JSON' });
      }
      let status = 200;
      const response: ApiResponse = {
        status: (code) => ((status = code), response),
        send: (body) => {
          const messageId = (body as { MessageId?: string }).MessageId;
          if (request && messageId && status === 200) accept(record(request, messageId));
          reply(status, body);
        },
      };
      Promise.resolve(operation({ body: request ?? {} }, response)).catch((error: unknown) => reply(500, { message: String(error) }));
    });
  };

  const accept = (email: AcceptedEmail) => {
    acceptedCount++;
    // aws-ses-v2-local keeps every message for its inbox; with no inbox, nothing is.
    const { emails } = getStoreReadonly();
    const index = emails.findLastIndex((stored) => stored.messageId === email.messageId);
    if (!inbox && index >= 0) emails.splice(index, 1);
    if (inboxFile && index >= 0) appendFileSync(inboxFile, `${JSON.stringify(emails[index])}\n`);
    if (options.keepAccepted !== false) accepted.push(email);
    options.onAccepted?.(email);
    publishEvents(bus, email);
  };

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

  const front = createServer(listener);
  const port = await listen(front, 'ses', options.port ?? 0, host).catch(async (error: unknown) => {
    if (inbox) await new Promise((resolve) => inbox.close(resolve));
    throw error;
  });
  return {
    endpoint: `http://${host}:${port}`,
    listener,
    inboxUrl: inbox && `http://${host}:${(inbox.address() as AddressInfo).port}`,
    accepted,
    acceptedCount: () => acceptedCount,
    close: async () => {
      await new Promise((resolve) => front.close(resolve));
      if (inbox) await new Promise((resolve) => inbox.close(resolve));
    },
  };
};

/** Loads the kept inbox back into aws-ses-v2-local's store (a line that does not parse is skipped); how many. */
const restoreInbox = (file: string): number => {
  if (!existsSync(file)) return 0;
  const { emails } = getStoreReadonly();
  const known = new Set(emails.map((email) => email.messageId));
  let count = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let email: StoredEmail;
    try {
      email = JSON.parse(line) as StoredEmail;
    } catch {
      continue; // a line cut short by a crash
    }
    if (typeof email?.messageId !== 'string' || known.has(email.messageId)) continue;
    known.add(email.messageId);
    emails.push(email);
    count++;
  }
  return count;
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
