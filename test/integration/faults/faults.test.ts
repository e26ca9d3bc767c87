/**
 * A month of the three campaigns under every fault the local stack injects
 * (docs/design.md §6, §8), each run held to one fault-free run of the same month:
 * invocations killed mid-way; events delivered at least once and out of order;
 * DynamoDB and SES failing as they fail, a write or a send whose answer was
 * lost told by what is stored. Every run ends with the fault-free emails, none twice.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOutcome, monthInput, runMonth, type MonthRun } from './month';

let clean: MonthRun;
beforeAll(async () => {
  clean = await runMonth();
}, 600_000);

describe('invocations killed at any call, before or after it was applied, or after the last one', () => {
  it.each([0.1, 0.5])('at %s, the emails of the fault-free run, none twice', async (rate) => {
    const faulty = await runMonth({ faults: { crash: rate } });
    expect(faulty.summary.faults.injected.crash).toBeGreaterThan(0);
    expectSameOutcome(faulty, clean);
  }, 600_000);
});

describe('every shop event delivered three times, shuffled within a minute', () => {
  it('ends as the fault-free run: surveys, winback and statistics included', async () => {
    // A seeded shuffle: each copy arrives up to a minute after the event, in any order.
    let seed = 11;
    const random = () => ((seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647);
    const shuffled = monthInput.flatMap((line): object[] =>
      'recipient' in line
        ? [line]
        : [0, 1, 2].map(() => ({ ...line, time: new Date(Date.parse(line.time) + Math.floor(random() * 60) * 1000).toISOString() })),
    );
    const run = await runMonth({ input: shuffled });
    expect(run.summary.ingested.duplicate).toBeGreaterThan(0);
    expectSameOutcome(run, clean);
  }, 600_000);
});

// Each service failing each way it fails: before a call is applied, throttled, or after it was applied with its answer lost.
const serviceFaults = (['dynamodb', 'ses'] as const).flatMap((service) =>
  (['before', 'throttle', 'after'] as const).map((kind) => [service === 'ses' ? 'SES' : 'DynamoDB', kind, `${service}.${kind}`] as const),
);

describe.each(serviceFaults)('%s calls failing (%s)', (_, __, fault) => {
  it.each([0.1, 0.5])('at %s, the emails of the fault-free run, none twice', async (rate) => {
    const faulty = await runMonth({ faults: { [fault]: rate } });
    expect(faulty.summary.faults.injected[fault]).toBeGreaterThan(0);
    expectSameOutcome(faulty, clean);
  }, 600_000);
});
