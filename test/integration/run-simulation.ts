/** Runs `simulate` over real dynalite and aws-ses-v2-local and reads back the files it wrote. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type Config } from '../../functions/config';
import { simulate, type EmailLine } from '../../local/simulate';
import type { FaultRates } from '../../local/faults';

export const runSimulation = async (
  lines: (string | object)[],
  from: string,
  to: string,
  config: Config = parseConfig({}),
  templatesDir?: string,
  faults?: FaultRates,
  /** Keep the run's DynamoDB data in `out/data`, as the CLI does (for explain and export); most tests need not pay for it. */
  keepData = false,
) => {
  const dir = await mkdtemp(join(tmpdir(), 'retention-sim-'));
  const input = join(dir, 'input.ndjson');
  await writeFile(input, lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n');
  const out = join(dir, 'out');
  await simulate({ input, from: new Date(from), to: new Date(to), out, config, templatesDir, faults, ...(!keepData && { dataDir: false }) });
  const ndjson = async <T>(file: string) =>
    (await readFile(join(out, file), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as T);
  return {
    /** The output folder (dashboard.html is read from there). */
    out,
    emails: await ndjson<EmailLine>('emails.ndjson'),
    bus: await ndjson<{ source: string; 'detail-type': string; time: string; detail: Record<string, unknown> }>('bus.ndjson'),
    deadLetters: await ndjson<{ reason: string; rule?: string; event: unknown }>('dead-letters.ndjson'),
    summary: JSON.parse(await readFile(join(out, 'summary.json'), 'utf8')),
  };
};

export const upsert = (time: string, detail: Record<string, unknown>) => ({
  time,
  source: 'shop',
  'detail-type': 'Customer Upserted',
  detail: { marketingConsent: true, ...detail },
});

export const orderPlaced = (time: string, customerId: string, orderId: string, total = 50, extra: Record<string, unknown> = {}) => ({
  time,
  source: 'shop',
  'detail-type': 'Order Placed',
  detail: { orderId, customerId, placedAt: time, total, currency: 'EUR', ...extra },
});

export const orderDelivered = (time: string, customerId: string, orderId: string) => ({
  time,
  source: 'shop',
  'detail-type': 'Order Delivered',
  detail: { orderId, customerId, deliveredAt: time },
});
