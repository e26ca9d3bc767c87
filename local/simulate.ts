/**
 * `retention simulate` (docs/design.md §6): a fresh, self-contained stack on a virtual
 * clock. Each input line is delivered at its `time`, every schedule fires at
 * its times, and the run ends when the clock reaches `to`.
 */
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { z } from 'zod';
import type { Config } from '../functions/config';
import { describeIssues, isoInstant } from '../functions/events/event';
import { campaignConversion, campaignConversionReverted, emailHeldOut, emailSent, npsResponseRecorded, pointsEarned, pointsExpired, pointsRedeemed, referralConverted } from '../functions/events/retention';
import { npsFigures } from '../functions/campaigns/nps/rules';
import { significanceTest, twoProportionZTest, type VariantResult } from '../functions/campaigns/experiments';
import { kpiPeriodDays } from '../functions/ops/counters';
import type { DailyKpis } from '../functions/ops/daily-kpis';
import { convertMoney, fromMinor, roundMoney, toMinor, unknownCurrency, type Money, type MoneyConversion, type PublishedKpis } from '../functions/ops/kpis';
import { dashboardHtml } from './dashboard';
import type { BusEvent, DeadLetter } from './event-bus';
import { progressBar } from './progress';
import { saveTable } from './dynamodb';
import { startLocalStack, type LocalStack } from './stack';
import type { AcceptedEmail } from './ses';
import { FaultInjector, type FaultRates } from './faults';

const eventLine = z.object({
  time: isoInstant,
  source: z.string().min(1),
  'detail-type': z.string().min(1),
  detail: z.record(z.string(), z.unknown()),
});

const recipientLine = z.object({
  time: isoInstant,
  recipient: z.discriminatedUnion('action', [
    z.object({ customerId: z.string(), action: z.literal('nps-score'), score: z.number().int().min(0).max(10) }),
    z.object({ customerId: z.string(), action: z.literal('one-click-unsubscribe') }),
  ]),
});

export const inputLineSchema = z.union([recipientLine, eventLine]);
export type InputLine = z.infer<typeof inputLineSchema>;

export interface SimulateOptions {
  input: string;
  from: Date;
  to: Date;
  out: string;
  config: Config;
  /** Campaign templates; the project's `templates/` by default. */
  templatesDir?: string;
  /** Show progress on this stream (a terminal). */
  progress?: NodeJS.WriteStream;
  /** Faults to inject (`--faults`), and the seed of their draws. */
  faults?: FaultRates;
  seed?: number;
  /** Where the run's DynamoDB data is kept, for `retention explain` and `customer export` after it: `OUT/data` by default; `false`: in memory only. */
  dataDir?: string | false;
  /** Above this many customers in the input, the table is kept in `dataDir` from the start: `tableInMemoryUpTo` by default. */
  tableInMemoryUpTo?: number;
}

/**
 * Up to this many customers in its input, a run keeps its table in memory (memory-level) and saves it to its data
 * folder at the end. Above, dynalite keeps it in the data folder from the start (LevelDB): about a quarter slower, but
 * the process no longer holds a table that grows with the shop (BENCHMARKS.md, "A simulated year").
 */
export const tableInMemoryUpTo = 3_000;

/** The customers an input names. */
const customersIn = (lines: { value: InputLine }[]) =>
  new Set(lines.map(({ value }) => ('recipient' in value ? value.recipient.customerId : (value.detail as { customerId?: unknown }).customerId))).size;

/** The folder a run keeps its DynamoDB data in, under its `--out`. */
export const simulationDataDir = (out: string) => join(out, 'data');

export interface EmailLine {
  messageId: string;
  sentAt: string;
  customerId: string;
  to: string;
  campaign: string;
  step?: number;
  locale: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
  discountCode?: string;
  /** The A/B test and variant, when the email was part of one. */
  experiment?: string;
  variant?: string;
}

