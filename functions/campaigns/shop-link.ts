/**
 * The link from an email to the shop (docs/design.md §5): the shop's page with
 * UTM parameters naming the email, and, for an email with a discount code on a
 * shop that can take it in a link (Shopify's `/discount/<code>?redirect=`),
 * a link that applies the code before it lands on that page.
 */
import type { Config } from '../config';

/** `email`: what `utm_campaign` names, e.g. `birthday`, `winback-2`. */
export const shopLink = (shop: Config['shop'], email: string, code?: string): string => {
  const page = new URL(shop.siteUrl);
  if (shop.utm) {
    page.searchParams.set('utm_source', shop.utm.source);
    page.searchParams.set('utm_medium', shop.utm.medium);
    page.searchParams.set('utm_campaign', email);
  }
  if (!code || shop.discountLinks === 'none') return page.href;
  const apply = new URL(`/discount/${encodeURIComponent(code)}`, page.origin);
  apply.searchParams.set('redirect', `${page.pathname}${page.search}`);
  return apply.href;
};
