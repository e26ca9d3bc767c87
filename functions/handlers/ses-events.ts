/**
 * Lambda: what SES reports of each message (the default bus, source `aws.ses`,
 * through a queue). Thin: parse, then the deliverability use case. Logs message ids and reasons,
 * never an address.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context, SQSEvent } from 'aws-lambda';
import { dynamoMessageStatuses } from '../adapters/dynamodb/message-status';
import { dynamoSendLedger } from '../adapters/dynamodb/send-ledger';
import { dynamoSuppressions } from '../adapters/dynamodb/suppressions';
import { handleSesEvent, messageAbout } from '../deliverability/ses-events';
import { describeIssues } from '../events/event';
import { campaignSchema } from '../events/retention';
import { sesEventSchema } from '../events/ses';
import { emit } from '../metrics';
import { logger, metrics } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';
import { processQueue } from './queue';

export const createHandler = (runtime: Runtime) => {
  const ports = {
    statuses: dynamoMessageStatuses(runtime.dynamo, runtime.tableName),
    ledger: dynamoSendLedger(runtime.dynamo, runtime.tableName),
    suppressions: dynamoSuppressions(runtime.dynamo, runtime.tableName),
    configurationSetName: runtime.configurationSetName,
  };
  return middy((event: SQSEvent, context: Context) =>
    processQueue(event, context, async (record) => {
    const parsed = sesEventSchema.safeParse(JSON.parse(record.body));
    if (!parsed.success) {
      // Not ours to drop: the error sends the event, after its retries, to the
      // function's dead-letter queue. The reason names fields, never values.
      const reason = describeIssues(parsed.error);
      logger.error('SES event does not match its schema', { reason });
      throw new Error(`SES event does not match its schema: ${reason}`);
    }
    const result = await handleSesEvent(parsed.data, ports);
    logger.info('SES event handled', { ...result, detailType: parsed.data['detail-type'] });
    // Counted once per message and kind (a replay is a duplicate), for the campaign the engine tagged it with.
    const campaign = campaignSchema.safeParse(messageAbout(parsed.data.detail.mail).campaign);
    if (result.outcome === 'recorded' && campaign.success) emit(metrics, result.kind, campaign.data, 1);
    return result;
  }))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
};

export const handler = lambdaHandler(createHandler);
