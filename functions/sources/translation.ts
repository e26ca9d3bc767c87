/**
 * What a shop platform's translator answers (docs/design.md §3a): the platform's
 * payload as our own shop events (functions/events/shop.ts), a topic we do not
 * use (counted and ignored), or a payload we cannot use, with a reason naming
 * the platform, the topic and the field. Translators are pure: no I/O, no clock.
 */
export interface ShopEventLine {
  /** When it happened at the shop (ISO-8601): the order of updates to one customer. */
  time: string;
  source: 'shop';
  'detail-type': string;
  detail: Record<string, unknown>;
}

export type Translation =
  | { kind: 'events'; events: ShopEventLine[] }
  | { kind: 'ignored'; reason: string }
  | { kind: 'rejected'; reason: string };

export const shopEvent = (time: string, detailType: string, detail: Record<string, unknown>): ShopEventLine => ({
  time,
  source: 'shop',
  'detail-type': detailType,
  // Absent, not undefined: the events are JSON on the bus.
  detail: Object.fromEntries(Object.entries(detail).filter(([, value]) => value !== undefined)),
});
