/**
 * The DynamoDB document client. Every call asks DynamoDB for the capacity it
 * consumed and adds it to a meter, so a simulation (and a benchmark) reports
 * read and write units as DynamoDB itself reported them, and the calls made.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { withoutLogger } from '../sdk-client';

export interface CapacityMeter {
  readUnits: number;
  writeUnits: number;
  /** Calls by command (`GetItemCommand`...), counted once however often the SDK retried them; counted when present. */
  calls?: Record<string, number>;
}

const readOperations = new Set(['GetItemCommand', 'QueryCommand', 'ScanCommand', 'BatchGetItemCommand']);

type ConsumedCapacity = { CapacityUnits?: number };

export const createDocumentClient = (config: DynamoDBClientConfig, meter?: CapacityMeter): DynamoDBDocumentClient => {
  const client = withoutLogger(new DynamoDBClient(config));
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
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
};
