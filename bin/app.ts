#!/usr/bin/env node
/** The CDK app (`npx cdk synth`, `npx cdk deploy`): config from retention.config.json, defaults otherwise. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfigFile } from '../functions/config';
import { RetentionStack } from '../lib/retention-stack';

const app = new App();
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;

new RetentionStack(app, 'Retention', {
  description: 'Retention campaigns (birthday, winback, nps): EventBridge, Lambda, DynamoDB, SES v2',
  config: loadConfigFile(),
  // Environment-agnostic unless the CLI knows the account and region.
  env: account && region ? { account, region } : undefined,
});

// cdk-nag v3 is a CDK validation plugin (v2 was an Aspect): any AwsSolutions
// finding, error or warning, fails the synth unless fixed or acknowledged with its reason.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
