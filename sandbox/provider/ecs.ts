import {
  type ContainerDefinition,
  CreateServiceCommand,
  DeleteServiceCommand,
  DeregisterTaskDefinitionCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  type ECSClient,
  type EFSAuthorizationConfigIAM,
  type EFSTransitEncryption,
  ListContainerInstancesCommand,
  RegisterTaskDefinitionCommand,
  type Scope,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateServiceCommand,
  type Volume,
} from '@aws-sdk/client-ecs';
import { type Ctx, PartialCreateError, type ResourceKind, unlessGone } from './kind.js';
import {
  type HealthMode,
  healthModeOf,
  type Placement,
  schedule,
  timeScale,
  unschedule,
} from './scheduler.js';
import {
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asString,
  asStringMap,
  compact,
  type Json,
  type Props,
  parseDocument,
  plainProps,
  sameValue,
  strings,
} from './values.js';

function ecsTags(tags: Json | undefined): { key: string; value: string }[] | undefined {
  const entries = Object.entries(asStringMap(tags));
  return entries.length > 0 ? entries.map(([key, value]) => ({ key, value })) : undefined;
}

async function retag(client: ECSClient, arn: string, olds: Props, news: Props): Promise<void> {
  if (sameValue(olds.tags, news.tags)) return;
  const after = asStringMap(news.tags);
  const removed = Object.keys(asStringMap(olds.tags)).filter((key) => !(key in after));
  if (removed.length > 0) await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: removed }));
  const added = ecsTags(after);
  if (added) await client.send(new TagResourceCommand({ resourceArn: arn, tags: added }));
}

function gone(error: unknown): boolean {
  const name = (error as { name?: string })?.name ?? '';
  const message = (error as { message?: string })?.message ?? '';
  return (
    /NotFound/.test(name) || /not found|does not exist|Unable to describe task definition/i.test(message)
  );
}

/** Every property but tags is ForceNew in pulumi-aws: a change registers a new revision. */
const TASK_DEFINITION_INPUTS = [
  'containerDefinitions',
  'cpu',
  'enableFaultInjection',
  'ephemeralStorage',
  'executionRoleArn',
  'family',
  'ipcMode',
  'memory',
  'networkMode',
  'pidMode',
  'placementConstraints',
  'proxyConfiguration',
  'region',
  'requiresCompatibilities',
  'runtimePlatform',
  'taskRoleArn',
  'volumes',
];

/** A map input, or undefined when unset (the SDK would send `{}`, which ECS stores as such). */
function stringMap(value: Json | undefined): Record<string, string> | undefined {
  const map = asStringMap(value);
  return Object.keys(map).length > 0 ? map : undefined;
}

/**
 * One `volumes` input (pulumi-aws's names) as RegisterTaskDefinition takes it: a bind mount
 * (`hostPath`), a Docker volume or an EFS file system, as pulumi-aws's `expandVolumes` does.
 */
function volumeOf(value: Json): Volume {
  const volume = asObject(value);
  const hostPath = asString(volume.hostPath);
  const docker = volume.dockerVolumeConfiguration ? asObject(volume.dockerVolumeConfiguration) : undefined;
  const efs = volume.efsVolumeConfiguration ? asObject(volume.efsVolumeConfiguration) : undefined;
  const authorization = efs?.authorizationConfig ? asObject(efs.authorizationConfig) : undefined;
  return compact({
    name: asString(volume.name),
    host: hostPath ? { sourcePath: hostPath } : undefined,
    dockerVolumeConfiguration: docker
      ? compact({
          scope: asString(docker.scope) as Scope | undefined,
          autoprovision: asBoolean(docker.autoprovision),
          driver: asString(docker.driver),
          driverOpts: stringMap(docker.driverOpts),
          labels: stringMap(docker.labels),
        })
      : undefined,
    efsVolumeConfiguration: efs
      ? compact({
          fileSystemId: asString(efs.fileSystemId),
          rootDirectory: asString(efs.rootDirectory),
          transitEncryption: asString(efs.transitEncryption) as EFSTransitEncryption | undefined,
          transitEncryptionPort: asNumber(efs.transitEncryptionPort),
          authorizationConfig: authorization
            ? compact({
                accessPointId: asString(authorization.accessPointId),
                iam: asString(authorization.iam) as EFSAuthorizationConfigIAM | undefined,
              })
            : undefined,
        })
      : undefined,
  }) as Volume;
}

