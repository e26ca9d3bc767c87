/**
 * Lambda's Invoke API, locally, for the functions the wiring table has invoked
 * by others (an `invoke` trigger: MJML's, invoked by the studio's bundle,
 * test/infra/bundles.test.ts): `POST /2015-03-31/functions/<name>/invocations`
 * as the SDK's LambdaClient sends it, answered as Lambda answers a synchronous
 * (`RequestResponse`) invocation:
 * - the function's result as JSON, status 200;
 * - a function that throws: status 200 too, `X-Amz-Function-Error: Unhandled`,
 *   and `{ errorType, errorMessage }`;
 * - an unknown function: 404 `ResourceNotFoundException`; a payload that is
 *   not JSON: 400 `InvalidRequestContentException`; over 6 MB: 413.
 * The name may be the function's name or its ARN. Asynchronous (`Event`)
 * invocations are refused: nothing here needs them.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listening } from './ports';

/** A synchronous invocation's payload limit. */
const maxPayloadBytes = 6 * 1024 * 1024;

export class LocalLambda {
  private server?: Server;

  /** `functions`: each function's local name (`retention-<name>`) and how to invoke it. */
  constructor(
    private readonly functions: ReadonlyMap<string, (event: unknown) => Promise<unknown>>,
    private readonly region: string,
  ) {}

  readonly listener: RequestListener = (request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxPayloadBytes) chunks.push(chunk);
    });
    request.on('end', () => void this.answer(request, response, size > maxPayloadBytes ? undefined : Buffer.concat(chunks)));
  };

  private async answer(request: IncomingMessage, response: ServerResponse, body: Buffer | undefined) {
    const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': randomUUID(), ...headers });
      response.end(payload === undefined ? '' : JSON.stringify(payload));
    };
    const refuse = (status: number, type: string, message: string) => reply(status, { Type: 'User', Message: message }, { 'x-amzn-errortype': type });
    const path = /^\/2015-03-31\/functions\/([^/?]+)\/invocations(?:\?|$)/.exec(request.url ?? '');
    if (request.method !== 'POST' || !path) return refuse(404, 'UnknownOperationException', `no such operation: ${request.method} ${request.url}`);
    // A name, or an ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`).
    const named = decodeURIComponent(path[1]!);
    const name = /^arn:aws:lambda:[^:]*:\d*:function:([^:]+)/.exec(named)?.[1] ?? named;
    const invoke = this.functions.get(name);
    if (!invoke) return refuse(404, 'ResourceNotFoundException', `Function not found: arn:aws:lambda:${this.region}:000000000000:function:${name}`);
    const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (type === 'DryRun') return reply(204, undefined);
    if (type !== 'RequestResponse') return refuse(400, 'InvalidParameterValueException', `InvocationType ${type}: this local Lambda answers RequestResponse (and DryRun) only`);
    if (!body) return refuse(413, 'RequestTooLargeException', `Request must be smaller than ${maxPayloadBytes} bytes for the InvokeFunction operation`);
    let event: unknown;
    try {
      event = body.length ? JSON.parse(body.toString('utf8')) : {};
    } catch {
      return refuse(400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    const executed = { 'x-amz-executed-version': '$LATEST' };
    try {
      reply(200, (await invoke(event)) ?? null, executed);
    } catch (error) {
      const { name: errorType, message: errorMessage } = error instanceof Error ? error : { name: 'Error', message: String(error) };
      reply(200, { errorType, errorMessage }, { ...executed, 'x-amz-function-error': 'Unhandled' });
    }
  }

  /** Resolves to the endpoint URL (for `AWS_ENDPOINT_URL_LAMBDA`). */
  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = createServer(this.listener);
    await listening(this.server, port, host);
    return `http://${host}:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
