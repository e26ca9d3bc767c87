/** The `retention` command (docs/design.md §6). Bad arguments exit non-zero with a one-line reason. */
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../functions/config';
import { isoInstant } from '../functions/events/event';
import { localBusUrl, localPorts } from './ports';

const usage = `usage:
  retention start [--data DIR]                        the local stack on the real clock (npm start)
  retention simulate --input FILE --from ISO --to ISO --out DIR
                                                       a fresh stack on a virtual clock; writes emails.ndjson,
                                                       bus.ndjson, dead-letters.ndjson, summary.json and
                                                       dashboard.html (the ops dashboard of the run) to DIR
                                                       (--templates DIR: campaign templates other than templates/;
                                                       --faults ses=0.2,dynamodb=0.05,crash=0.01: inject failures,
                                                       or one kind: dynamodb.after=0.1; --seed N: their draws)
  retention publish FILE [--bus URL]                   puts the events in FILE on the running local bus
  retention import --customers FILE --orders FILE [--format shopify|generic] [--bus URL|NAME | --out FILE]
                                                       publishes a shop's history from its CSV exports (Shopify's, or
                                                       the generic format of the README): on the running local bus
                                                       (--bus URL: another), on the AWS event bus NAME, or as simulate
                                                       input lines (--out FILE); bad rows are reported as FILE:LINE
                                                       and skipped; an interrupted import goes on where it stopped
                                                       (--checkpoint FILE, default <customers>.import-checkpoint.json;
                                                       --restart: from the start)
  retention templates check [--dir DIR]                checks every template in DIR (default templates/): prints
                                                       each problem as file:line:column message; exits 1 if any
  retention studio [--port N] [--dir DIR]              the template studio: edit, preview, check, save and send
                                                       test emails (default port 4020, DIR templates/); test
                                                       emails go to the inbox of a running \`npm start\`
options for every command:
  --config FILE                                        configuration (default: retention.config.json, if present)`;

class UsageError extends Error {}

const instant = (name: string, value: string | undefined): Date => {
  if (!value) throw new UsageError(`--${name} is required (an ISO-8601 time such as 2026-01-01T00:00:00Z)`);
  // The same grammar as event times: a full date-time with Z or an offset, on a day that exists.
  if (!isoInstant.safeParse(value).success) {
    throw new UsageError(`--${name} '${value}' is not an ISO-8601 time such as 2026-01-01T00:00:00Z`);
  }
  const date = new Date(value);
  return date;
};

