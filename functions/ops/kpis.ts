/**
 * The retention KPIs (issue 7, README "Retention KPIs"), as pure formulas over
 * the counts of one period. How the counts are kept (daily counters in
 * DynamoDB, no scans) is in ./counters.ts.
 *
 * Money is never summed across currencies (issue 15): revenue, average order
 * value, lifetime value and attributed revenue are per currency (ISO 4217),
 * and, with `kpis.baseCurrency` configured, also converted to it by the
 * configured rates.
 */
import type { Config } from '../config';
import { convertingCampaigns, type ConvertingCampaign } from '../campaigns/conversions';

/** Amounts per currency (ISO 4217 code), each in its currency's units (`{ "MYR": 1234.5, "GBP": 99 }`). */
export type Money = Record<string, number>;

/**
 * The currency of amounts counted before currencies were (day counters and order histories
 * written without one): ISO 4217's "no currency", two decimals as they were kept.
 */
export const unknownCurrency = 'XXX';

const digits = new Map<string, number>();
/** The minor units of a currency: 2 for EUR, 0 for JPY, 3 for KWD (ISO 4217, as `Intl` knows them). */
export const minorDigits = (currency: string): number => {
  let found = digits.get(currency);
  if (found === undefined) {
    try {
      found = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      found = 2; // not a well-formed code (a record from elsewhere): cents
    }
    digits.set(currency, found);
  }
  return found;
};

/** An amount in its currency's minor units (cents, yen, fils), as the day counters keep it. */
export const toMinor = (amount: number, currency: string) => Math.round(amount * 10 ** minorDigits(currency));
export const fromMinor = (minor: number, currency: string) => minor / 10 ** minorDigits(currency);
/** Rounded to the currency's minor unit. */
export const roundMoney = (amount: number | null, currency: string) => {
  if (amount === null) return null;
  const scale = 10 ** minorDigits(currency);
  return Math.round(amount * scale) / scale;
};

/** The configured conversion (`kpis` of the configuration): figures are also given in `baseCurrency` when it is set. */
export type MoneyConversion = Config['kpis'];

/** The value of one unit of `currency` in the base currency; undefined without a rate. */
const rateOf = (currency: string, conversion: MoneyConversion) =>
  currency === conversion.baseCurrency ? 1 : conversion.rates[currency];

/** One amount in the base currency, or undefined (no base currency, or no rate for its currency). */
export const convertAmount = (amount: number, currency: string, conversion: MoneyConversion | undefined): number | undefined => {
  const rate = conversion?.baseCurrency ? rateOf(currency, conversion) : undefined;
  return rate === undefined ? undefined : amount * rate;
};

/** Amounts in several currencies as one in the base currency; null when one of them has no rate. */
const convertAll = (amounts: Money, conversion: MoneyConversion): number | null => {
  let total = 0;
  for (const [currency, amount] of Object.entries(amounts)) {
    const rate = rateOf(currency, conversion);
    if (rate === undefined) return null;
    total += amount * rate;
  }
  return total;
};

/**
 * Amounts per currency as one amount in the base currency, `{ currency, amount }`; the amount is
 * null, and `missingRates` names the currencies, when one of them has no rate. Undefined without a base currency.
 */
export const convertMoney = (money: Money, conversion: MoneyConversion | undefined) => {
  if (!conversion?.baseCurrency) return undefined;
  const missingRates = Object.keys(money).filter((currency) => rateOf(currency, conversion) === undefined).sort();
  return {
    currency: conversion.baseCurrency,
    amount: roundMoney(convertAll(money, conversion), conversion.baseCurrency),
    ...(missingRates.length ? { missingRates } : {}),
  };
};

export interface PeriodCounts {
  /** Active customers at the start and the end of the period, and those whose first order fell in it. */
  customersAtStart: number;
  customersAtEnd: number;
  newCustomers: number;
  /** Orders in the period (in every currency), and the customers who placed them. */
  orders: number;
  /** Orders in the period and the revenue they brought, per currency (a currency with neither is absent). */
  ordersByCurrency: Record<string, number>;
  revenue: Money;
  orderingCustomers: number;
  /** Of the ordering customers, those whose order in the period was at least their second. */
  repeatCustomers: number;
  /** Customers who lapsed in the period (the winback rule's at-risk day), and winback conversions in it. */
  lapsedCustomers: number;
  wonBack: number;
  /** NPS responses in the period, by category. */
  promoters: number;
  passives: number;
  detractors: number;
  /** Revenue of the orders each campaign converted in the period (holdouts excluded), per currency. */
  attributedRevenue: Record<ConvertingCampaign, Money>;
}

const ratio = (numerator: number, denominator: number) => (denominator ? numerator / denominator : null);
const perCurrency = <A, T>(money: Record<string, A>, value: (currency: string, amount: A) => T): Record<string, T> =>
  Object.fromEntries(Object.keys(money).sort().map((currency) => [currency, value(currency, money[currency]!)]));

