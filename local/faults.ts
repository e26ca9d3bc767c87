/**
 * Faults on demand (docs/design.md §6 `--faults`): the local stack fails the way AWS
 * fails, so that exactly-once can be shown rather than argued.
 *
 * - A service call fails *before* the service saw it (connection refused),
 *   is *throttled* (the service refused it: nothing applied), or fails
 *   *after* it was applied (a 500, a reset connection or a timeout instead of
 *   the answer). Injected in the SDK client's HTTP handler, so the SDK's own
 *   retry strategy meets them exactly as it would on AWS.
 * - An invocation is *killed* mid-way, as a Lambda timeout or crash kills it:
 *   at one of its calls (before or after the call is applied), or after its
 *   last one, before it could answer. Code between two calls has no effect
 *   outside the process, so killing at a call covers every point that
 *   matters. From then on every call of that invocation fails and the
 *   invocation is reported failed, whatever its code goes on to do.
 *   Telling an invocation's calls apart takes AsyncLocalStorage, whose promise
 *   hooks slow every promise of the process under Node 20 (an order's ingest
 *   by about a tenth): it is on only when crashes are injected. Without, an
 *   invocation past its timeout is reported failed, and its code, which Lambda
 *   would stop, goes on (the virtual clock stands still, so only a handler
 *   busy for its whole timeout in real time gets there).
 *
 * Spec: `ses=0.2,dynamodb=0.05,crash=0.01` (each service call fails at that
 * rate, in a kind drawn evenly), or one kind: `dynamodb.after=0.1`,
 * `ses.throttle=0.5`. Services: `ses`, `dynamodb`, `events` (PutEvents),
 * `sqs`. Random draws come from a seeded generator: a run is repeatable.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Readable } from 'node:stream';
import { HttpResponse, type HttpRequest } from '@smithy/core/transport';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandler } from '@smithy/core/protocols';
import type { HttpHandlerOptions } from '@smithy/types';
import { seededRandom } from './synthetic';

export const faultServices = ['ses', 'dynamodb', 'events', 'sqs'] as const;
export type FaultService = (typeof faultServices)[number];
export const callFaultKinds = ['before', 'throttle', 'after'] as const;
export type CallFaultKind = (typeof callFaultKinds)[number];

export type FaultRates = Partial<Record<`${FaultService}.${CallFaultKind}` | 'crash', number>>;

/** Parses `ses=0.2,dynamodb.after=0.1,crash=0.01`; throws a one-line reason naming the bad part. */
export const parseFaults = (spec: string): FaultRates => {
  const rates: FaultRates = {};
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^([a-z0-9]+)(?:\.([a-z0-9]+))?=([0-9.]+)$/.exec(part);
    if (!match) throw new Error(`--faults: '${part}' is not NAME=RATE (e.g. ses=0.2, dynamodb.after=0.1, crash=0.01)`);
    const [, name, kind, value] = match as unknown as [string, string, string | undefined, string];
    const rate = Number(value);
    if (!(rate >= 0 && rate <= 1)) throw new Error(`--faults: ${name}${kind ? `.${kind}` : ''}: the rate must be between 0 and 1, not ${value}`);
    if (name === 'crash') {
      if (kind) throw new Error(`--faults: crash has no kinds ('${part}')`);
      rates.crash = rate;
      continue;
    }
    if (!(faultServices as readonly string[]).includes(name)) {
      throw new Error(`--faults: unknown service '${name}' (one of ${faultServices.join(', ')}, or crash)`);
    }
    if (kind && !(callFaultKinds as readonly string[]).includes(kind)) {
      throw new Error(`--faults: unknown kind '${kind}' of ${name} (one of ${callFaultKinds.join(', ')})`);
    }
    // A service's rate without a kind is spread evenly over the kinds.
    for (const k of kind ? [kind] : callFaultKinds) rates[`${name}.${k}` as `${FaultService}.${CallFaultKind}`] = kind ? rate : rate / callFaultKinds.length;
  }
  return rates;
};

/** Thrown into an invocation that was killed (an injected crash, or its timeout). */
export class InvocationKilled extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvocationKilled';
  }
}

interface Invocation {
  /** Chosen to be killed. */
  doomed: boolean;
  killed?: InvocationKilled;
  onKill?: (killed: InvocationKilled) => void;
}

/** The error each service answers a throttled call with, in its own protocol. */
const throttles: Record<FaultService, { status: number; type: string; protocol: 'json' | 'rest' | 'query' }> = {
  dynamodb: { status: 400, type: 'com.amazonaws.dynamodb.v20120810#ThrottlingException', protocol: 'json' },
  events: { status: 400, type: 'ThrottlingException', protocol: 'json' },
  sqs: { status: 400, type: 'com.amazonaws.sqs#RequestThrottled', protocol: 'json' },
  ses: { status: 429, type: 'TooManyRequestsException', protocol: 'rest' },
};

