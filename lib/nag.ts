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