export const taskDefinition: ResourceKind = {
  token: 'aws:ecs/taskDefinition:TaskDefinition',
  replaceOn: TASK_DEFINITION_INPUTS,
  computed: ['arn', 'arnWithoutRevision', 'id', 'revision', 'tagsAll'],
  optionalComputed: ['region', 'networkMode'],
  documents: ['containerDefinitions'],
  required: ['family', 'containerDefinitions'],

  validate(inputs) {
    const parsed = parseDocument(inputs.containerDefinitions);
    if (!Array.isArray(parsed) || parsed.length === 0) {
      return [{ property: 'containerDefinitions', reason: 'must be a JSON array of container definitions' }];
    }
    return [];
  },

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const volumes = asArray(inputs.volumes).map(volumeOf);
    const ephemeral = asObject(inputs.ephemeralStorage);
    const platform = asObject(inputs.runtimePlatform);
    const registered = await ctx.aws.ecs(asString(inputs.region)).send(
      new RegisterTaskDefinitionCommand({
        family: asString(inputs.family),
        containerDefinitions: parseDocument(inputs.containerDefinitions) as unknown as ContainerDefinition[],
        cpu: asString(inputs.cpu),
        memory: asString(inputs.memory),
        networkMode: asString(inputs.networkMode) as 'bridge' | undefined,
        executionRoleArn: asString(inputs.executionRoleArn),
        taskRoleArn: asString(inputs.taskRoleArn),
        ipcMode: asString(inputs.ipcMode) as 'host' | undefined,
        pidMode: asString(inputs.pidMode) as 'host' | undefined,
        requiresCompatibilities: strings(inputs.requiresCompatibilities) as 'EC2'[] | undefined,
        placementConstraints: asArray(inputs.placementConstraints).map((c) =>
          compact({
            type: asString(asObject(c).type) as 'memberOf',
            expression: asString(asObject(c).expression),
          }),
        ),
        volumes: volumes.length > 0 ? volumes : undefined,
        ephemeralStorage: asNumber(ephemeral.sizeInGib)
          ? { sizeInGiB: asNumber(ephemeral.sizeInGib) }
          : undefined,
        runtimePlatform: inputs.runtimePlatform
          ? compact({
              cpuArchitecture: asString(platform.cpuArchitecture) as 'X86_64' | undefined,
              operatingSystemFamily: asString(platform.operatingSystemFamily) as 'LINUX' | undefined,
            })
          : undefined,
        tags: ecsTags(inputs.tags),
      }),
    );
    const registeredDefinition = registered.taskDefinition;
    const arn = registeredDefinition?.taskDefinitionArn;
    if (!arn) throw new Error('RegisterTaskDefinition returned no task definition');
    return {
      // pulumi-aws uses the family as the id; the ARN names the revision.
      id: asString(inputs.family) ?? arn,
      outs: {
        ...inputs,
        networkMode: registeredDefinition.networkMode ?? asString(inputs.networkMode) ?? null,
        arn,
        arnWithoutRevision: arn.replace(/:\d+$/, ''),
        revision: registeredDefinition.revision ?? null,
      },
    };
  },

  async read(ctx, id, state) {
    return unlessGone(gone, async () => {
      const found = await ctx.aws
        .ecs(asString(state.region))
        .send(new DescribeTaskDefinitionCommand({ taskDefinition: asString(state.arn) ?? id }));
      const live = found.taskDefinition;
      if (live?.status !== 'ACTIVE') return undefined;
      return { ...state, arn: live.taskDefinitionArn ?? null, revision: live.revision ?? null };
    });
  },

  async update(ctx, _id, olds, raw) {
    // Only tags, tagsAll, skipDestroy and trackLatest reach here: every other change replaces.
    const news = plainProps(raw);
    const arn = asString(olds.arn);
    if (arn) await retag(ctx.aws.ecs(asString(news.region)), arn, olds, news);
    return {};
  },

  async delete(ctx, id, state) {
    if (asBoolean(state.skipDestroy)) return;
    const client = ctx.aws.ecs(asString(state.region));
    const arn = asString(state.arn) ?? id;
    await unlessGone(gone, async () => {
      // Deregistered only, as pulumi-aws does (terraform-provider-aws `resourceTaskDefinitionDelete`):
      // AWS keeps the INACTIVE revision, and a service still running it keeps running.
      await client.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    });
  },
};

