/**
 * A campaign step's A/B test as content (`<set>/experiment.json`, see
 * functions/campaigns/experiments.ts): checked when saved and when published,
 * so a test the sender cannot run is never live.
 */
import { experimentSchema } from '../campaigns/experiments';
import { describeIssues } from '../events/event';

export const experimentFile = 'experiment.json';

/** What is wrong with a test, or undefined: its schema, and a template for every variant but the control. */
export const experimentProblem = (experiment: unknown, variantsWithTemplates: string[]): string | undefined => {
  const parsed = experimentSchema.safeParse(experiment);
  if (!parsed.success) return describeIssues(parsed.error);
  const missing = Object.keys(parsed.data.variants).filter((variant) => variant !== 'a' && !variantsWithTemplates.includes(variant));
  return missing.length ? `variant ${missing.map((v) => `"${v}"`).join(', ')} has no template (<locale>.${missing[0]}.mjml)` : undefined;
};
