/** docs/design.md §8: a sweep only selects, one send job per due customer, and stops near its time limit. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { runSweep, stopMarginMs, type SweepPorts } from '../../functions/campaigns/sweep';
import type { SendJob } from '../../functions/sending/jobs';

const at = new Date('2026-03-02T09:00:00Z');

const ports = (pages: string[][], config = parseConfig({})) => {
  const queued: SendJob[][] = [];
  const sweepPorts: SweepPorts = {
    config,
    customers: {
      async *due() {
        yield* pages;
      },
    },
    sendJobs: { enqueue: async (jobs) => void queued.push(jobs) },
  };
  return { sweepPorts, queued };
};

describe('a sweep queues one send job per due customer, at its own time', () => {
  it('every page of the due-time index, as jobs naming campaign, customer and the sweep time', async () => {
    const { sweepPorts, queued } = ports([['c-1', 'c-2'], ['c-3']]);
    expect(await runSweep('birthday', 'birthdayDue', at, sweepPorts, () => 300_000)).toEqual({ campaign: 'birthday', due: 3, complete: true });
    expect(queued.flat()).toEqual(['c-1', 'c-2', 'c-3'].map((customerId) => ({ campaign: 'birthday', customerId, at: at.toISOString() })));
  });

  it('a campaign switched off reads and queues nothing', async () => {
    const { sweepPorts, queued } = ports([['c-1']], parseConfig({ nps: { enabled: false } }));
    expect(await runSweep('nps', 'npsDue', at, sweepPorts, () => 300_000)).toEqual({ campaign: 'nps', due: 0, complete: true });
    expect(queued).toEqual([]);
  });
});

describe('near its time limit a sweep stops selecting, and the rest stays due for the next run', () => {
  it(`with less than ${stopMarginMs / 1000} s left, the page in hand is queued and no other is read`, async () => {
    const { sweepPorts, queued } = ports([['c-1'], ['c-2'], ['c-3']]);
    let left = stopMarginMs;
    const result = await runSweep('winback', 'winbackDue', at, sweepPorts, () => (left -= 1));
    expect(result).toEqual({ campaign: 'winback', due: 1, complete: false });
    expect(queued.flat().map((job) => job.customerId)).toEqual(['c-1']);
  });
});
