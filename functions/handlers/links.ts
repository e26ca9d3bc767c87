/**
 * Lambda behind the public HTTPS links of the emails (an HTTP API on AWS, the
 * local links server under `npm start`): an NPS score click, and the comment
 * posted from the thank-you page; the `List-Unsubscribe` link: its one-click
 * POST (RFC 8058), the page a GET shows (which changes nothing), and that
 * page's preference form. Input is bounded and typed; any invalid link gets the
 * same neutral page and records nothing.
 */
import { campaignSettings, type Config } from '../config';
import { isUtf8 } from 'node:buffer';
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { storeAdapters } from '../adapters';
import { originResource } from '../customers/story';
import { dynamoNpsResponses } from '../adapters/dynamodb/nps-responses';
import { dynamoSuppressions } from '../adapters/dynamodb/suppressions';
import type { ResponsePorts } from '../campaigns/nps/responses';
import { addComment, recordScore } from '../campaigns/nps/responses';
import type { UnsubscribePorts } from '../customers/unsubscribe';
import { resubscribe, savePreferences, unsubscribeAll, viewPreferences } from '../customers/unsubscribe';
import { campaignSchema } from '../events/retention';
import type { Keyring } from '../links/signed-token';
import {
  invalidLinkPage,
  npsCommentSavedPage,
  npsThanksPage,
  preferencesSavedPage,
  resubscribedPage,
  unsubscribedPage,
  unsubscribePage,
} from '../links/pages';
import { emitAll } from '../metrics';
import { logger, metrics } from '../observability';
import { lambdaHandler, type Runtime } from '../runtime';
import { wiring } from '../wiring';
import { rejection } from '../events/bounded';
import { isWooPing, translateWoo, verifyWooSignature } from '../sources/woocommerce';

/** Tokens are about 200 characters; anything far longer is not one of ours. */
const maxTokenChars = 1024;
const token = z.string().min(1).max(maxTokenChars);
const scoreQuery = z.object({ token });
const tokenQuery = z.object({ token });
/** The comment box's `maxlength`: counted, as the browser counts it, in UTF-16 units with a line break as one. */
export const maxCommentChars = 2000;
const comment = z
  .string()
  .transform((text) => text.replace(/\r\n?/g, '\n'))
  .pipe(z.string().trim().max(maxCommentChars));
const commentForm = z.object({ token, comment });
/** RFC 8058: the body a mail client posts; other fields are ignored. */
const oneClickForm = z.object({ 'List-Unsubscribe': z.literal('One-Click') });
const preferencesForm = z.object({ token, keep: z.array(campaignSchema).max(campaignSchema.options.length * 2) });
/** The one-click and preference forms: a token and a few short fields. */
const maxFormBytes = 8 * 1024;
/**
 * The comment form URL-encoded at its longest: a character of three UTF-8
 * bytes (Chinese, Hindi, Thai) percent-encodes to 9 bytes per UTF-16 unit, the
 * most of any script (Arabic: 2 bytes, so 6; an emoji: 4 bytes over two units,
 * so 6 a unit), plus the token and the field names: 19,039 bytes.
 */
export const maxCommentBodyBytes = 'token='.length + maxTokenChars + '&comment='.length + maxCommentChars * 9;

const headerOf = (event: APIGatewayProxyEventV2, name: string) =>
  Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];

/**
 * A posted form's text fields, each with all its values, from either encoding
 * mail clients and browsers use (a body without a content type is read as
 * URL-encoded); or the status that refuses it.
 */
const readForm = async (
  event: APIGatewayProxyEventV2,
  maxBytes: number,
): Promise<{ fields: Map<string, string[]> } | { status: 400 | 413 | 415 }> => {
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.length > maxBytes) return { status: 413 };
  const contentType = headerOf(event, 'content-type') ?? '';
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  const fields = new Map<string, string[]>();
  const add = (name: string, value: unknown) => {
    if (typeof value === 'string') fields.set(name, [...(fields.get(name) ?? []), value]);
  };
  if (mediaType === '' || mediaType === 'application/x-www-form-urlencoded') {
    // Browsers post UTF-8; other bytes are a malformed request, not a comment of U+FFFD.
    if (!isUtf8(body)) return { status: 400 };
    for (const [name, value] of new URLSearchParams(body.toString('utf8'))) add(name, value);
    return { fields };
  }
  if (mediaType === 'multipart/form-data') {
    try {
      // The platform's own multipart parser (undici); file parts are not text fields, so ignored.
      const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
      for (const [name, value] of form) add(name, value);
      return { fields };
    } catch {
      return { status: 400 };
    }
  }
  return { status: 415 };
};

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

