/**
 * Synthetic customers for the demo data set and the benchmark: deterministic
 * (seeded), birthdays spread over the year (29 February included), time zones
 * on both sides of UTC, half- and quarter-hour offsets, the three shipped locales.
 */
const zones: { locale: string; timeZone?: string }[] = [
  { locale: 'en', timeZone: 'Europe/London' },
  { locale: 'en', timeZone: 'America/New_York' },
  { locale: 'en', timeZone: 'America/Los_Angeles' },
  { locale: 'en', timeZone: 'America/St_Johns' },
  { locale: 'en', timeZone: 'Australia/Sydney' },
  { locale: 'en', timeZone: 'Pacific/Auckland' },
  { locale: 'en', timeZone: 'Pacific/Kiritimati' },
  { locale: 'en', timeZone: 'Pacific/Pago_Pago' },
  { locale: 'en', timeZone: 'Asia/Kolkata' },
  { locale: 'en', timeZone: 'Asia/Kathmandu' },
  { locale: 'en' },
  { locale: 'ms', timeZone: 'Asia/Kuala_Lumpur' },
  { locale: 'ms-MY', timeZone: 'Asia/Kuching' },
  { locale: 'ar', timeZone: 'Asia/Dubai' },
  { locale: 'ar-EG', timeZone: 'Africa/Cairo' },
  { locale: 'ar', timeZone: 'Asia/Riyadh' },
];
const firstNames: Record<string, string[]> = {
  en: ['Olivia', 'Jack', 'Amelia', 'Noah', 'Isla', 'Leo', 'Ava', 'Oscar'],
  ms: ['Nur Aisyah', 'Muhammad Adam', 'Siti', 'Amir', 'Farah', 'Hakim'],
  ar: ['مريم', 'أحمد', 'ليلى', 'يوسف', 'فاطمة', 'عمر'],
};

/** mulberry32: a tiny seeded PRNG, so the same seed gives the same customers (and the same faults). */
export const seededRandom = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const pad = (n: number) => String(n).padStart(2, '0');

export interface SyntheticOptions {
  count: number;
  /** Event time of every upsert. */
  time: Date;
  seed?: number;
  /** Put every birthday within this many days of `around` (demo data), instead of over the whole year. */
  around?: { date: Date; days: number };
  /** Share of customers with consent and a birthday; defaults to 0.8 and 0.9. */
  consentShare?: number;
  birthdayShare?: number;
}

export const syntheticCustomers = (options: SyntheticOptions) => {
  const next = seededRandom(options.seed ?? 1);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
  return Array.from({ length: options.count }, (_, i) => {
    const zone = pick(zones);
    const language = zone.locale.slice(0, 2);
    let month: number;
    let day: number;
    if (options.around) {
      const date = new Date(options.around.date.getTime() + Math.round((next() * 2 - 1) * options.around.days) * 86_400_000);
      [month, day] = [date.getUTCMonth() + 1, date.getUTCDate()];
    } else {
      // Day of a leap year, so 29 February appears as often as in life (about 1 in 1461).
      const date = new Date(Date.UTC(2024, 0, 1) + Math.floor(next() * 366) * 86_400_000);
      [month, day] = [date.getUTCMonth() + 1, date.getUTCDate()];
    }
    // Born on 29 February means born in a leap year.
    const year = month === 2 && day === 29 ? 1952 + 4 * Math.floor(next() * 13) : 1950 + Math.floor(next() * 55);
    const hasBirthday = next() < (options.birthdayShare ?? 0.9);
    const customerId = `cust-${String(i + 1).padStart(7, '0')}`;
    return {
      time: options.time.toISOString(),
      source: 'shop',
      'detail-type': 'Customer Upserted',
      detail: {
        customerId,
        email: `${customerId}@example.com`,
        firstName: pick(firstNames[language]!),
        locale: zone.locale,
        ...(zone.timeZone && { timeZone: zone.timeZone }),
        ...(hasBirthday && { birthday: next() < 0.3 ? `--${pad(month)}-${pad(day)}` : `${year}-${pad(month)}-${pad(day)}` }),
        marketingConsent: next() < (options.consentShare ?? 0.8),
      },
    };
  });
};

export interface SyntheticOrderOptions {
  /** Customer ids to give order histories. */
  customerIds: string[];
  /** Orders are placed in [from, to). */
  from: Date;
  to: Date;
  seed?: number;
}

/**
 * Order histories: each customer has their own rhythm (every 7 to 60 days,
 * with jitter), buys a few times, and stops at some point; some come back
 * after a long pause. Deterministic for a seed; events are in time order.
 */
export const syntheticOrders = (options: SyntheticOrderOptions) => {
  const next = seededRandom(options.seed ?? 3);
  const span = options.to.getTime() - options.from.getTime();
  const orders: { time: string; source: string; 'detail-type': string; detail: Record<string, unknown> }[] = [];
  options.customerIds.forEach((customerId, c) => {
    const rhythmDays = 7 + next() * 53;
    let at = options.from.getTime() + next() * span * 0.3;
    let count = 1 + Math.floor(next() * 6);
    for (let i = 0; at < options.to.getTime(); i++) {
      const placedAt = new Date(Math.floor(at / 60_000) * 60_000).toISOString();
      orders.push({
        time: placedAt,
        source: 'shop',
        'detail-type': 'Order Placed',
        detail: { orderId: `ord-${c + 1}-${i + 1}`, customerId, placedAt, total: Math.round((15 + next() * 185) * 100) / 100, currency: 'EUR' },
      });
      count--;
      // When a run of orders ends, some customers come back after a long pause; the others are gone.
      const pause = count > 0 ? rhythmDays * (0.8 + next() * 0.4) : next() < 0.4 ? 90 + next() * 120 : Infinity;
      if (count <= 0) count = 1 + Math.floor(next() * 4);
      at += pause * 86_400_000;
    }
  });
  return orders.sort((a, b) => a.time.localeCompare(b.time));
};