function loadBalancersOf(inputs: Props) {
  return asArray(inputs.loadBalancers).map((lb) => {
    const b = asObject(lb);
    return compact({
      targetGroupArn: asString(b.targetGroupArn),
      loadBalancerName: asString(b.elbName),
      containerName: asString(b.containerName),
      containerPort: asNumber(b.containerPort),
    });
  });
}

function networkConfigurationOf(inputs: Props) {
  if (!inputs.networkConfiguration) return undefined;
  const n = asObject(inputs.networkConfiguration);
  return {
    awsvpcConfiguration: compact({
      subnets: strings(n.subnets) ?? [],
      securityGroups: strings(n.securityGroups),
      assignPublicIp: (asBoolean(n.assignPublicIp) ? 'ENABLED' : 'DISABLED') as 'ENABLED' | 'DISABLED',
    }),
  };
}

function deploymentConfigurationOf(inputs: Props) {
  const breaker = asObject(inputs.deploymentCircuitBreaker);
  const configuration = compact({
    maximumPercent: asNumber(inputs.deploymentMaximumPercent),
    minimumHealthyPercent: asNumber(inputs.deploymentMinimumHealthyPercent),
    deploymentCircuitBreaker: inputs.deploymentCircuitBreaker
      ? { enable: asBoolean(breaker.enable) ?? false, rollback: asBoolean(breaker.rollback) ?? false }
      : undefined,
  });
  return Object.keys(configuration).length > 0 ? configuration : undefined;
}

/** The service's capacity provider strategy; undefined when it has none (it then has a launch type). */
function capacityProviderStrategyOf(inputs: Props) {
  const strategy = asArray(inputs.capacityProviderStrategies).map((s) =>
    compact({
      capacityProvider: asString(asObject(s).capacityProvider),
      weight: asNumber(asObject(s).weight),
      base: asNumber(asObject(s).base),
    }),
  );
  return strategy.length > 0 ? strategy : undefined;
}

/** Fields CreateService and UpdateService share. */
function mutableServiceFields(inputs: Props) {
  return compact({
    taskDefinition: asString(inputs.taskDefinition),
    desiredCount:
      asString(inputs.schedulingStrategy) === 'DAEMON' ? undefined : (asNumber(inputs.desiredCount) ?? 0),
    loadBalancers: loadBalancersOf(inputs),
    networkConfiguration: networkConfigurationOf(inputs),
    placementConstraints: asArray(inputs.placementConstraints).map((c) =>
      compact({
        type: asString(asObject(c).type) as 'memberOf',
        expression: asString(asObject(c).expression),
      }),
    ),
    placementStrategy: asArray(inputs.orderedPlacementStrategies).map((s) =>
      compact({ type: asString(asObject(s).type) as 'spread', field: asString(asObject(s).field) }),
    ),
    capacityProviderStrategy: capacityProviderStrategyOf(inputs),
    platformVersion: asString(inputs.platformVersion),
    healthCheckGracePeriodSeconds: asNumber(inputs.healthCheckGracePeriodSeconds),
    deploymentConfiguration: deploymentConfigurationOf(inputs),
    propagateTags: asString(inputs.propagateTags) as 'NONE' | undefined,
    enableECSManagedTags: asBoolean(inputs.enableEcsManagedTags),
    enableExecuteCommand: asBoolean(inputs.enableExecuteCommand),
  });
}