/** What the links need: the stores behind the use cases, the signing keys, the shop's name for the pages, WooCommerce's webhook secret. */
export type LinksPorts = Omit<ResponsePorts, 'keyring' | 'customers'> &
  Omit<UnsubscribePorts, 'keyring' | 'customers'> & {
    customers: ResponsePorts['customers'] & UnsubscribePorts['customers'];
    keyring: () => Promise<Keyring>;
    shopName: string;
    wooCommerceSecret: () => Promise<string | undefined>;
    /** The published campaign settings (docs/design.md §9), read per request: the campaigns offered, who is invited to refer. */
    settings: () => Promise<Config>;
  };

/**
 * Every request to the public links, answered: a malformed one (a bad token,
 * an unknown route or method, a body too large or badly encoded) gets a 4xx
 * and the neutral page, never an error.
 */
export const linksApp = (links: LinksPorts) => {
  const { shopName, keyring, wooCommerceSecret, settings, ...stores } = links;
  const invalid = (status = 404) => page(status, invalidLinkPage({ shopName }));

  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    const now = new Date(event.requestContext.timeEpoch);
    const route = `${event.requestContext.http.method} ${event.rawPath}`;
    if (route === 'POST /webhooks/woocommerce') return wooCommerceWebhook(event, await wooCommerceSecret(), stores.events);
    const ports = { keyring: await keyring(), ...stores, config: await settings() };
    // The campaigns the shop runs: the only ones the preference form offers.
    const offered = campaignSchema.options.filter((campaign) => campaignSettings(ports.config, campaign).enabled);

    if (route === 'GET /nps') {
      const query = scoreQuery.safeParse(event.queryStringParameters ?? {});
      if (!query.success) return invalid(400);
      const click = await recordScore(query.data.token, now, ports);
      if (!click.valid) return invalid();
      logger.info('nps score', { customerId: click.customer.customerId, surveyId: click.surveyId, changed: click.changed });
      // A repeated click on the same score changes nothing and is not counted again.
      // A changed score replaces the first: one response, and the score sum moves by the difference.
      if (click.changed) {
        const first = click.previousScore === undefined;
        emitAll(metrics, 'nps', { npsResponses: first ? 1 : 0, npsScore: click.score - (click.previousScore ?? 0) });
      }
      return page(
        200,
        npsThanksPage(click.customer.locale, { shopName, score: click.score, token: query.data.token, commentAction: 'nps/comment' }),
      );
    }

    if (route === 'POST /nps/comment') {
      const read = await readForm(event, maxCommentBodyBytes);
      if ('status' in read) return invalid(read.status);
      const form = commentForm.safeParse({ token: read.fields.get('token')?.[0], comment: read.fields.get('comment')?.[0] });
      if (!form.success) return invalid(400);
      const saved = await addComment(form.data.token, form.data.comment, now, ports);
      if (!saved.valid) return invalid();
      logger.info('nps comment', { customerId: saved.customer.customerId });
      return page(200, npsCommentSavedPage(saved.customer.locale, { shopName }));
    }

    // Relative, as the links are: from the page at /unsubscribe.
    const resubscribeAction = 'unsubscribe/resubscribe';

    // Shows the page; never changes anything (mail scanners and previews fetch links).
    if (route === 'GET /unsubscribe') {
      const query = tokenQuery.safeParse(event.queryStringParameters ?? {});
      if (!query.success) return invalid(400);
      const view = await viewPreferences(query.data.token, now, ports);
      if (!view.valid) return invalid();
      const { locale } = view.customer;
      if (view.unsubscribed) return page(200, unsubscribedPage(locale, { shopName, token: query.data.token, resubscribeAction }));
      return page(
        200,
        unsubscribePage(locale, {
          shopName,
          token: query.data.token,
          // Relative, as the link itself is: the button posts to the very URL of the header.
          oneClickAction: `unsubscribe?token=${encodeURIComponent(query.data.token)}`,
          preferencesAction: 'unsubscribe/preferences',
          optedOut: view.optedOut,
          offered,
        }),
      );
    }

    // RFC 8058 one-click, from a mail client or the page's button: unsubscribes at once.
    if (route === 'POST /unsubscribe') {
      const query = tokenQuery.safeParse(event.queryStringParameters ?? {});
      if (!query.success) return invalid(400);
      const read = await readForm(event, maxFormBytes);
      if ('status' in read) return invalid(read.status);
      const form = oneClickForm.safeParse({ 'List-Unsubscribe': read.fields.get('List-Unsubscribe')?.[0] });
      if (!form.success) return invalid(400);
      const done = await unsubscribeAll(query.data.token, 'one-click', now, ports);
      if (!done.valid) return invalid();
      logger.info('unsubscribed', { customerId: done.customer.customerId, via: 'one-click', changed: done.changed });
      return page(200, unsubscribedPage(done.customer.locale, { shopName, token: query.data.token, resubscribeAction }));
    }

    // Changed one's mind, on the unsubscribed page: the same signed link subscribes again.
    if (route === 'POST /unsubscribe/resubscribe') {
      const read = await readForm(event, maxFormBytes);
      if ('status' in read) return invalid(read.status);
      const form = tokenQuery.safeParse({ token: read.fields.get('token')?.[0] });
      if (!form.success) return invalid(400);
      const done = await resubscribe(form.data.token, now, ports);
      if (!done.valid) return invalid();
      logger.info('resubscribed', { customerId: done.customer.customerId, resubscribed: done.resubscribed });
      return page(200, resubscribedPage(done.customer.locale, { shopName, blocked: !done.resubscribed }));
    }

    if (route === 'POST /unsubscribe/preferences') {
      const read = await readForm(event, maxFormBytes);
      if ('status' in read) return invalid(read.status);
      const form = preferencesForm.safeParse({ token: read.fields.get('token')?.[0], keep: read.fields.get('keep') ?? [] });
      if (!form.success) return invalid(400);
      const saved = await savePreferences(form.data.token, form.data.keep, now, ports, offered);
      if (!saved.valid) return invalid();
      logger.info('unsubscribe preferences', { customerId: saved.customer.customerId, optedOut: saved.optedOut, changed: saved.changed });
      const { locale } = saved.customer;
      return page(
        200,
        saved.unsubscribed
          ? unsubscribedPage(locale, { shopName, token: form.data.token, resubscribeAction: 'resubscribe' })
          : preferencesSavedPage(locale, { shopName, optedOut: saved.optedOut, offered }),
      );
    }

    return invalid();
  };
};

