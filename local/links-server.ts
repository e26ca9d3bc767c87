/**
 * The public links, served locally: each HTTP request becomes the API Gateway
 * HTTP API (payload v2) event the function gets on AWS, stamped with the bus
 * clock, and the function's result becomes the response.
 */
import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { listening } from './ports';

/** API Gateway refuses payloads over 10 MB; the handler sets its own, smaller limits. */
const maxRequestBytes = 10 * 1024 * 1024;

export type HttpInvoke = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

export const toHttpEvent = (method: string, url: URL, headers: Record<string, string>, body: Buffer, now: Date): APIGatewayProxyEventV2 => {
  // Text as text; anything else, bytes that are not UTF-8 included, base64-encoded so the function sees them as sent.
  const text = /^(text\/|application\/(x-www-form-urlencoded|json))/.test(headers['content-type'] ?? '') && isUtf8(body);
  const query = Object.fromEntries(url.searchParams);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search && { queryStringParameters: query }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: url.host,
      domainPrefix: url.hostname.split('.')[0]!,
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length && { body: text ? body.toString('utf8') : body.toString('base64') }),
    isBase64Encoded: body.length > 0 && !text,
  };
};

/**
 * A request API Gateway would refuse (a Host or target no URL can be made of,
 * a body past its limit) gets a 4xx and never reaches the function; only a
 * function that fails answers 502.
 */
export const startLinksServer = async (invoke: HttpInvoke, now: () => Date, options: { port?: number; host?: string } = {}) => {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const refuse = (status: number, body = '') => {
      if (!response.headersSent) response.writeHead(status).end(body);
    };
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxRequestBytes) chunks.push(chunk);
    });
    request.on('error', () => refuse(400));
    request.on('end', async () => {
      if (size > maxRequestBytes) return refuse(413);
      let event: APIGatewayProxyEventV2;
      try {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
        const url = new URL(request.url ?? '/', `http://${request.headers.host ?? host}`);
        event = toHttpEvent(request.method ?? 'GET', url, headers, Buffer.concat(chunks), now());
      } catch {
        return refuse(400);
      }
      try {
        const result = await invoke(event);
        response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
        response.end(result.body ?? '');
      } catch {
        refuse(502, 'function error');
      }
    });
  });
  await listening(server, options.port ?? 0, host);
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
