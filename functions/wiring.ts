/**
 * The one wiring table (docs/design.md §2): every function, its trigger, its retry and
 * dead-letter policy and its permissions. The CDK stack (lib/) and the local
 * runtime (local/) both read it, so the cloud and the laptop cannot drift.
 */
import { shopEvents } from './events/shop';
import { eventRejected } from './events/retention';

/** An EventBridge event pattern (a subset of the JSON grammar EventBridge accepts). */
export type EventPattern = { [field: string]: unknown };

export type Trigger =
  /** An EventBridge schedule expression, `rate(...)` or `cron(...)`, in UTC. */
  | { schedule: string }
  /** A rule on the retention bus, or on the account's default bus (where SES puts its events). */
  | { pattern: EventPattern; bus?: 'default' }
  /**
   * HTTPS requests, throttled: public (the links API on AWS, the local links
   * server under `npm start`), or with `signIn: 'studio'` only for the
   * studio's signed-in users (the studio's API on AWS, behind a Cognito JWT
   * authorizer on every route; the local studio server, signed in as a local user).
   */
  | { http: { routes: string[]; throttle: { ratePerSecond: number; burst: number }; signIn?: 'studio' } }
  /** An SQS queue consumed through an event source mapping, reporting partial batch failures (docs/design.md §8). */
  | { queue: QueueTrigger }
  /**
   * Lambda's Invoke API, synchronously, by the functions whose `permissions.invoke`
   * names this one (and no one else): it answers its caller, who retries.
   */
  | { invoke: 'synchronous' };

/** Invoked synchronously: an `http` or `invoke` trigger answers its caller, and has no retry policy or dead letters of its own. */
export const answersItsCaller = (trigger: Trigger) => 'http' in trigger || 'invoke' in trigger;

/** The queues, each consumed by one function. */
export type QueueName = 'shopEvents' | 'sesEvents' | 'sendJobs';

/** The functions others invoke (`permissions.invoke`), each with an `invoke` trigger. */
export type InvokedFunction = 'mjml';

export interface QueueTrigger {
  name: QueueName;
  /** A rule on the retention bus (the default bus with `bus: 'default'`) that feeds the queue; else functions enqueue (`permissions.enqueue`). */
  pattern?: EventPattern;
  bus?: 'default';
  /**
   * Shop platforms' events that feed the queue too: on AWS by a rule on the
   * platform's partner event bus, when the configuration names its source
   * (docs/design.md §3a); locally, events with such a source on the one local bus.
   */
  platformPattern?: EventPattern;
  /** Messages per invocation (at most 10 for a standard queue with no batching window). */
  batchSize: number;
  /** Invocations at once: bounds the load on DynamoDB and SES whatever the queue's depth. */
  maxConcurrency: number;
  /** Receives before a message goes to the queue's dead-letter queue: enough to outlast throttling and crashes. */
  maxReceiveCount: number;
}

/**
 * A message is hidden while an invocation holds it: six times the function's
 * timeout, as AWS advises for a queue that Lambda consumes, so a message comes
 * back only once the invocation that had it is over.
 */
export const visibilityTimeoutSeconds = (fn: Pick<FunctionWiring, 'timeoutSeconds'>) => 6 * fn.timeoutSeconds;

export interface FunctionWiring {
  /** Module `functions/handlers/<handler>.ts`, exporting `handler` and `createHandler`. */
  handler: string;
  description: string;
  trigger: Trigger;
  /**
   * Target retry policy of a schedule or pattern trigger; after the last attempt the event goes to the
   * function's dead-letter queue. A queue trigger retries by its `maxReceiveCount`, http not at all.
   */
  retry?: { attempts: number; maxEventAgeSeconds: number };
  timeoutSeconds: number;
  memoryMb: number;
  permissions: {
    /** The single table; a function without one (MJML's) is bound to nothing but what it invokes. */
    table?: 'read' | 'readWrite';
    sendEmail?: boolean;
    putEvents?: boolean;
    signingSecret?: boolean;
    /** Reads the secret a shop platform signs its webhooks with (when the configuration names that platform). */
    webhookSecret?: boolean;
    /** Sends messages to this queue. */
    enqueue?: QueueName;
    /** Invokes this function synchronously (its name in an environment variable, permission on it alone). */
    invoke?: InvokedFunction;
    /**
     * Writes the studio's content (drafts, published versions, their audit:
     * `CONTENT...` items, functions/content/). Every function reads the
     * published content; only one wired with this may change it.
     */
    writeContent?: boolean;
  };
}

