/**
 * `npm run bench`: the speed of the things a shop and a developer wait for
 * (issue 12), each measured as its own section of BENCHMARKS.md:
 * a simulated year at 1,000, 3,000 and 10,000 customers (bench/year.ts),
 * where its CPU time goes (bench/profile.ts), ingest one event at a time
 * (bench/ingest.ts), the Lambda bundles, their cold import and rendering
 * (bench/lambdas.ts), importing a shop's history (bench/import.ts).
 * Measurements, never pass/fail tests.
 *
 *   npm run bench                          # all of it
 *   npm run bench -- --only year --customers 1000,3000
 *   npm run bench -- --only import --import-customers 1000,3000
 *   npm run bench -- --campaigns           # the sweeps at 10,000 and 100,000 customers (bench/campaigns.ts)
 *   npm run bench -- --capacity            # DynamoDB per partition at 10 million customers (bench/capacity.ts)
 */
import { parseArgs } from 'node:util';

// The other benches, each its own section.
if (process.argv.includes('--campaigns')) {
  await import('./campaigns');
  process.exit(process.exitCode ?? 0);
}
if (process.argv.includes('--capacity')) {
  await import('./capacity');
  process.exit(process.exitCode ?? 0);
}

import { measureProfile, profileTable } from './profile';
import { machine, writeSection } from './report';
import { measureYear, yearTable, type YearRow } from './year';

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    customers: { type: 'string', default: '1000,3000,10000' },
    'import-customers': { type: 'string', default: '1000,3000' },
  },
  strict: false,
});
const only = typeof values.only === 'string' ? values.only.split(',') : ['year', 'profile', 'ingest', 'lambdas', 'import'];
const command = 'npm run bench (bench/speed.ts)';
const today = new Date().toISOString().slice(0, 10);

if (only.includes('year')) {
  const rows: YearRow[] = [];
  for (const size of String(values.customers).split(',').map(Number)) {
    console.error(`a simulated year of ${size.toLocaleString('en')} customers...`);
    rows.push(await measureYear(size));
  }
  await writeSection(
    'year',
    command,
    `## A simulated year

\`retention simulate\` over ${'2026'} (bench/year.ts), measured ${today} on ${machine()}, each size in a fresh
process under GNU time (wall time, and peak memory as the process's maximum resident set). The input: synthetic
customers (seed 42) in en/ms/ar across 16 time zones, 80 % with consent, 90 % with a birthday; each with a year of
orders in their own rhythm (runs and pauses), nine in ten delivered one to five days later, and a third of the
deliveries followed by a survey answer nine days later (at most one a season per customer; an answer to a survey that
was never sent, to a customer without consent or within the survey's fatigue period, is a dead letter with its reason).

Goal: at most 60 s and 1 GB at 10,000 customers, time and memory growing linearly.

${yearTable(rows)}`,
  );
}

if (only.includes('profile')) {
  console.error('profiling half a year of 300 customers...');
  const profile = await measureProfile();
  await writeSection(
    'profile',
    command,
    `## Where a simulation's time goes

\`node --cpu-prof\` over \`retention simulate\` of the first half of bench/year.ts's year for 300 customers
(${profile.emails} emails), measured ${today}; self time of every sample by the part of the stack it ran in.

${profileTable(profile)}`,
  );
}

if (only.includes('ingest')) await writeSection('ingest', command, await (await import('./ingest')).measureIngest());
if (only.includes('lambdas')) await writeSection('lambdas', command, await (await import('./lambdas')).measureLambdas());

if (only.includes('import')) {
  const { goal, importTable, measureImport } = await import('./import');
  const rows = [];
  for (const size of String(values['import-customers']).split(',').map(Number)) {
    console.error(`importing the history of ${size.toLocaleString('en')} customers...`);
    rows.push(await measureImport(size));
  }
  const worst = Math.max(...rows.map((r) => r.extrapolatedMinutes));
  await writeSection(
    'import',
    command,
    `## Importing a shop's history

\`retention import --format generic\` (local/import.ts) of synthetic exports (bench/import.ts, seed 42: 1 to 7 orders a
customer, 4 on average, over the two years before the import; nine in ten delivered one to five days later, one in
twenty-five cancelled), into a local stack started in the same process: published to its bus over its endpoint (the
\`local\` destination, as into \`npm start\`), then the bus and queues driven a minute past the import's time, until every
event is ingested and no message is left on a queue. Measured ${today} on ${machine()}; wall time, and this process's CPU
time (it runs the whole stack); DynamoDB calls counted by the document client's meter.

Goal: ${goal.customers.toLocaleString('en')} customers and ${goal.orders.toLocaleString('en')} orders into the local stack in at most ${goal.minutes} minutes.

${importTable(rows)}

Not met: at these rates the goal's shop takes about ${Math.round(worst / 5) * 5} minutes. The import replays every event, one at a time, through
ingest, ${Math.round(rows[rows.length - 1]!.callsPerOrder)} DynamoDB calls an order (its share of the upserts included); the issue allows computing each customer's state from their whole history
and writing it in batches instead, which is not built yet.`,
  );
}
