/**
 * The studio on AWS (docs/design.md §9): the marketers' template and campaign-settings
 * editor, served from S3 through CloudFront, its API behind Cognito sign-in.
 *
 * - Cognito: a user pool nobody signs up to (an admin invites: `retention
 *   studio invite`), email sign-in, a strong password, optional TOTP MFA,
 *   threat protection; groups `editors` and `publishers` (a publisher is in
 *   both); the hosted UI on a Cognito domain; one app client for the page
 *   (public, authorization code with PKCE, back to the page's own URL).
 * - The studio's API: its own HTTP API (never the public links API) taking
 *   the routes of every `http` trigger with `signIn: 'studio'`, each route
 *   behind a JWT authorizer that accepts the pool's ID tokens for this client
 *   only. The page sends `authorization: Bearer <ID token>` (studio/sign-in.ts):
 *   it carries `cognito:groups` and the user's `email`, which the audit names;
 *   the access token has no `email`. API Gateway hands the verified claims to
 *   the function in `requestContext.authorizer.jwt.claims`.
 * - The page: `vite build` of studio/ at synth, in a private bucket behind a
 *   CloudFront distribution (origin access control), with `/config.json`
 *   telling the page where to sign in; `/api/*` goes through the same
 *   distribution to the studio's API, so the page calls its own origin as it
 *   does locally (no CORS).
 */
import { studioGroups } from '../functions/studio/users';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, Aws, CfnOutput, DockerImage, Duration, Fn, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { WiredHttpApi } from './links-api';
import { acknowledge, wildcardFindingsOf } from './nag';

/** The repository root (not lib/bundle.ts's: that module loads esbuild and the template compiler). */
const projectRoot = fileURLToPath(new URL('..', import.meta.url));


/** What the page reads at `/config.json` to sign in (studio/sign-in.ts); absent locally. */
export interface StudioSignInConfig {
  signIn: {
    /** The hosted UI's base URL, `https://<prefix>.auth.<region>.amazoncognito.com`. */
    domain: string;
    clientId: string;
    /** The page's own URL, where Cognito sends the browser back with the code. */
    redirectUri: string;
  };
}

export interface StudioProps {
  /**
   * The hosted UI's domain prefix: unique in the region across every AWS
   * account, lower-case letters, digits and hyphens, without `aws`, `amazon`
   * or `cognito`.
   *
   * @default - the stack's name in lower case and the first 8 hex digits of
   *   the stack's id (unique, stable for the stack's life, no account number)
   */
  readonly domainPrefix?: string;
  /**
   * The folder of the page's Vite project.
   *
   * @default - studio/ in this repository
   */
  readonly frontEnd?: string;
  /**
   * How long the API's access logs are kept.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Construct ids (a contract; renaming one replaces the resource, and a new
 * `UserPool` loses every marketer's account): `UserPool` (with `Editors`,
 * `Publishers`, `Domain` and `Client`), `Api` (a `WiredHttpApi`: `Api`,
 * `AccessLogs`), `Site` (the bucket), `SpaFallback` (the CloudFront
 * function), `Distribution`, `Deployment` (the built page and `config.json`;
 * its Lambda is CDK's singleton at the stack's root) and `DeploymentLogs`.
 */
export class Studio extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly client: cognito.UserPoolClient;
  public readonly domain: cognito.UserPoolDomain;
  public readonly groups: { readonly [name in keyof typeof studioGroups]: cognito.UserPoolGroup };
  /** Where the routes of the `signIn: 'studio'` triggers go (`WiredFunction` adds them). */
  public readonly api: WiredHttpApi;
  public readonly site: s3.Bucket;
  public readonly distribution: cloudfront.Distribution;
  public readonly deployment: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: StudioProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const frontEnd = props.frontEnd ?? join(projectRoot, 'studio');
    if (!existsSync(join(frontEnd, 'index.html'))) throw new Error(`${id}: no index.html in ${frontEnd} to build the studio from`);

