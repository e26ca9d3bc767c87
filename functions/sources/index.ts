/**
 * Shop platforms as sources (docs/design.md §3a): events a platform puts on EventBridge
 * (Shopify's partner event source) are translated into the shop's own events
 * before ingestion. WooCommerce posts to the public HTTP API instead (the links
 * function verifies and translates it, then publishes the shop's own events).
 */
import { isShopifyEvent, translateShopify } from './shopify';
import type { Translation } from './translation';

export const isPlatformEvent = (raw: unknown): boolean => isShopifyEvent(raw);

/**
 * The platform event as the shop's own events, each in the envelope EventBridge
 * gave the platform's (its id suffixed by the event's place, so each is its own).
 */
export const translatePlatformEvent = (raw: unknown): Translation => {
  const translation = translateShopify(raw);
  if (translation.kind !== 'events') return translation;
  const { version, id, account, region, resources } = raw as Record<string, unknown>;
  return {
    kind: 'events',
    events: translation.events.map((line, i) => ({ version, id: `${String(id)}#${i}`, account, region, resources, ...line })),
  };
};
