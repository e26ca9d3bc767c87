/**
 * The SDK's handler cache for the engine's SES, EventBridge and SQS clients: each call
 * runs the middleware chain built at its command's first call, instead of copying,
 * sorting and chaining the client's middleware afresh (docs/design.md §6). The DynamoDB
 * document client refuses it and keeps its own (./dynamodb/client.ts). Their middleware
 * is set when they are made, before any call (the SDK ignores a change after the first).
 */
export const cachedHandlers = { cacheMiddleware: true } as const;

/**
 * What the engine's SDK clients for DynamoDB, SES, EventBridge and SQS share. The engine gives the SDK no logger, yet the SDK's logger
 * middleware still filters each call's input and output for one (a Query's items included): removed, it
 * saves that work on every call, on Lambda as locally.
 */
export const withoutLogger = <C extends { middlewareStack: { remove(name: string): boolean } }>(client: C): C => {
  client.middlewareStack.remove('loggerMiddleware');
  return client;
};
