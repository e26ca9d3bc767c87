/**
 * The ops dashboard's dead-letters page (`npm start`: http://127.0.0.1:4015/dead-letters):
 * every dead letter of the data folder, newest first, with its time, where it failed,
 * its reason and customer, whether it was redriven, and the event as JSON, collapsed.
 * Everything shown is escaped (the events are anyone's input), and the page runs no script.
 */
import { readLocalDeadLetters, type ListedDeadLetter } from './dead-letters';
import { escapeHtml, opsPage } from './ops-page';

/** At most this many letters on the page, the newest. */
const maxShown = 500;
/** An event's JSON is cut here on the page (the file keeps it whole). */
const maxEventChars = 20_000;

const escape = escapeHtml;

const eventJson = (event: unknown) => {
  let text: string;
  try {
    text = JSON.stringify(event, null, 2) ?? String(event);
  } catch {
    text = String(event);
  }
  return text.length > maxEventChars ? `${text.slice(0, maxEventChars)}\n… (${text.length - maxEventChars} more characters in the file)` : text;
};

const row = (letter: ListedDeadLetter) => {
  const status = letter.redrivenAt
    ? `<span class="redriven">redriven ${escape(letter.redrivenAt)}</span>`
    : letter.notRedrivable
      ? `<span class="stuck" title="${escape(letter.notRedrivable)}">pending, not redrivable</span>`
      : '<span class="pending">pending</span>';
  return `<tr data-id="${escape(letter.id)}" data-kind="${escape(letter.kind)}" data-redriven="${letter.redrivenAt ? 'true' : 'false'}">
<td class="time">${escape(letter.at || '–')}</td>
<td>${escape(letter.where)}</td>
<td class="reason">${escape(letter.reason)}</td>
<td>${letter.customerId ? escape(letter.customerId) : ''}</td>
<td>${status}<div class="id">${escape(letter.id)}</div></td>
<td><details><summary>event</summary><pre>${escape(eventJson(letter.event))}</pre></details></td>
</tr>`;
};

/** The page over `letters` (as listed with `all`), from `source` (the data folder, shown as the page's subtitle). */
export const renderDeadLettersPage = (letters: ListedDeadLetter[], options: { source: string; now?: Date }) => {
  const pending = letters.filter((letter) => !letter.redrivenAt).length;
  const shown = [...letters].reverse().slice(0, maxShown);
  const more = letters.length - shown.length;
  const body = letters.length
    ? `<table><thead><tr><th>Time</th><th>Where</th><th>Reason</th><th>Customer</th><th>Status</th><th>Event</th></tr></thead><tbody>${shown.map(row).join('')}</tbody></table>${
        more ? `<p class="more">${more} older dead letters not shown: <code>npx retention dead-letters list --all</code> lists them all.</p>` : ''
      }`
    : '<p class="none">No dead letters.</p>';
  return opsPage({
    title: 'Dead letters',
    subtitle: `${escape(options.source)} · ${pending} pending, ${letters.length - pending} redriven${options.now ? ` · ${escape(options.now.toISOString())}` : ''} · <a href="/">ops dashboard</a>`,
    css: `td.reason { max-width: 40em; overflow-wrap: anywhere; }
.id { color: #687078; font-size: 11px; overflow-wrap: anywhere; }
.pending { color: #d13212; font-weight: 600; }
.stuck { color: #8d6605; font-weight: 600; }
.redriven { color: #1d8102; }
tr[data-redriven="true"] { color: #687078; }
pre { max-width: 60em; max-height: 30em; overflow: auto; white-space: pre-wrap; overflow-wrap: anywhere; background: #f7f7f7; padding: 6px; margin: 4px 0 0; }`,
    body: `<p>After a fix, <code>npx retention dead-letters redrive --data ${escape(options.source)}</code> sends the pending ones back where they failed; one that fails again comes back here with its new reason.</p>
${body}`,
  });
};

/** The dashboard server's `/dead-letters` page over a data folder, read afresh on each load. */
export const deadLettersPage = (dataDir: string, now?: () => Date) => () =>
  renderDeadLettersPage(readLocalDeadLetters(dataDir, { all: true }), { source: dataDir, now: now?.() });
