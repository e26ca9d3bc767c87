/** The `retention` command (docs/design.md §6). Bad arguments exit non-zero with a one-line reason. */
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../functions/config';
import { isoInstant } from '../functions/events/event';
import { localBus, localPorts } from './ports';

/**
 * Each command's usage, in the order `retention help` prints them; `retention <command> --help`
 * prints its own entries (with its subcommands': `studio` prints `studio invite` too).
 * A new command is one more entry here.
 */
const commands: { name: string; usage: string }[] = [
  { name: 'start', usage: `  retention start [--data DIR]                        the local stack on the real clock (npm start); each port
                                                       moves with its variable: RETENTION_BUS_PORT and the others
                                                       of the README's table (0: any free port)` },
  {
    name: 'simulate',
    usage: `  retention simulate --input FILE --from ISO --to ISO --out DIR
                                                       a fresh stack on a virtual clock; writes emails.ndjson,
                                                       bus.ndjson, dead-letters.ndjson, summary.json and
                                                       dashboard.html (the ops dashboard of the run) to DIR
                                                       (--templates DIR: campaign templates other than templates/;
                                                       --faults ses=0.2,dynamodb=0.05,crash=0.01: inject failures,
                                                       or one kind: dynamodb.after=0.1; --seed N: their draws)`,
  },
  {
    name: 'publish',
    usage: `  retention publish FILE [--bus URL]                   puts the events in FILE (NDJSON or a JSON array) on the running
                                                       local bus, and reports as FILE:LINE each event ingest rejects
                                                       (published anyway, as on AWS: it lands in the dead letters)
                                                       and each line that is no event (not published); exits 1 if any`,
  },
  {
    name: 'import',
    usage: `  retention import --customers FILE --orders FILE [--format shopify|generic] [--bus URL|NAME | --out FILE]
                                                       publishes a shop's history from its CSV exports (Shopify's, or
                                                       the generic format of the README): on the running local bus
                                                       (--bus URL: another), on the AWS event bus NAME, or as simulate
                                                       input lines (--out FILE); bad rows are reported as FILE:LINE
                                                       and skipped; an interrupted import goes on where it stopped
                                                       (--checkpoint FILE, default <customers>.import-checkpoint.json;
                                                       --restart: from the start)`,
  },
  {
    name: 'templates',
    usage: `  retention templates check [--dir DIR]                checks every template in DIR (default templates/): prints
                                                       each problem as file:line:column message; exits 1 if any`,
  },
  {
    name: 'templates',
    usage: `  retention templates pull|push [--dir DIR] [--table NAME [--region R]]
                                                       syncs DIR with the studio's content of the running
                                                       \`npm start\` (or of the deployed stack's table NAME): pull
                                                       writes the published version's files (settings.json too);
                                                       push checks DIR, then saves each changed file as a draft
                                                       to publish in the studio`,
  },
  {
    name: 'studio',
    usage: `  retention studio [--port N] [--dir DIR]              the template studio: edit, preview, check, save and send
                                                       test emails (default port 4020, DIR templates/); test
                                                       emails go to the inbox of a running \`npm start\``,
  },
  {
    name: 'studio invite',
    usage: `  retention studio invite EMAIL --role editor|publisher --user-pool-id ID [--region R]
                                                       invites a marketer to the deployed studio (ID: the stack's
                                                       output StudioUserPoolId; a publisher also edits); Cognito
                                                       emails a temporary password. AWS credentials as for the CLI`,
  },
  {
    name: 'explain',
    usage: `  retention explain CUSTOMER [--data DIR | --table NAME [--region R]] [--json]
                                                       the customer's story in time order: events received (and
                                                       where from), due slots set, every email sent and every skip
                                                       with its reason, SES's bounces and complaints, consent changes;
                                                       then where they stand now. From the running \`npm start\`, a
                                                       data folder (DIR: npm start's when stopped, or a simulation's
                                                       --out), or the deployed stack's table NAME (its output
                                                       TableName); --json: the lines as JSON`,
  },
  {
    name: 'customer export',
    usage: `  retention customer export CUSTOMER [--data DIR | --table NAME [--region R]] [--out FILE]
                                                       everything held about the customer as one JSON document
                                                       (profile, emails with subjects and dates, orders, codes,
                                                       survey answers, consent ledger, suppression, story), to
                                                       stdout or FILE; read as explain reads`,
  },
  {
    name: 'dead-letters',
    usage: `  retention dead-letters list [--data DIR | --stack NAME [--region R]] [--all] [--json]
                                                       the dead letters with their reasons, one line each (time,
                                                       where it failed, reason, customer id, id): of npm start's
                                                       DIR (default .retention/data; a simulate --out DIR too) or
                                                       of the deployed stack NAME's queues (read, not consumed);
                                                       --json: each letter whole, one JSON a line; --all: with the
                                                       redriven ones`,
  },
  {
    name: 'dead-letters',
    usage: `  retention dead-letters redrive [--data DIR [--bus URL] | --stack NAME [--region R]] [--id ID]...
                                                       after a fix, sends the pending ones (or each --id) back where
                                                       they failed: through the running npm start (--bus URL:
                                                       another), or on AWS back to their queue or function; each
                                                       redriven once; one that fails again is a new dead letter`,
  },
];

