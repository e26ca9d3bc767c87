/**
 * `npm start`: the whole local stack on the real clock (docs/design.md §6). On an empty
 * data folder it first loads a demo data set and plays the last week of it on
 * the virtual clock, so the inbox already holds birthday emails and the ops
 * dashboard already has a week of metrics.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import type { Config } from '../functions/config';
import { checkPortsFree, localPorts, portError } from './ports';

const demoDays = 7;

export const start = async (options: { config: Config; dataDir: string; log?: (line: string) => void }) => {
  const log = options.log ?? console.log;
  // Every port first (a bad variable, a port in use): named at once, before anything is started or loaded (the stack
  // and its servers are imported only then, so a refusal takes a fraction of a second, not one of loading them).
  const ports = { ...localPorts };
  await checkPortsFree(ports);
  const { startLocalStack } = await import('./stack');
  const { startStudio } = await import('./studio');
  const { startDashboardServer } = await import('./dashboard');
  const { deadLetterRecorder, readLocalDeadLetters } = await import('./dead-letters');
  const { deadLettersPage } = await import('./dead-letters-page');
  const { explainPage } = await import('./explain-page');
  const { syntheticCustomers, syntheticOrders } = await import('./synthetic');
  const fresh = !existsSync(options.dataDir) || readdirSync(options.dataDir).length === 0;
  mkdirSync(options.dataDir, { recursive: true });
  const now = new Date();
  // Links in local emails point at the local links server, so they work from the inbox.
  const config = { ...options.config, shop: { ...options.config.shop, linkBaseUrl: `http://127.0.0.1:${ports.links}` } };
  const stack = await startLocalStack({
    config,
    start: fresh ? new Date(now.getTime() - demoDays * 86_400_000) : now,
    dataDir: options.dataDir,
    ports,
    inbox: true,
    // Each dead letter kept in DIR/dead-letters.ndjson and printed as it happens (`retention dead-letters list|redrive`).
    onDeadLetter: deadLetterRecorder(options.dataDir, log),
  });

  if (fresh) {
    const demo = syntheticCustomers({
      count: 60,
      time: stack.bus.now(),
      seed: 2026,
      around: { date: now, days: demoDays },
      consentShare: 0.9,
      birthdayShare: 1,
    });
    // Their order history of the last half year, imported with them: surveys and winback steps fall due this week.
    const orders = syntheticOrders({
      customerIds: demo.map((customer) => customer.detail.customerId),
      from: new Date(now.getTime() - 180 * 86_400_000),
      to: new Date(now.getTime() - demoDays * 86_400_000),
      seed: 2026,
    });
    for (const event of [...demo, ...orders]) {
      stack.bus.put({ source: event.source, detailType: event['detail-type'], detail: event.detail, time: stack.bus.now() });
    }
    log(`Loaded ${demo.length} demo customers and ${orders.length} orders into ${options.dataDir}; playing the last ${demoDays} days...`);
  }
  await stack.bus.runUntil(new Date());
  // The studio edits and publishes this stack's content; its test emails go to this stack's inbox.
  // A port taken since the check: what is already running is closed, and the port named.
  const orClose = (name: 'studio' | 'dashboard', ...running: { close(): Promise<unknown> }[]) => async (error: unknown) => {
    for (const server of running) await server.close();
    throw (error as NodeJS.ErrnoException).syscall === 'listen' ? portError(name, ports[name], error) : error;
  };
  const studio = await startStudio({ config, runtime: stack.runtime, port: ports.studio, inboxUrl: stack.endpoints.inbox }).catch(orClose('studio', stack));
  const dashboard = await startDashboardServer({ metrics: stack.metrics, now: () => stack.bus.now(), config, port: ports.dashboard, pages: { '/dead-letters': deadLettersPage(options.dataDir, () => stack.bus.now()), '/explain': explainPage(stack, config) } }).catch(
    orClose('dashboard', studio, stack),
  );

  // From here on the bus follows the wall clock.
  let running = false;
  const tick = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      await stack.bus.runUntil(new Date());
    } finally {
      running = false;
    }
  }, 1000);

  log(
    [
      '',
      'Retention engine running locally:',
      `  Inbox (SES)        ${stack.endpoints.inbox}   (${stack.ses.acceptedCount()} emails so far)`,
      `  Event bus          ${stack.endpoints.bus}   publish with: npx retention publish events.ndjson`,
      `  DynamoDB           ${stack.endpoints.dynamodb}   table "retention"`,
      `  SES API            ${stack.endpoints.ses}`,
      `  Links (surveys)    ${stack.endpoints.links}`,
      `  Ops dashboard      ${dashboard.url}   the CloudWatch dashboard's widgets over the local metrics (?days=N)`,
      `  Template studio    ${studio.url}   edit, preview, test-send, publish and roll back the emails and campaign settings`,
      `  Explain a customer ${dashboard.url}/explain   or: npx retention explain CUSTOMER (and customer export CUSTOMER)`,
      `  Dead letters       ${dashboard.url}/dead-letters   ${readLocalDeadLetters(options.dataDir).length} pending; npx retention dead-letters list|redrive --data ${options.dataDir}`,
      '',
      'Campaign sweeps run every hour on the hour. Ctrl+C stops.',
    ].join('\n'),
  );

  const stop = async () => {
    clearInterval(tick);
    await studio.close();
    await dashboard.close();
    await stack.close();
  };
  return { stack, stop };
};