/** Parses the input file: valid lines in time order, the others as dead letters naming line and field. */
export const readInput = (content: string) => {
  const lines: { line: number; value: InputLine }[] = [];
  const rejected: DeadLetter[] = [];
  content.split('\n').forEach((text, index) => {
    const line = index + 1;
    if (!text.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      rejected.push({ at: '', reason: `input line ${line}: not valid JSON`, event: text });
      return;
    }
    const parsed = inputLineSchema.safeParse(json);
    if (parsed.success) lines.push({ line, value: parsed.data });
    else {
      // Report against the shape the line was trying to be.
      const schema = typeof json === 'object' && json !== null && 'recipient' in json ? recipientLine : eventLine;
      const error = schema.safeParse(json).error ?? parsed.error;
      rejected.push({ at: '', reason: `input line ${line}: ${describeIssues(error)}`, event: json });
    }
  });
  lines.sort((a, b) => Date.parse(a.value.time) - Date.parse(b.value.time) || a.line - b.line);
  return { lines, rejected };
};

type Outcomes = Record<string, Record<string, number>>;

type SentDetail = ReturnType<typeof emailSent.detail.parse>;

/** What a recipient action needs of an email: its score links (a survey) and its List-Unsubscribe header. */
interface Clickable {
  seq: number;
  scoreLinks: string[];
  unsubscribe?: string;
}

/** What the summary folds in from the bus; money converted to the base currency, if one is configured. */
const runTallies = (conversion: MoneyConversion) => ({
  conversions: conversionTally(conversion),
  experiments: experimentTally(),
  holdouts: holdoutTally(),
  nps: npsTally(),
  loyalty: loyaltyTally(),
});

/**
 * A run's outputs, kept as they happen: bus events, dead letters and accepted
 * emails go to their files at once; what the summary needs is folded in as
 * the events pass. A long run's memory holds aggregates, not its history.
 */
class RunRecorder {
  readonly files: Record<'bus' | 'deadLetters' | 'accepted', WriteStream>;
  /** The engine's `Email Sent` details by message id (small), to describe each email. */
  readonly sent = new Map<string, SentDetail>();
  private readonly seen = new Set<string>();
  private readonly tallies: ReturnType<typeof runTallies>;
  /** Accepted emails whose `Email Sent` has not come yet, and each customer's latest email and survey. */
  private readonly unclaimed = new Map<string, Clickable>();
  readonly latest = new Map<string, { email?: Clickable; survey?: Clickable }>();
  private accepted = 0;
  deadLetters = 0;
  failure?: Error;

  constructor(
    readonly out: string,
    conversion: MoneyConversion,
  ) {
    this.tallies = runTallies(conversion);
    const file = (name: string) => {
      const stream = createWriteStream(join(out, name));
      // A full disk or a removed folder ends the run with its reason, not a crash.
      stream.on('error', (error) => (this.failure ??= new Error(`writing ${name}: ${error.message}`)));
      return stream;
    };
    this.files = { bus: file('bus.ndjson'), deadLetters: file('dead-letters.ndjson'), accepted: file('.accepted.ndjson') };
  }

  get acceptedCount() {
    return this.accepted;
  }

  event(event: BusEvent) {
    this.files.bus.write(JSON.stringify(event) + '\n');
    // As a consumer reads the bus: an event published again (a retry, the outbox relay) counts once, by its stable id.
    const id = (event.detail as { eventId?: unknown } | null)?.eventId;
    if (typeof id === 'string') {
      if (this.seen.has(`${event.source}#${id}`)) return;
      this.seen.add(`${event.source}#${id}`);
    }
    if (event.source === emailSent.source && event['detail-type'] === emailSent.detailType) {
      const detail = emailSent.detail.parse(event.detail);
      this.sent.set(detail.messageId, detail);
      const email = this.unclaimed.get(detail.messageId);
      if (email) this.claim(detail, email);
    }
    for (const tally of Object.values(this.tallies)) tally.add(event);
  }

  deadLetter(deadLetter: DeadLetter) {
    this.deadLetters++;
    this.files.deadLetters.write(JSON.stringify(deadLetter) + '\n');
  }

