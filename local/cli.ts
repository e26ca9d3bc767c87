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
  retention templates pull|push [--dir DIR] [--table NAME [--region R]]
                                                       syncs DIR with the studio's content of the running
                                                       \`npm start\` (or of the deployed stack's table NAME): pull
                                                       writes the published version's files (settings.json too);
                                                       push checks DIR, then saves each changed file as a draft
                                                       to publish in the studio
  retention studio [--port N] [--dir DIR]              the template studio: edit, preview, check, save and send
                                                       test emails (default port 4020, DIR templates/); test
                                                       emails go to the inbox of a running \`npm start\`
  retention studio invite EMAIL --role editor|publisher --user-pool-id ID [--region R]
                                                       invites a marketer to the deployed studio (ID: the stack's
                                                       output StudioUserPoolId; a publisher also edits); Cognito
                                                       emails a temporary password. AWS credentials as for the CLI
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
      const { localCredentials, localRegion } = await import('./dynamodb');
      const { pullTemplates, pushTemplates } = await import('./templates-sync');
      const client = values.table
        ? createDocumentClient({ region: values.region })
        : createDocumentClient({ endpoint: `http://127.0.0.1:${localPorts.dynamo}`, region: localRegion, credentials: localCredentials, maxAttempts: 1 });
      const where = values.table ? `table ${values.table}` : 'the running `npm start`';
      const store = dynamoContentStore(client, values.table ?? 'retention');
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