export const retentionKpis = (c: PeriodCounts, conversion?: MoneyConversion) => {
  const retentionRate = ratio(c.customersAtEnd - c.newCustomers, c.customersAtStart);
  const churnRate = retentionRate === null ? null : 1 - retentionRate;
  const purchaseFrequency = ratio(c.orders, c.orderingCustomers);
  // A customer stays 1 ÷ churn periods on average; without churn (or with more customers coming back
  // than leaving, a retention rate above 100 %) the lifespan is unknown.
  const lifespanPeriods = churnRate !== null && churnRate > 0 ? 1 / churnRate : null;
  /** Average order value × purchase frequency × average lifespan, in one currency (or the base one). */
  const lifetimeValue = (averageOrderValue: number | null) =>
    averageOrderValue === null || purchaseFrequency === null || lifespanPeriods === null ? null : averageOrderValue * purchaseFrequency * lifespanPeriods;
  const averageOrderValue = perCurrency(c.revenue, (currency, revenue) => ratio(revenue, c.ordersByCurrency[currency] ?? 0));
  const responses = c.promoters + c.passives + c.detractors;
  return {
    activeCustomers: c.customersAtEnd,
    newCustomers: c.newCustomers,
    /** (customers at end − new customers) ÷ customers at start */
    retentionRate,
    /** 1 − retention rate */
    churnRate,
    /** repeat customers ÷ customers who ordered */
    repeatPurchaseRate: ratio(c.repeatCustomers, c.orderingCustomers),
    /** winback conversions ÷ customers who lapsed */
    winbackRate: ratio(c.wonBack, c.lapsedCustomers),
    /** Revenue of the period, per currency. */
    revenue: perCurrency(c.revenue, (_, revenue) => revenue),
    /** revenue ÷ orders, per currency (the orders in that currency) */
    averageOrderValue,
    /** orders ÷ customers who ordered */
    purchaseFrequency,
    /**
     * average order value × purchase frequency × average lifespan (1 ÷ churn rate, in periods), per
     * currency: the currency's average order value, the shop's frequency and lifespan.
     */
    customerLifetimeValue: perCurrency(averageOrderValue, (_, value) => lifetimeValue(value)),
    /** % promoters − % detractors */
    nps: responses ? (100 * (c.promoters - c.detractors)) / responses : null,
    attributedRevenue: Object.fromEntries(
      convertingCampaigns.map((campaign) => [campaign, perCurrency(c.attributedRevenue[campaign], (_, revenue) => revenue)]),
    ) as Record<ConvertingCampaign, Money>,
    /**
     * The money figures in the base currency (`kpis.baseCurrency`), every currency converted by its
     * rate; absent without a base currency, null figures (and `missingRates`) when a currency has no rate.
     */
    ...(conversion?.baseCurrency ? { converted: convertedKpis(c, conversion, lifetimeValue) } : {}),
  };
};

const convertedKpis = (c: PeriodCounts, conversion: MoneyConversion, lifetimeValue: (aov: number | null) => number | null) => {
  const currencies = new Set([c.revenue, ...Object.values(c.attributedRevenue)].flatMap((money) => Object.keys(money)));
  const missingRates = [...currencies].filter((currency) => rateOf(currency, conversion) === undefined).sort();
  const revenue = convertAll(c.revenue, conversion);
  const averageOrderValue = revenue === null ? null : ratio(revenue, c.orders);
  return {
    currency: conversion.baseCurrency!,
    revenue,
    averageOrderValue,
    customerLifetimeValue: lifetimeValue(averageOrderValue),
    attributedRevenue: Object.fromEntries(convertingCampaigns.map((campaign) => [campaign, convertAll(c.attributedRevenue[campaign], conversion)])) as Record<
      ConvertingCampaign,
      number | null
    >,
    ...(missingRates.length ? { missingRates } : {}),
  };
};

export type RetentionKpis = ReturnType<typeof retentionKpis>;

const round = (value: number | null, digits: number) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);
const percent = (value: number | null) => round(value === null ? null : value * 100, 2);
const rounded = <T extends number | null>(money: Record<string, T>) => perCurrency(money, (currency, amount) => roundMoney(amount, currency) as T);

/**
 * The KPIs as published: rates in percent, money to its currency's minor unit
 * (cents, whole yen), to the precision a dashboard shows. The metrics and
 * `summary.json` both carry these values.
 */
export const publishedKpis = (k: RetentionKpis) => ({
  activeCustomers: k.activeCustomers,
  newCustomers: k.newCustomers,
  retentionRate: percent(k.retentionRate),
  churnRate: percent(k.churnRate),
  repeatPurchaseRate: percent(k.repeatPurchaseRate),
  winbackRate: percent(k.winbackRate),
  revenue: rounded(k.revenue),
  averageOrderValue: rounded(k.averageOrderValue),
  purchaseFrequency: round(k.purchaseFrequency, 3),
  customerLifetimeValue: rounded(k.customerLifetimeValue),
  nps: round(k.nps, 1),
  attributedRevenue: Object.fromEntries(convertingCampaigns.map((campaign) => [campaign, rounded(k.attributedRevenue[campaign])])) as Record<
    ConvertingCampaign,
    Money
  >,
  ...(k.converted && {
    converted: {
      ...k.converted,
      revenue: roundMoney(k.converted.revenue, k.converted.currency),
      averageOrderValue: roundMoney(k.converted.averageOrderValue, k.converted.currency),
      customerLifetimeValue: roundMoney(k.converted.customerLifetimeValue, k.converted.currency),
      attributedRevenue: Object.fromEntries(
        convertingCampaigns.map((campaign) => [campaign, roundMoney(k.converted!.attributedRevenue[campaign], k.converted!.currency)]),
      ) as Record<ConvertingCampaign, number | null>,
    },
  }),
});

export type PublishedKpis = ReturnType<typeof publishedKpis>;
