/**
 * The Pulumi program: a pure function of the `DesiredState`. Per slot holding a release it
 * declares that release (task definition, service, target groups, listener rules, and a
 * listener where the slot's ALB has none); shared, it declares the log group, the two roles
 * and, per fqdn, the weighted alias record of each slot. Weights feed only the records, and
 * every per-slot resource depends only on its own release, so a weight change updates only
 * records and removing a release deletes only that slot's resources.
 *
 * `@pulumi/aws` is imported file by file: under ESM a sub-module index (`@pulumi/aws/ecs`)
 * is a directory import Node refuses, and `@pulumi/aws/ecs/index.js` evaluates every lazy
 * export of the module (~200 files for these five); one file per resource class loads 11.
 */
import { LogGroup } from '@pulumi/aws/cloudwatch/logGroup.js';
import { Service } from '@pulumi/aws/ecs/service.js';
import { TaskDefinition } from '@pulumi/aws/ecs/taskDefinition.js';
import { Role } from '@pulumi/aws/iam/role.js';
import { RolePolicy } from '@pulumi/aws/iam/rolePolicy.js';
import { RolePolicyAttachment } from '@pulumi/aws/iam/rolePolicyAttachment.js';
import { Listener } from '@pulumi/aws/lb/listener.js';
import { ListenerCertificate } from '@pulumi/aws/lb/listenerCertificate.js';
import { ListenerRule } from '@pulumi/aws/lb/listenerRule.js';
import { TargetGroup } from '@pulumi/aws/lb/targetGroup.js';
import { Record as DnsRecord } from '@pulumi/aws/route53/record.js';
import type { Input, Output } from '@pulumi/pulumi';
import { SLOTS, type Slot, type SlotInfo } from '../canary/ports/aws.js';
import type { DesiredState, StackIdentity, StackOutputs } from '../canary/ports/stack.js';
import type { ContainerPortRef, DeploymentConfig, ListenerConfig, ServiceConfig } from '../config/types.js';
import {
  containerDefinitions,
  ecsTasksTrustPolicy,
  secretArns,
  secretsPolicy,
  taskPolicy,
} from './documents.js';
import {
  clusterArn,
  logGroupName,
  logicalNames,
  partitionOf,
  roleName,
  serviceName,
  targetGroupName,
  taskFamily,
} from './naming.js';

/** How long the service's logs are kept. */
export const LOG_RETENTION_DAYS = 30;

type Tags = Record<string, string>;

/**
 * The stack outputs as the program returns them: `StackOutputs`, with the ARNs and names AWS
 * assigns still to come.
 */
export interface DeploymentOutputs extends Omit<Required<StackOutputs>, 'targetGroupArns' | 'serviceNames'> {
  targetGroupArns: Partial<Record<Slot, Output<string>[]>>;
  serviceNames: Partial<Record<Slot, Output<string>>>;
}

/** The inline program of one `up`/`preview` for `LocalWorkspace`: declares, then returns the outputs. */
export function deploymentProgram(state: DesiredState): () => Promise<Record<string, unknown>> {
  return async () => ({ ...declareDeployment(state) });
}

/** Declares every resource of the desired state (inside a Pulumi program run) and returns the outputs. */
export function declareDeployment(state: DesiredState): DeploymentOutputs {
  assertWeights(state.weights);
  const shared = declareShared(state.identity);
  const outputs: DeploymentOutputs = {
    meta: state.meta,
    releases: state.releases,
    weights: state.weights,
    targetGroupArns: {},
    serviceNames: {},
    slots: {},
  };
  for (const slot of SLOTS) {
    const release = state.releases[slot];
    if (!release) continue;
    const declared = declareRelease(state, slot, release, shared);
    outputs.targetGroupArns[slot] = declared.targetGroupArns;
    outputs.serviceNames[slot] = declared.serviceName;
    outputs.slots[slot] = state.environment.slots[slot];
  }
  declareRecords(state);
  return outputs;
}

/**
 * The last check before DNS: a weight pair that does not sum to 100 is a bug upstream, and
 * declaring it would send traffic where no health gate allowed it.
 */
