/** docs/design.md §5: where an email's links to the shop go. */
import { describe, expect, it } from 'vitest';
import { shopLink } from '../../functions/campaigns/shop-link';
import { parseConfig } from '../../functions/config';

const shop = (options: Record<string, unknown> = {}) => parseConfig({ shop: { siteUrl: 'https://bunga.example/collections/new?sort=latest', ...options } }).shop;

describe('a link to the shop', () => {
  it('carries UTM parameters naming the email, by default', () => {
    expect(shopLink(shop(), 'winback-2')).toBe('https://bunga.example/collections/new?sort=latest&utm_source=retention&utm_medium=email&utm_campaign=winback-2');
  });

  it('takes the shop its own source and medium, or none', () => {
    expect(shopLink(shop({ utm: { source: 'crm', medium: 'newsletter' } }), 'birthday')).toBe(
      'https://bunga.example/collections/new?sort=latest&utm_source=crm&utm_medium=newsletter&utm_campaign=birthday',
    );
    expect(shopLink(shop({ utm: false }), 'birthday')).toBe('https://bunga.example/collections/new?sort=latest');
  });

  it("applies the email's code on a Shopify shop, then lands on the page", () => {
    const link = new URL(shopLink(shop({ discountLinks: 'shopify' }), 'birthday', 'BDAY-7K2Q'));
    expect(`${link.origin}${link.pathname}`).toBe('https://bunga.example/discount/BDAY-7K2Q');
    expect(link.searchParams.get('redirect')).toBe('/collections/new?sort=latest&utm_source=retention&utm_medium=email&utm_campaign=birthday');
  });

  it('is the page itself for an email without a code, or a shop that takes no code in a link', () => {
    expect(shopLink(shop({ discountLinks: 'shopify' }), 'winback-1')).toMatch(/^https:\/\/bunga\.example\/collections\/new\?/);
    expect(shopLink(shop(), 'birthday', 'BDAY-7K2Q')).not.toContain('/discount/');
  });

  it('refuses a discount link setting it does not know, naming the field', () => {
    expect(() => parseConfig({ shop: { discountLinks: 'woocommerce' } })).toThrow(/shop\.discountLinks/);
  });
});
