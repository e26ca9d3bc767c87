/**
 * Everything the store holds about one customer, read by key (docs/design.md §11), and
 * the two things made of it: the story `retention explain` tells, and the
 * document `retention customer export` writes. Pure: the adapter reads, this shapes.
 */
import { timeZoneOf, type CustomerProfile } from './profile';
import { consentLine, expired, storyLine, suppressionWhy, type ConsentRecord, type EmailEntry, type StoryEntry, type StoryLine } from './story';

type Item = Record<string, unknown>;

/** The customer's partition (`CUSTOMER#<id>`), and the items elsewhere that are theirs, found through it. */
export interface CustomerRecord {
  customerId: string;
  /** Every item of the partition, without its keys' `pk`. */
  items: Item[];
  /** The discount codes issued to or redeemed by them (`CODE#`). */
  codes: Item[];
  /** What SES reported of each message sent to them (`MESSAGE#`). */
  messages: Item[];
  /** Their occasions in the send ledger (`SEND#`). */
  sends: Item[];
  /** Their address's entry on the suppression list, if any (a hash of it, the reason, the time). */
  suppression?: Item;
}

/** What a record's partition reads lead to: the other items to read by key. */
export const relatedKeys = (items: Item[]) => {
  const story = items.filter((item) => String(item.sk).startsWith('STORY#')) as unknown as StoryEntry[];
  const emails = story.filter((entry): entry is EmailEntry => entry.kind === 'email');
  const codes = new Set<string>();
  for (const entry of emails) if (entry.discountCode) codes.add(entry.discountCode);
  for (const item of items) if (String(item.sk).startsWith('ORDER#') && typeof item.discountCode === 'string') codes.add(item.discountCode.trim().toUpperCase());
  return {
    codes: [...codes],
    messageIds: [...new Set(emails.flatMap((entry) => (entry.messageId ? [entry.messageId] : [])))],
    sendKeys: [...new Set(emails.flatMap((entry) => (entry.sendKey ? [entry.sendKey] : [])))],
  };
};

/** The record without what has expired: DynamoDB deletes such items within days, and until then they do not count. */
export const unexpired = (record: CustomerRecord, now: Date): CustomerRecord => ({
  ...record,
  items: record.items.filter((item) => !expired(item, now)),
  messages: record.messages.filter((item) => !expired(item, now)),
  sends: record.sends.filter((item) => !expired(item, now)),
});

const bySk = (items: Item[], prefix: string) => items.filter((item) => String(item.sk).startsWith(prefix));
const profileOf = (record: CustomerRecord) => record.items.find((item) => item.sk === 'PROFILE') as (CustomerProfile & Item) | undefined;

const messageLines = (message: Item): StoryLine[] => {
  const id = String(message.messageId);
  const lines: StoryLine[] = [];
  if (message.deliveredAt) lines.push({ at: String(message.deliveredAt), what: 'email', text: `message ${id} delivered` });
  if (message.openedAt) lines.push({ at: String(message.openedAt), what: 'email', text: `message ${id} opened` });
  if (message.clickedAt) lines.push({ at: String(message.clickedAt), what: 'email', text: `message ${id} clicked` });
  return lines;
};

const codeLines = (code: Item): StoryLine[] =>
  code.redeemedAt ? [{ at: String(code.redeemedAt), what: 'code', text: `code ${String(code.code)} redeemed by order ${String(code.redeemedBy)}` }] : [];

const surveyLine = (answer: Item): StoryLine => ({
  at: String(answer.recordedAt),
  what: 'survey',
  text: `survey about order ${String(answer.surveyId)} answered: score ${String(answer.score)}${answer.comment ? `, with a comment` : ''}`,
});

/** Where the customer stands now: consent, suppression, opt-outs, and what is pending. */
const nowLines = (record: CustomerRecord, at: Date, defaultTimeZone: string): StoryLine[] => {
  const profile = profileOf(record);
  const when = at.toISOString();
  if (!profile) return [{ at: when, what: 'pending', text: 'no profile: the engine has received no Customer Upserted for this id (orders alone do not make a customer mailable)' }];
  if (profile.deletedAt) return [{ at: String(profile.deletedAt), what: 'erasure', text: 'erased: personal data removed; only what suppression and the KPIs need is kept' }];
  const lines: StoryLine[] = [];
  const state = [
    `marketing consent ${profile.marketingConsent === true ? 'given' : profile.marketingConsent === false ? 'withdrawn' : 'unknown'}`,
    record.suppression ? `address suppressed: ${suppressionWhy(String(record.suppression.reason))} (${String(record.suppression.suppressedAt)})` : 'address not suppressed',
    profile.optedOut?.length ? `opted out of ${profile.optedOut.join(', ')}` : undefined,
    `time zone ${timeZoneOf(profile, defaultTimeZone)}`,
    profile.locale ? `locale ${profile.locale}` : undefined,
  ].filter(Boolean);
  lines.push({ at: when, what: 'pending', text: `now: ${state.join('; ')}` });
  const pending = [
    profile.birthdayDueAt && `birthday email due ${profile.birthdayDueAt}`,
    profile.winbackDueAt && `winback step ${profile.winbackStep} due ${profile.winbackDueAt}`,
    profile.npsDueAt && `survey about order ${profile.npsOrderId} due ${profile.npsDueAt}`,
  ].filter(Boolean);
  lines.push({ at: when, what: 'pending', text: pending.length ? `pending: ${pending.join('; ')}` : 'pending: nothing' });
  return lines;
};

