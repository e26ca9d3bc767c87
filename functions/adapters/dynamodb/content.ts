/**
 * The studio's content in the single table (functions/content/content.ts):
 * - `CONTENT` / `PUBLISHED`           the published version: its files and compiled templates by hash
 * - `CONTENT#VERSION` / `<version>`   every version published, the same (zero-padded, so newest sorts last)
 * - `CONTENT#TEXT` / `<sha256>`       a text, stored once whatever number of versions hold it
 * - `CONTENT#DRAFT` / `<path>`        a file as an editor saved it
 * - `CONTENT#AUDIT` / `<at>#<what>`   who did what and when
 * Only the studio's function may write these (the stack denies the others).
 *
 * Publishing is one conditional write of the `PUBLISHED` item (DynamoDB
 * Local's stand-in has no transactions, and none is needed): the history,
 * the audit and the removal of the drafts follow, each safe to repeat, and a
 * retry finishes what a crash left.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, type BatchGetCommandOutput, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hashOf, type AuditEntry, type ContentStore, type ContentVersion, type Draft } from '../../content/content';
import { ignoreConditionFailure } from './customers';
import { batchWrite } from './table';

const published = { pk: 'CONTENT', sk: 'PUBLISHED' };
const versionKey = (version: number) => ({ pk: 'CONTENT#VERSION', sk: String(version).padStart(10, '0') });
const textKey = (hash: string) => ({ pk: 'CONTENT#TEXT', sk: hash });
const draftKey = (path: string) => ({ pk: 'CONTENT#DRAFT', sk: path });
/** The same action retried writes the same entry. */
const auditKey = (entry: AuditEntry) => ({ pk: 'CONTENT#AUDIT', sk: `${entry.at}#${entry.action}#${entry.path ?? entry.version ?? ''}` });

const strip = <T>({ pk: _pk, sk: _sk, ...rest }: Record<string, unknown>) => rest as T;

export const dynamoContentStore = (client: DynamoDBDocumentClient, tableName: string): ContentStore => {
  const latest = async <T>(pk: string, limit: number) => {
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items.map((item) => strip<T>(item));
  };

  return {
    async published() {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: published }));
      return Item && strip<ContentVersion>(Item);
    },

    async version(version) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: versionKey(version) }));
      if (Item) return strip<ContentVersion>(Item);
      // Published, and its history item not yet written (a crash in between): the published item holds it.
      const current = await this.published();
      return current?.version === version ? current : undefined;
    },

    versions: (limit) => latest<ContentVersion>('CONTENT#VERSION', limit),

    async texts(hashes) {
      const found = new Map<string, string>();
      const wanted = [...new Set(hashes)];
      // BatchGetItem takes 100 keys; what DynamoDB leaves unprocessed (throttled) is asked again.
      for (let start = 0; start < wanted.length; start += 100) {
        let keys: Record<string, unknown>[] | undefined = wanted.slice(start, start + 100).map(textKey);
        for (let attempt = 0; keys?.length; attempt++) {
          if (attempt) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
          const answer: BatchGetCommandOutput = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: keys } } }));
          for (const item of answer.Responses?.[tableName] ?? []) found.set(item.sk as string, item.text as string);
          keys = answer.UnprocessedKeys?.[tableName]?.Keys;
        }
      }
      return found;
    },

    putTexts: (texts) =>
      batchWrite(
        client,
        tableName,
        [...new Set(texts)].map((text) => ({ PutRequest: { Item: { ...textKey(hashOf(text)), text } } })),
      ),

    async drafts() {
      const drafts: Draft[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'CONTENT#DRAFT' }, ExclusiveStartKey }),
        );
        for (const item of page.Items ?? []) drafts.push({ path: item.sk as string, text: (item.text as string | undefined) ?? null, savedAt: item.savedAt as string, by: item.by as string });
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return drafts;
    },

    async saveDraft(draft) {
      const entry: AuditEntry = { at: draft.savedAt, by: draft.by, action: draft.text === null ? 'remove' : 'save', path: draft.path };
      // A removal is a draft without a text.
      await client.send(new PutCommand({ TableName: tableName, Item: { ...draftKey(draft.path), ...(draft.text !== null && { text: draft.text }), savedAt: draft.savedAt, by: draft.by } }));
      await client.send(new PutCommand({ TableName: tableName, Item: { ...auditKey(entry), ...entry } }));
    },

    async commit(version, previous, drafts, audit) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...published, ...version },
            ConditionExpression: previous === 0 ? 'attribute_not_exists(pk)' : 'version = :previous',
            ...(previous !== 0 && { ExpressionAttributeValues: { ':previous': previous } }),
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Our own commit whose answer was lost is committed (and finished below); anyone else's is a conflict.
        if ((await this.published())?.publishId !== version.publishId) return 'conflict';
      }
      await client.send(new PutCommand({ TableName: tableName, Item: { ...versionKey(version.version), ...version } }));
      await client.send(new PutCommand({ TableName: tableName, Item: { ...auditKey(audit), ...audit } }));
      // A draft saved again since the publish read it stays a draft.
      for (const draft of drafts) {
        await ignoreConditionFailure(
          client.send(
            new DeleteCommand({
              TableName: tableName,
              Key: draftKey(draft.path),
              ConditionExpression: 'savedAt = :savedAt',
              ExpressionAttributeValues: { ':savedAt': draft.savedAt },
            }),
          ),
        );
      }
      return 'committed';
    },

    audit: (limit) => latest<AuditEntry>('CONTENT#AUDIT', limit),
  };
};