async function placementOf(ctx: Ctx, arn: string, state: Props, mode?: HealthMode): Promise<Placement> {
  const region = asString(state.region);
  let health = mode;
  if (!health) {
    const definition = asString(state.taskDefinition);
    // A task definition that is already gone cannot say anything: assume the plain case.
    health = definition
      ? await healthModeOf(ctx.aws, definition, region).catch(() => 'healthy' as const)
      : 'healthy';
  }
  return {
    serviceArn: arn,
    serviceName: asString(state.name) ?? arn.split('/').pop() ?? arn,
    cluster: asString(state.cluster) ?? 'default',
    region,
    desiredCount:
      asString(state.schedulingStrategy) === 'DAEMON'
        ? await daemonCount(ctx, asString(state.cluster) ?? 'default', region)
        : (asNumber(state.desiredCount) ?? 0),
    mode: health,
    loadBalancers: loadBalancersOf(state).flatMap((lb) =>
      lb.targetGroupArn ? [{ targetGroupArn: lb.targetGroupArn, containerPort: lb.containerPort ?? 80 }] : [],
    ),
  };
}

/** ECS runs a DAEMON service's task on every ACTIVE container instance of its cluster. */
async function daemonCount(ctx: Ctx, cluster: string, region?: string): Promise<number> {
  const found = await ctx.aws
    .ecs(region)
    .send(new ListContainerInstancesCommand({ cluster, status: 'ACTIVE' }));
  return found.containerInstanceArns?.length ?? 0;
}

function steadyStateError(placement: Placement): Error {
  return new Error(
    `service ${placement.serviceName}: tasks keep stopping (SANDBOX_HEALTH=crash), running 0 of ${placement.desiredCount}`,
  );
}

