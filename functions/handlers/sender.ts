/**
 * Lambda: the sender. Consumes the queue of send jobs (docs/design.md §8) and settles
 * each with its campaign's rule; a job that failed for a reason worth a retry
 * is reported back to SQS, every other outcome is counted and done.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSEvent } from 'aws-lambda';
import { deliveryAdapters } from '../adapters/delivery';
import { sendJobSchema } from '../sending/jobs';
import { settleJob } from '../sending/sender';
import { describeIssues } from '../events/event';
import { emitAll, emitPerStep, emitVariantSent, isCampaignMetric } from '../metrics';
import { logger, metrics } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';
import { wiring } from '../wiring';
import { processQueue } from './queue';

export const createHandler = (runtime: Runtime) => {
  const adapters = deliveryAdapters(runtime);
  return middy(async (event: SQSEvent, context: Context) => {
    const ports = { ...(await adapters()), keyring: await runtime.keyring() };
    return processQueue(event, context, async (record) => {
      const parsed = sendJobSchema.safeParse(JSON.parse(record.body));
      if (!parsed.success) throw new Error(`not a send job: ${describeIssues(parsed.error)}`);
      const job = parsed.data;
      const outcome = await settleJob(job, ports, { owner: record.messageId, now: runtime.now() });
      logger.info('send job', {
        campaign: job.campaign,
        customerId: job.customerId,
        at: job.at,
        outcome: outcome.outcome,
        ...(outcome.outcome === 'failed' && { reason: outcome.reason }),
      });
      // An attempt that only finished an earlier one's send is not a second email.
      const counted = !(outcome.outcome === 'sent' && outcome.again);
      if (counted && isCampaignMetric(outcome.outcome)) emitAll(metrics, job.campaign, { [outcome.outcome]: 1 });
      if (counted && outcome.outcome === 'sent') {
        if (outcome.assignment) emitVariantSent(metrics, job.campaign, `${outcome.assignment.experiment}/${outcome.assignment.variant}`, 1);
        if (outcome.step !== undefined) emitPerStep(metrics, job.campaign, outcome.step, { sent: 1 });
      }
      if (outcome.outcome === 'failed' && outcome.retryable) throw new Error(`${job.campaign} ${job.customerId}: ${outcome.reason}`);
      return { campaign: job.campaign, customerId: job.customerId, ...outcome };
    });
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
};

export const handler = lambdaHandler(createHandler, wiring.sender);
