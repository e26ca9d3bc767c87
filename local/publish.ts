/** `retention publish FILE`: puts events (NDJSON, or a JSON array) on the running local bus through PutEvents. */
import { readFile } from 'node:fs/promises';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { localCredentials, localRegion } from './dynamodb';
import { readInput } from './simulate';

export const publish = async (file: string, busUrl: string) => {
  const content = (await readFile(file, 'utf8')).trim();
  const lines = content.startsWith('[') ? (JSON.parse(content) as unknown[]).map((e) => JSON.stringify(e)).join('\n') : content;
  const { lines: valid, rejected } = readInput(lines);
  const client = new EventBridgeClient({ endpoint: busUrl, region: localRegion, credentials: localCredentials });
  let published = 0;
  try {
    for (const { value } of valid) {
      if ('recipient' in value) {
        rejected.push({ at: '', reason: 'recipient actions only run in `retention simulate`', event: value });
        continue;
      }
      const { FailedEntryCount, Entries } = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: 'retention',
              Source: value.source,
              DetailType: value['detail-type'],
              Detail: JSON.stringify(value.detail),
              Time: new Date(value.time),
            },
          ],
        }),
      );
      if (FailedEntryCount) rejected.push({ at: '', reason: Entries?.[0]?.ErrorMessage ?? 'rejected', event: value });
      else published++;
    }
  } finally {
    client.destroy();
  }
  return { published, rejected };
};
