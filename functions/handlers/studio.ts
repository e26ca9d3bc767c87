/**
 * Lambda: the studio's API (docs/design.md §9) behind the HTTP API's Cognito
 * JWT authorizer. The user and their role come from the token's groups
 * (`publishers`, `editors`); the work is functions/studio/api.ts, shared with
 * the local studio.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { eventBridgePublisher } from '../adapters/eventbridge';
import { dynamoContentStore } from '../adapters/dynamodb/content';
import { sesMailer } from '../adapters/ses';
import { settingsOf } from '../content/settings';
import { logger } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';
import { routeStudio, studioApi } from '../studio/api';
import { storeContent } from '../studio/content';
import { userOf } from '../studio/users';
import { wiring } from '../wiring';

/** Requests are a template's text and a few names: a quarter of a megabyte is plenty. */
const maxRequestBytes = 256 * 1024;

/** The studio's API over the stack's content: the Lambda's, and `npm start`'s. */
export const studioApiFor = (runtime: Runtime, testAddress = '', inboxUrl = '') => {
  const { shop } = runtime.config;
  return studioApi({
    content: storeContent({
      store: dynamoContentStore(runtime.dynamo, runtime.tableName),
      defaults: { templatesDir: runtime.templatesDir, settings: settingsOf(runtime.config) },
      events: eventBridgePublisher(runtime.events, runtime.eventBusName),
      now: runtime.now,
      onPublished: () => runtime.content.invalidate(),
    }),
    config: runtime.config,
    inboxUrl,
    testAddress,
    // One test email at a time: the pace is the account's, for a single sender.
    mailer: sesMailer(runtime.ses, { name: shop.name, address: shop.fromAddress }, runtime.configurationSetName, { ...runtime.config.sending, concurrency: 1, wait: runtime.wait }),
    keyring: runtime.keyring,
  });
};

const json = (statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

export const createHandler = (runtime: Runtime) => {
  let api: ReturnType<typeof studioApiFor> | undefined;
  return middy(async (event: APIGatewayProxyEventV2WithJWTAuthorizer): Promise<APIGatewayProxyStructuredResultV2> => {
    const user = userOf(event.requestContext.authorizer?.jwt?.claims);
    if (!user) return json(403, { error: 'You are signed in but not a studio user: ask an admin to add you to the editors or publishers group.' });
    const raw = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : undefined;
    if (raw && raw.length > maxRequestBytes) return json(413, { error: `request over ${maxRequestBytes / 1024} KB` });
    let body: unknown;
    try {
      body = raw?.length ? JSON.parse(raw.toString('utf8')) : undefined;
    } catch {
      return json(400, { error: 'request body is not JSON' });
    }
    api ??= studioApiFor(runtime);
    const method = event.requestContext.http.method;
    const answer = await routeStudio(api, user, { method, path: event.rawPath, query: event.queryStringParameters ?? {}, body });
    // Who changed what is in the audit; the log names the route and the outcome only.
    logger.info('studio', { route: `${method} ${event.rawPath}`, status: answer.status });
    return json(answer.status, answer.body);
  }).use(injectLambdaContext(logger));
};

export const handler = lambdaHandler(createHandler, wiring.studio);
