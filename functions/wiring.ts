/**
 * The one wiring table (DESIGN §2): every function, its trigger, its retry and
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
  /** Public HTTPS requests (an HTTP API on AWS, the local links server under `npm start`), throttled. */
  | { http: { routes: string[]; throttle: { ratePerSecond: number; burst: number } } };

export interface FunctionWiring {
  /** Module `functions/handlers/<handler>.ts`, exporting `handler` and `createHandler`. */
  handler: string;
  description: string;
  trigger: Trigger;
  /** Target retry policy; after the last attempt the event goes to the function's dead-letter queue (not for http). */
  retry: { attempts: number; maxEventAgeSeconds: number };
  timeoutSeconds: number;
  memoryMb: number;
  permissions: {
    table: 'read' | 'readWrite';
    sendEmail?: boolean;
    putEvents?: boolean;
    signingSecret?: boolean;
  };
}

/** A campaign's sweep: hourly, because every hour of the day is 09:00 (or 10:00) somewhere. */
const campaignSweep = (handler: string, does: string) =>
  ({
    handler,
    description: `Hourly: ${does}`,
    trigger: { schedule: 'cron(0 * * * ? *)' },
    retry: { attempts: 2, maxEventAgeSeconds: 1800 },
    timeoutSeconds: 300,
    memoryMb: 1024,
    permissions: { table: 'readWrite', sendEmail: true, putEvents: true, signingSecret: true },
  }) as const satisfies FunctionWiring;

export const wiring = {
  ingest: {
    handler: 'ingest',
    description: 'Stores customers and orders published by the shop; rejects invalid events to dead letters',
    trigger: {
      pattern: { source: ['shop'], 'detail-type': shopEvents.map((event) => event.detailType) },
    },
    retry: { attempts: 3, maxEventAgeSeconds: 3600 },
    timeoutSeconds: 30,
    memoryMb: 512,
    permissions: { table: 'readWrite', putEvents: true },
  },
  // Sweeps run in this order each hour: the birthday goes first and so wins its day.
  birthdaySweep: campaignSweep('birthday-sweep', "sends the birthday emails due by now in each customer's local 09:00 hour"),
  npsSweep: campaignSweep('nps-sweep', 'sends the NPS surveys due by now, from 10:00 local, 7 days after delivery'),
  links: {
    handler: 'links',
    description: 'The public links in emails: NPS score clicks and comments, unsubscribe (one-click, page, preferences)',
    trigger: {
      http: {
        routes: ['GET /nps', 'POST /nps/comment', 'GET /unsubscribe', 'POST /unsubscribe', 'POST /unsubscribe/preferences'],
        throttle: { ratePerSecond: 50, burst: 100 },
      },
    },
    retry: { attempts: 0, maxEventAgeSeconds: 60 },
    timeoutSeconds: 10,
    memoryMb: 512,
    permissions: { table: 'readWrite', putEvents: true, signingSecret: true },
  },
  sesEvents: {
    handler: 'ses-events',
    description: 'Records what SES reports of each message; suppresses hard bounces and complaints at once',
    trigger: {
      pattern: {
        source: ['aws.ses'],
        'detail-type': ['Email Delivered', 'Email Bounced', 'Email Complaint Received', 'Email Opened', 'Email Clicked'],
      },
      bus: 'default',
    },
    retry: { attempts: 3, maxEventAgeSeconds: 3600 },
    timeoutSeconds: 30,
    memoryMb: 512,
    permissions: { table: 'readWrite', putEvents: true },
  },
  winbackSweep: campaignSweep('winback-sweep', 'sends the winback steps due by now, from 10:00 local on their day'),
  kpis: {
    handler: 'kpis',
    description: 'Daily: the retention KPIs of the 30 days that ended at midnight UTC, from the day counters, as metrics',
    trigger: { schedule: 'cron(15 0 * * ? *)' },
    retry: { attempts: 2, maxEventAgeSeconds: 3600 },
    timeoutSeconds: 60,
    memoryMb: 512,
    permissions: { table: 'read' },
  },
} as const satisfies Record<string, FunctionWiring>;

export type FunctionName = keyof typeof wiring;

/** Events the engine refuses land, with their reason, in the dead-letter queue. */
export const deadLetterPattern: EventPattern = {
  source: [eventRejected.source],
  'detail-type': [eventRejected.detailType],
};