    // The pool and its client need the page's URL, which exists only once the
    // distribution does, and the distribution needs the API, whose authorizer
    // needs the client: the URL is read when the template is rendered.
    const url = Lazy.string({ produce: () => this.url });

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${stack.stackName}-studio`,
      // Only an admin invites (`retention studio invite`): a marketer's account can publish to every customer.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Threat protection (compromised credentials, risky sign-ins) needs the Plus plan: cents a month for a marketing team.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'Your invitation to the email studio',
        emailBody: `You are invited to the email studio: ${url}<br>Sign in as {username} with the temporary password {####} (valid 7 days); you will then choose your own.`,
      },
      // The accounts outlive the stack: deleting it must not delete the marketers.
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    acknowledge(
      this.userPool,
      'COG2',
      "MFA is optional (TOTP, each marketer can turn it on) rather than required: the pool is invite-only, passwords are 12+ characters of four kinds, and Plus threat protection blocks sign-ins from compromised credentials or risky contexts. Require it with mfa: Mfa.REQUIRED if the shop's policy asks.",
    );

    this.groups = {
      editors: this.userPool.addGroup('Editors', {
        groupName: studioGroups.editors,
        description: 'Draft, preview and test-send templates and campaign settings',
      }),
      publishers: this.userPool.addGroup('Publishers', {
        groupName: studioGroups.publishers,
        description: 'Publish and roll back what customers receive (also in editors)',
      }),
    };

    this.domain = this.userPool.addDomain('Domain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? defaultDomainPrefix(stack) },
    });

    this.client = this.userPool.addClient('Client', {
      userPoolClientName: 'studio',
      // A browser page keeps no secret; PKCE protects the code (oidc-client-ts always sends a challenge).
      generateSecret: false,
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [url],
        logoutUrls: [url],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // One sign-in a working day: the page renews its tokens with the refresh token until then.
      refreshTokenValidity: Duration.hours(12),
      enableTokenRevocation: true,
    });

    // The ID token's audience is the client id; no scopes are required of a route (an ID token has none).
    const authorizer = new HttpJwtAuthorizer('Cognito', this.userPool.userPoolProviderUrl, {
      authorizerName: 'studio-users',
      jwtAudience: [this.client.userPoolClientId],
    });
    this.api = new WiredHttpApi(this, 'Api', {
      name: 'studio',
      description: "The studio's API: signed-in marketers only (Cognito JWT on every route)",
      signIn: { kind: 'studio', authorizer },
      logRetention: props.logRetention,
    });

    this.site = new s3.Bucket(this, 'Site', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // Nothing here but the build of studio/: the deployment empties it on delete (retainOnDelete: false).
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.site,
      'S1',
      "The bucket holds only the studio's built page (public JavaScript, HTML and CSS, and the sign-in config), written by the deployment and read by CloudFront alone: there is no data to audit access to. What marketers do goes through the API, whose access logs name each request.",
    );

    const spaFallback = new cloudfront.Function(this, 'SpaFallback', {
      comment: "The studio's page for any path without a file extension (a reload on a deep link)",
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      // Here, not as error responses: those would apply to /api/* too and turn the API's 403 and 404 into the page.
      code: cloudfront.FunctionCode.fromInline(
        "function handler(event) { var request = event.request; if (!/\\.[^/]*$/.test(request.uri)) request.uri = '/index.html'; return request; }",
      ),
    });

    // The API's host name: its endpoint is https://<id>.execute-api.<region>.amazonaws.com (the $default stage, no path).
    const apiHost = Fn.select(2, Fn.split('/', this.api.api.apiEndpoint));
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${stack.stackName} studio`,
      defaultRootObject: 'index.html',
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.site),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [{ function: spaFallback, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        '/api/*': {
          origin: new origins.HttpOrigin(apiHost, {
            protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
            originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
          }),
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          // Every answer is the signed-in user's own: never cached. With caching
          // disabled this policy forwards the Authorization header too; the Host
          // header stays API Gateway's own, or it would not know the API.
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        },
      },
    });
    acknowledge(
      this.distribution,
      'CFR1',
      'No geo restriction: marketers sign in from wherever they work and travel, and every API request needs a Cognito token; the static page holds no data.',
    );
    acknowledge(
      this.distribution,
      'CFR2',
      'No WAF web ACL (a fixed monthly cost per ACL): the page is static and public by nature, every API route requires a Cognito JWT and is throttled by API Gateway, and sign-in is guarded by Cognito threat protection.',
    );
    acknowledge(
      this.distribution,
      'CFR3',
      "No CloudFront access logs (they need a log bucket with ACLs): the files served are the public build of studio/; every API request is logged by the studio API's access log.",
    );
    acknowledge(
      this.distribution,
      'CFR4',
      "The distribution uses its *.cloudfront.net name and certificate, whose security policy CloudFront fixes (TLSv1); a minimum of TLSv1.2_2021 needs a custom domain with its own ACM certificate, which the shop can add. The origins are reached over TLS 1.2 only.",
    );

    const config: StudioSignInConfig = {
      signIn: { domain: this.domain.baseUrl(), clientId: this.client.userPoolClientId, redirectUri: this.url },
    };
    this.deployment = new s3deploy.BucketDeployment(this, 'Deployment', {
      sources: [studioPage(frontEnd), s3deploy.Source.jsonData('config.json', config)],
      destinationBucket: this.site,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      // Deleting the stack empties the bucket, so it can be deleted too.
      retainOnDelete: false,
      logGroup: new logs.LogGroup(this, 'DeploymentLogs', { retention: logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    });
    // CDK's singleton Lambda that copies the page (at the stack's root, shared by every BucketDeployment).
    const copier = this.deployment.handlerRole.node.scope!;
    acknowledge(
      copier,
      'L1',
      "CDK's own BucketDeployment function: CDK picks its Python runtime and moves it with aws-cdk-lib releases; it runs only during a deployment.",
    );
    acknowledge(
      copier,
      'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      "CDK's own BucketDeployment function: CDK attaches the basic execution role (CloudWatch Logs) to it; it runs only during a deployment.",
    );
    const copierPolicy = this.deployment.handlerRole.node.tryFindChild('DefaultPolicy') as iam.Policy;
    for (const finding of wildcardFindingsOf(copierPolicy)) {
      acknowledge(
        copier,
        finding,
        "CDK's own BucketDeployment function, run only during a deployment, with the grants CDK writes for it (s3:GetObject*, GetBucket*, List*, DeleteObject*, Abort* on two buckets only): it reads the page from the bootstrap's assets bucket, writes it to the site bucket and deletes the files an older build had (prune, and emptying the bucket when the stack is deleted), and invalidates the distribution (CloudFront's invalidation actions take no resource).",
      );
    }

    new CfnOutput(stack, 'StudioUrl', {
      description: 'The studio: marketers sign in here (invite them with `npx retention studio invite EMAIL --role editor|publisher --user-pool-id <StudioUserPoolId>`)',
      value: this.url,
    });
    new CfnOutput(stack, 'StudioUserPoolId', {
      description: "The studio's Cognito user pool: `retention studio invite` adds marketers to it",
      value: this.userPool.userPoolId,
    });
  }

  /** The page's URL, `https://<distribution>.cloudfront.net/`: the OAuth callback and sign-out URL too. */
  public get url(): string {
    return `https://${this.distribution.distributionDomainName}/`;
  }
}

