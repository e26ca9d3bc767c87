/** No personal data in logs (issue 6): the handlers' lines over a simulation, at the most verbose level. */
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../functions/observability';
import { runSimulation, upsert } from './run-simulation';

// Before the handlers' logger is created: Powertools sets each invocation back to the level it was created with.
vi.hoisted(() => vi.stubEnv('POWERTOOLS_LOG_LEVEL', 'DEBUG'));
afterAll(() => vi.unstubAllEnvs());

describe('logs', () => {
  afterEach(() => vi.restoreAllMocks());

  it('carry no email address, name or birthday, at the most verbose level', async () => {
    expect(logger.getLevelName()).toBe('DEBUG');
    const written: string[] = [];
    const capture = (chunk: unknown) => {
      written.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture as typeof process.stdout.write);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture as typeof process.stderr.write);
    await runSimulation(
      [
        upsert('2026-05-01T00:00:00Z', { customerId: 'p1', email: 'private.person@example.com', firstName: 'Zebulon', lastName: 'Quixotic', birthday: '1980-07-19' }),
        upsert('2026-05-01T00:00:00Z', { customerId: 'p2', email: 'not-an-address', firstName: 'Xanthippe', birthday: '1980-07-19' }),
        {
          time: '2026-05-01T10:00:00Z',
          source: 'shop',
          'detail-type': 'Order Placed',
          detail: { orderId: 'o1', customerId: 'p1', placedAt: '2026-05-01T10:00:00Z', total: 10, currency: 'EUR' },
        },
        { time: '2026-05-02T00:00:00Z', source: 'shop', 'detail-type': 'Order Delivered', detail: { orderId: 'o1', customerId: 'p1', deliveredAt: '2026-05-02T00:00:00Z' } },
        { time: '2026-05-10T08:00:00Z', recipient: { customerId: 'p1', action: 'nps-score', score: 3 } },
      ],
      '2026-05-01T00:00:00Z',
      '2026-05-12T00:00:00Z',
    );
    // Request ids are random UUIDs: one holds "07-19" every few runs.
    const logs = written.join('').replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/gi, '<uuid>');
    // The handlers did log (the test would prove nothing otherwise)...
    expect(logs).toMatch(/"customerId":"p1"/);
    // ...and never anything personal.
    for (const secret of ['private.person', 'not-an-address', 'Zebulon', 'Quixotic', 'Xanthippe', '1980-07-19', '07-19']) {
      expect(logs).not.toContain(secret);
    }
  }, 120_000);
});
