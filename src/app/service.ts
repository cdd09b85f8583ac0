/**
 * The composition root: from a command's options to the ports of one service's stack. The
 * only place that builds real AWS clients and the Pulumi runner, both loaded lazily so that
 * commands pay for them only when they run.
 */

import type { DiscoveryOptions } from '../aws/discovery.js';
import { type EventSink, progressEvent } from '../canary/events.js';
import { checkImages, MISSING_IMAGE_HINT } from '../canary/images.js';
import { checkOwnership, declaredNames, existingRules, type OwnershipInput } from '../canary/ownership.js';
import type { MetricsSource } from '../canary/ports/analysis.js';
import { type AwsLookup, type Environment, type HealthProbe, SLOTS } from '../canary/ports/aws.js';
import type { LeaseStore } from '../canary/ports/lease.js';
import type { Notifier } from '../canary/ports/notify.js';
import type { ImageRegistry } from '../canary/ports/registry.js';
import type { StackIdentity, StackOutputs, StackRunner } from '../canary/ports/stack.js';
import { listenerProblems } from '../canary/preflight.js';
import { type LoadOptions, requireDeployment } from '../config/load.js';
import { formatProblem } from '../config/problems.js';
import type { ConfigProblem, DeploymentConfig, EnvironmentName } from '../config/types.js';
import { UsageError } from '../errors.js';
import { type Backend, resolveBackend } from '../stack/backend.js';
import { serviceName, stackName } from '../stack/naming.js';
import { type ServiceFields, serviceFields } from '../ui/documents.js';
import { leaseStoreFor } from './lease.js';
import { type ReportShelf, reportShelfFor } from './report-store.js';

export interface ServiceOptions {
  environment: EnvironmentName;
  /** -r, else the environment's; undefined: none given, refused once the file was checked. */
  region: string | undefined;
  file?: string | undefined;
  dir?: string | undefined;
  /** `{{var.NAME}}`: the `--var NAME=VALUE` flags. */
  vars?: Readonly<Record<string, string>> | undefined;
  profile?: string | undefined;
  /** `--endpoint-url`, else `AWS_ENDPOINT_URL`. */
  endpointUrl?: string | undefined;
  backendUrl?: string | undefined;
  /** `--secrets-provider`, else `PULUMI_SECRETS_PROVIDER`: how a new stack seals its secrets. */
  secretsProvider?: string | undefined;
  /** The pinned Pulumi CLI version. */
  pulumiVersion: string;
}

/** One service's stack and the AWS account it lives in. */
export interface ServiceContext {
  file: string;
  config: DeploymentConfig;
  /** What is valid in the file but probably a mistake (a secret in `environment`): see `reportFileWarnings`. */
  warnings: ConfigProblem[];
  identity: StackIdentity;
  stack: string;
  backend: Backend;
  /** Where the deployment lease lives (file, S3); undefined for backends that keep none (Pulumi Cloud). */
  leases: LeaseStore | undefined;
  /** Where the backend keeps report data for every machine (S3); absent: this machine only. */
  reports?: ReportShelf | undefined;
  runner: StackRunner;
}

export interface AwsContext {
  lookup: AwsLookup;
  probe: HealthProbe;
  /** ECR: do the file's images exist (the preflight of `deploy` and `preview`)? */
  registry: ImageRegistry;
  /** SNS: where `canary.sns_topic_notifications` are published. */
  notifier: Notifier;
  /** CloudWatch: the candidate's and the stable release's ALB metrics, and alarms (`canary.analysis`). */
  metrics: MetricsSource;
}

/** The endpoint every AWS call goes to, when one is set. */
export function endpointOf(
  options: Pick<ServiceOptions, 'endpointUrl'>,
  env = process.env,
): string | undefined {
  const url = options.endpointUrl ?? env.AWS_ENDPOINT_URL;
  return url === '' ? undefined : url;
}

/** The form of every AWS region's name: eu-west-1, ap-southeast-4, us-gov-west-1, us-isob-east-1. */
const AWS_REGION = /^[a-z]{2}(-[a-z]+){1,2}-\d{1,2}$/;

/** The region every command that names a stack or calls AWS needs. */
export function regionOf(options: Pick<ServiceOptions, 'region'>): string {
  if (options.region === undefined || options.region === '') {
    throw new UsageError('no AWS region', { hint: 'pass -r/--region, or set AWS_REGION' });
  }
  // A typo would name another stack (`status` would say "not deployed") and fail only at AWS.
  if (!AWS_REGION.test(options.region)) {
    throw new UsageError(`${JSON.stringify(options.region)} is not an AWS region name.`, {
      hint: 'Regions are named like eu-west-1 or us-gov-west-1: check -r/--region, AWS_REGION and AWS_DEFAULT_REGION.',
    });
  }
  return options.region;
}

export async function openAws(
  options: ServiceOptions,
  discovery: DiscoveryOptions = {},
): Promise<AwsContext> {
  const aws = await import('../aws/index.js');
  const clients = aws.createAwsClients({
    region: regionOf(options),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(endpointOf(options) ? { endpointUrl: endpointOf(options) } : {}),
  });
  return {
    lookup: aws.createAwsLookup(clients, discovery),
    probe: aws.createHealthProbe(clients),
    registry: aws.createImageRegistry(clients),
    notifier: aws.createNotifier(clients),
    metrics: aws.createMetricsSource(clients),
  };
}

/**
 * For commands that talk to AWS: the file first (its problems are the user's whatever the
 * account, and reporting them needs no credentials and no region), then the region, then the
 * account (its id renders `{{account_id}}`, so the file and the stack name come out as
 * `deploy` sees them), then the service's stack.
 */
