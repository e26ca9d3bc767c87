/**
 * A small local CloudWatch (issue 7). Metrics reach it the way they reach
 * CloudWatch on AWS: Powertools writes each flush as an embedded-metric-format
 * (EMF) document, one JSON line on stdout, and CloudWatch extracts the metrics.
 * Here those lines are taken out of stdout and recorded in the store of the
 * local stack whose invocation wrote them (AsyncLocalStorage while several
 * stacks share the process, so they never mix; a stack alone takes them
 * without it, and without its cost to every promise), stamped with that
 * stack's clock rather than EMF's wall-clock timestamp, since a simulation
 * runs a year in seconds.
 *
 * It also records what AWS records by itself, so the health row has data:
 * Lambda's Invocations, Errors, Throttles and Duration per function, and the
 * depth of each dead-letter queue.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DeadLetterQueue, LambdaMetricName } from '../functions/ops/dashboard-layout';
import type { FunctionName } from '../functions/wiring';

export type Dimensions = Readonly<Record<string, string>>;

/** CloudWatch's identity of a metric: namespace, name and the exact set of dimensions. */
export interface MetricId {
  namespace: string;
  name: string;
  dimensions: Dimensions;
}

export interface Datapoint {
  /** Clock time, ms. */
  at: number;
  value: number;
}

export type Statistic = 'Sum' | 'Maximum' | 'Minimum' | 'Average' | 'SampleCount';

export interface Query {
  stat: Statistic;
  from: Date;
  /** Exclusive. */
  to: Date;
  periodMs: number;
  /**
   * `previous`: a period without datapoints holds the last value before it. For
   * gauges AWS samples continuously (a queue's depth) that are recorded here only when they change.
   */
  fill?: 'previous';
}

export interface Bucket {
  /** Start of the period, ms. */
  start: number;
  /** The statistic over the period's datapoints; null without any. */
  value: number | null;
}

/** The function name Lambda would know a wired function by, locally. */
export const localFunctionName = (name: FunctionName) => `retention-${name}`;

export const lambdaMetric = (name: FunctionName, metric: LambdaMetricName): MetricId => ({
  namespace: 'AWS/Lambda',
  name: metric,
  dimensions: { FunctionName: localFunctionName(name) },
});

/** Lambda's own metrics of each function, with their series keys: made once, recorded at every invocation. */
const lambdaSeries = new Map<string, { id: MetricId; key: string }>();
const lambdaSeriesOf = (name: FunctionName, metric: LambdaMetricName) => {
  const cacheKey = `${name} ${metric}`;
  let series = lambdaSeries.get(cacheKey);
  if (!series) {
    const id = lambdaMetric(name, metric);
    lambdaSeries.set(cacheKey, (series = { id, key: identity(id) }));
  }
  return series;
};

export const queueDepthMetric = (queue: DeadLetterQueue | string): MetricId => ({
  namespace: 'AWS/SQS',
  name: 'ApproximateNumberOfMessagesVisible',
  dimensions: { QueueName: queue },
});

