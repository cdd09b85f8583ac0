/**
 * The AWS SDK, built in one place and wrapped in narrow interfaces that list only the calls
 * ecs-crd makes. Discovery and the health probe depend on these
 * interfaces, so their tests can hand in fakes; the wrappers themselves are tested with
 * aws-sdk-client-mock.
 *
 * Nothing here loads the SDK at import time: each client's module is imported on its first
 * call, so a command pays only for the services it uses, and `validate` / `--help` (which never
 * import src/aws) pay nothing.
 */
import type {
  DescribeClustersCommandInput,
  DescribeClustersCommandOutput,
  DescribeServicesCommandInput,
  DescribeServicesCommandOutput,
  DescribeTasksCommandInput,
  DescribeTasksCommandOutput,
  ListTasksCommandInput,
  ListTasksCommandOutput,
} from '@aws-sdk/client-ecs';
import type {
  DescribeListenersCommandInput,
  DescribeListenersCommandOutput,
  DescribeLoadBalancersCommandInput,
  DescribeLoadBalancersCommandOutput,
  DescribeRulesCommandInput,
  DescribeRulesCommandOutput,
  DescribeTagsCommandInput,
  DescribeTagsCommandOutput,
  DescribeTargetHealthCommandInput,
  DescribeTargetHealthCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type {
  ListHostedZonesCommandInput,
  ListHostedZonesCommandOutput,
  ListResourceRecordSetsCommandInput,
  ListResourceRecordSetsCommandOutput,
} from '@aws-sdk/client-route-53';
import type { GetCallerIdentityCommandInput, GetCallerIdentityCommandOutput } from '@aws-sdk/client-sts';
import type { fromIni } from '@aws-sdk/credential-providers';
import type { AdaptiveRetryStrategy } from '@smithy/util-retry';
import { EcsCrdError } from '../errors.js';
import { once } from './util.js';

/** STS, as ecs-crd uses it. */
export interface StsApi {
  getCallerIdentity(input: GetCallerIdentityCommandInput): Promise<GetCallerIdentityCommandOutput>;
}

/** Elastic Load Balancing v2, as ecs-crd uses it. */
export interface Elbv2Api {
  describeLoadBalancers(
    input: DescribeLoadBalancersCommandInput,
  ): Promise<DescribeLoadBalancersCommandOutput>;
  describeTags(input: DescribeTagsCommandInput): Promise<DescribeTagsCommandOutput>;
  describeListeners(input: DescribeListenersCommandInput): Promise<DescribeListenersCommandOutput>;
  describeRules(input: DescribeRulesCommandInput): Promise<DescribeRulesCommandOutput>;
  describeTargetHealth(input: DescribeTargetHealthCommandInput): Promise<DescribeTargetHealthCommandOutput>;
}

/** Route 53, as ecs-crd uses it. */
export interface Route53Api {
  listHostedZones(input: ListHostedZonesCommandInput): Promise<ListHostedZonesCommandOutput>;
  listResourceRecordSets(
    input: ListResourceRecordSetsCommandInput,
  ): Promise<ListResourceRecordSetsCommandOutput>;
}

/** ECS, as ecs-crd uses it. */
export interface EcsApi {
  describeClusters(input: DescribeClustersCommandInput): Promise<DescribeClustersCommandOutput>;
  describeServices(input: DescribeServicesCommandInput): Promise<DescribeServicesCommandOutput>;
  listTasks(input: ListTasksCommandInput): Promise<ListTasksCommandOutput>;
  describeTasks(input: DescribeTasksCommandInput): Promise<DescribeTasksCommandOutput>;
}

/** Every AWS service ecs-crd talks to, for one account and region. */
export interface AwsClients {
  region: string;
  sts: StsApi;
  elbv2: Elbv2Api;
  route53: Route53Api;
  ecs: EcsApi;
  /** The configuration every client shares, for the clients built elsewhere (./ecr.ts, ./notify.ts, ./metrics.ts). */
  shared: ConfigSource;
}

/** Retry tuning. The defaults suit AWS; tests lower them to keep throttling tests fast. */
export interface RetryTuning {
  /** Attempts per call, the first one included. Default 5. */
  maxAttempts?: number;
  /** Delay in ms before retry number `retry` (0-based). Default: the SDK's jittered exponential backoff. */
  backoffMs?: (retry: number) => number;
  /** The lowest rate (requests per second) adaptive mode slows down to after throttling. Default: the SDK's 0.5. */
  minRequestRate?: number;
}

/** Where and as whom to call AWS: the `--region`, `--profile` and `--endpoint-url` flags. */
export interface AwsClientOptions {
  region: string;
  /** A named profile of the shared config files; absent: the default credential chain. */
  profile?: string;
  /** Send every call to this endpoint (moto, LocalStack). Absent: the SDK's own, which honours `AWS_ENDPOINT_URL`. */
  endpointUrl?: string;
  retry?: RetryTuning;
}

const DEFAULT_MAX_ATTEMPTS = 5;

/** The configuration every client shares, resolved once on the first call of any client. */
interface SharedConfig {
  region: string;
  credentials: CredentialProvider;
  endpoint?: string;
  /** A fresh strategy per client: AWS throttles per service, so each client adapts its own rate. */
  retryStrategy: () => AdaptiveRetryStrategy;
}

/**
 * Builds the four clients. Synchronous and cheap: nothing is loaded or resolved until a call
 * is made.
 */
export function createAwsClients(options: AwsClientOptions): AwsClients {
  const config = once(() => resolveSharedConfig(options));
  return {
    region: options.region,
    sts: createSts(config),
    elbv2: createElbv2(config),
    route53: createRoute53(config),
    ecs: createEcs(config),
    shared: config,
  };
}

/** The SDK client options of one more client (src/aws/secrets.ts), resolved as the four's are. */
export function sdkConfigOf(options: AwsClientOptions) {
  return sdkClientConfig(once(() => resolveSharedConfig(options)));
}

async function resolveSharedConfig(options: AwsClientOptions): Promise<SharedConfig> {
  const [{ fromIni, fromNodeProviderChain }, { AdaptiveRetryStrategy, DefaultRateLimiter }] =
    await Promise.all([import('@aws-sdk/credential-providers'), import('@smithy/util-retry')]);
  // The SDK warns on every run under Node < 22 about its releases after January 2027; ecs-crd
  // pins its SDK versions and supports Node 20, so the warning is noise the user cannot act on.
  // An explicit value set by the user is left alone.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { retry = {} } = options;
  const backoffMs = retry.backoffMs;
  const clientConfig = { region: options.region };
  return {
    region: options.region,
    // An explicit --profile is the shared config files' profile (SSO, assume-role,
    // credential_process included), whatever AWS_ACCESS_KEY_ID says: the chain would warn
    // about both being set. Without one, the standard chain.
    credentials: shareCredentials(
      options.profile === undefined
        ? fromNodeProviderChain({ clientConfig })
        : fromIni({ profile: options.profile, clientConfig }),
    ),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl }),
    retryStrategy: () =>
      new AdaptiveRetryStrategy(retry.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, {
        ...(backoffMs === undefined
          ? {}
          : { backoff: { computeNextBackoffDelay: backoffMs, setDelayBase: () => undefined } }),
        ...(retry.minRequestRate === undefined
          ? {}
          : { rateLimiter: new DefaultRateLimiter({ minFillRate: retry.minRequestRate }) }),
      }),
  };
}

