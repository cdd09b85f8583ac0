/**
 * One release of the service in one slot: its task definition, target groups, listener rules
 * (and a listener where the slot's ALB has none), its ECS service, and its permissions on the
 * shared roles. Every resource here depends only on its own release, so removing a release
 * deletes only that slot's resources.
 */

import { Service } from '@pulumi/aws/ecs/service.js';
import { TaskDefinition } from '@pulumi/aws/ecs/taskDefinition.js';
import { RolePolicy } from '@pulumi/aws/iam/rolePolicy.js';
import type { Output } from '@pulumi/pulumi';
import { ownerTags } from '../canary/ownership.js';
import { deregistrationDelayOf } from '../canary/plan.js';
import type { Slot } from '../canary/ports/aws.js';
import type { DesiredState, StackIdentity } from '../canary/ports/stack.js';
import type { DeploymentConfig, ServiceConfig, VolumeConfig } from '../config/types.js';
import { containerDefinitions, executionSecretArns, secretsPolicy, taskPolicy } from './documents.js';
import { clusterArn, logGroupName, logicalNames, serviceName, taskFamily } from './naming.js';
import { declareListenerRules, declareTargetGroups } from './routing.js';
import { clusterNameOf, declareScaling } from './scaling.js';
import type { SharedResources, Tags } from './shared.js';

/** The tags every resource of the service carries. */
export function serviceTags(identity: StackIdentity): Tags {
  return ownerTags(identity);
}

export interface DeclaredRelease {
  targetGroupArns: Output<string>[];
  serviceName: Output<string>;
}

/** Everything one release declares, and the names the rollout reads back from the outputs. */
export function declareRelease(
  state: DesiredState,
  slot: Slot,
  release: DeploymentConfig,
  shared: SharedResources,
): DeclaredRelease {
  const spec = release.service;
  // An empty strategy is none (the launch type then applies), as an absent one.
  const strategy = spec.capacity_provider_strategy?.length ? spec.capacity_provider_strategy : undefined;
  const tags: Tags = {
    ...serviceTags(state.identity),
    'ecs-crd:slot': slot,
    'ecs-crd:version': spec.version,
  };
  const rolePolicies = declareRolePolicies(slot, spec, shared);
  const taskDefinition = declareTaskDefinition(state, slot, spec, shared, tags);
  const targetGroups = declareTargetGroups(state, slot, release, tags);
  const rules = declareListenerRules(state, slot, release, targetGroups, shared, tags);
  const service = new Service(
    logicalNames.service(slot),
    {
      name: serviceName(state.identity, slot),
      cluster: clusterArn(spec.cluster, state.environment),
      taskDefinition: taskDefinition.arn,
      desiredCount: spec.scheduling_strategy === 'DAEMON' ? undefined : release.canary.scale.desired,
      // ECS refuses a launch type beside a capacity provider strategy (InvalidParameterException):
      // the providers (FARGATE_SPOT…) decide where tasks run.
      launchType: strategy ? undefined : spec.launch_type,
      capacityProviderStrategies: strategy?.map((s) => ({
        capacityProvider: s.capacity_provider,
        weight: s.weight,
        base: s.base,
      })),
      enableExecuteCommand: spec.enable_execute_command,
      schedulingStrategy: spec.scheduling_strategy,
      platformVersion: spec.launch_type === 'FARGATE' ? spec.platform_version : undefined,
      placementConstraints: spec.placement_constraints.map((c) => ({
        type: c.type,
        expression: c.expression,
      })),
      orderedPlacementStrategies: spec.placement_strategies.map((s) => ({ type: s.type, field: s.field })),
      networkConfiguration: networkConfiguration(spec),
      loadBalancers: targetGroups.map((tg) => ({
        targetGroupArn: tg.resource.arn,
        containerName: tg.container.name,
        containerPort: tg.container.port,
      })),
      // A task still starting is not stopped for failing the ALB's checks; the gates wait for it.
      healthCheckGracePeriodSeconds: spec.health_check_grace_period,
      // The rollout watches health itself, step by step, with its own timeout.
      waitForSteadyState: false,
      tags,
    },
    {
      // ECS refuses a target group no listener uses yet; tasks need their log group and
      // their roles' permissions (secrets are read at start) before the first one starts.
      dependsOn: [...rules, shared.logGroup, shared.executionManagedPolicy, ...rolePolicies],
      customTimeouts: { delete: `${serviceDeleteTimeout(release)}s` },
      // Application Auto Scaling owns the desired count once it scales the service: an `up`
      // must not set it back to scale.desired (it is still the count the service starts with).
      ...(spec.auto_scaling ? { ignoreChanges: ['desiredCount'] } : {}),
    },
  );
  declareScaling(state, slot, release, {
    serviceName: service.name,
    clusterName: clusterNameOf(spec.cluster),
    targetGroupArnSuffix: targetGroups[0]?.resource.arnSuffix,
    tags,
  });
  return { targetGroupArns: targetGroups.map((tg) => tg.resource.arn), serviceName: service.name };
}