function assertWeights(weights: Record<Slot, number>): void {
  const valid = SLOTS.every(
    (slot) => Number.isInteger(weights[slot]) && weights[slot] >= 0 && weights[slot] <= 100,
  );
  if (!valid || weights.blue + weights.green !== 100) {
    throw new Error(
      `weights must be two integers from 0 to 100 summing to 100, got ${JSON.stringify(weights)}`,
    );
  }
}

// ---------------------------------------------------------------- shared

interface SharedResources {
  logGroup: LogGroup;
  executionRole: Role;
  /** The AWS managed policy (image pulls, log streams) on the execution role. */
  executionManagedPolicy: RolePolicyAttachment;
  taskRole: Role;
}

function serviceTags(identity: StackIdentity): Tags {
  return {
    'ecs-crd:project': identity.project,
    'ecs-crd:service': identity.name,
    'ecs-crd:environment': identity.environment,
  };
}

function declareShared(identity: StackIdentity): SharedResources {
  const tags = serviceTags(identity);
  const logGroup = new LogGroup(logicalNames.logGroup, {
    name: logGroupName(identity),
    retentionInDays: LOG_RETENTION_DAYS,
    tags,
  });
  const executionRole = new Role(logicalNames.executionRole, {
    name: roleName(identity, 'execution'),
    description: `ECS task execution role of ${identity.project}/${identity.name} (${identity.environment})`,
    assumeRolePolicy: ecsTasksTrustPolicy(),
    tags,
  });
  const executionManagedPolicy = new RolePolicyAttachment(logicalNames.executionRoleManagedPolicy, {
    role: executionRole.name,
    policyArn: `arn:${partitionOf(identity.region)}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`,
  });
  const taskRole = new Role(logicalNames.taskRole, {
    name: roleName(identity, 'task'),
    description: `ECS task role of ${identity.project}/${identity.name} (${identity.environment})`,
    assumeRolePolicy: ecsTasksTrustPolicy(),
    tags,
  });
  return { logGroup, executionRole, executionManagedPolicy, taskRole };
}

/**
 * Per fqdn, one weighted alias record per slot, whether the slot holds a release or not:
 * both always exist, so a traffic shift is two weight updates and never a create or delete.
 */
function declareRecords(state: DesiredState): void {
  for (const zone of state.environment.zones) {
    for (const slot of SLOTS) {
      const alb = state.environment.slots[slot];
      new DnsRecord(logicalNames.record(zone.fqdn, slot), {
        zoneId: zone.zoneId,
        name: zone.fqdn,
        type: 'A',
        setIdentifier: alb.releaseId,
        weightedRoutingPolicies: [{ weight: state.weights[slot] }],
        aliases: [{ name: alb.albDnsName, zoneId: alb.albZoneId, evaluateTargetHealth: true }],
        // UPSERT rather than CREATE: takes over the records of a service first released by
        // the original tool (same name and set identifier) instead of failing on them.
        allowOverwrite: true,
      });
    }
  }
}

// ---------------------------------------------------------------- one release

interface DeclaredRelease {
  targetGroupArns: Output<string>[];
  serviceName: Output<string>;
}

const sameTarget = (a: ContainerPortRef, b: ContainerPortRef): boolean =>
  a.name === b.name && a.port === b.port;

