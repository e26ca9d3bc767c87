/**
 * Sending through SES v2: one simple message with HTML and text parts, our
 * headers, the configuration set; paced below the account's send rate.
 *
 * The SDK does not retry SendEmail (runtime.ts): an error after SES may have
 * accepted the message is passed on as it is, for the send ledger to settle;
 * an error that says SES did not accept it is a `NotSent`, and throttling is
 * retried here a few times with backoff first.
 */
import { GetAccountCommand, SendEmailCommand, SESv2Client, SESv2ServiceException, type SESv2ClientConfig } from '@aws-sdk/client-sesv2';
import { NotSent } from '../campaigns/delivery';
import type { Mailer } from '../campaigns/ports';
import { cachedHandlers, engineClient } from './sdk-client';

/**
 * The client, for the runtime to import on demand: named, so that a bundle
 * keeps only the commands the engine sends (importing the package's namespace
 * keeps every command and schema of the API).
 */
export const sesClient = (config: SESv2ClientConfig) => engineClient(new SESv2Client({ ...cachedHandlers, ...config }));

/** SES tag values allow only letters, digits, `_`, `-` and `.`. */
const tagValue = (value: string) => value.replace(/[^A-Za-z0-9_.-]/g, '_');

const throttlingErrors = new Set(['TooManyRequestsException', 'ThrottlingException', 'LimitExceededException', 'SendingPausedException']);
const throttleRetries = 3;

const isThrottling = (error: unknown) =>
  error instanceof SESv2ServiceException && (throttlingErrors.has(error.name) || error.$metadata.httpStatusCode === 429);
/** SES answered with a client error: it did not take the message. */
const isRefused = (error: unknown) => {
  const status = error instanceof SESv2ServiceException ? error.$metadata.httpStatusCode : undefined;
  return status !== undefined && status >= 400 && status < 500;
};
/** The connection was never made: nothing reached SES. */
const neverReached = (error: unknown) => (error as { code?: string }).code === 'ECONNREFUSED';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Pace {
  /** Emails a second for the account; read from SES when absent. */
  maxSendRate?: number;
  /** Share of the rate the engine takes. */
  quotaShare: number;
  /** Senders running at once, which share the rate. */
  concurrency: number;
  /** How the pace and a throttled send's backoff wait: in real time unless the runtime says otherwise (`Runtime.wait`). */
  wait?: (ms: number) => Promise<unknown>;
}

export const sesMailer = (client: SESv2Client, from: { name: string; address: string }, configurationSetName: string, pace: Pace): Mailer => {
  const wait = pace.wait ?? sleep;
  let interval: Promise<number> | undefined;
  let next = 0;
  /** Milliseconds between two sends of this sender, so that all senders together stay below the share of the rate. */
  const spacing = async () => {
    const rate = pace.maxSendRate ?? (await client.send(new GetAccountCommand({}))).SendQuota?.MaxSendRate ?? 1;
    return (1000 * pace.concurrency) / (rate * pace.quotaShare);
  };
  const waitForTurn = async () => {
    const gap = await (interval ??= spacing().catch((error) => {
      interval = undefined;
      throw error;
    }));
    const now = performance.now();
    const at = Math.max(now, next);
    next = at + gap;
    if (at > now) await wait(at - now);
  };

  return {
    async send(email) {
      const command = new SendEmailCommand({
        FromEmailAddress: `"${from.name.replace(/"/g, "'")}" <${from.address}>`,
        Destination: { ToAddresses: [email.to] },
        ConfigurationSetName: configurationSetName,
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: { Html: { Data: email.html, Charset: 'UTF-8' }, Text: { Data: email.text, Charset: 'UTF-8' } },
            Headers: Object.entries(email.headers).map(([Name, Value]) => ({ Name, Value })),
          },
        },
        EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value: tagValue(Value) })),
      });
      for (let attempt = 0; ; attempt++) {
        await waitForTurn();
        try {
          const { MessageId } = await client.send(command);
          if (!MessageId) throw new Error('SES accepted the message without a MessageId');
          return { messageId: MessageId };
        } catch (error) {
          // Names only: SES's messages can hold the recipient's address.
          const name = error instanceof Error ? error.name : 'error';
          if (isThrottling(error) || neverReached(error)) {
            if (attempt < throttleRetries) {
              await wait(50 * 2 ** attempt * (1 + Math.random()));
              continue;
            }
            throw new NotSent(`SES throttled the send (${name})`, true);
          }
          if (isRefused(error)) throw new NotSent(`SES refused the message (${name})`, false);
          throw error;
        }
      }
    },
  };
};
