/**
 * Lambda behind the public HTTPS links of the emails (an HTTP API on AWS, the
 * local links server under `npm start`): an NPS score click, and the comment
 * posted from the thank-you page. Input is bounded and typed; any invalid link
 * gets the same neutral page and records nothing.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { storeAdapters } from '../adapters';
import { dynamoNpsResponses } from '../adapters/dynamodb/nps-responses';
import { addComment, recordScore } from '../campaigns/nps/responses';
import { invalidLinkPage, npsCommentSavedPage, npsThanksPage } from '../links/pages';
import { logger } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';

/** Tokens are about 200 characters; anything far longer is not one of ours. */
const token = z.string().min(1).max(1024);
const scoreQuery = z.object({ token });
const commentForm = z.object({ token, comment: z.string().trim().max(2000) });
const maxBodyBytes = 8 * 1024;

const page = (statusCode: number, body: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    // The token is in the URL: never send it on as a referrer.
    'referrer-policy': 'no-referrer',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  },
  body,
});

export const createHandler = (runtime: Runtime) => {
  const { customers, events } = storeAdapters(runtime);
  const responses = dynamoNpsResponses(runtime.dynamo, runtime.tableName);
  const shopName = runtime.config.shop.name;
  const invalid = (status = 404) => page(status, invalidLinkPage({ shopName }));

  return middy(async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const now = new Date(event.requestContext.timeEpoch);
    const route = `${event.requestContext.http.method} ${event.rawPath}`;
    const ports = { keyring: await runtime.keyring(), customers, responses, events };

    if (route === 'GET /nps') {
      const query = scoreQuery.safeParse(event.queryStringParameters ?? {});
      if (!query.success) return invalid(400);
      const click = await recordScore(query.data.token, now, ports);
      if (!click.valid) return invalid();
      logger.info('nps score', { customerId: click.customer.customerId, surveyId: click.surveyId, changed: click.changed });
      return page(
        200,
        npsThanksPage(click.customer.locale, { shopName, score: click.score, token: query.data.token, commentAction: 'nps/comment' }),
      );
    }

    if (route === 'POST /nps/comment') {
      const raw = event.body ?? '';
      const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
      if (body.length > maxBodyBytes) return invalid(413);
      const form = commentForm.safeParse(Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
      if (!form.success) return invalid(400);
      const saved = await addComment(form.data.token, form.data.comment, now, ports);
      if (!saved.valid) return invalid();
      logger.info('nps comment', { customerId: saved.customer.customerId });
      return page(200, npsCommentSavedPage(saved.customer.locale, { shopName }));
    }

    return invalid();
  }).use(injectLambdaContext(logger));
};

export const handler = lambdaHandler(createHandler);