const usageOf = (entries: { usage: string }[]) => `usage:
${entries.map((entry) => entry.usage).join('\n')}
options for every command:
  --config FILE                                        configuration (default: retention.config.json, if present)
  --help, -h                                           the command's usage (retention help: every command's)`;

/** The entries of the longest command the words name (`templates check` is `templates`), with its subcommands'. */
const helpFor = (words: string[]) => {
  for (let n = words.length; n > 0; n--) {
    const name = words.slice(0, n).join(' ');
    const entries = commands.filter((entry) => entry.name === name || entry.name.startsWith(`${name} `));
    if (entries.length) return entries;
  }
  return undefined;
};

/**
 * A mistake of the user's: printed as `retention: <reason>`, without a stack, exit 2. Another module
 * (this one runs the command when imported) throws an error with `code: 'RETENTION_USAGE'` instead,
 * as local/ports.ts' PortError does.
 */
class UsageError extends Error {}
const isUsageError = (error: unknown) =>
  error instanceof UsageError || (error as { code?: unknown })?.code === 'RETENTION_USAGE' || String((error as { code?: unknown })?.code).startsWith('ERR_PARSE_ARGS');

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
  // `retention <command> [...] --help` (or -h): that command's usage, whatever else is on the line.
  const beforeEnd = rest.slice(0, rest.includes('--') ? rest.indexOf('--') : undefined);
  if (command !== undefined && !['help', '--help', '-h'].includes(command) && (beforeEnd.includes('--help') || beforeEnd.includes('-h'))) {
    const entries = helpFor([command, ...beforeEnd.filter((arg) => !arg.startsWith('-'))]);
    if (!entries) throw new UsageError(`unknown command '${command}' (try: retention help)`);
    console.log(usageOf(entries));
    return;
  }
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
      const { publish, parseEvents, report, screen } = await import('./publish');
      const { events, notEvents } = parseEvents(content, file);
      // Ingest's own checks, now: on AWS, and here, a rejected event is published all the same and becomes a dead letter.
      const verdicts = events.map(({ event }) => screen(event));
      const busUrl = values.bus ?? localBus();
      const { results } = await publish(
        events.map(({ event }) => event),
        busUrl,
      ).catch((error: Error) => {
        throw new UsageError(`cannot publish to ${busUrl} (is \`npm start\` running?): ${error.message}`);
      });
      const { problems, summary, failed } = report({ busUrl, events, notEvents, verdicts, results });
      for (const problem of problems) console.error(problem);
      console.log(summary);
      if (failed) process.exitCode = 1;
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
      const bus = values.bus ?? localBus();
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
      if (rest[0] === 'invite') {
        const { InviteArgumentError, invite, parseInviteArgs } = await import('./invite');
        const asUsage = (error: unknown) => (error instanceof InviteArgumentError ? new UsageError(error.message) : error);
        let invitation;
        try {
          invitation = parseInviteArgs(rest.slice(1));
        } catch (error) {
          throw asUsage(error);
        }
        const { created, groups } = await invite(invitation).catch((error: unknown) => {
          throw asUsage(error);
        });
        const where = `groups ${groups.join(', ')} of ${invitation.userPoolId}`;
        console.log(
          created
            ? `invited ${invitation.email} as ${invitation.role} (${where}): Cognito emails a temporary password, valid 7 days`
            : `${invitation.email} already had an account: now in ${where}`,
        );
        return;
      }
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
      const { values, positionals } = parseArgs({
        args: rest,
        options: { dir: { type: 'string' }, table: { type: 'string' }, region: { type: 'string' }, config: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      const [action] = positionals;
      if (positionals.length !== 1 || !['check', 'push', 'pull'].includes(action!)) {
        throw new UsageError('usage: retention templates check|push|pull [--dir DIR] [--table NAME [--region R]]');
      }
      const dir = values.dir ?? 'templates';
      const { existsSync, statSync } = await import('node:fs');
      if (!(existsSync(dir) && statSync(dir).isDirectory())) throw new UsageError(`--dir ${dir}: no such folder`);
      const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
      const { formatProblem, inspectTemplates } = await import('../functions/templates/check');
      if (action !== 'pull') {
        const { problems, templates } = await inspectTemplates(dir);
        for (const problem of problems) console.log(formatProblem(problem));
        if (problems.length) {
          console.log(`${plural(problems.length, 'problem')} in ${plural(new Set(problems.map((p) => p.file)).size, 'template')}${action === 'push' ? ': nothing pushed' : ''}`);
          process.exitCode = 1;
          return;
        }
        if (action === 'check') {
          console.log(`all ${plural(templates.length, 'template')} ok`);
          return;
        }
      }
      // The deployed stack's table (--table, AWS credentials as for the AWS CLI), or the running `npm start`'s.
      const { createDocumentClient } = await import('../functions/adapters/dynamodb/client');
      const { dynamoContentStore } = await import('../functions/adapters/dynamodb/content');
      const { settingsOf } = await import('../functions/content/settings');
      const { localCredentials, localRegion, localTableName } = await import('./dynamodb');
      const { pullTemplates, pushTemplates } = await import('./templates-sync');
      const client = values.table
        ? createDocumentClient({ region: values.region })
        : createDocumentClient({ endpoint: `http://127.0.0.1:${localPorts.dynamo}`, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
      const where = values.table ? `table ${values.table}` : 'the running `npm start`';
      const store = dynamoContentStore(client, values.table ?? localTableName);
      const { fileURLToPath } = await import('node:url');
      const defaults = { templatesDir: fileURLToPath(new URL('../templates', import.meta.url)), settings: settingsOf(config()) };
      try {
        if (action === 'pull') {
          const { version, written } = await pullTemplates(store, defaults, dir);
          console.log(`wrote ${plural(written.length, 'file')} of ${version ? `version ${version}` : 'the defaults'} from ${where} to ${dir}`);
        } else {
          const { saved } = await pushTemplates(store, defaults, dir, new Date());
          for (const path of saved) console.log(`draft: ${path}`);
          console.log(saved.length ? `saved ${plural(saved.length, 'draft')} in ${where}: review and publish them in the studio` : `nothing to push: ${where} has the same files`);
        }
      } catch (error) {
        if (!values.table && /ECONNREFUSED/.test(String((error as Error).message) + String((error as { cause?: unknown }).cause))) {
          throw new UsageError('no local stack to sync with: start it with `npm start`, or name a deployed one with --table');
        }
        throw error;
      } finally {
        client.destroy();
      }
      return;
    }
    case 'explain':
    case 'customer': {
      const exporting = command === 'customer';
      if (exporting && rest[0] !== 'export') throw new UsageError('usage: retention customer export CUSTOMER [--data DIR | --table NAME [--region R]] [--out FILE]');
      const { values, positionals } = parseArgs({
        args: exporting ? rest.slice(1) : rest,
        options: { data: { type: 'string' }, table: { type: 'string' }, region: { type: 'string' }, json: { type: 'boolean' }, out: { type: 'string' }, config: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length !== 1) throw new UsageError(`${exporting ? 'customer export' : 'explain'} takes one CUSTOMER id`);
      const [customerId] = positionals as [string];
      if (values.data !== undefined && values.table !== undefined) throw new UsageError('--data and --table are two places to read from: give one');
      if (exporting ? values.json : values.out) throw new UsageError(exporting ? '--json is for explain: an export is JSON already' : '--out is for customer export');
      const { explain, exportRecord, RecordSourceError } = await import('./customer-record');
      const source =
        values.table !== undefined
          ? { kind: 'table' as const, table: values.table, region: values.region }
          : values.data !== undefined
            ? { kind: 'data' as const, dir: values.data }
            : { kind: 'running' as const };
      const asUsage = (error: unknown) => {
        throw error instanceof RecordSourceError ? new UsageError(error.message) : error;
      };
      if (exporting) {
        const { document, known } = await exportRecord(customerId, source).catch(asUsage);
        if (!known) console.error(`retention: nothing is held about customer ${customerId}`);
        const text = JSON.stringify(document, null, 2) + '\n';
        if (values.out) {
          const { writeFile } = await import('node:fs/promises');
          await writeFile(values.out, text);
          console.error(`wrote everything held about ${customerId} to ${values.out}`);
        } else process.stdout.write(text);
        return;
      }
      const { lines, text, known } = await explain(customerId, source, config()).catch(asUsage);
      if (!known) console.error(`retention: nothing is held about customer ${customerId}`);
      console.log(values.json ? lines.map((line) => JSON.stringify(line)).join('\n') : text);
      return;
    }
    case 'dead-letters': {
      const [action, ...options] = rest;
      if (action !== 'list' && action !== 'redrive') throw new UsageError('usage: retention dead-letters list|redrive [--data DIR | --stack NAME [--region R]]');
      const { values, positionals } = parseArgs({
        args: options,
        options: {
          data: { type: 'string' },
          stack: { type: 'string' },
          region: { type: 'string' },
          bus: { type: 'string' },
          id: { type: 'string', multiple: true },
          all: { type: 'boolean' },
          json: { type: 'boolean' },
          config: { type: 'string' },
        },
        allowPositionals: true,
        strict: true,
      });
      if (positionals.length) throw new UsageError(`dead-letters ${action} takes no '${positionals[0]}'`);
      if (values.data !== undefined && values.stack !== undefined) throw new UsageError('--data and --stack are two places: give one');
      const { DeadLetterError, formatDeadLetters, formatRedriveReport, listDeadLetters, redriveDeadLetters } = await import('./dead-letters');
      const source =
        values.stack !== undefined ? { kind: 'aws' as const, stackName: values.stack, region: values.region } : { kind: 'local' as const, dataDir: values.data ?? '.retention/data' };
      try {
        if (action === 'list') console.log(formatDeadLetters(await listDeadLetters(source, { all: values.all }), { json: values.json }));
        else {
          const report = await redriveDeadLetters(source, { busUrl: values.bus ?? (values.stack === undefined ? localBus() : undefined), ids: values.id });
          console.log(formatRedriveReport(report));
        }
      } catch (error) {
        throw error instanceof DeadLetterError ? new UsageError(error.message) : error;
      }
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h': {
      // `retention help publish`: one command's.
      const entries = rest.length ? helpFor(rest) : commands;
      if (!entries) throw new UsageError(`unknown command '${rest.join(' ')}' (try: retention help)`);
      console.log(usageOf(entries));
      return;
    }
    default:
      throw new UsageError(`unknown command '${command}' (try: retention help)`);
  }
};

main(process.argv.slice(2)).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  // parseArgs' own errors (unknown option, missing value) are usage errors too.
  const isUsage = isUsageError(error);
  console.error(`retention: ${isUsage ? message : `error: ${message}`}`);
  if (!isUsage && process.env.RETENTION_DEBUG) console.error(error);
  process.exit(isUsage ? 2 : 1);
});
