/**
 * The ops dashboard's customer page (`npm start`: http://127.0.0.1:4015/explain?customer=ID):
 * the same story as `retention explain` (functions/customers/record.ts), searchable by
 * customer id. Everything shown is escaped (ids and subjects are anyone's input),
 * and the page runs no script.
 */
import { readCustomerRecord } from '../functions/adapters/dynamodb/customer-record';
import type { Config } from '../functions/config';
import { explainCustomer, unexpired } from '../functions/customers/record';
import type { StoryLine } from '../functions/customers/story';
import { escapeHtml, opsPage } from './ops-page';
import type { LocalStack } from './stack';

const escape = escapeHtml;

const row = (line: StoryLine) =>
  `<tr class="${line.what}"><td class="time">${escape(line.at)}</td><td class="what">${escape(line.what)}</td><td>${escape(line.text)}</td></tr>`;

/** The page: a search box, and the story of `customerId` when one was asked for (`lines` undefined: not asked). */
export const renderExplainPage = (customerId: string | undefined, lines: StoryLine[] | undefined, options: { source: string; error?: string }) => {
  const body = options.error
    ? `<p class="error">${escape(options.error)}</p>`
    : customerId && lines
      ? `<h2>Customer ${escape(customerId)}</h2><table><thead><tr><th>Time</th><th>What</th><th>Story</th></tr></thead><tbody>${lines.map(row).join('')}</tbody></table>`
      : '<p>Type a customer id to see everything the engine received, sent and skipped for them, and why.</p>';
  return opsPage({
    title: 'Explain a customer',
    subtitle: `${escape(options.source)} · <a href="/">ops dashboard</a> · <a href="/dead-letters">dead letters</a>`,
    formAction: true,
    css: `form { margin: 0 0 12px; }
input { font: inherit; padding: 4px 6px; width: 20em; }
h2 { font-size: 15px; }
td { overflow-wrap: anywhere; }
tr.skip td.what, tr.deliverability td.what { color: #d13212; font-weight: 600; }
tr.email td.what { color: #1d8102; }
tr.pending { background: #f7f7f7; }
.error { color: #d13212; }`,
    body: `<form method="get" action="/explain"><label>Customer id <input name="customer" value="${escape(customerId ?? '')}" required maxlength="128" autofocus></label> <button>Explain</button></form>
${body}`,
  });
};

/** The page over a running stack's table, at its clock's time: `/explain?customer=ID`. */
export const explainPage = (stack: Pick<LocalStack, 'runtime' | 'bus'>, config: Config) => async (url: URL) => {
  const customerId = url.searchParams.get('customer')?.trim() || undefined;
  const source = `table ${stack.runtime.tableName} of this npm start`;
  if (!customerId) return renderExplainPage(undefined, undefined, { source });
  if (customerId.length > 128) return renderExplainPage(customerId.slice(0, 128), undefined, { source, error: 'A customer id has at most 128 characters.' });
  const now = stack.bus.now();
  const record = unexpired(await readCustomerRecord(stack.runtime.dynamo, stack.runtime.tableName, customerId), now);
  return renderExplainPage(customerId, explainCustomer(record, now, config.defaultTimeZone), { source });
};
