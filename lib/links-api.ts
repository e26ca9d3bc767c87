/**
 * The HTTP APIs of the wiring table's `http` triggers (docs/design.md §7): an API Gateway
 * HTTP API takes the routes of every function wired to it, a route per wired
 * route, throttled as wired, with access logs. The functions are invoked
 * synchronously (payload format 2.0), so there is no retry and no dead-letter
 * queue: the caller sees the answer, or the error.
 * - `LinksApi`: the public links in emails, the triggers without `signIn`;
 * - the studio's API (lib/studio.ts): the triggers with `signIn: 'studio'`,
 *   every route behind the studio's JWT authorizer.
 */
import { Lazy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

/** The `http` trigger of a wiring entry (functions/wiring.ts). */
export interface HttpTrigger {
  /** `"<METHOD> <path>"`, e.g. `"GET /nps"`. */
  readonly routes: readonly string[];
  readonly throttle: { readonly ratePerSecond: number; readonly burst: number };
  /** Only for the studio's signed-in users: the studio's API, never the public one. */
  readonly signIn?: 'studio';
}

/** `'GET /nps'` → `{ method: GET, path: '/nps' }`; anything else is a wiring error. */
export const parseRoute = (route: string): { method: apigwv2.HttpMethod; path: string } => {
  const match = /^([A-Z]+) (\/\S*)$/.exec(route);
  const method = match?.[1] as apigwv2.HttpMethod | undefined;
  if (!match || !method || !Object.values(apigwv2.HttpMethod).includes(method) || method === apigwv2.HttpMethod.ANY) {
    throw new Error(`http route "${route}": expected "<METHOD> /<path>", e.g. "GET /nps"`);
  }
  return { method, path: match[2]! };
};

/**
 * What an access log line holds: enough to trace a request and see throttling
 * (`errorType: THROTTLED`). `$context.path` and `routeKey` carry no query
 * string, so the signed tokens in the links are not written to the log.
 */
const accessLogFormat = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    errorType: '$context.error.responseType',
  }),
);

export interface LinksApiProps {
  /**
   * How long the access logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

export interface WiredHttpApiProps extends LinksApiProps {
  /** The API's name is `<stack name>-<name>`. */
  readonly name: string;
  readonly description: string;
  /**
   * Whose API it is: the `http` triggers with this `signIn` are routed to it,
   * each route behind `authorizer`; without, the public triggers, each route
   * open (the function authenticates what it must, e.g. signed links).
   *
   * @default - public
   */
  readonly signIn?: { readonly kind: 'studio'; readonly authorizer: apigwv2.IHttpRouteAuthorizer };
}

/**
 * Construct ids (a contract): `Api` (the HTTP API, with `DefaultStage` and one
 * route per wired route, e.g. `GET--nps`, holding its integration
 * `<function>Integration` and Lambda permission, and with a sign-in its
 * authorizer) and `AccessLogs`.
 */
export class WiredHttpApi extends Construct {
  public readonly api: apigwv2.HttpApi;
  /** The `$default` stage: the root of the API's URL, throttled and access-logged. */
  public readonly stage: apigwv2.HttpStage;
  public readonly accessLogs: logs.LogGroup;
  /** Every route, by its wired key (`"GET /nps"`). */
  public readonly routes: Record<string, apigwv2.HttpRoute> = {};

  private readonly throttles: { routeKeys: string[]; throttle: HttpTrigger['throttle'] }[] = [];
  private readonly signIn: WiredHttpApiProps['signIn'];

  constructor(scope: Construct, id: string, props: WiredHttpApiProps) {
    super(scope, id);
    this.signIn = props.signIn;

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });

    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-${props.name}`,
      description: props.description,
      // The default stage HttpApi would create takes no throttle or access log settings.
      createDefaultStage: false,
    });
    this.stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      // The strictest wired throttle for every route; see `routeSettings` for the others.
      throttle: {
        rateLimit: Lazy.number({ produce: () => this.defaultThrottle().ratePerSecond }),
        burstLimit: Lazy.number({ produce: () => this.defaultThrottle().burst }),
      },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: accessLogFormat,
      },
    });
    // A function wired with a looser throttle than the default gets it on its own routes.
    (this.stage.node.defaultChild as apigwv2.CfnStage).routeSettings = Lazy.any({
      produce: () => {
        const fallback = this.defaultThrottle();
        const settings = Object.fromEntries(
          this.throttles
            .filter(({ throttle }) => throttle.ratePerSecond !== fallback.ratePerSecond || throttle.burst !== fallback.burst)
            .flatMap(({ routeKeys, throttle }) =>
              routeKeys.map((key) => [key, { ThrottlingRateLimit: throttle.ratePerSecond, ThrottlingBurstLimit: throttle.burst }]),
            ),
        );
        return Object.keys(settings).length > 0 ? settings : undefined;
      },
    });

    this.node.addValidation({
      validate: () => (this.throttles.length === 0 ? [`${id}: no function was added, the API would have no route`] : []),
    });
  }

  /**
   * Routes the wired `routes` to `fn` (Lambda proxy, payload format 2.0), each
   * allowed to invoke it on that route only, and throttles them as wired.
   * `name` is the function's wiring key.
   */
  public addFunction(name: string, fn: lambda.IFunction, trigger: HttpTrigger): apigwv2.HttpRoute[] {
    // A signed-in route on the public API would be open to anyone: refuse the mix-up either way.
    if (trigger.signIn !== this.signIn?.kind) {
      throw new Error(
        `${name}: an http trigger ${trigger.signIn ? `with signIn '${trigger.signIn}'` : 'without signIn'} does not belong on ${this.node.path}`,
      );
    }
    const integration = new HttpLambdaIntegration(`${name}Integration`, fn);
    const keys: string[] = [];
    const routes = trigger.routes.map((wired) => {
      const { method, path } = parseRoute(wired);
      const key = `${method} ${path}`;
      keys.push(key);
      if (this.routes[key]) throw new Error(`${name}: http route "${key}" is already wired to another function`);
      const [route] = this.api.addRoutes({ path, methods: [method], integration, authorizer: this.signIn?.authorizer });
      if (!this.signIn) {
        acknowledge(
          route!,
          'APIG4',
          'The links in emails are public by design: the recipient clicks them without an account. Each request is authenticated by its HMAC-signed, expiring token, which the function verifies before acting.',
        );
      }
      this.routes[key] = route!;
      return route!;
    });
    this.throttles.push({ routeKeys: keys, throttle: trigger.throttle });
    return routes;
  }

  /** The URL of the stage, ending in `/`. */
  public get url(): string {
    return this.stage.url;
  }

  private defaultThrottle(): HttpTrigger['throttle'] {
    const throttles = this.throttles.map(({ throttle }) => throttle);
    if (throttles.length === 0) return { ratePerSecond: 0, burst: 0 };
    return {
      ratePerSecond: Math.min(...throttles.map((t) => t.ratePerSecond)),
      burst: Math.min(...throttles.map((t) => t.burst)),
    };
  }
}

/** The public links in emails: the wired routes without `signIn`. Ids as `WiredHttpApi`'s. */
export class LinksApi extends WiredHttpApi {
  constructor(scope: Construct, id: string, props: LinksApiProps = {}) {
    super(scope, id, { ...props, name: 'links', description: 'Public links in retention emails (NPS scores and comments)' });
  }
}
