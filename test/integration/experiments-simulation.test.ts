/** A/B tests through `simulate`: a winback subject test reports per-variant sends, conversions and significance. */
import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { runSimulation, upsert } from './run-simulation';

describe('an A/B test on the winback reminder subject', () => {
  const customers = Array.from({ length: 120 }, (_, i) => `ab-${i}`);
  let result: Awaited<ReturnType<typeof runSimulation>>;

  beforeAll(async () => {
    const templates = await mkdtemp(join(tmpdir(), 'retention-templates-'));
    await cp('templates', templates, { recursive: true });
    await writeFile(join(templates, 'winback-1', 'experiment.json'), JSON.stringify({ name: 'reminder-subject', variants: { a: 50, b: 50 } }));
    const english = await readFile(join(templates, 'winback-1', 'en.mjml'), 'utf8');
    await writeFile(join(templates, 'winback-1', 'en.b.mjml'), english.replace(/^subject: .*$/m, 'subject: Your favourites are waiting, {{ customer.firstName }}'));

    const order = (customerId: string, orderId: string, time: string) => ({
      time,
      source: 'shop',
      'detail-type': 'Order Placed',
      detail: { orderId, customerId, placedAt: time, total: 30, currency: 'EUR' },
    });
    result = await runSimulation(
      [
        ...customers.map((id) => upsert('2026-01-01T00:00:00Z', { customerId: id, email: `${id}@example.com`, firstName: 'Sam', timeZone: 'UTC' })),
        ...customers.map((id) => order(id, `${id}-1`, '2026-01-10T12:00:00Z')),
        // Every third customer comes back nine days after the reminder of 11 March.
        ...customers.filter((_, i) => i % 3 === 0).map((id) => order(id, `${id}-2`, '2026-03-20T12:00:00Z')),
      ],
      '2026-01-01T00:00:00Z',
      '2026-03-31T00:00:00Z',
      parseConfig({ nps: { enabled: false } }),
      templates,
    );
  }, 180_000);

  it('assigns each customer a variant, records it on the send, and sends variant b its own subject', () => {
    expect(result.emails).toHaveLength(120);
    const b = result.emails.filter((e) => e.variant === 'b');
    expect(b.length).toBeGreaterThan(40);
    expect(b.length).toBeLessThan(80);
    for (const email of result.emails) {
      expect(email.experiment).toBe('reminder-subject');
      expect(email.subject).toBe(email.variant === 'b' ? 'Your favourites are waiting, Sam' : "We miss you, Sam! Come see what's new at Example Shop");
    }
  });

  it('reports per-variant sends and conversions, and the test it used', () => {
    const test = result.summary.experiments['reminder-subject'];
    const sent = (variant: string) => result.emails.filter((e) => e.variant === variant).length;
    const converted = (variant: string) =>
      result.bus.filter((e) => e['detail-type'] === 'Campaign Conversion' && e.detail.variant === variant).length;
    expect(test.campaign).toBe('winback');
    expect(test.test).toMatch(/two-proportion z-test/);
    for (const variant of ['a', 'b']) {
      expect(test.variants[variant].sends).toBe(sent(variant));
      expect(test.variants[variant].conversions).toBe(converted(variant));
    }
    expect(converted('a') + converted('b')).toBe(40);
    expect(test.againstControl.b).toMatchObject({ significant: false });
    expect(typeof test.againstControl.b.pValue).toBe('number');
  });
});
