/**
 * The studio on AWS (docs/design.md §9, lib/studio.ts): Cognito sign-in, the studio's
 * own API with a JWT authorizer on every route, the page in a private bucket
 * behind CloudFront, and the table's content writable by the studio alone.
 * Derived from the wiring table: a route added there is tested here.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/config';
import { wiring, type FunctionName, type FunctionWiring } from '../../functions/wiring';
import { contentPartitionKeys, itemWriteActions } from '../../lib/campaign-function';
import type { RetentionStack } from '../../lib/retention-stack';
import { getAtt, logicalId, ref, synthesize, type Resources } from './synth';
import { studioGroups } from '../../functions/studio/users';

const functionNames = Object.keys(wiring) as FunctionName[];
type Http = { routes: readonly string[]; throttle: { ratePerSecond: number; burst: number }; signIn?: 'studio' };
const httpOf = (name: FunctionName) => ('http' in wiring[name].trigger ? (wiring[name].trigger as { http: Http }).http : undefined);
const onStudioApi = functionNames.filter((name) => httpOf(name)?.signIn === 'studio');
const studioRoutes = onStudioApi.flatMap((name) => httpOf(name)!.routes.map((route) => ({ name, route })));
const writesContent = (name: FunctionName) => (wiring[name] as FunctionWiring).permissions.writeContent ?? false;

let stack: RetentionStack;
let template: Template;
let resources: Resources;

const resourceOf = (construct: IConstruct) => resources[logicalId(construct)]!;
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const studio = () => stack.studio!;
/** `https://<distribution domain>/`, as the template spells it. */
const studioUrl = () => ({ 'Fn::Join': ['', ['https://', getAtt(studio().distribution, 'DomainName'), '/']] });

beforeAll(() => {
  ({ stack, template, resources } = synthesize(parseConfig({ shop: { name: 'Test Shop' } })));
});

describe('the wiring table has a studio', () => {
  it('wires the studio function to signed-in routes, and it alone writes content', () => {
    expect(onStudioApi).toEqual(['studio']);
    expect(functionNames.filter(writesContent)).toEqual(['studio']);
    expect(stack.studio).toBeDefined();
  });
});