type CredentialProvider = ReturnType<typeof fromIni>;

/** Credentials this close to their expiry are fetched again. */
const CREDENTIALS_REFRESH_MS = 5 * 60_000;

/**
 * One credential resolution for all clients (each SDK client would otherwise resolve, and so
 * prompt for an MFA code or open an SSO login, on its own), refreshed only near expiry.
 */
function shareCredentials(provider: CredentialProvider): CredentialProvider {
  let current: ReturnType<CredentialProvider> | undefined;
  const refresh: CredentialProvider = (properties) => {
    const pending = provider(properties);
    current = pending;
    // A failure is not cached: the next call tries again.
    pending.catch(() => {
      if (current === pending) current = undefined;
    });
    return pending;
  };
  return async (properties) => {
    const pending = current ?? refresh(properties);
    const credentials = await pending;
    const expiry = credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
    if (expiry - Date.now() > CREDENTIALS_REFRESH_MS) return credentials;
    // Whoever sees the expiring credentials first refreshes them; the others wait for that.
    return current === pending || current === undefined ? refresh(properties) : current;
  };
}

export type ConfigSource = () => Promise<SharedConfig>;

/** Builds the SDK client options from the shared configuration. */
export async function sdkClientConfig(config: ConfigSource) {
  const { retryStrategy, ...shared } = await config();
  return { ...shared, retryStrategy: retryStrategy() };
}

/**
 * Runs `send` against a lazily built client, turning every failure into an EcsCrdError that
 * names the service and call (the SDK's own error stays as the cause for `--verbose`).
 */
export function caller<Sdk>(service: ServiceName, load: () => Promise<Sdk>) {
  const sdk = once(load);
  return async <T>(operation: string, send: (sdk: Sdk) => Promise<T>): Promise<T> => {
    try {
      return await send(await sdk());
    } catch (error) {
      throw awsError(service, operation, error);
    }
  };
}

function createSts(config: ConfigSource): StsApi {
  const call = caller('STS', async () => {
    const m = await import('@aws-sdk/client-sts');
    return { m, client: new m.STSClient(await sdkClientConfig(config)) };
  });
  return {
    getCallerIdentity: (input) =>
      call('GetCallerIdentity', ({ m, client }) => client.send(new m.GetCallerIdentityCommand(input))),
  };
}

