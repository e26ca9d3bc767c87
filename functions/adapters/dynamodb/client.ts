/**
 * The DynamoDB document client. Every call asks DynamoDB for the capacity it
 * consumed and adds it to a meter, so a simulation (and a benchmark) reports
 * read and write units as DynamoDB itself reported them, and the calls made.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, DynamoDBDocumentClientCommand } from '@aws-sdk/lib-dynamodb';
import { engineClient } from '../sdk-client';

export interface CapacityMeter {
  readUnits: number;
  writeUnits: number;
  /** Calls by command (`GetItemCommand`...), counted once however often the SDK retried them; counted when present. */
  calls?: Record<string, number>;
}

const readOperations = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);

type ConsumedCapacity = { CapacityUnits?: number };

export const createDocumentClient = (config: DynamoDBClientConfig, meter?: CapacityMeter): DynamoDBDocumentClient => {
  const client = engineClient(new DynamoDBClient(config));
  if (meter) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const command = context.commandName ?? 'unknown';
        if (meter.calls) meter.calls[command] = (meter.calls[command] ?? 0) + 1;
        const input = args.input as Record<string, unknown>;
        input.ReturnConsumedCapacity ??= 'TOTAL';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] })
          .ConsumedCapacity;
        const units = [consumed ?? []].flat().reduce((sum, c) => sum + (c.CapacityUnits ?? 0), 0);
        if (readOperations.has(command)) meter.readUnits += units;
        else meter.writeUnits += units;
        return result;
      },
      { step: 'initialize', name: 'capacityMeter', priority: 'low' },
    );
  }
  return withHandlerCache(DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } }));
};

/** What a document command is made of: the DynamoDB command it stands for, and how it marshals (protected in the SDK's types). */
type DocumentCommand = DynamoDBDocumentClientCommand<object, object, object, object, object> & {
  clientCommand: DynamoDBDocumentClientCommand<object, object, object, object, object>;
  addMarshallingMiddleware(config: DynamoDBDocumentClient['config']): void;
};
type Handler = (command: object) => Promise<{ output: unknown }>;

/**
 * The SDK's handler cache (`cacheMiddleware`), for the document client, which refuses it:
 * the SDK resolves every call's middleware stack afresh (copied, sorted, a handler chain
 * built), a quarter of a local GetItem's CPU (docs/design.md §6). The chain depends only on the command's class, so
 * it is built at a class's first call and kept; every call runs it with its own command.
 * (The SDK's own cache cannot be used here: a document command's handler runs the command
 * it was resolved with, whatever command it is given.) Any change to the client's middleware
 * stack empties the cache, so a middleware added after a first call still applies.
 */
const withHandlerCache = (document: DynamoDBDocumentClient): DynamoDBDocumentClient => {
  const handlers = new Map<unknown, Handler>();
  const stack = document.middlewareStack as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const change of ['add', 'addRelativeTo', 'use', 'remove', 'removeByTag']) {
    const original = stack[change]!.bind(stack);
    stack[change] = (...args) => {
      handlers.clear();
      return original(...args);
    };
  }
  const send = document.send.bind(document);
  document.send = ((command: DocumentCommand, ...more: unknown[]) => {
    if (more.length || !(command instanceof DynamoDBDocumentClientCommand)) return (send as (...args: unknown[]) => unknown)(command, ...more);
    let handler = handlers.get(command.constructor);
    if (!handler) {
      command.addMarshallingMiddleware(document.config);
      handler = command.clientCommand.resolveMiddleware(document.middlewareStack.concat(command.middlewareStack as never) as never, document.config, undefined) as unknown as Handler;
      handlers.set(command.constructor, handler);
    }
    return handler(command.clientCommand).then((result) => result.output);
  }) as DynamoDBDocumentClient['send'];
  return document;
};