describe('Cognito: invited marketers only, in two groups (§9)', () => {
  const pool = () => resourceOf(studio().userPool).Properties;

  it('has self sign-up off: only an admin creates users', () => {
    expect(pool().AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
  });

  it('signs in by email, with a strong password, optional TOTP MFA and threat protection', () => {
    expect(pool()).toMatchObject({
      UsernameAttributes: ['email'],
      AutoVerifiedAttributes: ['email'],
      Policies: {
        PasswordPolicy: { MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true },
      },
      MfaConfiguration: 'OPTIONAL',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
    });
  });

  it('keeps the marketers when the stack goes', () => {
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain', Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }) });
  });

  it('invites with a link to the studio', () => {
    expect(JSON.stringify(pool().AdminCreateUserConfig.InviteMessageTemplate.EmailMessage)).toContain(JSON.stringify(getAtt(studio().distribution, 'DomainName')));
  });

  it('has the groups editors and publishers', () => {
    const groups = ofType('AWS::Cognito::UserPoolGroup').map(([, r]) => r.Properties);
    expect(groups.map((g) => g.GroupName).sort()).toEqual(['editors', 'publishers']);
    expect(Object.values(studioGroups).sort()).toEqual(['editors', 'publishers']);
    for (const group of groups) expect(group.UserPoolId).toEqual(ref(studio().userPool));
  });

  it('has a hosted UI domain, its prefix from the stack name', () => {
    const domain = resourceOf(studio().domain).Properties;
    expect(domain.UserPoolId).toEqual(ref(studio().userPool));
    expect(domain.Domain['Fn::Join'][1][0]).toBe('retention-');
  });

  it("has one public client for the page: code grant (PKCE), OpenID scopes, back to the studio's URL", () => {
    template.resourceCountIs('AWS::Cognito::UserPoolClient', 1);
    expect(resourceOf(studio().client).Properties).toMatchObject({
      UserPoolId: ref(studio().userPool),
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      CallbackURLs: [studioUrl()],
      LogoutURLs: [studioUrl()],
      PreventUserExistenceErrors: 'ENABLED',
    });
  });
});

describe("the studio's API: its own HTTP API, a Cognito JWT on every route (§9)", () => {
  const api = () => studio().api;
  const routesOf = (apiConstruct: IConstruct) =>
    ofType('AWS::ApiGatewayV2::Route').filter(([, r]) => same(r.Properties.ApiId, ref(apiConstruct)));

  it('is not the links API', () => {
    expect(logicalId(api().api)).not.toBe(logicalId(stack.linksApi!.api));
    expect(resourceOf(api().api).Properties).toMatchObject({ ProtocolType: 'HTTP', Name: 'Retention-studio' });
  });

  it('has exactly the routes wired with signIn: studio', () => {
    expect(routesOf(api().api).map(([, r]) => r.Properties.RouteKey).sort()).toEqual(studioRoutes.map(({ route }) => route).sort());
  });

  it('has a JWT authorizer: the pool is the issuer, the page\'s client the audience, the bearer token in Authorization', () => {
    const authorizers = ofType('AWS::ApiGatewayV2::Authorizer').filter(([, r]) => same(r.Properties.ApiId, ref(api().api)));
    expect(authorizers).toHaveLength(1);
    expect(authorizers[0]![1].Properties).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: getAtt(studio().userPool, 'ProviderURL'), Audience: [ref(studio().client)] },
    });
  });

  it('puts the JWT authorizer on every route of the API, and asks no scope (the page sends the ID token)', () => {
    const authorizerId = ofType('AWS::ApiGatewayV2::Authorizer').find(([, r]) => same(r.Properties.ApiId, ref(api().api)))![0];
    const routes = routesOf(api().api);
    expect(routes.length).toBe(studioRoutes.length);
    for (const [, route] of routes) {
      expect(route.Properties, route.Properties.RouteKey).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
      expect(route.Properties.AuthorizationScopes).toBeUndefined();
    }
  });

  it.each(studioRoutes)('$route reaches the $name function (Lambda proxy, payload 2.0)', ({ name, route }) => {
    const props = resourceOf(api().routes[route]!).Properties;
    const integrationId = props.Target['Fn::Join'][1][1].Ref as string;
    expect(resources[integrationId]!.Properties).toMatchObject({
      ApiId: ref(api().api),
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: getAtt(stack.functions[name].function),
      PayloadFormatVersion: '2.0',
    });
  });

  it('has no studio route on the links API, whose routes all stay public', () => {
    const links = routesOf(stack.linksApi!.api);
    const keys = links.map(([, r]) => r.Properties.RouteKey);
    for (const { route } of studioRoutes) expect(keys).not.toContain(route);
    expect(keys.some((key) => / \/api\//.test(key))).toBe(false);
    for (const [, r] of links) expect(r.Properties.AuthorizationType).toBe('NONE');
  });

  it('is throttled as wired and access-logged', () => {
    const [name] = onStudioApi;
    expect(resourceOf(api().stage).Properties).toMatchObject({
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: httpOf(name!)!.throttle.ratePerSecond, ThrottlingBurstLimit: httpOf(name!)!.throttle.burst },
      AccessLogSettings: { DestinationArn: getAtt(api().accessLogs) },
    });
  });

  it('refuses a studio route on the public API and a public route on the studio\'s', () => {
    const fn = stack.functions.studio.function;
    expect(() => stack.linksApi!.addFunction('x', fn, { routes: ['GET /x'], throttle: { ratePerSecond: 1, burst: 1 }, signIn: 'studio' })).toThrow(/signIn 'studio'/);
    expect(() => api().addFunction('y', fn, { routes: ['GET /y'], throttle: { ratePerSecond: 1, burst: 1 } })).toThrow(/without signIn/);
  });
});