/** pulumi-aws's default wait for a deleted service to turn INACTIVE (Terraform's `aws_ecs_service`). */
const SERVICE_DELETE_TIMEOUT_S = 20 * 60;
/** A task's own stop (ECS's stopTimeout is at most 120 s) and ECS's bookkeeping, after its targets drained. */
const SERVICE_STOP_MARGIN_S = 5 * 60;

/**
 * How long the delete of a release's service may wait for INACTIVE: the service stays
 * DRAINING until its targets have drained, and a deregistration delay may reach an hour —
 * longer than pulumi-aws's 20-minute default, which would fail the `up` that removes it.
 */
export function serviceDeleteTimeout(release: DeploymentConfig): number {
  return Math.max(SERVICE_DELETE_TIMEOUT_S, deregistrationDelayOf(release) + SERVICE_STOP_MARGIN_S);
}

/** Per slot, on the shared roles: a candidate's permissions never rewrite the live release's. */
function declareRolePolicies(slot: Slot, spec: ServiceConfig, shared: SharedResources): RolePolicy[] {
  const rolePolicies: RolePolicy[] = [];
  const secrets = secretsPolicy(executionSecretArns(spec));
  if (secrets) {
    rolePolicies.push(
      new RolePolicy(logicalNames.secretsPolicy(slot), {
        name: `ecs-crd-${slot}-secrets`,
        role: shared.executionRole.name,
        policy: secrets,
      }),
    );
  }
  const execution = taskPolicy(spec.execution_policies ?? []);
  if (execution) {
    rolePolicies.push(
      new RolePolicy(logicalNames.executionPolicy(slot), {
        name: `ecs-crd-${slot}-execution`,
        role: shared.executionRole.name,
        policy: execution,
      }),
    );
  }
  const policies = taskPolicy(spec.policies);
  if (policies) {
    rolePolicies.push(
      new RolePolicy(logicalNames.taskPolicy(slot), {
        name: `ecs-crd-${slot}-policies`,
        role: shared.taskRole.name,
        policy: policies,
      }),
    );
  }
  return rolePolicies;
}

function declareTaskDefinition(
  state: DesiredState,
  slot: Slot,
  spec: ServiceConfig,
  shared: SharedResources,
  tags: Tags,
): TaskDefinition {
  const { identity, environment } = state;
  return new TaskDefinition(logicalNames.taskDefinition(slot), {
    family: taskFamily(identity, slot),
    containerDefinitions: containerDefinitions(spec, {
      logGroup: logGroupName(identity),
      region: environment.region,
      slot,
    }),
    cpu: spec.cpu?.toString(),
    memory: spec.memory?.toString(),
    networkMode: spec.network_mode,
    requiresCompatibilities: spec.requires_compatibilities ?? [spec.launch_type],
    volumes: spec.volumes?.length ? spec.volumes.map(volume) : undefined,
    pidMode: spec.pid_mode,
    ipcMode: spec.ipc_mode,
    runtimePlatform: spec.runtime_platform
      ? {
          cpuArchitecture: spec.runtime_platform.cpu_architecture,
          operatingSystemFamily: spec.runtime_platform.operating_system_family,
        }
      : undefined,
    ephemeralStorage:
      spec.ephemeral_storage === undefined ? undefined : { sizeInGib: spec.ephemeral_storage },
    executionRoleArn: shared.executionRole.arn,
    taskRoleArn: shared.taskRole.arn,
    tags,
  });
}

/** A task definition volume in pulumi-aws's input names. */
function volume(v: VolumeConfig) {
  const docker = v.docker_volume_configuration;
  const efs = v.efs_volume_configuration;
  return {
    name: v.name,
    // A `host` without a path is a Docker-managed scratch volume: a volume with neither block.
    hostPath: v.host?.source_path,
    dockerVolumeConfiguration: docker
      ? {
          scope: docker.scope,
          autoprovision: docker.autoprovision,
          driver: docker.driver,
          driverOpts: docker.driver_opts,
          labels: docker.labels,
        }
      : undefined,
    efsVolumeConfiguration: efs
      ? {
          fileSystemId: efs.file_system_id,
          rootDirectory: efs.root_directory,
          transitEncryption: efs.transit_encryption,
          transitEncryptionPort: efs.transit_encryption_port,
          authorizationConfig: efs.authorization_config
            ? {
                accessPointId: efs.authorization_config.access_point_id,
                iam: efs.authorization_config.iam,
              }
            : undefined,
        }
      : undefined,
  };
}

/** The awsvpc network of the service's tasks; other network modes have none. */
function networkConfiguration(spec: ServiceConfig) {
  if (spec.network_mode !== 'awsvpc') return undefined;
  if (!spec.network) {
    throw new Error(
      `service ${spec.name}: network mode awsvpc needs service.network (subnets, security groups)`,
    );
  }
  return {
    subnets: spec.network.subnets,
    securityGroups: spec.network.security_groups,
    assignPublicIp: spec.network.assign_public_ip,
  };
}
