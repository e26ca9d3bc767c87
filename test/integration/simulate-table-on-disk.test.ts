/**
 * docs/design.md §6: a run whose input names more customers than `tableInMemoryUpTo` keeps its table in
 * `OUT/data` from the start rather than in memory. It sends the same emails, sums up the same, and leaves the
 * same data for `retention explain`.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { explain } from '../../local/customer-record';
import { simulate } from '../../local/simulate';
import { orderDelivered, orderPlaced, upsert } from './run-simulation';

const config = parseConfig({});
const input = [
  upsert('2026-03-01T00:00:00Z', { customerId: 'ana', email: 'ana@example.com', timeZone: 'UTC', birthday: '1990-03-10', locale: 'en' }),
  upsert('2026-03-01T00:00:00Z', { customerId: 'budi', email: 'budi@example.com', timeZone: 'Asia/Kuala_Lumpur', locale: 'ms' }),
  orderPlaced('2026-03-02T12:00:00Z', 'budi', 'b1'),
  orderDelivered('2026-03-05T12:00:00Z', 'budi', 'b1'),
];

const run = async (tableInMemoryUpTo?: number) => {
  const dir = await mkdtemp(join(tmpdir(), 'retention-table-'));
  const file = join(dir, 'input.ndjson');
  await writeFile(file, input.map((line) => JSON.stringify(line)).join('\n') + '\n');
  const out = join(dir, 'out');
  await simulate({ input: file, from: new Date('2026-03-01T00:00:00Z'), to: new Date('2026-03-20T00:00:00Z'), out, config, tableInMemoryUpTo });
  const emails = (await readFile(join(out, 'emails.ndjson'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const { messageId: _id, headers: _headers, html: _html, text: _text, ...email } = JSON.parse(line) as Record<string, unknown>;
      return email;
    });
  const summary = JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')) as { dynamodb: { table: string } } & Record<string, unknown>;
  // One at a time: each opens the data folder, which LevelDB lets one open hold.
  const stories = [];
  // SES's message ids differ from run to run.
  for (const id of ['ana', 'budi']) stories.push((await explain(id, { kind: 'data', dir: out }, config)).text.replace(/ses-\d+/g, 'ses-…'));
  return { emails, summary, stories };
};

describe('a table kept on disk from the start', () => {
  let inMemory: Awaited<ReturnType<typeof run>>;
  let onDisk: Awaited<ReturnType<typeof run>>;
  beforeAll(async () => {
    [inMemory, onDisk] = [await run(), await run(1)];
  }, 120_000);

  it('sends the emails of the run that kept it in memory', () => {
    expect(inMemory.emails.map((e) => `${e.customerId} ${e.campaign}`)).toEqual(['ana birthday', 'budi nps']);
    expect(onDisk.emails).toEqual(inMemory.emails);
  });

  it('says where each kept it, and sums up the same', () => {
    expect([inMemory.summary.dynamodb.table, onDisk.summary.dynamodb.table]).toEqual(['memory', 'disk']);
    expect({ ...onDisk.summary, dynamodb: { ...onDisk.summary.dynamodb, table: 'memory' } }).toEqual(inMemory.summary);
  });

  it('leaves in OUT/data what explain reads, as the saved table does', () => {
    expect(onDisk.stories[0]).toMatch(/birthday email sent/);
    expect(onDisk.stories).toEqual(inMemory.stories);
  });
});