function createElbv2(config: ConfigSource): Elbv2Api {
  const call = caller('ELBv2', async () => {
    const m = await import('@aws-sdk/client-elastic-load-balancing-v2');
    return { m, client: new m.ElasticLoadBalancingV2Client(await sdkClientConfig(config)) };
  });
  return {
    describeLoadBalancers: (input) =>
      call('DescribeLoadBalancers', ({ m, client }) =>
        client.send(new m.DescribeLoadBalancersCommand(input)),
      ),
    describeTags: (input) =>
      call('DescribeTags', ({ m, client }) => client.send(new m.DescribeTagsCommand(input))),
    describeListeners: (input) =>
      call('DescribeListeners', ({ m, client }) => client.send(new m.DescribeListenersCommand(input))),
    describeRules: (input) =>
      call('DescribeRules', ({ m, client }) => client.send(new m.DescribeRulesCommand(input))),
    describeTargetHealth: (input) =>
      call('DescribeTargetHealth', ({ m, client }) => client.send(new m.DescribeTargetHealthCommand(input))),
  };
}

function createRoute53(config: ConfigSource): Route53Api {
  const call = caller('Route53', async () => {
    const m = await import('@aws-sdk/client-route-53');
    return { m, client: new m.Route53Client(await sdkClientConfig(config)) };
  });
  return {
    listHostedZones: (input) =>
      call('ListHostedZones', ({ m, client }) => client.send(new m.ListHostedZonesCommand(input))),
    listResourceRecordSets: (input) =>
      call('ListResourceRecordSets', ({ m, client }) =>
        client.send(new m.ListResourceRecordSetsCommand(input)),
      ),
  };
}

function createEcs(config: ConfigSource): EcsApi {
  const call = caller('ECS', async () => {
    const m = await import('@aws-sdk/client-ecs');
    return { m, client: new m.ECSClient(await sdkClientConfig(config)) };
  });
  return {
    describeClusters: (input) =>
      call('DescribeClusters', ({ m, client }) => client.send(new m.DescribeClustersCommand(input))),
    describeServices: (input) =>
      call('DescribeServices', ({ m, client }) => client.send(new m.DescribeServicesCommand(input))),
    listTasks: (input) => call('ListTasks', ({ m, client }) => client.send(new m.ListTasksCommand(input))),
    describeTasks: (input) =>
      call('DescribeTasks', ({ m, client }) => client.send(new m.DescribeTasksCommand(input))),
  };
}

// ---------------------------------------------------------------- errors

export type ServiceName =
  | 'STS'
  | 'ELBv2'
  | 'Route53'
  | 'ECS'
  | 'ECR'
  | 'SNS'
  | 'SSM'
  | 'SecretsManager'
  | 'CloudWatch'
  | 'S3';

/** The IAM action prefix of each service, for the "missing permission" hint. */
const IAM_PREFIX: Record<ServiceName, string> = {
  STS: 'sts',
  ELBv2: 'elasticloadbalancing',
  Route53: 'route53',
  SSM: 'ssm',
  SecretsManager: 'secretsmanager',
  ECS: 'ecs',
  ECR: 'ecr',
  SNS: 'sns',
  CloudWatch: 'cloudwatch',
  S3: 's3',
};

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
]);
const PERMISSION_ERRORS = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);
const THROTTLING_ERRORS = new Set(['Throttling', 'ThrottlingException', 'TooManyRequestsException']);
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT']);

/**
 * An AWS failure as ecs-crd reports it: which call failed, AWS's own words, and, for the
 * usual causes, what to do. Errors that are already ours pass through unchanged.
 */
export function awsError(service: ServiceName, operation: string, error: unknown): EcsCrdError {
  if (error instanceof EcsCrdError) return error;
  const { name, message, code } = describeError(error);
  const hint = CREDENTIAL_ERRORS.has(name)
    ? 'Check the AWS credentials: --profile, AWS_PROFILE, or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN).'
    : PERMISSION_ERRORS.has(name)
      ? `The identity needs the IAM permission ${IAM_PREFIX[service]}:${operation}.`
      : THROTTLING_ERRORS.has(name)
        ? 'AWS kept throttling the calls after every retry; wait a moment and try again.'
        : code !== undefined && NETWORK_ERRORS.has(code)
          ? 'AWS could not be reached: check the network, --region and --endpoint-url / AWS_ENDPOINT_URL.'
          : undefined;
  return new EcsCrdError(`AWS ${service} ${operation} failed: ${name}: ${message}`, {
    cause: error,
    ...(hint === undefined ? {} : { hint }),
  });
}

function describeError(error: unknown): { name: string; message: string; code?: string } {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(typeof code === 'string' ? { code } : {}) };
}
