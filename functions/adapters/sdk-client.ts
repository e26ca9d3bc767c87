import { getSchemaSerdePlugin } from '@smithy/core/schema';

/**
 * The SDK's handler cache for the engine's SES, EventBridge and SQS clients: each call
 * runs the middleware chain built at its command's first call, instead of copying,
 * sorting and chaining the client's middleware afresh (docs/design.md §6). The DynamoDB
 * document client refuses it and keeps its own (./dynamodb/client.ts). Their middleware
 * is set when they are made, before any call (the SDK ignores a change after the first).
 */
export const cachedHandlers = { cacheMiddleware: true } as const;

interface SdkClient {
  config: object;
  middlewareStack: { remove(name: string): boolean; use(plugin: ReturnType<typeof getSchemaSerdePlugin>): void };
}

/** Each copy's original: the SDK's own configuration, whose accessors keep their state (the credentials' provider). */
const originals = new WeakMap<object, Record<string, unknown>>();
/** One accessor pair per setting name, shared by every copy, that reads and writes the original's. */
const delegates = new Map<string, PropertyDescriptor>();
const delegate = (name: string): PropertyDescriptor => {
  let pair = delegates.get(name);
  if (!pair) {
    pair = {
      get(this: object) {
        return originals.get(this)![name];
      },
      set(this: object, value: unknown) {
        originals.get(this)![name] = value;
      },
      enumerable: true,
      configurable: true,
    };
    delegates.set(name, pair);
  }
  return pair;
};

/**
 * What the engine's SDK clients for DynamoDB, SES, EventBridge and SQS share, on Lambda as locally (docs/design.md §6):
 * - No logger middleware. The engine gives the SDK no logger, yet that middleware still filters each call's input
 *   and output for one (a Query's items included).
 * - Their configuration as a plain object made at once: the SDK builds it setting by setting, V8 then keeps it as
 *   a hash table, and three of its middleware copy all of it at every call, ten times slower from such a table.
 *   Its accessors (the SDK's `credentials`, with functions of each client's own) are the shared `delegate`s: V8
 *   made a hash table again of any copy whose settings came in the order of an earlier one's, with other accessors.
 *   The serialiser's and deserialiser's middleware, made with the first object, are made again with the copy; the
 *   endpoint's is made per command, from the client's configuration.
 */
export const engineClient = <C extends SdkClient>(client: C): C => {
  client.middlewareStack.remove('loggerMiddleware');
  const descriptors = Object.getOwnPropertyDescriptors(client.config);
  for (const [name, descriptor] of Object.entries(descriptors)) if (descriptor.get || descriptor.set) descriptors[name] = delegate(name);
  const config = Object.defineProperties({}, descriptors);
  originals.set(config, client.config as Record<string, unknown>);
  client.config = config;
  client.middlewareStack.use(getSchemaSerdePlugin(config as Parameters<typeof getSchemaSerdePlugin>[0]));
  return client;
};
