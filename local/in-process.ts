/**
 * The SDK's requests to the local services without a socket: an SDK request
 * handler that hands each HTTP request, as the SDK signed and serialised it,
 * to the service's own Node request listener in this process, and gives the
 * SDK back the status, headers and body that listener wrote. The services see
 * the same requests as over TCP (dynalite still parses, validates and checks
 * the signature's presence); what goes is the cost of sockets and of Node's
 * HTTP client and server, a third of the CPU of a simulation (BENCHMARKS.md).
 *
 * The listeners here read the body through `data`/`end` events and answer
 * with `setHeader`/`writeHead`/`write`/`end`: that is all this emulates.
 */
import type { IncomingHttpHeaders, RequestListener } from 'node:http';
import { Readable } from 'node:stream';
import { HttpResponse, type HttpRequest } from '@smithy/core/transport';
import type { HttpHandler } from '@smithy/core/protocols';

type Listener = RequestListener | ((request: never, response: never) => void);

const requestOf = (request: HttpRequest) => {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
  const query = Object.entries(request.query ?? {})
    .flatMap(([name, value]) => [value ?? ''].flat().map((v) => `${encodeURIComponent(name)}=${encodeURIComponent(v ?? '')}`))
    .join('&');
  const { body } = request as { body?: string | Uint8Array };
  // A Uint8Array body is the SDK's own, wrapped: copy its bytes rather than ask it for a string.
  const bytes = body === undefined || body === null ? undefined : typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const stream = new Readable({ read() {} });
  if (bytes?.length) stream.push(bytes);
  stream.push(null);
  return Object.assign(stream, { method: request.method, url: `${request.path}${query ? `?${query}` : ''}`, headers });
};

/** What a listener writes: enough of `ServerResponse` for the local services. */
const responseTo = (resolve: (response: HttpResponse) => void) => {
  const headers: Record<string, string> = {};
  const chunks: Buffer[] = [];
  const setHeaders = (more: Record<string, unknown> = {}) => {
    for (const [name, value] of Object.entries(more)) headers[name.toLowerCase()] = String(value);
  };
  const response = {
    statusCode: 200,
    setHeader: (name: string, value: unknown) => setHeaders({ [name]: value }),
    writeHead(status: number, more?: Record<string, unknown>) {
      response.statusCode = status;
      setHeaders(more);
      return response;
    },
    write(chunk: string | Uint8Array) {
      chunks.push(Buffer.from(chunk));
      return true;
    },
    end(chunk?: string | Uint8Array) {
      if (chunk !== undefined) chunks.push(Buffer.from(chunk));
      resolve(new HttpResponse({ statusCode: response.statusCode, headers, body: Buffer.concat(chunks) }));
      return response;
    },
  };
  return response;
};

/** An SDK `requestHandler` that serves every request with `listener`, in this process. */
export const inProcess = (listener: Listener): HttpHandler<object> => ({
  metadata: { handlerProtocol: 'http/1.1' },
  handle: (request: HttpRequest) =>
    new Promise((resolve, reject) => {
      try {
        (listener as RequestListener)(requestOf(request) as never, responseTo((response) => resolve({ response })) as never);
      } catch (error) {
        reject(error);
      }
    }),
  destroy: () => undefined,
  updateHttpClientConfig: () => undefined,
  httpHandlerConfigs: () => ({}),
});

/**
 * The SDK's signer for the local services: no local service checks a signature
 * (dynalite checks that the Authorization header is there and well formed, as
 * AWS does before anything else; aws-ses-v2-local, that it is AWS's), so the
 * header is written as SigV4 writes it, without the four HMACs a real one
 * costs (a tenth of every local call's CPU).
 */
export const localSigner = (service: string) => ({
  sign: async <R extends { headers: Record<string, string> }>(request: R) => {
    const date = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    request.headers['x-amz-date'] = date;
    request.headers.authorization = `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/local-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=local`;
    return request;
  },
});

/**
 * What the SDK adds to every request for a socket or for AWS's sake and no local
 * service needs, removed from the local clients: the user agent (AWS's statistics
 * of SDK versions and features, a fifth of a local call's CPU, built afresh each
 * call), the Lambda trace header, and the Host and Content-Length headers a socket
 * needs (every local listener reads the body to its end).
 * Kept: the signature, retries, serialisation and endpoints.
 */
export const forLocalServices = <C extends { middlewareStack: { remove(name: string): boolean } }>(client: C): C => {
  for (const name of ['getUserAgentMiddleware', 'recursionDetectionMiddleware', 'hostHeaderMiddleware', 'contentLengthMiddleware']) client.middlewareStack.remove(name);
  return client;
};
