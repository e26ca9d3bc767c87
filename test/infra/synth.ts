/**
 * The stack as bin/app.ts builds it, with cdk-nag, but with bundling skipped
 * (neither esbuild nor Vite runs in these tests), and the lookups the infra
 * tests share: a construct's resource in the template, its Ref and GetAtt.
 */
import { App, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { Config } from '../../functions/config';
import { RetentionStack } from '../../lib/retention-stack';

export type Resources = Record<string, { Type: string; Properties: Record<string, any> }>;

export const synthesize = (config: Config) => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RetentionStack(app, 'Retention', { config });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources as Resources };
};

export const logicalId = (construct: IConstruct): string => Stack.of(construct).resolve((construct.node.defaultChild as CfnElement).logicalId) as string;
export const ref = (construct: IConstruct) => ({ Ref: logicalId(construct) });
export const getAtt = (construct: IConstruct, attribute = 'Arn') => ({ 'Fn::GetAtt': [logicalId(construct), attribute] });