/**
 * `<stack name>-<8 hex digits of the stack id>`: a Cognito domain prefix is
 * global to the region, so the stack's name alone ("retention") would clash
 * with another shop's; the stack id's UUID is unique and known only at deploy.
 */
const defaultDomainPrefix = (stack: Stack): string => {
  const name = stack.stackName.toLowerCase().replace(/[^a-z0-9-]/g, '-');
  const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
  return `${name}-${Fn.select(0, Fn.split('-', stackUuid))}`;
};

/**
 * studio/ built by Vite on this machine at synth (offline: Vite is a
 * dependency of the project), as the asset the deployment copies. A synth
 * that skips bundling (the unit tests) stages the sources instead.
 */
const studioPage = (frontEnd: string): s3deploy.ISource =>
  s3deploy.Source.asset(frontEnd, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // No image is pulled and no command run in it: `local` always bundles.
      image: DockerImage.fromRegistry('local-bundling-only'),
      command: ['vite', 'build', 'studio'],
      local: {
        tryBundle(outputDir) {
          const vite = join(projectRoot, 'node_modules', 'vite', 'bin', 'vite.js');
          execFileSync(process.execPath, [vite, 'build', frontEnd, '--outDir', outputDir, '--emptyOutDir', '--logLevel', 'error'], {
            cwd: projectRoot,
            stdio: ['ignore', 'inherit', 'inherit'],
          });
          return true;
        },
      },
    },
  });
