/**
 * The local ops dashboard (issue 7): the one dashboard layout
 * (functions/ops/dashboard-layout.ts), the same rows, titles and widths as the
 * CloudWatch dashboard, drawn over the local metrics (local/metrics.ts) as one
 * self-contained HTML page: Chart.js is inlined, so the page works offline and
 * as a file (`retention simulate` writes it as dashboard.html).
 *
 * Each series is bucketed hourly for ranges up to 3 days, daily beyond. Under
 * each chart, each series' figure for the range: the total of a Sum (a ratio
 * of the totals for a rate), the latest value of a gauge. Money is drawn per
 * currency, each series naming its currency; without `shop.currencies`, a series
 * for every currency the metrics hold (as the CloudWatch dashboard's search finds them).
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { catalogue, currencyDimension, namespace } from '../functions/metrics';
import {
  valueSeries,
  dashboardLayout,
  metricDimensions,
  seriesOf,
  type Annotation,
  type LayoutConfig,
  type MetricSeries,
  type RatioTerm,
  type Series,
} from '../functions/ops/dashboard-layout';
import { lambdaMetric, queueDepthMetric, type Bucket, type LocalMetrics, type MetricId } from './metrics';

const hourMs = 3_600_000;
const dayMs = 24 * hourMs;

export interface DashboardRange {
  from: Date;
  /** Exclusive. */
  to: Date;
  /** The bucket; by the range's length when absent. */
  periodMs?: number;
}

/** Hourly up to 3 days, daily beyond (a year is 365 points). */
export const bucketFor = ({ from, to, periodMs }: DashboardRange) => periodMs ?? (to.getTime() - from.getTime() <= 3 * dayMs ? hourMs : dayMs);

export interface SeriesData {
  id: string;
  label: string;
  axis: 'left' | 'right';
  /** One value per bucket; null where the bucket has no datapoint. */
  values: (number | null)[];
  /** `total` for sums and rates over the range, `latest` for gauges. */
  figureKind: 'total' | 'latest';
  figure: number | null;
}

export interface WidgetData {
  id: string;
  title: string;
  width: number;
  annotations: readonly Annotation[];
  series: SeriesData[];
  hasData: boolean;
}

export interface DashboardData {
  from: string;
  to: string;
  periodMs: number;
  labels: string[];
  rows: { id: string; title: string; widgets: WidgetData[] }[];
}

const catalogueMetric = (key: keyof typeof catalogue, series: Parameters<typeof metricDimensions>[0] = {}): MetricId => ({
  namespace,
  name: catalogue[key].name,
  dimensions: metricDimensions(series),
});

const sumOf = (values: (number | null)[]) => values.reduce<number>((sum, value) => sum + (value ?? 0), 0);
const hasAny = (values: (number | null)[]) => values.some((value) => value !== null);

/** Computes every series of the layout over the store's datapoints in the range. */
export const dashboardData = (metrics: LocalMetrics, range: DashboardRange, config: LayoutConfig): DashboardData => {
  const periodMs = bucketFor(range);
  const query = { from: range.from, to: range.to, periodMs };
  const values = (buckets: Bucket[]) => buckets.map((bucket) => bucket.value);
  const summed = (terms: readonly RatioTerm[]) => terms.map((term) => values(metrics.query(catalogueMetric(term.key, term), { ...query, stat: 'Sum' })));

  /** A metric per value of its dimension: a series per currency or tier the metrics hold (none yet: the series, without data). */
  const expand = (series: Series): Exclude<Series, { kind: 'found' }>[] => {
    if (series.kind !== 'found') return [series];
    const { dimension, ...metric } = series;
    const field = dimension === currencyDimension ? 'currency' : 'tier';
    const found = metrics.dimensionValues(catalogueMetric(series.key, series), dimension);
    const each = found.map((value): MetricSeries => ({ ...metric, kind: 'metric', ...valueSeries(series, value), [field]: value }));
    return each.length ? each : [{ ...metric, kind: 'metric', label: `${series.label} (every ${field})` }];
  };

  const evaluate = (series: Exclude<Series, { kind: 'found' }>): Pick<SeriesData, 'values' | 'figure' | 'figureKind'> => {
    if (series.kind === 'ratio') {
      // As metric math with FILL(…, 0): a period with any datapoint of its terms, and a denominator, has a value.
      const [numerator, denominator] = [summed(series.numerator), summed(series.denominator)];
      const ratio = (n: number, d: number) => (d ? (series.scale * n) / d : null);
      const perBucket = numerator[0]!.map((_, i) => {
        const column = (terms: (number | null)[][]) => terms.map((term) => term[i]!);
        return hasAny([...column(numerator), ...column(denominator)]) ? ratio(sumOf(column(numerator)), sumOf(column(denominator))) : null;
      });
      const total = (terms: (number | null)[][]) => sumOf(terms.map(sumOf));
      return { values: perBucket, figureKind: 'total', figure: hasAny(perBucket) ? ratio(total(numerator), total(denominator)) : null };
    }
    const id =
      series.kind === 'metric'
        ? catalogueMetric(series.key, series)
        : series.kind === 'lambda'
          ? lambdaMetric(series.function, series.metric)
          : queueDepthMetric(series.queue);
    // SQS samples a queue's depth all the time; locally it is recorded when it changes, and holds until then.
    const buckets = values(metrics.query(id, { ...query, stat: series.stat, ...(series.kind === 'queueDepth' && { fill: 'previous' as const }) }));
    if (series.stat === 'Sum') return { values: buckets, figureKind: 'total', figure: hasAny(buckets) ? sumOf(buckets) : null };
    return { values: buckets, figureKind: 'latest', figure: buckets.findLast((value) => value !== null) ?? null };
  };

  const labelOf = (start: number) => {
    const iso = new Date(start).toISOString();
    return periodMs < dayMs ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
  };
  const count = Math.max(0, Math.ceil((range.to.getTime() - range.from.getTime()) / periodMs));
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    periodMs,
    labels: Array.from({ length: count }, (_, i) => labelOf(range.from.getTime() + i * periodMs)),
    rows: dashboardLayout(config).map((row) => ({
      id: row.id,
      title: row.title,
      widgets: row.widgets.map((widget) => {
        const right = new Set(widget.right ?? []);
        const series = seriesOf(widget).flatMap((s) =>
          expand(s).map((one) => ({ id: one.id, label: one.label, axis: right.has(s) ? ('right' as const) : ('left' as const), ...evaluate(one) })),
        );
        return {
          id: widget.id,
          title: widget.title,
          width: widget.width,
          annotations: widget.leftAnnotations ?? [],
          series,
          hasData: series.some((s) => hasAny(s.values)),
        };
      }),
    })),
  };
};