describe('the page: a private bucket behind CloudFront, /api/* to the studio\'s API (§9)', () => {
  const distribution = () => resourceOf(studio().distribution).Properties.DistributionConfig;
  const managed = { cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad', allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac' };

  it('keeps the bucket private, encrypted and TLS-only', () => {
    expect(resourceOf(studio().site).Properties).toMatchObject({
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(studio().site),
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('reads the bucket through origin access control, for this distribution only', () => {
    const [origin] = distribution().Origins.filter((o: any) => same(o.DomainName, getAtt(studio().site, 'RegionalDomainName')));
    const oacs = ofType('AWS::CloudFront::OriginAccessControl');
    expect(oacs).toHaveLength(1);
    const oacId = oacs[0]![0];
    expect(origin).toMatchObject({ OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] }, S3OriginConfig: { OriginAccessIdentity: '' } });
    expect(resources[oacId]!.Properties.OriginAccessControlConfig).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' });
    template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: ref(studio().site),
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Condition: { StringEquals: { 'AWS:SourceArn': Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([ref(studio().distribution)])] }) } },
          }),
        ]),
      },
    });
  });

  it('serves index.html at the root and for any path without a file extension, over HTTPS', () => {
    const config = distribution();
    expect(config.DefaultRootObject).toBe('index.html');
    expect(config.DefaultCacheBehavior).toMatchObject({
      ViewerProtocolPolicy: 'redirect-to-https',
      FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: getAtt(studio().node.findChild('SpaFallback'), 'FunctionARN') }],
    });
    // Error responses would apply to /api/* too, turning the API's 403 and 404 into the page.
    expect(config.CustomErrorResponses).toBeUndefined();
  });

  it('sends /api/* to the studio\'s API: every method, never cached, all viewer headers but Host', () => {
    const behaviours = distribution().CacheBehaviors;
    expect(behaviours).toHaveLength(1);
    const [api] = behaviours;
    expect(api).toMatchObject({
      PathPattern: '/api/*',
      AllowedMethods: expect.arrayContaining(['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE']),
      CachePolicyId: managed.cachingDisabled,
      OriginRequestPolicyId: managed.allViewerExceptHostHeader,
      ViewerProtocolPolicy: 'https-only',
    });
    const origin = distribution().Origins.find((o: any) => o.Id === api.TargetOriginId);
    expect(origin).toMatchObject({
      DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', getAtt(studio().api.api, 'ApiEndpoint')] }] },
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
    });
  });

  it('deploys the page and a config.json naming the hosted UI, the client and the studio URL, then invalidates the cache', () => {
    const deployment = ofType('Custom::CDKBucketDeployment').map(([, r]) => r.Properties);
    expect(deployment).toHaveLength(1);
    expect(deployment[0]).toMatchObject({
      DestinationBucketName: ref(studio().site),
      DistributionId: ref(studio().distribution),
      DistributionPaths: ['/*'],
      RetainOnDelete: false,
    });
    const markers = JSON.stringify(deployment[0]!.SourceMarkers);
    for (const value of [ref(studio().domain), ref(studio().client), getAtt(studio().distribution, 'DomainName')]) expect(markers).toContain(JSON.stringify(value));
  });

  it('outputs the studio URL and the user pool id', () => {
    const outputs = template.toJSON().Outputs;
    expect(outputs.StudioUrl.Value).toEqual(studioUrl());
    expect(outputs.StudioUserPoolId.Value).toEqual(ref(studio().userPool));
  });
});

describe('content: only the studio may write CONTENT* items; every function may read them (§9)', () => {
  const statementsOf = (name: FunctionName): any[] => {
    const role = logicalId(stack.functions[name].function.role!);
    return Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === role))
      .flatMap((r) => r.Properties.PolicyDocument.Statement);
  };
  const denyOf = (name: FunctionName) => statementsOf(name).filter((s) => s.Effect === 'Deny');
  const expectedDeny = () => ({
    Effect: 'Deny',
    Action: itemWriteActions,
    Resource: getAtt(stack.state.table),
    Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [contentPartitionKeys] } },
  });

  it('denies every item write, PartiQL included', () => {
    expect(contentPartitionKeys).toBe('CONTENT*');
    expect(itemWriteActions).toEqual(
      expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete']),
    );
  });

  it.each(['sender', 'birthdaySweep', 'winbackSweep', 'npsSweep'] as const)('%s (sends or selects) may not write content, and still reads the table', (name) => {
    expect(denyOf(name)).toEqual([expect.objectContaining(expectedDeny())]);
    expect(statementsOf(name).some((s) => s.Effect === 'Allow' && [s.Action].flat().includes('dynamodb:GetItem'))).toBe(true);
  });

  // A function without the table (MJML's) may not touch it at all (test/infra/stack.test.ts).
  it.each(functionNames.filter((name) => !writesContent(name) && (wiring[name].permissions as { table?: string }).table))('%s: the Deny on content writes', (name) => {
    expect(denyOf(name)).toEqual([expect.objectContaining(expectedDeny())]);
  });

  it('the studio: no Deny, and read-write access to the table', () => {
    expect(denyOf('studio')).toEqual([]);
    const allowed = statementsOf('studio').filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
    expect(allowed).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']));
  });
});
