/**
 * dynalite's Query and Scan, reading their items without `lazy`. dynalite pipes a
 * read's items through a chain of `lazy` emitters (the stream, `takeWhile`, `join`),
 * each made of some twenty closures; and those outlived the young generation: about
 * 11 KB promoted by every Query, so every young collection copied them and the old
 * generation filled with them. An item-less Query's own work took 48 µs, 18 µs
 * without them, and an empty simulated hour of four such Queries 18 % less CPU
 * (BENCHMARKS.md).
 *
 * Here the same items are read from the same stream and the answer is made as
 * dynalite makes it (`queryTable` in dynalite/db/index.js: the same stop at `Limit`
 * or at 1 MB, the same filter, projection, `LastEvaluatedKey` and consumed
 * capacity), by a loop. The one path left to dynalite's own is a local index's
 * read of the table's items (`fetchFromItemDb`), which this table has none of.
 */
import { createRequire } from 'node:module';
// dynalite's store module loads memory-level: after its class is replaced.
import './memory-level';

type Item = Record<string, unknown>;
type Answer = (error: unknown, result?: object) => void;
type QueryTable = (store: Store, table: Table, data: ReadRequest, opts: object, isLocal: boolean, fetchFromItemDb: boolean, startKeyNames: string[], cb: Answer) => void;
interface Stream {
  on(event: 'data', listener: (item: Item) => void): void;
  on(event: 'end', listener: () => void): void;
  on(event: 'error', listener: (error: unknown) => void): void;
  destroy(): void;
}
interface Store {
  getItemDb(table: string): { createValueStream(opts: object): Stream };
  getIndexDb(type: 'local' | 'global', table: string, index: string): { createValueStream(opts: object): Stream };
}
interface Table {
  KeySchema: { AttributeName: string }[];
}
/** What dynalite's validations made of a Query or Scan request. */
interface ReadRequest {
  TableName: string;
  IndexName?: string;
  Limit?: number;
  ConsistentRead?: boolean;
  ReturnConsumedCapacity?: string;
  Select?: string;
  QueryFilter?: object;
  ScanFilter?: object;
  ConditionalOperator?: string;
  AttributesToGet?: string[];
  _filter?: { expression: unknown };
  _projection?: { paths: unknown };
}

const fromDynalite = createRequire(createRequire(import.meta.url).resolve('dynalite'));
const db = fromDynalite('./db') as {
  queryTable: QueryTable;
  /** dynalite's own `queryTable`, kept on the module (this one may be loaded again). */
  lazyQueryTable?: QueryTable;
  itemSize(item: Item, compress?: boolean, addMetaSize?: boolean, rangeKey?: string): number;
  matchesFilter(item: Item, filter: object, conditionalOperator?: string): boolean;
  matchesExprFilter(item: Item, expression: unknown): boolean;
  mapPaths(paths: unknown, item: Item): Item;
};
const once = fromDynalite('once') as <F extends (...args: never[]) => unknown>(f: F) => F;

/** A read's page ends at 1 MB of items, as DynamoDB's does. */
const pageBytes = 1024 * 1024;

const readWithoutLazy: QueryTable = (store, table, data, opts, isLocal, fetchFromItemDb, startKeyNames, cb) => {
  if (fetchFromItemDb) return lazyQueryTable(store, table, data, opts, isLocal, fetchFromItemDb, startKeyNames, cb);
  const answer = once(cb);
  const source = data.IndexName ? store.getIndexDb(isLocal ? 'local' : 'global', data.TableName, data.IndexName) : store.getItemDb(data.TableName);
  const stream = source.createValueStream(opts);
  const capacity = data.ReturnConsumedCapacity === 'TOTAL' || data.ReturnConsumedCapacity === 'INDEXES';
  const rangeKey = table.KeySchema[1]?.AttributeName;
  const limit = data.Limit ?? Infinity;
  let items: Item[] = [];
  let tableBytes = 0;
  let indexBytes = 0;
  let size = 0;
  let done = false;

  const full = () => items.length >= limit || size >= pageBytes;
  const finish = () => {
    if (done) return;
    done = true;
    stream.destroy();
    const count = items.length;
    const last = items[count - 1];
    const stopped = full();
    const filter = data.QueryFilter ?? data.ScanFilter;
    if (data._filter) items = items.filter((item) => db.matchesExprFilter(item, data._filter!.expression));
    else if (filter) items = items.filter((item) => db.matchesFilter(item, filter, data.ConditionalOperator));
    const result: Record<string, unknown> = { ScannedCount: count };
    // No more than `Limit` items are ever kept: nothing to cut.
    if (stopped && last) result.LastEvaluatedKey = Object.fromEntries(startKeyNames.map((name) => [name, last[name]]));
    const paths = data._projection ? data._projection.paths : data.AttributesToGet;
    if (paths) items = items.map((item) => db.mapPaths(paths, item));
    result.Count = items.length;
    if (data.Select !== 'COUNT') result.Items = items;
    if (capacity) {
      const units = (bytes: number) => Math.ceil(bytes / 1024 / 4) * (data.ConsistentRead ? 1 : 0.5);
      const consumed: Record<string, unknown> = { CapacityUnits: units(tableBytes) + units(indexBytes), TableName: data.TableName };
      if (data.ReturnConsumedCapacity === 'INDEXES') {
        consumed.Table = { CapacityUnits: units(tableBytes) };
        if (data.IndexName) consumed[isLocal ? 'LocalSecondaryIndexes' : 'GlobalSecondaryIndexes'] = { [data.IndexName]: { CapacityUnits: units(indexBytes) } };
      }
      result.ConsumedCapacity = consumed;
    }
    answer(null, result);
  };

  stream.on('error', answer);
  stream.on('data', (item) => {
    if (done) return;
    // dynalite reads one item past `Limit` (or the page), to tell that the read stopped there.
    if (full()) return finish();
    if (capacity) {
      if (data.IndexName) indexBytes += db.itemSize(item);
      else tableBytes += db.itemSize(item);
    }
    size += db.itemSize(item, true, true, rangeKey);
    items.push(item);
  });
  stream.on('end', finish);
};

/** dynalite's own reading, for a local index's read of the table's items (and for the tests to compare with). */
export const lazyQueryTable: QueryTable = (db.lazyQueryTable ??= db.queryTable);
db.queryTable = readWithoutLazy;