/**
 * The customer's story in time order (`retention explain`): events received, emails
 * sent and every skip with its reason, SES's reports, codes redeemed, survey
 * answers, consent changes; then where they stand now.
 */
export const explainCustomer = (record: CustomerRecord, now: Date, defaultTimeZone: string): StoryLine[] => {
  const story = bySk(record.items, 'STORY#') as unknown as StoryEntry[];
  const lines = [
    ...story.map(storyLine),
    ...(bySk(record.items, 'CONSENT#') as unknown as ConsentRecord[]).map(consentLine),
    ...bySk(record.items, 'NPS#').map(surveyLine),
    ...record.messages.flatMap(messageLines),
    ...record.codes.flatMap(codeLines),
  ].sort((a, b) => a.at.localeCompare(b.at));
  return [...lines, ...nowLines(record, now, defaultTimeZone)];
};

/** The timeline as text, one line each. */
export const formatStory = (customerId: string, lines: StoryLine[]): string =>
  [`customer ${customerId}`, ...lines.map((line) => `${line.at}  ${line.what.padEnd(14)} ${line.text}`)].join('\n');

/** An item as JSON holds it: DynamoDB's sets (the document client's `Set`s) as sorted lists. */
const plain = (value: unknown): unknown => {
  if (value instanceof Set) return [...value].map(plain).sort();
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, plain(inner)]));
  return value;
};

const withoutKeys = ({ pk: _pk, ...item }: Item) => plain(item) as Item;

/** The order history's pages (docs/design.md §3) as the one history they hold: their sets joined, their logs one after the other. */
const joinedPages = (pages: Item[]): Item =>
  [...pages]
    .sort((a, b) => String(a.sk).localeCompare(String(b.sk)))
    .reduce<Item>((joined, { pk: _pk, sk: _sk, ...page }) => {
      for (const [name, value] of Object.entries(page)) {
        const had = joined[name];
        joined[name] =
          value instanceof Set ? new Set([...((had as Set<unknown>) ?? []), ...value]) : Array.isArray(value) ? [...((had as unknown[]) ?? []), ...value] : value;
      }
      return joined;
    }, { sk: 'ORDERS' });

/**
 * Everything held about the customer as one JSON document (`retention customer
 * export`, access and portability requests, docs/design.md §11): every item of their
 * partition, grouped, and the items elsewhere that are theirs; and, for a
 * person to read, their emails with subjects, dates and what SES reported.
 */
export const exportCustomer = (record: CustomerRecord, exportedAt: Date) => {
  const groups: Record<string, Item[]> = {};
  const groupOf = (sk: string) =>
    sk === 'PROFILE'
      ? 'profile'
      : sk === 'ORDERS' || sk.startsWith('ORDERS#')
        ? 'orderHistory'
        : sk === 'KPI'
          ? 'kpiFootprint'
          : ({ ORDER: 'orders', NPS: 'surveyAnswers', STORY: 'story', CONSENT: 'consentLedger', DAY: 'emailDays', REFERRAL: 'referrals' } as Record<string, string>)[sk.split('#')[0]!] ?? 'other';
  for (const item of record.items) (groups[groupOf(String(item.sk))] ??= []).push(withoutKeys(item));
  const messages = new Map(record.messages.map((message) => [String(message.messageId), message]));
  const emails = ((groups.story ?? []) as unknown as EmailEntry[])
    .filter((entry) => entry.kind === 'email' && entry.outcome === 'sent')
    .map((entry) => {
      const { pk: _pk, sk: _sk, ttl: _ttl, messageId: _id, ...status } = messages.get(entry.messageId ?? '') ?? {};
      return {
        sentAt: entry.at,
        email: entry.step !== undefined ? `${entry.campaign} step ${entry.step}` : entry.campaign,
        ...(entry.subject && { subject: entry.subject }),
        ...(entry.discountCode && { discountCode: entry.discountCode }),
        ...(entry.messageId && { messageId: entry.messageId }),
        ...status,
      };
    });
  return {
    customerId: record.customerId,
    exportedAt: exportedAt.toISOString(),
    profile: groups.profile?.[0] ?? null,
    emails,
    orders: groups.orders ?? [],
    orderHistory: groups.orderHistory ? withoutKeys(joinedPages(record.items.filter((item) => groupOf(String(item.sk)) === 'orderHistory'))) : null,
    discountCodes: record.codes.map(withoutKeys),
    surveyAnswers: groups.surveyAnswers ?? [],
    consentLedger: groups.consentLedger ?? [],
    suppression: record.suppression ? withoutKeys(record.suppression) : null,
    story: groups.story ?? [],
    emailDays: groups.emailDays ?? [],
    kpiFootprint: groups.kpiFootprint?.[0] ?? null,
    sendLedger: record.sends.map(withoutKeys),
    messageStatus: record.messages.map(withoutKeys),
    other: groups.other ?? [],
  };
};