/** A dimension set's part of a series' key: in name order, so the same set in any order is the same series. */
const dimensionsKey = (dimensions: Dimensions) => JSON.stringify(Object.entries(dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
const seriesKey = (namespace: string, name: string, dimensions: string) => `${namespace}\u0000${name}\u0000${dimensions}`;
const identity = ({ namespace, name, dimensions }: MetricId) => seriesKey(namespace, name, dimensionsKey(dimensions));

const statistics: Record<Statistic, (values: number[]) => number> = {
  Sum: (values) => values.reduce((sum, value) => sum + value, 0),
  Maximum: (values) => Math.max(...values),
  Minimum: (values) => Math.min(...values),
  Average: (values) => statistics.Sum(values) / values.length,
  SampleCount: (values) => values.length,
};

/** The EMF document Powertools writes (the parts CloudWatch reads). */
interface EmbeddedMetrics {
  _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[] };
  [field: string]: unknown;
}

const isEmbeddedMetrics = (value: unknown): value is EmbeddedMetrics =>
  typeof value === 'object' && value !== null && Array.isArray((value as EmbeddedMetrics)._aws?.CloudWatchMetrics);

/**
 * A series' datapoints as two growing columns of numbers: a year's simulation records over a
 * million, and as objects they were the most of its live heap, each one for the collector to trace.
 */
const doubled = (column: Float64Array) => {
  const next = new Float64Array(column.length * 2);
  next.set(column);
  return next;
};

class Column {
  at = new Float64Array(16);
  value = new Float64Array(16);
  length = 0;

  push(at: number, value: number) {
    if (this.length === this.at.length) [this.at, this.value] = [doubled(this.at), doubled(this.value)];
    this.at[this.length] = at;
    this.value[this.length++] = value;
  }

  forEach(each: (at: number, value: number) => void) {
    for (let i = 0; i < this.length; i++) each(this.at[i]!, this.value[i]!);
  }
}

/** The local CloudWatches of the stacks alive in this process, the one alone, and the invocations running without and with AsyncLocalStorage. */
const alive = new Set<LocalMetrics>();
let alone: LocalMetrics | undefined;
let untracked = 0;
let tracked = 0;

/**
 * AsyncLocalStorage, once run, stays on, and its promise hooks with it, until disabled: off again once a stack is
 * alone and no invocation runs in it (a test process goes on to other stacks).
 */
const releaseStorage = () => {
  if (alive.size <= 1 && !tracked) storage.disable();
};

/** How many local CloudWatches are open: each stack's until it is closed, or its start failed. */
export const openMetricStores = () => alive.size;

export class LocalMetrics {
  private readonly series = new Map<string, Column>();
  private readonly ids = new Map<string, MetricId>();
  private readonly depths = new Map<string, number>();

  /** `now`: the stack's clock (virtual in a simulation). */
  constructor(private readonly now: () => Date) {
    alive.add(this);
    if (alive.size === 1) alone = this;
  }

  /** Its stack closed: another stack left alone records without AsyncLocalStorage. */
  close() {
    alive.delete(this);
    if (alive.size === 1) [alone] = alive;
    releaseStorage();
  }

  record(id: MetricId, value: number, at = this.now().getTime()) {
    this.recordAt(identity(id), id, value, at);
  }

  /** `key` is `identity(id)`, which a caller recording many datapoints computes once (at every flush of every invocation). */
  private recordAt(key: string, id: MetricId, value: number, at: number) {
    let points = this.series.get(key);
    if (!points) {
      this.series.set(key, (points = new Column()));
      this.ids.set(key, id);
    }
    points.push(at, value);
  }

  /** An EMF document: each metric under each of its dimension sets, every value (Powertools writes an array for repeats). */
  recordEmbedded(document: EmbeddedMetrics) {
    const at = this.now().getTime();
    for (const { Namespace: namespace, Dimensions, Metrics } of document._aws.CloudWatchMetrics) {
      for (const dimensionSet of Dimensions) {
        const dimensions = Object.fromEntries(dimensionSet.map((name) => [name, String(document[name])]));
        const dimensionsPart = dimensionsKey(dimensions);
        for (const { Name: name } of Metrics) {
          const key = seriesKey(namespace, name, dimensionsPart);
          const values = document[name];
          for (const value of Array.isArray(values) ? values : [values]) {
            if (typeof value === 'number') this.recordAt(key, { namespace, name, dimensions }, value, at);
          }
        }
      }
    }
  }

  /** Runs one invocation of a wired function: its metrics come here, and Lambda's own are recorded. */
  async invocation<T>(name: FunctionName, run: () => Promise<T>): Promise<T> {
    const at = this.now().getTime();
    const started = performance.now();
    let errors = 0;
    const scoped = alive.size > 1;
    if (scoped) tracked++;
    else untracked++;
    try {
      return await (scoped ? storage.run(this, run) : run());
    } catch (error) {
      errors = 1;
      throw error;
    } finally {
      if (scoped) {
        tracked--;
        releaseStorage();
      } else untracked--;
      const record = (metric: LambdaMetricName, value: number) => {
        const { id, key } = lambdaSeriesOf(name, metric);
        this.recordAt(key, id, value, at);
      };
      record('Invocations', 1);
      record('Errors', errors);
      // Nothing throttles a local invocation: an honest zero, as Lambda reports for an invocation that ran.
      record('Throttles', 0);
      record('Duration', performance.now() - started);
    }
  }

  /** Dead-letter queues start empty: SQS reports a depth of 0 for them. */
  declareQueues(queues: readonly string[]) {
    for (const queue of queues) if (!this.depths.has(queue)) this.setDepth(queue, 0);
  }

  /** A message lands in a dead-letter queue; nothing drains it locally, so the depth is the count so far. */
  deadLetter(queue: string) {
    this.setDepth(queue, (this.depths.get(queue) ?? 0) + 1);
  }

  private setDepth(queue: string, depth: number) {
    this.depths.set(queue, depth);
    this.record(queueDepthMetric(queue), depth);
  }

  /**
   * The values `dimension` takes among the metrics of `id`'s namespace and name whose other
   * dimensions are exactly `id`'s, sorted: what a CloudWatch SEARCH on them finds (the currencies of a money metric).
   */
  dimensionValues(id: MetricId, dimension: string): string[] {
    const wanted = Object.keys(id.dimensions).length + 1;
    const found = new Set<string>();
    for (const other of this.ids.values()) {
      if (other.namespace !== id.namespace || other.name !== id.name || !(dimension in other.dimensions)) continue;
      if (Object.keys(other.dimensions).length !== wanted) continue;
      if (Object.entries(id.dimensions).every(([name, value]) => other.dimensions[name] === value)) found.add(other.dimensions[dimension]!);
    }
    return [...found].sort();
  }

  datapoints(id: MetricId): readonly Datapoint[] {
    const points: Datapoint[] = [];
    this.series.get(identity(id))?.forEach((at, value) => points.push({ at, value }));
    return points;
  }

  /** The statistic of each period in [from, to), as CloudWatch's GetMetricData answers it. */
  query(id: MetricId, query: Query): Bucket[] {
    const from = query.from.getTime();
    const count = Math.max(0, Math.ceil((query.to.getTime() - from) / query.periodMs));
    const values: number[][] = Array.from({ length: count }, () => []);
    let before = null as number | null;
    let beforeAt = -Infinity;
    this.series.get(identity(id))?.forEach((at, value) => {
      const index = Math.floor((at - from) / query.periodMs);
      if (index >= 0 && index < count) values[index]!.push(value);
      else if (index < 0 && at >= beforeAt) [before, beforeAt] = [value, at];
    });
    let previous = before;
    return values.map((inPeriod, i) => {
      const value = inPeriod.length ? statistics[query.stat](inPeriod) : query.fill === 'previous' ? previous : null;
      if (inPeriod.length) previous = inPeriod.at(-1)!;
      return { start: from + i * query.periodMs, value };
    });
  }
}

const storage = new AsyncLocalStorage<LocalMetrics>();
const emfPrefix = '{"_aws":';

/** Records an EMF line in the current invocation's store; false when it is not one, or no local invocation wrote it. */
const take = (line: string): boolean => {
  // An invocation run without AsyncLocalStorage began while its stack was alone.
  const store = storage.getStore() ?? (untracked ? alone : undefined);
  if (!store) return false;
  try {
    const document: unknown = JSON.parse(line);
    if (!isEmbeddedMetrics(document)) return false;
    store.recordEmbedded(document);
    return true;
  } catch {
    return false;
  }
};

let capturing = false;

/**
 * Takes EMF lines out of stdout, once per process, and records them; every
 * other line passes through, and so does EMF written outside a local invocation.
 */
export const captureEmbeddedMetrics = () => {
  if (capturing) return;
  capturing = true;
  const write = process.stdout.write;
  process.stdout.write = function (this: NodeJS.WriteStream, chunk: string | Uint8Array, ...rest: unknown[]) {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (!text.startsWith(emfPrefix) && !text.includes(`\n${emfPrefix}`)) return write.call(this, chunk, ...(rest as []));
    const kept = text
      .split('\n')
      .filter((line) => !(line.startsWith(emfPrefix) && take(line)))
      .join('\n');
    if (kept) return write.call(this, kept, ...(rest as []));
    const callback = rest.find((arg): arg is () => void => typeof arg === 'function');
    if (callback) queueMicrotask(callback);
    return true;
  } as typeof process.stdout.write;
};
