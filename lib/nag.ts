/**
 * cdk-nag (v3) findings are acknowledged through CDK's own
 * `Validations.of(construct).acknowledge()`: one id per finding, applying to the
 * construct and everything under it, always with the reason it is acceptable.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { IConstruct } from 'constructs';

/** Acknowledge the AwsSolutions finding `rule` (e.g. `SMG4`, `IAM5[Resource::*]`) on `scope` and its children. */
export const acknowledge = (scope: IConstruct, rule: string, reason: string): void =>
  Validations.of(scope).acknowledge({ id: `AwsSolutions-${rule}`, reason });

/**
 * The IAM5 finding for one wildcard resource, spelled exactly as cdk-nag
 * reports it (references flattened to `<LogicalId.Arn>`, `<AWS::Region>`), so
 * the acknowledgement covers that resource and no other wildcard.
 */
export const wildcardResource = (scope: IConstruct, resource: string): string =>
  `IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;

/**
 * The IAM5 findings of every wildcard action and resource in `policy` (spelled
 * as `wildcardResource` spells them), for a policy CDK writes itself whose
 * resources depend on the environment (the bootstrap's assets bucket).
 */
export const wildcardFindingsOf = (policy: IConstruct & { document: { toJSON(): unknown } }): string[] => {
  type Statement = { Action?: unknown; Resource?: unknown };
  const document = Stack.of(policy).resolve(policy.document.toJSON()) as { Statement?: Statement[] } | undefined;
  const all = (field: keyof Statement) => (document?.Statement ?? []).flatMap((statement) => [statement[field] ?? []].flat()).map(flattenCfnReference);
  const wildcards = (kind: string, values: string[]) => [...new Set(values.filter((value) => value.includes('*')))].map((value) => `IAM5[${kind}::${value}]`);
  return [...wildcards('Action', all('Action')), ...wildcards('Resource', all('Resource'))];
};
