/**
 * A/B tests (docs/design.md §5 templates; issue 5): a template set may declare an
 * experiment in `templates/<set>/experiment.json`, variants with weights.
 * Variant `a` is the set's own template; another variant `b` uses
 * `<locale>.b.mjml` where it exists. Assignment is a hash of experiment and
 * customer: the same customer always gets the same variant, with no state.
 */
import { createHash } from 'node:crypto';
import { errorFunction } from 'simple-statistics';
import { z } from 'zod';

export const experimentSchema = z.object({
  /** Names the test in events and summaries; change it to start a new test. */
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, { message: 'must be lowercase letters, digits and dashes' }),
  /** Variant name → weight; `a` is the control (the set's own template). */
  variants: z
    .record(z.string().regex(/^[a-z0-9-]+$/), z.number().positive())
    .refine((variants) => 'a' in variants && Object.keys(variants).length >= 2, {
      message: 'needs the control "a" and at least one other variant',
    }),
});

export type Experiment = z.infer<typeof experimentSchema>;

export interface Assignment {
  experiment: string;
  variant: string;
}

/** A number in [0, 1) from a key, uniform over keys and always the same for one key. */
export const uniformHash = (key: string) => createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;

/** The customer's variant: a uniform hash in [0, 1) walked along the weights, in name order. */
export const assignVariant = (experiment: Experiment, customerId: string): Assignment => {
  const point = uniformHash(`${experiment.name}:${customerId}`);
  const entries = Object.entries(experiment.variants).sort(([a], [b]) => a.localeCompare(b));
  const total = entries.reduce((sum, [, weight]) => sum + weight, 0);
  let cumulative = 0;
  for (const [variant, weight] of entries) {
    cumulative += weight / total;
    if (point < cumulative) return { experiment: experiment.name, variant };
  }
  return { experiment: experiment.name, variant: entries.at(-1)![0] };
};

export interface VariantResult {
  sends: number;
  conversions: number;
  conversionRate: number;
}

export const significanceTest = 'two-proportion z-test, two-sided, against the control "a", α = 0.05';

/**
 * Two-proportion z-test of a variant's conversion rate against the control's:
 * the pooled standard error, z, and the two-sided p-value from the normal
 * distribution. Undefined when either arm has no sends or nothing varies.
 */
export const twoProportionZTest = (control: VariantResult, variant: VariantResult) => {
  if (!control.sends || !variant.sends) return undefined;
  const pooled = (control.conversions + variant.conversions) / (control.sends + variant.sends);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / control.sends + 1 / variant.sends));
  if (!standardError) return undefined;
  const z = (variant.conversionRate - control.conversionRate) / standardError;
  const pValue = 1 - errorFunction(Math.abs(z) / Math.SQRT2);
  return { z: Math.round(z * 1000) / 1000, pValue: Math.round(pValue * 10_000) / 10_000, significant: pValue < 0.05 };
};