/** A WooCommerce delivery at its largest: an order with hundreds of lines is tens of kilobytes. */
const maxWebhookBytes = 1024 * 1024;

const json = (statusCode: number, body: object): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  body: JSON.stringify(body),
});

/**
 * `POST /webhooks/woocommerce` (docs/design.md §3a): the signature checked over the raw
 * body (401 and nothing stored when it is missing or wrong), WooCommerce's ping
 * answered, the payload translated and its shop events published to the bus,
 * where ingest takes them as any others. A payload that cannot be used is a
 * dead letter with its reason and still a 200: WooCommerce disables a webhook
 * after a few failed deliveries, and sending it again would change nothing.
 */
const wooCommerceWebhook = async (
  event: APIGatewayProxyEventV2,
  secret: string | undefined,
  events: LinksPorts['events'],
): Promise<APIGatewayProxyStructuredResultV2> => {
  if (!secret) return json(404, { error: 'WooCommerce is not configured (sources.woocommerce)' });
  const raw = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : Buffer.from(event.body ?? '', 'utf8');
  if (raw.length > maxWebhookBytes) return json(413, { error: 'body too large' });
  const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));
  const text = raw.toString('utf8');
  // The ping WooCommerce sends when a webhook is created is unsigned; it stores nothing.
  if (isWooPing(headers, text)) return json(200, { ok: true });
  if (!verifyWooSignature(raw, headers['x-wc-webhook-signature'], secret)) return json(401, { error: 'bad or missing X-WC-Webhook-Signature' });
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  const now = new Date(event.requestContext.timeEpoch).toISOString();
  // A deletion carries no time of its own: the time it reached us.
  const translation = translateWoo(headers, body, now);
  if (translation.kind === 'rejected') {
    logger.warn('webhook rejected', { platform: 'woocommerce', topic: headers['x-wc-webhook-topic'] });
    await events.publish([rejection({ time: now, ...(typeof body === 'object' && body) }, translation.reason)]);
  } else if (translation.kind === 'events' && translation.events.length) {
    await events.publish(
      translation.events.map((line) => ({ source: line.source, detailType: line['detail-type'], time: line.time, detail: line.detail, resources: [originResource('woocommerce')] })),
    );
  }
  logger.info('webhook', { platform: 'woocommerce', topic: headers['x-wc-webhook-topic'], outcome: translation.kind });
  return json(200, { ok: true, outcome: translation.kind });
};

export const createHandler = (runtime: Runtime) => {
  const { customers, events, kpis, story } = storeAdapters(runtime);
  const app = linksApp({
    config: runtime.config,
    customers,
    events,
    kpis,
    story,
    responses: dynamoNpsResponses(runtime.dynamo, runtime.tableName, runtime.config.records),
    suppressions: dynamoSuppressions(runtime.dynamo, runtime.tableName),
    keyring: runtime.keyring,
    shopName: runtime.config.shop.name,
    wooCommerceSecret: runtime.wooCommerceSecret,
    settings: async () => (await runtime.content.current()).config,
  });
  return middy(app).use(injectLambdaContext(logger)).use(logMetrics(metrics));
};

export const handler = lambdaHandler(createHandler, wiring.links);