const main = async (argv: string[]) => {
  const [command, ...rest] = argv;
  const config = () => {
    const { values } = parseArgs({ args: rest, options: { config: { type: 'string' } }, strict: false });
    return loadConfigFile(typeof values.config === 'string' ? values.config : undefined);
  };
  switch (command) {
    case 'simulate': {
      const { values } = parseArgs({
        args: rest,
        options: {
          input: { type: 'string' },
          from: { type: 'string' },
          to: { type: 'string' },
          out: { type: 'string' },
          config: { type: 'string' },
          templates: { type: 'string' },
          faults: { type: 'string' },
          seed: { type: 'string' },
        },
        strict: true,
      });
      if (!values.input) throw new UsageError('--input FILE is required');
      const { parseFaults } = await import('./faults');
      let faults;
      try {
        faults = values.faults === undefined ? undefined : parseFaults(values.faults);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const seed = values.seed === undefined ? undefined : Number(values.seed);
      if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed '${values.seed}' is not a whole number`);
      if (!values.out) throw new UsageError('--out DIR is required');
      const from = instant('from', values.from);
      const to = instant('to', values.to);
      if (to <= from) throw new UsageError('--to must be after --from');
      const { existsSync } = await import('node:fs');
      if (!existsSync(values.input)) throw new UsageError(`--input ${values.input}: no such file`);
      const { simulate } = await import('./simulate');
      const { summary } = await simulate({
        input: values.input,
        from,
        to,
        out: values.out,
        config: config(),
        templatesDir: values.templates,
        progress: process.stderr,
        faults,
        seed,
      });
      const injected = Object.entries(summary.faults.injected).map(([kind, count]) => `${count} ${kind}`).join(', ');
      if (injected) console.log(`faults injected: ${injected}`);
      console.log(
        `${summary.emails.total} emails, ${summary.deadLetters} dead letters, ${summary.dynamodb.readUnits} read units; wrote ${values.out}/{emails,bus,dead-letters}.ndjson, summary.json and dashboard.html`,
      );
      return;
    }
    case 'publish': {
      const { values, positionals } = parseArgs({ args: rest, options: { bus: { type: 'string' } }, allowPositionals: true, strict: true });
      if (positionals.length !== 1) throw new UsageError('publish takes one FILE of events');
      const file = positionals[0]!;
      const { readFile } = await import('node:fs/promises');
      const content = await readFile(file, 'utf8').catch(() => {
        throw new UsageError(`${file}: no such file`);
      });
      const { publish, parseEvents } = await import('./publish');
      const { lines, rejected } = parseEvents(content, file);
      const busUrl = values.bus ?? localBusUrl;
      const { published, failed } = await publish(lines, busUrl).catch((error: Error) => {
        throw new UsageError(`cannot publish to ${busUrl} (is \`npm start\` running?): ${error.message}`);
      });
      for (const reason of [...rejected.map((r) => r.reason), ...failed]) console.error(`rejected: ${reason}`);
      console.log(`published ${published} events to ${busUrl}`);
      if (rejected.length || failed.length) process.exitCode = 1;
      return;
    }
    case 'import': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: {
          customers: { type: 'string' },
          orders: { type: 'string' },
          format: { type: 'string' },
          bus: { type: 'string' },
          out: { type: 'string' },
          checkpoint: { type: 'string' },
          restart: { type: 'boolean' },
        },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length) throw new UsageError(`import takes no '${positionals[0]}': its files are --customers FILE and --orders FILE`);
      const { existsSync } = await import('node:fs');
      for (const name of ['customers', 'orders'] as const) {
        const file = values[name];
        if (!file) throw new UsageError(`--${name} FILE is required`);
        if (!existsSync(file)) throw new UsageError(`--${name} ${file}: no such file`);
      }
      const { ImportError, importFormats, importHistory } = await import('./import');
      const format = (values.format ?? 'shopify') as (typeof importFormats)[number];
      if (!importFormats.includes(format)) throw new UsageError(`--format '${values.format}' is not one of ${importFormats.join(', ')}`);
      if (values.out !== undefined && values.bus !== undefined) throw new UsageError('--out and --bus are two destinations: give one');
      const bus = values.bus ?? localBusUrl;
      const to =
        values.out !== undefined
          ? { kind: 'file' as const, path: values.out }
          : /^https?:\/\//i.test(bus)
            ? { kind: 'local' as const, url: bus }
            : { kind: 'aws' as const, busName: bus };
      // Ctrl+C: the batch under way is finished and checkpointed, so the same command goes on from there.
      const stop = new AbortController();
      const interrupt = () => stop.abort();
      process.once('SIGINT', interrupt);
      process.once('SIGTERM', interrupt);
      const summary = await importHistory({
        format,
        customers: values.customers!,
        orders: values.orders!,
        to,
        checkpoint: values.checkpoint,
        restart: values.restart,
        signal: stop.signal,
        progress: process.stderr,
      }).catch((error: Error) => {
        throw error instanceof ImportError ? new UsageError(error.message) : error;
      });
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      if (summary.resumedFrom) console.error(`resumed after ${summary.resumedFrom} of ${summary.events} events (${summary.checkpoint})`);
      if (summary.interrupted) {
        console.error(`interrupted after ${summary.published} of ${summary.events} events; the same command goes on from there (${summary.checkpoint})`);
        process.exitCode = 130;
        return;
      }
      console.log(`imported ${summary.customers} customers, ${summary.orders} orders (${summary.events} events); ${summary.skippedRows} rows skipped`);
      return;
    }
    case 'start': {
      const { values } = parseArgs({ args: rest, options: { data: { type: 'string' }, config: { type: 'string' } }, strict: true });
      const { start } = await import('./start');
      const { stop } = await start({ config: config(), dataDir: values.data ?? '.retention/data' });
      const shutdown = () => void stop().then(() => process.exit(0));
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
      return;
    }
    case 'studio': {
      const { values } = parseArgs({
        args: rest,
        options: { port: { type: 'string' }, dir: { type: 'string' }, config: { type: 'string' } },
        strict: true,
      });
      const port = values.port === undefined ? undefined : Number(values.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port <= 65_535)) {
        throw new UsageError(`--port '${values.port}' is not a port number (0-65535)`);
      }
      const { existsSync, statSync } = await import('node:fs');
      if (values.dir !== undefined && !(existsSync(values.dir) && statSync(values.dir).isDirectory())) {
        throw new UsageError(`--dir ${values.dir}: no such folder`);
      }
      const { startStudio } = await import('./studio');
      const studio = await startStudio({ config: config(), templatesDir: values.dir, port }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'EADDRINUSE') throw new UsageError(`port ${port ?? localPorts.studio} is in use (is \`npm start\` running? it serves the studio too); try --port`);
        throw error;
      });
      console.log(`Template studio: ${studio.url}   (Ctrl+C stops)`);
      const shutdown = () => void studio.close().then(() => process.exit(0));
      process.on('SIGINT', shutdown);
      process.on('SIGTERM', shutdown);
      return;
    }
    case 'templates': {
      const { values, positionals } = parseArgs({ args: rest, options: { dir: { type: 'string' } }, allowPositionals: true, strict: true });
      if (positionals.length !== 1 || positionals[0] !== 'check') throw new UsageError('usage: retention templates check [--dir DIR]');
      const dir = values.dir ?? 'templates';
      const { existsSync, statSync } = await import('node:fs');
      if (!(existsSync(dir) && statSync(dir).isDirectory())) throw new UsageError(`--dir ${dir}: no such folder`);
      const { formatProblem, inspectTemplates } = await import('../functions/templates/check');
      const { problems, templates } = await inspectTemplates(dir);
      for (const problem of problems) console.log(formatProblem(problem));
      const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      if (problems.length) {
        console.log(`${plural(problems.length, 'problem')} in ${plural(new Set(problems.map((p) => p.file)).size, 'template')}`);
        process.exitCode = 1;
      } else {
        console.log(`all ${plural(templates.length, 'template')} ok`);
      }
      return;
    }
    case undefined:
    case 'help':
    case '--help':
      console.log(usage);
      return;
    default:
      throw new UsageError(`unknown command '${command}' (try: retention help)`);
  }
};

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  // parseArgs' own errors (unknown option, missing value) are usage errors too.
  const isUsage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  console.error(`retention: ${isUsage ? message : `error: ${message}`}`);
  if (!isUsage && process.env.RETENTION_DEBUG) console.error(error);
  process.exit(isUsage ? 2 : 1);
});
