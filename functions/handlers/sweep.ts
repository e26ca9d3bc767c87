/**
 * What the campaign sweep handlers share: a scheduled EventBridge event in,
 * the campaign's due customers queued as send jobs at the time it carries,
 * the count out as log and metrics. A failure to queue is thrown so
 * EventBridge retries the sweep (a job queued twice is a no-op for the sender).
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { Context } from 'aws-lambda';
import type { z } from 'zod';
import { dynamoCustomerStore } from '../adapters/dynamodb/customers';
import { sqsSendQueue } from '../adapters/sqs';
import type { SweepOutcome, SweepPorts, SweepResult } from '../campaigns/sweep';
import { emitAll, isCampaignMetric, type CampaignMetric } from '../metrics';
import { logger, metrics } from '../observability';
import { environment, type Runtime } from '../runtime';

/** Every outcome a send can have, at zero: a quiet hour charts as 0, not as no data. The type makes it complete. */
const noOutcomes: Record<SweepOutcome['outcome'], 0> = {
  sent: 0, deferred: 0, suppressed: 0, heldOut: 0, failed: 0, duplicate: 0, missed: 0, ineligible: 0, ended: 0, fatigued: 0,
};

export const sweepHandler =
  (sweep: (at: Date, ports: SweepPorts, remainingMs: () => number) => Promise<SweepResult>) => (runtime: Runtime) => {
    if (!runtime.sendJobsQueueUrl) throw new Error(`environment variable ${environment.sendJobsQueueUrl} is not set`);
    const stores = {
      customers: dynamoCustomerStore(runtime.dynamo, runtime.tableName),
      sendJobs: sqsSendQueue(runtime.sqs, runtime.sendJobsQueueUrl),
    };
    return middy(async (event: z.infer<typeof EventBridgeSchema>, context: Context) => {
      const started = performance.now();
      // The published campaign settings (on/off, hours) of this sweep (docs/design.md §9).
      const ports: SweepPorts = { ...stores, config: (await runtime.content.current()).config };
      const result = await sweep(new Date(event.time), ports, () => context.getRemainingTimeInMillis());
      const duration = Math.round(performance.now() - started);
      logger.info('sweep', { campaign: result.campaign, at: event.time, due: result.due, complete: result.complete, durationMs: duration });
      const outcomes: Partial<Record<CampaignMetric, number>> = {};
      for (const [outcome, count] of Object.entries(noOutcomes)) if (isCampaignMetric(outcome)) outcomes[outcome] = count;
      emitAll(metrics, result.campaign, { eligible: result.due, ...outcomes, sweepDuration: duration });
      return result;
    })
      .use(injectLambdaContext(logger))
      .use(logMetrics(metrics))
      .use(parser({ schema: EventBridgeSchema }));
  };
