/** docs/design.md §5: a unique discount code, easy to read and type. */
import { describe, expect, it } from 'vitest';
import { codeAlphabet, discountCodeFor } from '../../functions/campaigns/discount-code';

describe('a discount code', () => {
  const code = discountCodeFor('secret', 'birthday#c1#2026');

  it('has at least 8 characters from an alphabet without look-alikes', () => {
    expect(code.length).toBeGreaterThanOrEqual(8);
    expect(code).toMatch(new RegExp(`^[${codeAlphabet}]+$`));
    expect(codeAlphabet).not.toMatch(/[01OIL]/);
  });

  it('is the same for the same occasion, so a retried send issues no second code', () => {
    expect(discountCodeFor('secret', 'birthday#c1#2026')).toBe(code);
  });

  it('differs between occasions, attempts and secrets', () => {
    const codes = new Set([
      code,
      discountCodeFor('secret', 'birthday#c1#2027'),
      discountCodeFor('secret', 'birthday#c2#2026'),
      discountCodeFor('secret', 'birthday#c1#2026', 1),
      discountCodeFor('other', 'birthday#c1#2026'),
    ]);
    expect(codes.size).toBe(5);
  });

  it('does not collide across many occasions', () => {
    const codes = new Set(Array.from({ length: 20_000 }, (_, i) => discountCodeFor('secret', `birthday#c${i}#2026`)));
    expect(codes.size).toBe(20_000);
  });
});
