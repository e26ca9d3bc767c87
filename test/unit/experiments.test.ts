/** A/B tests: deterministic assignment by weight, and a significance test that says what it is. */
import { describe, expect, it } from 'vitest';
import { assignVariant, experimentSchema, twoProportionZTest } from '../../functions/campaigns/experiments';

const experiment = { name: 'winback-1-subject', variants: { a: 50, b: 50 } };
const rate = (sends: number, conversions: number) => ({ sends, conversions, conversionRate: conversions / sends });

describe('assignment', () => {
  it('is the same for the same customer and experiment, every time', () => {
    expect(assignVariant(experiment, 'cust-1')).toEqual(assignVariant(experiment, 'cust-1'));
  });

  it('follows the weights (a 50/50 test over 10,000 customers is close to half and half)', () => {
    const b = Array.from({ length: 10_000 }, (_, i) => assignVariant(experiment, `cust-${i}`)).filter((a) => a.variant === 'b').length;
    expect(b).toBeGreaterThan(4_800);
    expect(b).toBeLessThan(5_200);
    const skewed = Array.from({ length: 10_000 }, (_, i) => assignVariant({ name: 'x', variants: { a: 90, b: 10 } }, `cust-${i}`));
    expect(skewed.filter((a) => a.variant === 'b').length).toBeLessThan(1_150);
  });

  it('is independent between experiments (a new name reshuffles)', () => {
    const same = Array.from({ length: 1_000 }, (_, i) => `c${i}`).filter(
      (id) => assignVariant(experiment, id).variant === assignVariant({ ...experiment, name: 'other' }, id).variant,
    ).length;
    expect(same).toBeGreaterThan(400);
    expect(same).toBeLessThan(600);
  });
});

describe('an experiment declaration', () => {
  it('needs the control "a" and another variant', () => {
    expect(experimentSchema.safeParse({ name: 'x', variants: { b: 1, c: 1 } }).success).toBe(false);
    expect(experimentSchema.safeParse({ name: 'x', variants: { a: 1 } }).success).toBe(false);
    expect(experimentSchema.safeParse({ name: 'X Y', variants: { a: 1, b: 1 } }).success).toBe(false);
    expect(experimentSchema.safeParse(experiment).success).toBe(true);
  });
});

describe('the two-proportion z-test', () => {
  it('finds 10 % against 15 % over 1,000 sends each significant (pooled 12.5 %: z ≈ 3.381, p ≈ 0.0007)', () => {
    const result = twoProportionZTest(rate(1000, 100), rate(1000, 150))!;
    expect(result.z).toBeCloseTo(3.381, 3);
    expect(result.pValue).toBeCloseTo(0.0007, 3);
    expect(result.significant).toBe(true);
  });

  it('does not find 10 % against 12 % over 200 sends each significant', () => {
    expect(twoProportionZTest(rate(200, 20), rate(200, 24))!.significant).toBe(false);
  });

  it('has nothing to say without sends, or when nothing varies', () => {
    expect(twoProportionZTest(rate(0, 0), rate(10, 1))).toBeUndefined();
    expect(twoProportionZTest(rate(10, 0), rate(10, 0))).toBeUndefined();
  });
});