/**
 * A campaign's sweep: hourly, because every hour of the day is 09:00 (or
 * 10:00) somewhere. It only selects: one send job per due customer, queued for
 * the sender (docs/design.md §8).
 */
const campaignSweep = (handler: string, does: string) =>
  ({
    handler,
    description: `Hourly: ${does}`,
    trigger: { schedule: 'cron(0 * * * ? *)' },
    retry: { attempts: 2, maxEventAgeSeconds: 1800 },
    timeoutSeconds: 300,
    memoryMb: 512,
    permissions: { table: 'read', enqueue: 'sendJobs' },
  }) as const satisfies FunctionWiring;

export const wiring = {
  ingest: {
    handler: 'ingest',
    description: 'Stores customers and orders published by the shop; rejects invalid events to dead letters',
    // Through a queue: a crash or a throttled table is retried until the event is in, never dropped after two tries.
    trigger: {
      queue: {
        name: 'shopEvents',
        pattern: { source: ['shop'], 'detail-type': shopEvents.map((event) => event.detailType) },
        platformPattern: { source: [{ prefix: 'aws.partner/shopify.com/' }], 'detail-type': ['shopifyWebhook'] },
        batchSize: 10,
        maxConcurrency: 10,
        maxReceiveCount: 20,
      },
    },
    timeoutSeconds: 30,
    memoryMb: 512,
    permissions: { table: 'readWrite', putEvents: true },
  },
  // Sweeps run in this order each hour: the birthday goes first and so wins its day.
  birthdaySweep: campaignSweep('birthday-sweep', "queues the birthday emails due by now in each customer's local 09:00 hour"),
  npsSweep: campaignSweep('nps-sweep', 'queues the NPS surveys due by now, from 10:00 local, 7 days after delivery'),
  // The loyalty programme (docs/design.md §10), when configured: the review first, so the emails see this hour's points and tiers.
  loyaltyReview: {
    handler: 'loyalty-review',
    description: 'Hourly: recomputes the points and tiers that time alone changes (expired points, orders leaving the rolling year), read by key',
    trigger: { schedule: 'cron(0 * * * ? *)' },
    retry: { attempts: 2, maxEventAgeSeconds: 1800 },
    timeoutSeconds: 300,
    memoryMb: 512,
    permissions: { table: 'readWrite', putEvents: true },
  },
  tierSweep: campaignSweep('tier-sweep', 'queues the emails of loyalty tiers reached, from 10:00 local'),
  pointsSweep: campaignSweep('points-sweep', 'queues the warnings of points expiring in 14 days, from 10:00 local'),
  referralSweep: campaignSweep('referral-sweep', 'queues the referral invitations and rewards due, from 10:00 local'),
  sender: {
    handler: 'sender',
    description: 'Sends the queued campaign emails: consent, suppression, the day slot, the lease on the send key, SES, the outbox',
    trigger: { queue: { name: 'sendJobs', batchSize: 10, maxConcurrency: 5, maxReceiveCount: 20 } },
    timeoutSeconds: 60,
    memoryMb: 1024,
    permissions: { table: 'readWrite', sendEmail: true, putEvents: true, signingSecret: true },
  },
  links: {
    handler: 'links',
    description: 'The public links in emails (NPS score clicks and comments, unsubscribe: one-click, page, preferences) and WooCommerce webhooks',
    trigger: {
      http: {
        routes: ['GET /nps', 'POST /nps/comment', 'GET /unsubscribe', 'POST /unsubscribe', 'POST /unsubscribe/preferences', 'POST /unsubscribe/resubscribe', 'POST /webhooks/woocommerce'],
        throttle: { ratePerSecond: 50, burst: 100 },
      },
    },
    retry: { attempts: 0, maxEventAgeSeconds: 60 },
    timeoutSeconds: 10,
    memoryMb: 512,
    permissions: { table: 'readWrite', putEvents: true, signingSecret: true, webhookSecret: true },
  },
  sesEvents: {
    handler: 'ses-events',
    description: 'Records what SES reports of each message; suppresses hard bounces and complaints at once',
    // `Email Sent` too: it records the message id of a send whose answer was lost (the send key is a tag).
    trigger: {
      queue: {
        name: 'sesEvents',
        pattern: {
          source: ['aws.ses'],
          'detail-type': ['Email Sent', 'Email Delivered', 'Email Bounced', 'Email Complaint Received', 'Email Opened', 'Email Clicked'],
        },
        bus: 'default',
        batchSize: 10,
        maxConcurrency: 5,
        maxReceiveCount: 20,
      },
    },
    timeoutSeconds: 30,
    memoryMb: 512,
    permissions: { table: 'readWrite', putEvents: true },
  },
  winbackSweep: campaignSweep('winback-sweep', 'queues the winback steps due by now, from 10:00 local on their day'),
  outbox: {
    handler: 'outbox',
    description: 'Hourly: publishes the events a crash left in the outbox of a send',
    trigger: { schedule: 'cron(30 * * * ? *)' },
    retry: { attempts: 2, maxEventAgeSeconds: 3600 },
    timeoutSeconds: 120,
    memoryMb: 256,
    permissions: { table: 'readWrite', putEvents: true },
  },
  studio: {
    handler: 'studio',
    description: "The studio's API (docs/design.md §9): drafts, previews and test sends for editors; publish and roll back for publishers",
    trigger: {
      http: {
        routes: [
          'GET /api/catalog',
          'GET /api/template',
          'PUT /api/template',
          'POST /api/preview',
          'POST /api/send',
          'POST /api/copy',
          'GET /api/partial',
          'PUT /api/partial',
          'GET /api/variables',
          'GET /api/experiment',
          'PUT /api/experiment',
          'POST /api/experiment/promote',
          'GET /api/settings',
          'PUT /api/settings',
          'POST /api/publish',
          'POST /api/rollback',
          'GET /api/versions',
          'GET /api/diff',
          'GET /api/audit',
        ],
        throttle: { ratePerSecond: 10, burst: 20 },
        signIn: 'studio',
      },
    },
    retry: { attempts: 0, maxEventAgeSeconds: 60 },
    // Publishing checks and compiles every template, each through the MJML function in turn: seconds.
    timeoutSeconds: 29,
    memoryMb: 1024,
    permissions: { table: 'readWrite', sendEmail: true, putEvents: true, signingSecret: true, writeContent: true, invoke: 'mjml' },
  },
  // MJML and its toolchain are most of a megabyte: in a function of their own, the studio's API stays small (docs/design.md §9).
  mjml: {
    handler: 'mjml',
    description: "MJML to HTML for the studio's function, which invokes it to preview, check and publish templates: no table, no AWS calls",
    trigger: { invoke: 'synchronous' },
    // Within the studio's own 29 s: the caller waits for the answer.
    timeoutSeconds: 20,
    // A whole vCPU: MJML is CPU-bound, and a publish compiles every template in turn.
    memoryMb: 1769,
    permissions: {},
  },
  kpis: {
    handler: 'kpis',
    description: 'Daily: the retention KPIs of the 30 days that ended at midnight UTC, from the day counters (the days that changed recomputed first), as metrics',
    trigger: { schedule: 'cron(15 0 * * ? *)' },
    retry: { attempts: 2, maxEventAgeSeconds: 3600 },
    // Recomputing the days that changed reads their contributions: minutes at 10 million customers.
    timeoutSeconds: 900,
    memoryMb: 512,
    permissions: { table: 'readWrite' },
  },
} as const satisfies Record<string, FunctionWiring>;

export type FunctionName = keyof typeof wiring;

/** Events the engine refuses land, with their reason, in the dead-letter queue. */
export const deadLetterPattern: EventPattern = {
  source: [eventRejected.source],
  'detail-type': [eventRejected.detailType],
};
