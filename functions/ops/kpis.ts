/**
 * The retention KPIs (issue 7), as pure formulas over counts of a period. How
 * the counts are gathered (daily, from DynamoDB, without scans) is separate.
 */
export interface PeriodCounts {
  /** Customers at the start and the end of the period, and those who joined during it. */
  customersAtStart: number;
  customersAtEnd: number;
  newCustomers: number;
  /** Orders in the period, the revenue they brought, and who placed them. */
  orders: number;
  revenue: number;
  orderingCustomers: number;
  /** Of the ordering customers, those with two or more orders in all. */
  repeatCustomers: number;
  /** Average customer lifespan, in years (first to last order, or an assumption). */
  averageLifespanYears: number;
}

const ratio = (numerator: number, denominator: number) => (denominator ? numerator / denominator : null);

export const retentionKpis = (c: PeriodCounts) => {
  const retentionRate = ratio(c.customersAtEnd - c.newCustomers, c.customersAtStart);
  const averageOrderValue = ratio(c.revenue, c.orders);
  const purchaseFrequency = ratio(c.orders, c.orderingCustomers);
  return {
    /** (customers at end − new customers) ÷ customers at start */
    retentionRate,
    /** 1 − retention rate */
    churnRate: retentionRate === null ? null : 1 - retentionRate,
    /** customers with two or more orders ÷ customers with an order */
    repeatPurchaseRate: ratio(c.repeatCustomers, c.orderingCustomers),
    /** revenue ÷ orders */
    averageOrderValue,
    /** orders ÷ customers who ordered */
    purchaseFrequency,
    /** average order value × purchase frequency × average lifespan */
    customerLifetimeValue:
      averageOrderValue === null || purchaseFrequency === null ? null : averageOrderValue * purchaseFrequency * c.averageLifespanYears,
  };
};

/** Winback rate: customers won back (a conversion) ÷ customers who entered a winback sequence. */
export const winbackRate = (wonBack: number, lapsed: number) => ratio(wonBack, lapsed);
