/**
 * Ingestion of the shop's events (DESIGN §3): validate, then store. An invalid
 * event is rejected to the dead letters with a reason naming the bad field and
 * never stops the others; a duplicate changes nothing.
 */
import { z } from 'zod';
import type { Config } from '../config';
import { describeIssues, outgoing } from '../events/event';
import { eventRejected } from '../events/retention';
import { customerDeleted, customerUpserted, orderDelivered, orderPlaced } from '../events/shop';
import { nextDueFor } from '../campaigns/birthday/rules';
import type { CustomerStore, DiscountCodes, EventPublisher, OrderStore } from '../campaigns/ports';
import type { CustomerProfile } from './profile';

export const shopEventSchema = z.discriminatedUnion('detail-type', [
  customerUpserted.envelope,
  orderPlaced.envelope,
  orderDelivered.envelope,
  customerDeleted.envelope,
]);

export interface IngestPorts {
  config: Config;
  customers: CustomerStore;
  orders: OrderStore;
  codes: DiscountCodes;
  events: EventPublisher;
}

export type IngestOutcome = 'stored' | 'duplicate' | 'stale' | 'rejected';

export const ingest = async (raw: unknown, ports: IngestPorts): Promise<{ outcome: IngestOutcome; reason?: string }> => {
  const parsed = shopEventSchema.safeParse(raw);
  if (!parsed.success) {
    const reason = describeIssues(parsed.error);
    const time = z.object({ time: z.iso.datetime({ offset: true }) }).safeParse(raw);
    await ports.events.publish([
      outgoing(eventRejected, time.success ? time.data.time : new Date().toISOString(), { reason, event: raw }),
    ]);
    return { outcome: 'rejected', reason };
  }
  const event = parsed.data;
  const time = new Date(event.time);
  switch (event['detail-type']) {
    case 'Customer Upserted': {
      const existing = await ports.customers.get(event.detail.customerId);
      const profile: CustomerProfile = { ...event.detail, updatedAt: time.toISOString() };
      const due = nextDueFor(profile, time, ports.config, existing?.birthdayLastYear);
      const stored = await ports.customers.upsert({
        ...profile,
        birthdayOccasion: due?.occasion,
        birthdayDueAt: due?.dueAt.toISOString(),
      });
      return { outcome: stored ? 'stored' : 'stale' };
    }
    case 'Order Placed': {
      if (!(await ports.orders.recordOrder(event.detail))) return { outcome: 'duplicate' };
      if (event.detail.discountCode) {
        await ports.codes.redeem(event.detail.discountCode, event.detail.orderId, new Date(event.detail.placedAt).toISOString());
      }
      return { outcome: 'stored' };
    }
    case 'Order Delivered':
      await ports.orders.recordDelivery(event.detail);
      return { outcome: 'stored' };
    case 'Customer Deleted':
      return { outcome: (await ports.customers.erase(event.detail.customerId, time.toISOString())) ? 'stored' : 'stale' };
  }
};