  email(email: AcceptedEmail) {
    this.files.accepted.write(JSON.stringify(email) + '\n');
    const clickable: Clickable = {
      seq: this.accepted++,
      scoreLinks: scoreLinksIn(email.html),
      unsubscribe: Object.entries(email.headers).find(([name]) => name.toLowerCase() === 'list-unsubscribe')?.[1],
    };
    const detail = this.sent.get(email.messageId);
    if (detail) this.claim(detail, clickable);
    else this.unclaimed.set(email.messageId, clickable);
  }

  private claim(detail: SentDetail, email: Clickable) {
    this.unclaimed.delete(detail.messageId);
    const latest = this.latest.get(detail.customerId) ?? {};
    if (!latest.email || latest.email.seq < email.seq) latest.email = email;
    if (detail.campaign === 'nps' && (!latest.survey || latest.survey.seq < email.seq)) latest.survey = email;
    this.latest.set(detail.customerId, latest);
  }

  /** Closes the files; then writes emails.ndjson from what SES accepted, described by the engine's events. */
  async finish(customersPerTier: Record<string, number> | null) {
    await Promise.all(Object.values(this.files).map((stream) => new Promise((resolve) => stream.end(resolve))));
    const emails = createWriteStream(join(this.out, 'emails.ndjson'));
    const byCampaign: Record<string, number> = {};
    let total = 0;
    // Accepted in clock order; emails of one instant in campaign, then customer, order.
    let instant: EmailLine[] = [];
    const flush = () => {
      instant.sort((a, b) => a.campaign.localeCompare(b.campaign) || a.customerId.localeCompare(b.customerId));
      for (const line of instant) emails.write(JSON.stringify(line) + '\n');
      instant = [];
    };
    const accepted = join(this.out, '.accepted.ndjson');
    for await (const text of createInterface({ input: createReadStream(accepted), crlfDelay: Infinity })) {
      if (!text) continue;
      const line = emailLine(JSON.parse(text) as AcceptedEmail, this.sent);
      if (instant.length && instant[0]!.sentAt !== line.sentAt) flush();
      instant.push(line);
      total++;
      byCampaign[line.campaign] = (byCampaign[line.campaign] ?? 0) + 1;
    }
    flush();
    await new Promise((resolve) => emails.end(resolve));
    await rm(accepted, { force: true });
    return {
      emails: { total, byCampaign },
      conversions: this.tallies.conversions.result(),
      experiments: this.tallies.experiments.result(),
      holdouts: this.tallies.holdouts.result(),
      nps: this.tallies.nps.result(),
      loyalty: this.tallies.loyalty.result(customersPerTier),
    };
  }
}

