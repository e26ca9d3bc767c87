/**
 * `npm run bench`: the speed of the things a shop and a developer wait for
 * (issue 12), each measured as its own section of BENCHMARKS.md:
 * a simulated year at 1,000, 3,000 and 10,000 customers (bench/year.ts),
 * where its CPU time goes (bench/profile.ts), ingest one event at a time
 * (bench/ingest.ts), the Lambda bundles, their cold import and rendering
 * (bench/lambdas.ts). Measurements, never pass/fail tests.
 *
 *   npm run bench                          # all of it
 *   npm run bench -- --only year --customers 1000,3000
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
  options: { only: { type: 'string' }, customers: { type: 'string', default: '1000,3000,10000' } },
  strict: false,
});
const only = typeof values.only === 'string' ? values.only.split(',') : ['year', 'profile', 'ingest', 'lambdas'];
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