export async function openInAccount(
  options: ServiceOptions,
  discovery: DiscoveryOptions = {},
): Promise<{ aws: AwsContext; ctx: ServiceContext }> {
  await requireDeployment(fileOptions(options));
  const aws = await openAws(options, discovery);
  const ctx = await openService(options, await aws.lookup.accountId());
  return { aws, ctx };
}

/** What loads the deployment file: `{{region}}` and `{{account_id}}` stay as written until known. */
function fileOptions(options: ServiceOptions, accountId?: string): LoadOptions {
  return {
    environment: options.environment,
    file: options.file,
    dir: options.dir,
    ...(options.vars ? { vars: options.vars } : {}),
    ...(options.region ? { region: options.region } : {}),
    ...(accountId ? { account_id: accountId } : {}),
  };
}

/**
 * What discovery finds for the file, refused (before any change) where the stack could not
 * be declared on it or an ECR image it names does not exist: what `deploy` and `preview` both
 * need. `reporter` hears of the images that could not be checked.
 */
export async function discoverFor(
  aws: AwsContext,
  ctx: ServiceContext,
  reporter?: EventSink,
): Promise<Environment> {
  const [environment, missingImages] = await Promise.all([
    aws.lookup.discover(ctx.config),
    checkImages(aws.registry, ctx.config, reporter),
  ]);
  const problems = [...listenerProblems(ctx.config, environment), ...missingImages];
  if (problems.length > 0) {
    throw new UsageError(
      `${ctx.file}: ${problems.join('\n  ')}`,
      missingImages.length > 0 ? { hint: MISSING_IMAGE_HINT } : {},
    );
  }
  return environment;
}

/**
 * Loads the deployment file (rendering `{{account_id}}` when an account id is given) and opens
 * the runner of its stack. No engine call is made until the runner is used.
 */
export async function openService(options: ServiceOptions, accountId?: string): Promise<ServiceContext> {
  const { file, config, warnings } = await requireDeployment(fileOptions(options, accountId));
  const region = regionOf(options);
  const identity: StackIdentity = {
    project: config.service.project,
    name: config.service.name,
    environment: options.environment,
    region,
  };
  const backend = resolveBackend(options.backendUrl, process.env, options.secretsProvider);
  const { openStackRunner } = await import('../stack/runner.js');
  const endpointUrl = endpointOf(options);
  const provider = {
    region,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
  };
  let reader: Promise<(arn: string) => Promise<string>> | undefined;
  const runner = await openStackRunner({
    identity,
    backend,
    pulumiVersion: options.pulumiVersion,
    provider,
    // src/aws loads only when a release has an authenticate-oidc action.
    readSecret: async (arn) => {
      reader ??= import('../aws/secrets.js').then(({ createSecretReader }) => createSecretReader(provider));
      return (await reader)(arn);
    },
  });
  return {
    file,
    config,
    warnings,
    identity,
    stack: stackName(identity),
    backend,
    leases: leaseStoreFor(backend.url, provider),
    reports: reportShelfFor(backend.url, provider),
    runner,
  };
}

/**
 * Reports each of the file's warnings (what `validate` shows) once, as a warning event: the
 * commands that change something call it before anything else, so that the person who
 * deploys sees them whatever happens next. Returns them as the `--json` documents carry them.
 */
export function reportFileWarnings(
  reporter: EventSink | undefined,
  warnings: readonly ConfigProblem[],
): string[] {
  return warnings.map((warning) => {
    const line = formatProblem(warning);
    const { file, line: at, column, path } = warning;
    reporter?.(progressEvent('config.warning', 'warn', line, { file, line: at, column, path }));
    return line;
  });
}

/**
 * Refuses names another stack owns, and records nobody owns unless `adopt` (before any
 * change); returns the names adopted. `records` are the weighted records Route 53 holds.
 */
export async function refuseForeignNames(
  aws: AwsContext,
  ctx: ServiceContext,
  environment: Environment,
  input: { previous: StackOutputs | null; records: Record<string, Record<string, number>>; adopt: boolean },
): Promise<string[]> {
  const verdict = checkOwnership({
    stack: ctx.stack,
    fqdns: environment.zones.map((zone) => zone.fqdn),
    owners: await aws.lookup.owners(environment.zones),
    records: input.records,
    declared: declaredNames(input.previous),
    adopt: input.adopt,
    service: {
      project: ctx.identity.project,
      name: ctx.identity.name,
      environment: ctx.identity.environment,
    },
    rules: existingRules(environment),
    services: await slotServices(aws, ctx, input.previous),
  });
  if (verdict.refused.length > 0) {
    throw new UsageError(`${ctx.file}: ${verdict.refused.join('\n  ')}`, {
      hint: 'Nothing was changed. Each name is owned by one ecs-crd stack, recorded in a TXT record beside it.',
    });
  }
  return verdict.adopted;
}

/** The ECS services the two slots' releases are named, which the cluster holds, and which are this stack's. */
async function slotServices(
  aws: AwsContext,
  ctx: ServiceContext,
  previous: StackOutputs | null,
): Promise<OwnershipInput['services']> {
  const cluster = ctx.config.service.cluster;
  const names = SLOTS.map((slot) => serviceName(ctx.identity, slot));
  return {
    cluster,
    names,
    live: await aws.lookup.serviceStatuses(cluster, names),
    own: Object.values(previous?.serviceNames ?? {}).filter((name) => name !== undefined),
  };
}

/** The fields naming the service and its stack, first in every document about it. */
export function fieldsOf(ctx: Pick<ServiceContext, 'identity' | 'stack'>): ServiceFields {
  return serviceFields(ctx.identity, ctx.stack);
}