export const simulate = async (options: SimulateOptions) => {
  const { lines, rejected } = readInput(await readFile(options.input, 'utf8'));
  const outcomes: Outcomes = {};
  const ingested: Record<string, number> = {};
  const recipientActions: Record<string, number> = {};
  const kpiDays: Record<string, PublishedKpis> = {};
  let tiers: Record<string, number> | null = null;
  await mkdir(options.out, { recursive: true });
  const run = new RunRecorder(options.out, options.config.kpis);
  for (const deadLetter of rejected) run.deadLetter({ ...deadLetter, at: options.from.toISOString() });

  const faults = new FaultInjector(options.faults ?? {}, options.seed);
  const dataDir = options.dataDir ?? simulationDataDir(options.out);
  // The data of an earlier run in the same folder is replaced.
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  const tableOnDisk = dataDir && customersIn(lines) > (options.tableInMemoryUpTo ?? tableInMemoryUpTo) ? dataDir : undefined;
  const stack = await startLocalStack({
    config: options.config,
    templatesDir: options.templatesDir,
    start: options.from,
    faults,
    dataDir: tableOnDisk,
    onEvent: (event) => run.event(event),
    onDeadLetter: (deadLetter) => run.deadLetter(deadLetter),
    onAccepted: (email) => run.email(email),
    onResult: (name, _event, result) => {
      const value = result as { outcome?: string; campaign?: string; again?: boolean } | undefined;
      if (name === 'ingest' && value?.outcome) ingested[value.outcome] = (ingested[value.outcome] ?? 0) + 1;
      if (name === 'kpis') {
        const { day, kpis, tiers: counted } = result as DailyKpis & { tiers?: Record<string, number> };
        kpiDays[day] = kpis;
        // Customers per tier as the last daily run counted them.
        if (counted) tiers = counted;
      }
      // Each send job's outcome; an attempt that only finished an earlier one's send is not counted twice.
      if (name === 'sender' && value?.campaign && value.outcome && !value.again) {
        const counts = (outcomes[value.campaign] ??= {});
        counts[value.outcome] = (counts[value.outcome] ?? 0) + 1;
      }
    },
  });
  let failure: Error | undefined;
  try {
    for (const { line, value } of lines) {
      if ('recipient' in value) {
        const { recipient } = value;
        stack.bus.at(new Date(value.time), async () => {
          const latest = run.latest.get(recipient.customerId);
          const failure = await (recipient.action === 'nps-score'
            ? followScoreLink(stack, latest?.survey, recipient.customerId, recipient.score)
            : followUnsubscribeLink(stack, latest?.email, recipient.customerId)
          ).catch((error: Error) => `the links server did not answer: ${error.message}`);
          recipientActions[recipient.action] = (recipientActions[recipient.action] ?? 0) + 1;
          if (failure) stack.bus.deadLetter({ reason: `input line ${line}: ${failure}`, event: value });
        });
      } else {
        const time = new Date(value.time);
        stack.bus.putAt(time, { source: value.source, detailType: value['detail-type'], detail: value.detail, time });
      }
    }
    const bar = options.progress && progressBar(options.progress, options.from, options.to);
    await stack.bus.runUntil(options.to, (now) => {
      if (run.failure) throw run.failure;
      bar?.update(now, run.acceptedCount);
    });
    bar?.done(run.acceptedCount);
  } catch (error) {
    failure = new Error(`the simulation stopped at ${stack.bus.now().toISOString()}: ${(error as Error).message}; what it wrote until then is in ${options.out}`, { cause: error });
  }
  // What was written so far is kept, and summed up, even when the run stopped.
  let summary;
  try {
    const { loyalty, ...tallied } = await run.finish(tiers);
    summary = {
      from: options.from.toISOString(),
      to: options.to.toISOString(),
      ...(failure && { stoppedAt: stack.bus.now().toISOString(), failure: failure.message }),
      input: { lines: lines.length + rejected.length, rejected: rejected.length },
      ingested,
      recipientActions,
      campaigns: outcomes,
      ...tallied,
      kpis: { periodDays: kpiPeriodDays, latest: Object.values(kpiDays).at(-1) ?? null, days: kpiDays },
      // The loyalty programme's figures, when it runs (docs/design.md §10).
      ...((options.config.loyalty || options.config.referral) && { loyalty }),
      deadLetters: run.deadLetters,
      faults: { rates: faults.rates, injected: faults.injected },
      // Where the run kept its table: `disk` past `tableInMemoryUpTo` customers.
      dynamodb: { readUnits: stack.meter.readUnits, writeUnits: stack.meter.writeUnits, table: tableOnDisk ? 'disk' : 'memory' },
    };
    await Promise.all([
      writeFile(join(options.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n'),
      // The local ops dashboard over the run's metrics, as a static page.
      writeFile(join(options.out, 'dashboard.html'), dashboardHtml(stack.metrics, { from: options.from, to: options.to }, options.config)),
      // What the engine stored, for `retention explain --data OUT` and `customer export` after the run.
      dataDir && !tableOnDisk && saveTable(stack.endpoints.dynamodb, stack.runtime.tableName, dataDir),
    ]);
  } finally {
    await stack.close();
  }
  if (failure) throw failure;
  return { summary };
};

/** An accepted email, with what the engine said about it in its `Email Sent` event. */
const emailLine = (email: AcceptedEmail, sent: Map<string, SentDetail>): EmailLine => {
  const about = sent.get(email.messageId);
  return {
    messageId: email.messageId,
    sentAt: email.sentAt,
    customerId: about?.customerId ?? '',
    to: email.to.join(', '),
    campaign: about?.campaign ?? email.tags.campaign ?? '',
    ...(about?.step !== undefined && { step: about.step }),
    locale: about?.locale ?? '',
    subject: email.subject,
    html: email.html,
    text: email.text,
    headers: email.headers,
    ...(about?.discountCode && { discountCode: about.discountCode }),
    ...(about?.variant && { experiment: about.experiment, variant: about.variant }),
  };
};

interface Tally<R> {
  add(event: BusEvent): void;
  result(): R;
}

interface ConversionCount {
  conversions: number;
  /** Per currency (`{ "MYR": 120, "GBP": 45.5 }`), never summed across currencies. */
  revenue: Money;
  /** With `kpis.baseCurrency`: the revenue converted to it (null, with `missingRates`, when a currency has no rate). */
  converted?: { currency: string; revenue: number | null; missingRates?: string[] };
}

/** A conversion (+1), one its order's cancellation undid (−1), with its fields; undefined for any other event. */
const conversionIn = (event: BusEvent) => {
  if (event.source !== campaignConversion.source) return undefined;
  const sign = event['detail-type'] === campaignConversion.detailType ? 1 : event['detail-type'] === campaignConversionReverted.detailType ? -1 : 0;
  return sign ? { sign, ...campaignConversion.detail.parse(event.detail) } : undefined;
};

/**
 * Conversions and attributed revenue per campaign and step, from the `Campaign Conversion` events less the
 * reverted ones; revenue per currency, each to its minor unit, and converted to the base currency if configured.
 */
const conversionTally = (conversion: MoneyConversion): Tally<Record<string, ConversionCount & { byStep?: Record<string, ConversionCount> }>> => {
  const byCampaign: Record<string, ConversionCount & { byStep?: Record<string, ConversionCount> }> = {};
  const add = (count: ConversionCount, sign: number, revenue: number, currency: string) => {
    count.conversions += sign;
    count.revenue[currency] = roundMoney((count.revenue[currency] ?? 0) + sign * revenue, currency)!;
  };
  const withConverted = (count: ConversionCount): ConversionCount => {
    const converted = convertMoney(count.revenue, conversion);
    return converted ? { ...count, converted: { currency: converted.currency, revenue: converted.amount, ...(converted.missingRates && { missingRates: converted.missingRates }) } } : count;
  };
  return {
    add(event) {
      const conversion = conversionIn(event);
      // A holdout's order is the baseline, not revenue the campaign brought.
      if (!conversion || conversion.holdout) return;
      const { sign, campaign, step, revenue } = conversion;
      const currency = conversion.currency || unknownCurrency;
      const totals = (byCampaign[campaign] ??= { conversions: 0, revenue: {} });
      add(totals, sign, revenue, currency);
      if (step !== undefined) add(((totals.byStep ??= {})[step] ??= { conversions: 0, revenue: {} }), sign, revenue, currency);
    },
    result: () =>
      Object.fromEntries(
        Object.entries(byCampaign).map(([campaign, { byStep, ...totals }]) => [
          campaign,
          { ...withConverted(totals), ...(byStep && { byStep: Object.fromEntries(Object.entries(byStep).map(([step, count]) => [step, withConverted(count)])) }) },
        ]),
      ),
  };
};

/**
 * NPS figures from the `Nps Response Recorded` events: each survey counts once,
 * with its latest score, on the day of its first response (UTC).
 */
const npsTally = () => {
  const surveys = new Map<string, { day: string; score: number }>();
  return {
    add(event: BusEvent) {
      if (event.source !== npsResponseRecorded.source || event['detail-type'] !== npsResponseRecorded.detailType) return;
      const { customerId, surveyId, score } = npsResponseRecorded.detail.parse(event.detail);
      const key = `${customerId}#${surveyId}`;
      surveys.set(key, { day: surveys.get(key)?.day ?? event.time.slice(0, 10), score });
    },
    result() {
      const days = [...new Set([...surveys.values()].map((s) => s.day))].sort();
      return {
        overall: npsFigures([...surveys.values()].map((s) => s.score)),
        byDay: Object.fromEntries(days.map((day) => [day, npsFigures([...surveys.values()].filter((s) => s.day === day).map((s) => s.score))])),
      };
    },
  };
};

/**
 * The loyalty programme's figures (docs/design.md §10) from its events, each once by its id:
 * points issued, redeemed and expired, referral codes sent (the invitations), friends converted and their
 * first orders' revenue per currency.
 */
const loyaltyTally = () => {
  const figures = { pointsIssued: 0, pointsRedeemed: 0, pointsExpired: 0, referralCodesSent: 0, referralConversions: 0 };
  const revenueMinor: Record<string, number> = {};
  return {
    add(event: BusEvent) {
      if (event.source !== emailSent.source) return;
      switch (event['detail-type']) {
        case pointsEarned.detailType:
          figures.pointsIssued += pointsEarned.detail.parse(event.detail).points;
          break;
        case pointsRedeemed.detailType:
          figures.pointsRedeemed += pointsRedeemed.detail.parse(event.detail).points;
          break;
        case pointsExpired.detailType:
          figures.pointsExpired += pointsExpired.detail.parse(event.detail).points;
          break;
        case referralConverted.detailType: {
          const { revenue, currency } = referralConverted.detail.parse(event.detail);
          figures.referralConversions++;
          revenueMinor[currency] = (revenueMinor[currency] ?? 0) + toMinor(revenue, currency);
          break;
        }
        case emailSent.detailType: {
          const { campaign, step } = emailSent.detail.parse(event.detail);
          if (campaign === 'referral' && step === 1) figures.referralCodesSent++;
        }
      }
    },
    result: (customersPerTier: Record<string, number> | null) => ({
      ...figures,
      referralRevenue: Object.fromEntries(Object.entries(revenueMinor).map(([currency, minor]) => [currency, fromMinor(minor, currency)])),
      customersPerTier,
    }),
  };
};

/** A page that failed on the server (a 5xx) is tried again, as a person clicks again, a few times. */
const asAPersonWould = async (request: () => Promise<Response>) => {
  let response = await request();
  for (let again = 0; response.status >= 500 && again < 5; again++) response = await request();
  return response;
};

/** A survey email's score links, by score. */
const scoreLinksIn = (html: string) => {
  const links: string[] = [];
  // Each link copied out: a match is a slice of the HTML and kept all of it alive while the email was the customer's
  // latest survey (a quarter of 3,100 customers held 1,800 of them, 120 MB).
  for (const [, href, score] of html.matchAll(/href="([^"]*\/nps\?token=[^"]*)"[^>]*>\s*(\d{1,2})\s*</g)) links[Number(score)] ??= Buffer.from(href!).toString();
  return links;
};

/**
 * The `nps-score` recipient action: follows the link for `score` in the latest
 * survey email to the customer, through the local links server and the real
 * handler. Returns why it could not, or undefined.
 */
const followScoreLink = async (stack: LocalStack, survey: Clickable | undefined, customerId: string, score: number) => {
  if (!survey) return `no survey email was sent to customer ${customerId}`;
  const href = survey.scoreLinks[score];
  if (!href || !stack.endpoints.links) return `the survey email holds no link for score ${score}`;
  const url = new URL(href.replaceAll('&amp;', '&'));
  const response = await asAPersonWould(() => fetch(`${stack.endpoints.links}${url.pathname}${url.search}`));
  return response.ok ? undefined : `the score link answered ${response.status}`;
};

/**
 * The `one-click-unsubscribe` recipient action: what a mail client does for
 * RFC 8058. POSTs `List-Unsubscribe=One-Click` to the https URL in the
 * `List-Unsubscribe` header of the latest email to the customer, through the
 * local links server and the real handler. Returns why it could not, or undefined.
 */
const followUnsubscribeLink = async (stack: LocalStack, email: Clickable | undefined, customerId: string) => {
  if (!email) return `no email was sent to customer ${customerId}`;
  const href = [...(email.unsubscribe ?? '').matchAll(/<([^>]*)>/g)].map((m) => m[1]!).find((uri) => /^https?:\/\//i.test(uri));
  if (!href || !stack.endpoints.links) return 'the latest email holds no https List-Unsubscribe URL';
  const url = new URL(href);
  const response = await asAPersonWould(() => fetch(`${stack.endpoints.links}${url.pathname}${url.search}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'List-Unsubscribe=One-Click',
  }));
  return response.ok ? undefined : `the one-click unsubscribe URL answered ${response.status}`;
};

/**
 * Per A/B test: sends and conversions of each variant (from `Email Sent` and
 * `Campaign Conversion`), and each variant's test against the control `a`.
 */
const experimentTally = () => {
  const tests: Record<string, { campaign: string; variants: Record<string, VariantResult> }> = {};
  const arm = (campaign: string, experiment: string, variant: string) =>
    ((tests[experiment] ??= { campaign, variants: {} }).variants[variant] ??= { sends: 0, conversions: 0, conversionRate: 0 });
  const add = (event: BusEvent) => {
    if (event.source !== 'retention') return;
    const conversion = conversionIn(event);
    if (event['detail-type'] === emailSent.detailType) {
      const { campaign, experiment, variant } = emailSent.detail.parse(event.detail);
      if (experiment && variant) arm(campaign, experiment, variant).sends++;
    } else if (conversion?.experiment && conversion.variant) {
      arm(conversion.campaign, conversion.experiment, conversion.variant).conversions += conversion.sign;
    }
  };
  const result = () => Object.fromEntries(
    Object.entries(tests).map(([name, { campaign, variants }]) => {
      for (const result of Object.values(variants)) result.conversionRate = result.sends ? Math.round((result.conversions / result.sends) * 10_000) / 10_000 : 0;
      const control = variants.a;
      const comparisons = Object.fromEntries(
        Object.entries(variants)
          .filter(([variant]) => variant !== 'a')
          .map(([variant, result]) => [variant, (control && twoProportionZTest(control, result)) ?? null]),
      );
      return [name, { campaign, test: significanceTest, variants, againstControl: comparisons }];
    }),
  );
  return { add, result };
};

/**
 * Per campaign with a holdout group: emails sent and would-have-sent, the
 * conversions of each group and their rates, and the uplift (percentage points
 * of the sent group's rate over the holdout's, and relative to the holdout's).
 */
const holdoutTally = () => {
  const groups: Record<string, { sent: number; heldOut: number; sentConversions: number; heldOutConversions: number }> = {};
  const group = (campaign: string) => (groups[campaign] ??= { sent: 0, heldOut: 0, sentConversions: 0, heldOutConversions: 0 });
  const heldOutCampaigns = new Set<string>();
  const add = (event: BusEvent) => {
    if (event.source !== 'retention') return;
    if (event['detail-type'] === emailHeldOut.detailType) {
      const { campaign } = emailHeldOut.detail.parse(event.detail);
      heldOutCampaigns.add(campaign);
      group(campaign).heldOut++;
    } else if (event['detail-type'] === emailSent.detailType) {
      group(emailSent.detail.parse(event.detail).campaign).sent++;
    } else {
      const conversion = conversionIn(event);
      if (conversion?.holdout) group(conversion.campaign).heldOutConversions += conversion.sign;
      else if (conversion) group(conversion.campaign).sentConversions += conversion.sign;
    }
  };
  const rate = (conversions: number, emails: number) => (emails ? Math.round((conversions / emails) * 10_000) / 10_000 : null);
  const result = () => Object.fromEntries(
    [...heldOutCampaigns].sort().map((campaign) => {
      const g = groups[campaign]!;
      const sentRate = rate(g.sentConversions, g.sent);
      const heldOutRate = rate(g.heldOutConversions, g.heldOut);
      const uplift = sentRate !== null && heldOutRate !== null ? Math.round((sentRate - heldOutRate) * 10_000) / 100 : null;
      return [
        campaign,
        {
          ...g,
          sentConversionRate: sentRate,
          heldOutConversionRate: heldOutRate,
          /** Percentage points. */
          uplift,
          relativeUplift: uplift !== null && heldOutRate ? Math.round(((sentRate! - heldOutRate) / heldOutRate) * 1000) / 1000 : null,
        },
      ];
    }),
  );
  return { add, result };
};
