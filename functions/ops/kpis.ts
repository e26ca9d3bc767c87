/**
 * The retention KPIs (issue 7, README "Retention KPIs"), as pure formulas over
 * the counts of one period. How the counts are kept (daily counters in
 * DynamoDB, no scans) is in ./counters.ts.
 */
import { convertingCampaigns, type ConvertingCampaign } from '../campaigns/conversions';

export interface PeriodCounts {
  /** Active customers at the start and the end of the period, and those whose first order fell in it. */
  customersAtStart: number;
  customersAtEnd: number;
  newCustomers: number;
  /** Orders in the period, the revenue they brought, and the customers who placed them. */
  orders: number;
  revenue: number;
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
  /** Revenue of the orders each campaign converted in the period (holdouts excluded). */
  attributedRevenue: Record<ConvertingCampaign, number>;
}

const ratio = (numerator: number, denominator: number) => (denominator ? numerator / denominator : null);

export const retentionKpis = (c: PeriodCounts) => {
  const retentionRate = ratio(c.customersAtEnd - c.newCustomers, c.customersAtStart);
  const churnRate = retentionRate === null ? null : 1 - retentionRate;
  const averageOrderValue = ratio(c.revenue, c.orders);
  const purchaseFrequency = ratio(c.orders, c.orderingCustomers);
  // A customer stays 1 ÷ churn periods on average; without churn (or with more customers coming back
  // than leaving, a retention rate above 100 %) the lifespan is unknown.
  const lifespanPeriods = churnRate !== null && churnRate > 0 ? 1 / churnRate : null;
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
    /** revenue ÷ orders */
    averageOrderValue,
    /** orders ÷ customers who ordered */
    purchaseFrequency,
    /** average order value × purchase frequency × average lifespan (1 ÷ churn rate, in periods) */
    customerLifetimeValue:
      averageOrderValue === null || purchaseFrequency === null || lifespanPeriods === null
        ? null
        : averageOrderValue * purchaseFrequency * lifespanPeriods,
    /** % promoters − % detractors */
    nps: responses ? (100 * (c.promoters - c.detractors)) / responses : null,
    attributedRevenue: c.attributedRevenue,
  };
};

export type RetentionKpis = ReturnType<typeof retentionKpis>;

const round = (value: number | null, digits: number) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);
const percent = (value: number | null) => round(value === null ? null : value * 100, 2);

/**
 * The KPIs as published: rates in percent, money to the cent, to the precision
 * a dashboard shows. The metrics and `summary.json` both carry these values.
 */
export const publishedKpis = (k: RetentionKpis) => ({
  activeCustomers: k.activeCustomers,
  newCustomers: k.newCustomers,
  retentionRate: percent(k.retentionRate),
  churnRate: percent(k.churnRate),
  repeatPurchaseRate: percent(k.repeatPurchaseRate),
  winbackRate: percent(k.winbackRate),
  averageOrderValue: round(k.averageOrderValue, 2),
  purchaseFrequency: round(k.purchaseFrequency, 3),
  customerLifetimeValue: round(k.customerLifetimeValue, 2),
  nps: round(k.nps, 1),
  attributedRevenue: Object.fromEntries(convertingCampaigns.map((campaign) => [campaign, round(k.attributedRevenue[campaign], 2)!])) as Record<
    ConvertingCampaign,
    number
  >,
});

export type PublishedKpis = ReturnType<typeof publishedKpis>;
