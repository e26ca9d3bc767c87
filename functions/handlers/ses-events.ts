/**
 * Lambda: what SES reports of each message (the default bus, source `aws.ses`).
 * Thin: parse, then the deliverability use case. Logs message ids and reasons,
 * never an address.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { dynamoMessageStatuses } from '../adapters/dynamodb/message-status';
import { dynamoSuppressions } from '../adapters/dynamodb/suppressions';
import { handleSesEvent } from '../deliverability/ses-events';
import { describeIssues } from '../events/event';
import { sesEventSchema } from '../events/ses';
import { logger } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';

export const createHandler = (runtime: Runtime) => {
  const ports = {
    statuses: dynamoMessageStatuses(runtime.dynamo, runtime.tableName),
    suppressions: dynamoSuppressions(runtime.dynamo, runtime.tableName),
    configurationSetName: runtime.configurationSetName,
  };
  return middy(async (event: unknown) => {
    const parsed = sesEventSchema.safeParse(event);
    if (!parsed.success) {
      // Not ours to drop: the error sends the event, after its retries, to the
      // function's dead-letter queue. The reason names fields, never values.
      const reason = describeIssues(parsed.error);
      logger.error('SES event does not match its schema', { reason });
      throw new Error(`SES event does not match its schema: ${reason}`);
    }
    const result = await handleSesEvent(parsed.data, ports);
    logger.info('SES event handled', { ...result, detailType: parsed.data['detail-type'] });
    return result;
  }).use(injectLambdaContext(logger));
};

export const handler = lambdaHandler(createHandler);
