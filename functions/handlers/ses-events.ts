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
import { dynamoCustomerStory } from '../adapters/dynamodb/story';
import { handleSesEvent, messageAbout } from '../deliverability/ses-events';
import { parseBounded, rejection } from '../events/bounded';
import { eventBridgePublisher } from '../adapters/eventbridge';
import { campaignSchema } from '../events/retention';
import { sesEventSchema } from '../events/ses';
import { emit, emitService, emitSingle } from '../metrics';
import { logger, metrics } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';
import { wiring } from '../wiring';
import { processQueue } from './queue';

const deliverabilityKinds = new Set(['delivered', 'bounced', 'complained']);

export const createHandler = (runtime: Runtime) => {
  const ports = {
    statuses: dynamoMessageStatuses(runtime.dynamo, runtime.tableName, runtime.config.records),
    ledger: dynamoSendLedger(runtime.dynamo, runtime.tableName, runtime.config.records),
    suppressions: dynamoSuppressions(runtime.dynamo, runtime.tableName),
    story: dynamoCustomerStory(runtime.dynamo, runtime.tableName, runtime.config.records),
    configurationSetName: runtime.configurationSetName,
  };
  const events = eventBridgePublisher(runtime.events, runtime.eventBusName);
  return middy((event: SQSEvent, context: Context) =>
    processQueue(event, context, async (record) => {
      const raw: unknown = JSON.parse(record.body);
      const parsed = parseBounded(sesEventSchema, raw);
      if (!parsed.success) {
        // Not dropped: refused to the dead letters with the reason, which names fields, never values.
        logger.error('SES event does not match its schema', { reason: parsed.reason });
        emitService(metrics, 'deadLetters', 1);
        await events.publish([rejection(raw, `SES event does not match its schema: ${parsed.reason}`, parsed.bytes)]);
        return { outcome: 'rejected' as const, reason: parsed.reason };
      }
      const result = await handleSesEvent(parsed.data, ports);
      logger.info('SES event handled', { ...result, detailType: parsed.data['detail-type'] });
      // Counted once per message and kind (a replay is a duplicate), for the campaign the engine tagged it with.
      const campaign = campaignSchema.safeParse(messageAbout(parsed.data.detail.mail).campaign);
      if (result.outcome === 'recorded' && campaign.success) {
        emit(metrics, result.kind, campaign.data, 1);
        // And the service's total, which the deliverability rates and their alarms read (functions/ops/dashboard-layout.ts).
        if (deliverabilityKinds.has(result.kind)) emitSingle(metrics, result.kind, {}, 1);
      }
      return result;
    }))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
};

export const handler = lambdaHandler(createHandler, wiring.sesEvents);