/** CloudWatch's palette, so a series has the colour it has on AWS. */
const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const formatNumber = (value: number) => value.toLocaleString('en', { maximumFractionDigits: Math.abs(value) >= 100 ? 0 : 2 });

let chartJs: string | undefined;
/** Chart.js's UMD build, read once from node_modules: inlined, no CDN. */
const chartLibrary = () =>
  // The package exports no path to its UMD build: found beside its main entry (dist/).
  (chartJs ??= readFileSync(join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js'), 'utf8'));

const widgetHtml = (widget: WidgetData) => {
  const figures = widget.series
    .map((series, i) => {
      const has = series.values.some((value) => value !== null);
      return `<li data-series="${escape(series.id)}" data-has-data="${has}" data-figure="${series.figureKind}" data-value="${series.figure ?? ''}" data-axis="${series.axis}"><i style="background:${palette[i % palette.length]}"></i><span>${escape(series.label)}${series.axis === 'right' ? ' (right)' : ''}</span><b title="${series.figureKind === 'total' ? 'total over the range' : 'latest value'}">${series.figure === null ? '–' : formatNumber(series.figure)}</b></li>`;
    })
    .join('');
  const body = widget.hasData ? `<div class="chart"><canvas role="img" aria-label="${escape(widget.title)}"></canvas></div>` : `<div class="chart no-data-note">no data</div>`;
  return `<section class="widget${widget.hasData ? '' : ' no-data'}" data-widget="${escape(widget.id)}" data-has-data="${widget.hasData}" style="grid-column: span ${widget.width}"><h3>${escape(widget.title)}</h3>${body}<ul class="figures">${figures}</ul></section>`;
};

const style = `
body { font: 13px/1.4 system-ui, sans-serif; margin: 0; background: #f2f3f3; color: #16191f; }
header { padding: 12px 20px; background: #232f3e; color: #fff; }
header h1 { font-size: 18px; margin: 0 0 4px; }
header p { margin: 0; color: #d5dbdb; }
main { padding: 8px 16px 24px; }
.row h2 { font-size: 16px; margin: 16px 4px 8px; }
.grid { display: grid; grid-template-columns: repeat(24, minmax(0, 1fr)); gap: 8px; }
.widget { background: #fff; border: 1px solid #d5dbdb; border-radius: 4px; padding: 8px 10px; min-width: 0; }
.widget h3 { font-size: 13px; margin: 0 0 6px; }
.chart { position: relative; height: 180px; }
.no-data .chart { display: flex; align-items: center; justify-content: center; color: #d13212; font-weight: 600; background: repeating-linear-gradient(45deg, #fff, #fff 8px, #fdf3f1 8px, #fdf3f1 16px); }
.figures { list-style: none; margin: 6px 0 0; padding: 0; display: flex; flex-wrap: wrap; gap: 2px 14px; }
.figures li { display: flex; align-items: center; gap: 4px; }
.figures i { width: 10px; height: 10px; border-radius: 2px; display: inline-block; }
.figures b { font-variant-numeric: tabular-nums; }
.figures li[data-has-data="false"] { color: #879596; }
`;

/** Draws each widget's chart from the embedded data; marks the page ready for whoever waits on it. */
const drawScript = `
const data = JSON.parse(document.getElementById('dashboard-data').textContent);
const palette = ${JSON.stringify(palette)};
for (const widget of data.rows.flatMap((row) => row.widgets)) {
  if (!widget.hasData) continue;
  const canvas = document.querySelector('[data-widget="' + widget.id + '"] canvas');
  // A bucket without datapoints is a gap, as on CloudWatch; a value between gaps is drawn as a point.
  const dense = data.labels.length > 60;
  const radius = (values) => (ctx) => (!dense || values[ctx.dataIndex - 1] == null || values[ctx.dataIndex + 1] == null ? 2 : 0);
  const datasets = widget.series.map((s, i) => ({
    label: s.label, data: s.values, yAxisID: s.axis, spanGaps: false, borderWidth: 1.5, pointRadius: radius(s.values),
    borderColor: palette[i % palette.length], backgroundColor: palette[i % palette.length],
  }));
  for (const a of widget.annotations) {
    datasets.push({ label: a.label + ' ' + a.value, data: data.labels.map(() => a.value), yAxisID: 'left', borderDash: [4, 4], borderWidth: 1, pointRadius: 0, borderColor: '#d13212' });
  }
  const right = widget.series.some((s) => s.axis === 'right');
  new Chart(canvas, {
    type: 'line',
    data: { labels: data.labels, datasets },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      plugins: { legend: { display: false } },
      scales: {
        x: { ticks: { maxTicksLimit: 8, maxRotation: 0 } },
        left: { position: 'left', beginAtZero: true },
        right: { position: 'right', beginAtZero: true, display: right, grid: { drawOnChartArea: false } },
      },
    },
  });
}
document.body.dataset.ready = 'true';
`;

/** The page: rows of widgets, the computed series as JSON, Chart.js and the drawing script inline. */
export const renderDashboard = (data: DashboardData, title = 'Retention engine: ops dashboard') => {
  const rows = data.rows
    .map((row) => `<section class="row" data-row="${escape(row.id)}"><h2>${escape(row.title)}</h2><div class="grid">${row.widgets.map(widgetHtml).join('')}</div></section>`)
    .join('');
  const bucket = data.periodMs < dayMs ? 'hourly' : 'daily';
  // In a <script>, `<` is escaped so no string in the data can close the element.
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title><style>${style}</style></head>
<body data-ready="false"><header><h1>${escape(title)}</h1><p>${escape(data.from)} to ${escape(data.to)}, ${bucket} · figures: totals of sums and rates, latest value of gauges</p></header>
<main>${rows}</main>
<script type="application/json" id="dashboard-data">${json}</script>
<script>${chartLibrary().replace(/<\/script/gi, '<\\/script')}</script>
<script>${drawScript}</script>
</body></html>
`;
};

export const dashboardHtml = (metrics: LocalMetrics, range: DashboardRange, config: LayoutConfig) =>
  renderDashboard(dashboardData(metrics, range, config));

/**
 * `npm start`'s dashboard: re-rendered on each GET over the live metrics, for
 * the last `?days=` (7 by default, as the CloudWatch dashboard opens),
 * buckets aligned to the hour or the UTC day.
 */
export const startDashboardServer = async (options: {
  metrics: LocalMetrics;
  now: () => Date;
  config: LayoutConfig;
  port?: number;
  host?: string;
  /** More pages by path, each drawn on every GET (`/dead-letters`: local/dead-letters-page.ts). */
  pages?: Record<string, (url: URL) => string | Promise<string>>;
}) => {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', `http://${host}`);
    const page = request.method === 'GET' && Object.hasOwn(options.pages ?? {}, url.pathname) ? options.pages![url.pathname]! : undefined;
    if (page) {
      Promise.resolve()
        .then(() => page(url))
        .then(
          (html) => response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html),
          (error: Error) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`could not draw ${url.pathname}: ${error.message}`),
        );
      return;
    }
    if (request.method !== 'GET' || url.pathname !== '/') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const days = Number(url.searchParams.get('days') ?? 7);
    if (!(days > 0 && days <= 366)) {
      response.writeHead(400, { 'content-type': 'text/plain' }).end('days: a number of days from 0 to 366');
      return;
    }
    const now = options.now().getTime();
    const period = bucketFor({ from: new Date(now - days * dayMs), to: new Date(now) });
    const range = { from: new Date(Math.floor((now - days * dayMs) / period) * period), to: new Date(Math.ceil((now + 1) / period) * period), periodMs: period };
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(dashboardHtml(options.metrics, range, options.config));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