const errorResponse = (status: number, type: string, message: string) =>
  new HttpResponse({
    statusCode: status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': type },
    body: Readable.from([Buffer.from(JSON.stringify({ __type: type, message }))]),
  });

const networkError = (code: 'ECONNREFUSED' | 'ECONNRESET' | 'ETIMEDOUT', message: string) =>
  Object.assign(new Error(message), { code, name: code === 'ETIMEDOUT' ? 'TimeoutError' : 'Error' });

const drain = async (body: unknown) => {
  if (body instanceof Readable) for await (const _ of body);
};

export class FaultInjector {
  readonly injected: Record<string, number> = {};
  private readonly random: () => number;
  private readonly invocations = new AsyncLocalStorage<Invocation>();

  constructor(
    readonly rates: FaultRates,
    seed = 1,
  ) {
    this.random = seededRandom(seed);
  }

  /** Its stack closed: AsyncLocalStorage, once run, stays on with its promise hooks until disabled (a later run turns it on again). */
  close() {
    this.invocations.disable();
  }

  get active() {
    return Object.values(this.rates).some((rate) => rate > 0);
  }

  private count(what: string) {
    this.injected[what] = (this.injected[what] ?? 0) + 1;
  }

  /** An SDK request handler for `service` that fails the calls it passes to `real` at the configured rates. */
  requestHandler(service: FaultService, real: Pick<HttpHandler, 'handle' | 'destroy' | 'metadata'> = new NodeHttpHandler()): HttpHandler {
    const injector = this;
    return {
      metadata: real.metadata,
      destroy: () => real.destroy?.(),
      updateHttpClientConfig: () => undefined,
      httpHandlerConfigs: () => ({}),
      async handle(request: HttpRequest, options?: HttpHandlerOptions) {
        const invocation = injector.invocations.getStore();
        if (invocation?.killed) throw invocation.killed;
        const crash = invocation?.doomed && injector.random() < 0.3 ? (injector.random() < 0.5 ? 'before' : 'after') : undefined;
        if (crash === 'before') throw injector.kill(invocation!, `before a ${service} call`);
        const kind = injector.drawCallFault(service);
        if (kind === 'before') throw networkError('ECONNREFUSED', `connect ECONNREFUSED (injected ${service} fault)`);
        if (kind === 'throttle') {
          const { status, type } = throttles[service];
          return { response: errorResponse(status, type, `Rate exceeded (injected ${service} fault)`) };
        }
        const answer = await real.handle(request, options);
        if (crash === 'after') {
          await drain(answer.response.body);
          throw injector.kill(invocation!, `after a ${service} call was applied`);
        }
        if (kind === 'after') {
          // Applied, then the answer is lost: a 500, a reset connection or a timeout.
          await drain(answer.response.body);
          const how = injector.random();
          if (how < 1 / 3) return { response: errorResponse(500, service === 'dynamodb' ? 'com.amazonaws.dynamodb.v20120810#InternalServerError' : 'InternalFailure', `Internal error (injected ${service} fault)`) };
          throw networkError(how < 2 / 3 ? 'ECONNRESET' : 'ETIMEDOUT', `${how < 2 / 3 ? 'socket hang up' : 'request timed out'} (injected ${service} fault after the call was applied)`);
        }
        return answer;
      },
    };
  }

  private drawCallFault(service: FaultService): CallFaultKind | undefined {
    for (const kind of callFaultKinds) {
      const rate = this.rates[`${service}.${kind}`];
      if (rate && this.random() < rate) {
        this.count(`${service}.${kind}`);
        return kind;
      }
    }
    return undefined;
  }

  private kill(invocation: Invocation, where: string) {
    invocation.killed = new InvocationKilled(`invocation killed (injected crash ${where})`);
    this.count('crash');
    invocation.onKill?.(invocation.killed);
    return invocation.killed;
  }

  /**
   * Runs one Lambda invocation: cut off past its timeout, as Lambda cuts it
   * off; a doomed one is killed at one of its calls, or after its last one.
   * Either way it then fails, whatever its code goes on to do.
   */
  async invoke<T>(run: () => Promise<T>, timeoutSeconds: number): Promise<T> {
    const invocation: Invocation = { doomed: !!this.rates.crash && this.random() < this.rates.crash };
    const killed = new Promise<never>((_, reject) => (invocation.onKill = reject));
    killed.catch(() => undefined);
    const timer = setTimeout(() => {
      invocation.killed = new InvocationKilled(`Task timed out after ${timeoutSeconds} seconds`);
      invocation.onKill?.(invocation.killed);
    }, timeoutSeconds * 1000);
    timer.unref();
    try {
      const running = this.rates.crash ? this.invocations.run(invocation, run) : run();
      const result = await Promise.race([running.catch((error) => Promise.reject(invocation.killed ?? error)), killed]);
      // It got through every call: killed after its last one, before it could answer.
      if (invocation.doomed) throw invocation.killed ?? this.kill(invocation, 'after its last call');
      return result;
    } finally {
      clearTimeout(timer);
    }
  }
}