function declareRelease(
  state: DesiredState,
  slot: Slot,
  release: DeploymentConfig,
  shared: SharedResources,
): DeclaredRelease {
  const { identity, environment } = state;
  const where = environment.slots[slot];
  const spec = release.service;
  const tags: Tags = { ...serviceTags(identity), 'ecs-crd:slot': slot, 'ecs-crd:version': spec.version };

  // Per slot, on the shared roles: a candidate's permissions never rewrite the live release's.
  const rolePolicies: RolePolicy[] = [];
  const secrets = secretsPolicy(secretArns(spec));
  if (secrets) {
    rolePolicies.push(
      new RolePolicy(logicalNames.secretsPolicy(slot), {
        name: `ecs-crd-${slot}-secrets`,
        role: shared.executionRole.name,
        policy: secrets,
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

  const taskDefinition = new TaskDefinition(logicalNames.taskDefinition(slot), {
    family: taskFamily(identity, slot),
    containerDefinitions: containerDefinitions(spec, {
      logGroup: logGroupName(identity),
      region: environment.region,
      slot,
    }),
    cpu: spec.cpu?.toString(),
    memory: spec.memory?.toString(),
    networkMode: spec.network_mode,
    requiresCompatibilities: [spec.launch_type],
    executionRoleArn: shared.executionRole.arn,
    taskRoleArn: shared.taskRole.arn,
    tags,
  });

  const targetGroups = release.target_groups.map((tg) => ({
    container: tg.container,
    resource: new TargetGroup(logicalNames.targetGroup(slot, tg.container), {
      name: targetGroupName(identity, slot, tg.container),
      port: tg.container.port,
      protocol: tg.protocol,
      vpcId: where.vpcId,
      targetType: spec.network_mode === 'awsvpc' ? 'ip' : 'instance',
      deregistrationDelay: tg.deregistration_delay,
      healthCheck: {
        enabled: true,
        protocol: tg.protocol,
        path: tg.health_check.path,
        matcher: tg.health_check.matcher,
        interval: tg.health_check.interval,
        timeout: tg.health_check.timeout,
        healthyThreshold: tg.health_check.healthy_threshold,
        unhealthyThreshold: tg.health_check.unhealthy_threshold,
      },
      tags,
    }),
  }));

  const rules = release.listeners.map((listener) => {
    const target = targetGroups.find((tg) => sameTarget(tg.container, listener.target_group.container));
    if (!target) {
      throw new Error(
        `listener on port ${listener.port} forwards to ${listener.target_group.container.name}:` +
          `${listener.target_group.container.port}, which no target group exposes`,
      );
    }
    const on = slotListener(slot, where, listener, tags);
    const { host_header, path_pattern = [] } = listener.rule.conditions;
    const conditions = [
      { hostHeader: { values: host_header } },
      ...(path_pattern.length > 0 ? [{ pathPattern: { values: path_pattern } }] : []),
    ];
    return new ListenerRule(logicalNames.listenerRule(slot, listener.port), {
      listenerArn: on.arn,
      priority: on.priority,
      conditions,
      actions: [{ type: 'forward', targetGroupArn: target.resource.arn }],
      tags,
    });
  });

  const service = new Service(
    logicalNames.service(slot),
    {
      name: serviceName(identity, slot),
      cluster: clusterArn(spec.cluster, environment),
      taskDefinition: taskDefinition.arn,
      desiredCount: spec.scheduling_strategy === 'DAEMON' ? undefined : release.canary.scale.desired,
      launchType: spec.launch_type,
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
      // The rollout watches health itself, step by step, with its own timeout.
      waitForSteadyState: false,
      tags,
    },
    {
      // ECS refuses a target group no listener uses yet; tasks need their log group and
      // their roles' permissions (secrets are read at start) before the first one starts.
      dependsOn: [...rules, shared.logGroup, shared.executionManagedPolicy, ...rolePolicies],
    },
  );

  return { targetGroupArns: targetGroups.map((tg) => tg.resource.arn), serviceName: service.name };
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

/**
 * The listener of the slot's ALB on a port of the file, with the rule priority discovery
 * chose: the platform team's when there is one, else a listener this release creates (a
 * fixed 404 by default, so only the service's rules route anything).
 */
function slotListener(
  slot: Slot,
  where: SlotInfo,
  listener: ListenerConfig,
  tags: Tags,
): { arn: Input<string>; priority: number } {
  const found = where.listeners.find((l) => l.port === listener.port);
  if (!found) {
    throw new Error(
      `discovery has no listener for port ${listener.port} of the ${slot} ALB (${where.albName})`,
    );
  }
  if (found.listenerArn) return { arn: found.listenerArn, priority: found.priority };

  const [certificate, ...moreCertificates] = listener.protocol === 'HTTPS' ? listener.certificate_arns : [];
  const created = new Listener(logicalNames.listener(slot, listener.port), {
    loadBalancerArn: where.albArn,
    port: listener.port,
    protocol: listener.protocol,
    certificateArn: certificate,
    defaultActions: [
      {
        type: 'fixed-response',
        fixedResponse: { contentType: 'text/plain', statusCode: '404', messageBody: 'Not Found' },
      },
    ],
    tags,
  });
  moreCertificates.forEach((certificateArn, index) => {
    new ListenerCertificate(logicalNames.listenerCertificate(slot, listener.port, index + 1), {
      listenerArn: created.arn,
      certificateArn,
    });
  });
  return { arn: created.arn, priority: found.priority };
}