export const service: ResourceKind = {
  token: 'aws:ecs/service:Service',
  // ForceNew in terraform-provider-aws v6 (pulumi-aws 7) `resourceService`. Not
  // `capacityProviderStrategies`: an update, refused without `forceNewDeployment` (see update);
  // moving between it and a launch type replaces the service through `launchType`.
  replaceOn: [
    'name',
    'cluster',
    'launchType',
    'schedulingStrategy',
    'iamRole',
    'deploymentController',
    'region',
  ],
  computed: ['arn', 'id', 'tagsAll'],
  optionalComputed: [
    'region',
    'cluster',
    'launchType',
    'platformVersion',
    'iamRole',
    'deploymentMaximumPercent',
    'deploymentMinimumHealthyPercent',
    'deploymentController',
  ],
  autoName: { maxLength: 255 },

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const region = asString(inputs.region);
    const client = ctx.aws.ecs(region);
    const mode = inputs.taskDefinition
      ? await healthModeOf(ctx.aws, asString(inputs.taskDefinition) ?? '', region)
      : 'healthy';
    const controller = asString(asObject(inputs.deploymentController).type);
    const created = await client.send(
      new CreateServiceCommand({
        serviceName: asString(inputs.name),
        cluster: asString(inputs.cluster),
        launchType: asString(inputs.launchType) as 'EC2' | undefined,
        schedulingStrategy: (asString(inputs.schedulingStrategy) ?? 'REPLICA') as 'REPLICA',
        role: asString(inputs.iamRole),
        deploymentController: controller ? { type: controller as 'ECS' } : undefined,
        ...mutableServiceFields(inputs),
        tags: ecsTags(inputs.tags),
      }),
    );
    const live = created.service;
    const arn = live?.serviceArn;
    if (!live || !arn) throw new Error('CreateService returned no service');
    const outs: Props = {
      ...inputs,
      cluster: asString(inputs.cluster) ?? live.clusterArn ?? null,
      launchType: live.launchType ?? asString(inputs.launchType) ?? null,
      arn,
    };
    const placement = await placementOf(ctx, arn, outs, mode);
    try {
      await schedule(ctx.aws, placement);
    } catch (error) {
      throw new PartialCreateError(arn, outs, error);
    }
    if (mode === 'crash' && asBoolean(inputs.waitForSteadyState)) {
      throw new PartialCreateError(arn, outs, steadyStateError(placement));
    }
    return { id: arn, outs };
  },

  async read(ctx, id, state) {
    const found = await ctx.aws.ecs(asString(state.region)).send(
      new DescribeServicesCommand({
        cluster: asString(state.cluster),
        services: [asString(state.name) ?? id],
      }),
    );
    const live = found.services?.[0];
    if (!live || live.status === 'INACTIVE') return undefined;
    const refreshed: Props = {
      ...state,
      arn: live.serviceArn ?? id,
      taskDefinition: live.taskDefinition ?? state.taskDefinition ?? null,
    };
    // An unset desiredCount means 0 (pulumi-aws's default): only a real difference is news.
    if (live.desiredCount !== undefined && (state.desiredCount !== undefined || live.desiredCount !== 0)) {
      refreshed.desiredCount = live.desiredCount;
    }
    return refreshed;
  },

  async update(ctx, id, olds, raw) {
    const news = plainProps(raw);
    const client = ctx.aws.ecs(asString(news.region));
    const forceNew = asBoolean(news.forceNewDeployment) ?? false;
    // pulumi-aws 7 (terraform-provider-aws v6 `capacityProviderStrategyCustomizeDiff`, in
    // internal/service/ecs/service.go) refuses to change an existing service's strategy
    // without a forced new deployment; it does so at plan time, the stand-in before any call.
    if (!forceNew && !sameValue(olds.capacityProviderStrategies, news.capacityProviderStrategies)) {
      throw new Error('force_new_deployment should be true when capacity_provider_strategy is being updated');
    }
    const previous = await placementOf(ctx, id, olds);
    await client.send(
      new UpdateServiceCommand({
        cluster: asString(olds.cluster) ?? asString(news.cluster),
        service: asString(olds.name) ?? id,
        ...mutableServiceFields(news),
        forceNewDeployment: forceNew || undefined,
      }),
    );
    await retag(client, id, olds, news);
    const placement = await placementOf(ctx, id, {
      ...olds,
      ...news,
      cluster: olds.cluster ?? news.cluster ?? null,
    });
    await schedule(ctx.aws, placement, previous);
    if (placement.mode === 'crash' && asBoolean(news.waitForSteadyState)) throw steadyStateError(placement);
    return {};
  },

  async delete(ctx, id, state) {
    const placement = await placementOf(ctx, id, state);
    await unschedule(ctx.aws, placement);
    const client = ctx.aws.ecs(asString(state.region));
    try {
      // Like pulumi-aws, which drains the service first: `force` stops it whatever its desired count.
      await client.send(
        new DeleteServiceCommand({
          cluster: placement.cluster,
          service: placement.serviceName,
          force: true,
        }),
      );
    } catch (error) {
      if (!/ServiceNotFound|ServiceNotActive/.test((error as { name?: string })?.name ?? '')) throw error;
    }
    await waitInactive(client, placement, ctx.timeoutSeconds || SERVICE_DELETE_TIMEOUT_S);
  },
};

/** pulumi-aws's default `customTimeouts.delete` of a service (terraform-provider-aws `aws_ecs_service`). */
const SERVICE_DELETE_TIMEOUT_S = 20 * 60;

/**
 * pulumi-aws's delete returns only once the service is INACTIVE (terraform-provider-aws
 * `waitServiceInactive`): it stays DRAINING while its targets drain, and a deregistration
 * delay longer than the delete timeout fails the delete, as it would on AWS.
 */
async function waitInactive(client: ECSClient, placement: Placement, timeoutSeconds: number): Promise<void> {
  const deadline = Date.now() + timeoutSeconds * timeScale() * 1000;
  let status = 'DRAINING';
  while (Date.now() <= deadline) {
    const found = await client.send(
      new DescribeServicesCommand({ cluster: placement.cluster, services: [placement.serviceName] }),
    );
    status = found.services?.[0]?.status ?? 'INACTIVE';
    if (status === 'INACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `waiting for ECS Service (${placement.serviceArn}) delete: timeout while waiting for state to become 'INACTIVE' (last state: '${status}', timeout: ${timeoutSeconds}s)`,
  );
}
