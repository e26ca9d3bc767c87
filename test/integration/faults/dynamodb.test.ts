/** DynamoDB failing as it fails (docs/design.md §6, §8): every write whose answer was lost is told by what is stored; a month ends as the fault-free one. */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectSameOutcome, runMonth, type MonthRun } from './month';

let clean: MonthRun;
beforeAll(async () => {
  clean = await runMonth();
}, 600_000);

describe.each(['before', 'throttle', 'after'] as const)('DynamoDB calls failing (%s)', (kind) => {
  it.each([0.1, 0.5])('at %s, the emails of the fault-free run, none twice', async (rate) => {
    const faulty = await runMonth({ faults: { [`dynamodb.${kind}`]: rate } });
    expect(faulty.summary.faults.injected[`dynamodb.${kind}`]).toBeGreaterThan(0);
    expectSameOutcome(faulty, clean);
  }, 600_000);
});
