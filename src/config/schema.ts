/**
 * The deployment file's shape as zod schemas: types, ranges, defaults, the
 * descriptions editors show (the JSON Schema is generated from here), and the cross-field
 * rules of `rules.ts` and `listener-rules.ts` wired where the values they compare live. Unknown keys are errors.
 */
import { z } from 'zod';
import { CLUSTER_MESSAGE, isCluster, isSnsTopicArn, isTagValue, SNS_TOPIC_ARN_MESSAGE } from './formats.js';
import { policiesFitTheRoles } from './iam-policies.js';
import * as listenerRules from './listener-rules.js';
import { whenShaped } from './rule-context.js';
import * as rules from './rules.js';
import * as originalRules from './rules-original.js';
import * as taskRules from './rules-task.js';
import { analysisSchema } from './schema-analysis.js';
import { formatted, hostName, int, matches, oneOrMany, text } from './schema-blocks.js';
import { containerSchema } from './schema-container.js';
import { hooksSchema } from './schema-hooks.js';
import { pauseSchema } from './schema-pause.js';
import { listenerSchema, targetGroupSchema } from './schema-routing.js';
import { autoScalingFitsTheService, autoScalingSchema } from './schema-scaling.js';
import { capacityProvider, iamRoles, runtimePlatform, statements, volume } from './schema-service-parts.js';
import { DEFAULT_DRAIN_S, DEFAULT_HEALTH_CHECK_GRACE_PERIOD_S } from './types.js';

export { DEFAULT_IMAGE } from './schema-container.js';
export { listenerSchema, targetGroupSchema } from './schema-routing.js';

// ------------------------------------------------------------------ canary

const releaseId = z
  .union([text(), z.number()], { error: 'must be a string or a number' })
  .transform(String)
  .meta({ description: 'The `CanaryRelease` tag value of one of the two ALBs (compared as a string).' });

const strategyStep = z
  .strictObject({
    weight: int(1, 100).meta({ description: 'Percent of the traffic sent to the new release at this step.' }),
    wait: int(0).optional().meta({
      description:
        'Seconds to watch the new release at this weight before the next step. Required, except with `pause` (default 0).',
    }),
    pause: pauseSchema.optional(),
  })
  .superRefine(rules.waitOrPause, whenShaped)
  .meta({ description: 'One traffic step.' });

const canarySchema = z
  .strictObject({
    group: text().meta({
      description: 'The `CanaryGroup` tag of the two ALBs (the slots) to deploy behind.',
    }),
    releases: z
      .strictObject({ blue: releaseId, green: releaseId })
      .superRefine(rules.releasesDiffer)
      .meta({ description: 'The `CanaryRelease` tag values of the two slots; they must differ.' }),
    scale: z
      .strictObject({
        desired: int(1).default(2).meta({ description: 'Desired task count of the new release.' }),
        wait: int(0)
          .default(60)
          .meta({ description: 'Seconds to wait after scaling up, before any traffic.' }),
      })
      .prefault({}),
    strategy: z.array(strategyStep).default([]).superRefine(rules.weightsIncrease, whenShaped).meta({
      description:
        'Traffic steps, weights strictly increasing. A final `{weight: 100, wait: 60}` is implied when the list does not end at 100.',
    }),
    health: z
      .strictObject({
        interval: int(1, 3600)
          .default(10)
          .meta({ description: 'Seconds between two observations of the new release.' }),
        timeout: int(1, 86400)
          .default(300)
          .meta({ description: 'Seconds the new release may take to become healthy after scale-up.' }),
        failed_tasks: int(1, 10000).optional().meta({
          description:
            'Stopped tasks of the new release at which it is rolled back. Default: as the ECS deployment circuit breaker, half of scale.desired, at least 3 and at most 200 (fewer are replaced by ECS, as a transient failure at start is).',
        }),
      })
      .prefault({})
      .superRefine(rules.healthIntervalWithinTimeout),
    drain: int(0, 86400).default(DEFAULT_DRAIN_S).meta({
      description:
        'Seconds a release keeps serving after its DNS weight reaches 0, before it is removed: clients and resolvers cache DNS answers (ALB alias answers for 60 s). Counts the last step’s wait.',
    }),
    evaluate_target_health: z.boolean().default(false).meta({
      description:
        'Let Route 53 judge the slot ALBs’ health (EvaluateTargetHealth). Off by default: on ALBs shared by several services, one service’s starting candidate would make the whole ALB unhealthy for the others.',
    }),
    sns_topic_notifications: z
      .strictObject({
        on_success: formatted(isSnsTopicArn, SNS_TOPIC_ARN_MESSAGE)
          .optional()
          .meta({ description: 'SNS topic told of every deployment that completes.' }),
        on_fail: formatted(isSnsTopicArn, SNS_TOPIC_ARN_MESSAGE)
          .optional()
          .meta({ description: 'SNS topic told of every deployment that fails or is rolled back.' }),
      })
      .optional()
      .meta({
        description:
          'SNS topic ARNs told the outcome of every deployment (the outcome document as the message): `on_success` when the release went live, `on_fail` on a rollback or failure.',
      }),
    analysis: analysisSchema.optional(),
    hooks: hooksSchema.optional(),
  })
  .meta({
    description: 'How the new release is brought in: the ALB slots, the scale-up and the traffic steps.',
  });

// ------------------------------------------------------------------ service

const placementConstraint = z
  .strictObject({
    type: z.enum(['distinctInstance', 'memberOf']),
    expression: text()
      .optional()
      .meta({ description: 'Cluster query language expression; `memberOf` only.' }),
  })
  .superRefine(rules.placementConstraintExpression);

const placementStrategy = z
  .strictObject({
    type: z.enum(['binpack', 'random', 'spread']),
    field: text().optional().meta({
      description:
        '`cpu`/`memory` for binpack; e.g. `instanceId` or `attribute:ecs.availability-zone` for spread.',
    }),
  })
  .superRefine(rules.placementStrategyField);

const networkSchema = z
  .strictObject({
    subnets: z
      .array(matches(/^subnet-[0-9a-f]+$/, 'must be a subnet id (subnet-…)'))
      .min(1, 'must list a subnet'),
    security_groups: z.array(matches(/^sg-[0-9a-f]+$/, 'must be a security group id (sg-…)')).default([]),
    assign_public_ip: z.boolean().default(false),
  })
  .meta({ description: 'The tasks’ network (awsvpc only).' });

const serviceSchema = z
  .strictObject({
    project: matches(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/,
      'must be letters, digits, ., - and _ (at most 100)',
    ).meta({
      description: 'Project name; the `{{project}}` template variable.',
    }),
    name: matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/, 'must be letters, digits, - and _ (at most 100)').meta({
      description: 'Service name; the `{{name}}` template variable. The ECS services are `<name>-<slot>`.',
    }),
    cluster: formatted(isCluster, CLUSTER_MESSAGE).meta({ description: 'ECS cluster name or ARN.' }),
    fqdn: oneOrMany(hostName(), 'DNS name').optional().meta({
      description:
        'DNS name(s) served, each in a Route 53 hosted zone of the account. The first is `{{fqdn}}`. Required (the original tool’s containers[].fqdn stands in for it).',
    }),
    version: formatted(
      isTagValue,
      'must be at most 256 letters, digits, spaces and _ . : / = + - @: it becomes the ecs-crd:version tag of every resource',
    ).meta({
      description:
        'The version deployed; the `{{version}}` template variable. Quote it: 1.10 unquoted is the number 1.1.',
    }),
    scheduling_strategy: z.enum(['REPLICA', 'DAEMON']).default('REPLICA'),
    platform_version: text().optional().meta({ description: 'Fargate platform version (default LATEST).' }),
    launch_type: z.enum(['EC2', 'FARGATE']).optional().meta({
      description:
        'Default: EC2, or with capacity_provider_strategy none (FARGATE when its providers are FARGATE/FARGATE_SPOT).',
    }),
    network_mode: z
      .enum(['bridge', 'host', 'awsvpc', 'none'])
      .optional()
      .meta({ description: 'Default: `bridge` for EC2, `awsvpc` for Fargate.' }),
    network: networkSchema.optional(),
    cpu: int(128).optional().meta({ description: 'Task CPU units; required for Fargate.' }),
    memory: int(128).optional().meta({ description: 'Task memory in MiB; required for Fargate.' }),
    health_check_grace_period: int(0, 2147483647).default(DEFAULT_HEALTH_CHECK_GRACE_PERIOD_S).meta({
      description:
        'Seconds during which ECS ignores the ALB’s health checks of a new task, so that a task still starting is not stopped as unhealthy (ECS healthCheckGracePeriodSeconds).',
    }),
    placement_constraints: z.array(placementConstraint).default([]),
    placement_strategies: z.array(placementStrategy).default([]),
    policies: statements('Statements of the task role’s inline policy (default none).').optional(),
    execution_policies: statements(
      'Statements added to the execution role (ECR pulls, logs and secrets are granted already).',
    ).optional(),
    iam_roles: iamRoles.optional(),
    containers: z
      .array(containerSchema)
      .min(1, 'must list at least one container')
      .superRefine(rules.containerNamesUnique, whenShaped),
    pid_mode: z.enum(['host', 'task']).optional().meta({ description: 'Process namespace (Fargate: task).' }),
    ipc_mode: z
      .enum(['host', 'none', 'task'])
      .optional()
      .meta({ description: 'IPC namespace (not on Fargate).' }),
    requires_compatibilities: z
      .array(z.enum(['EC2', 'FARGATE', 'EXTERNAL']))
      .min(1, 'must list at least one launch type')
      .optional()
      .meta({ description: 'Launch types the task definition is checked for. Default: the launch type.' }),
    volumes: z.array(volume).superRefine(taskRules.volumeNamesUnique, whenShaped).optional(),
    runtime_platform: runtimePlatform.optional(),
    ephemeral_storage: int(21, 200)
      .optional()
      .meta({ description: 'GiB of task storage (Fargate only; default 20).' }),
    capacity_provider_strategy: z.array(capacityProvider).optional().meta({
      description: 'Where tasks run (FARGATE_SPOT…), instead of launch_type.',
    }),
    enable_execute_command: z
      .boolean()
      .optional()
      .meta({ description: 'ECS Exec: `aws ecs execute-command` into the tasks.' }),
    auto_scaling: autoScalingSchema.optional(),
  })
  .superRefine(rules.fqdnsUnique, whenShaped)
  .superRefine(rules.networkModeRules, whenShaped)
  .superRefine(rules.fargateRules, whenShaped)
  .superRefine(rules.daemonRules, whenShaped)
  .superRefine(rules.hostPortsMatch, whenShaped)
  .superRefine(rules.containersFitTheTask, whenShaped)
  .superRefine(rules.versionTagsTheDefaultImage, whenShaped)
  .superRefine(policiesFitTheRoles, whenShaped)
  .superRefine(originalRules.fqdnInOnePlace, whenShaped)
  .superRefine(originalRules.iamRolesOrPolicies, whenShaped)
  .superRefine(taskRules.capacityProviderRules, whenShaped)
  .superRefine(taskRules.compatibilitiesIncludeLaunchType, whenShaped)
  .superRefine(taskRules.fargateTaskRules, whenShaped)
  .superRefine(taskRules.containerReferences, whenShaped)
  .superRefine(autoScalingFitsTheService, whenShaped)
  // After the rules: the file-level rules (listeners) read the service's fqdn wherever it was written.
  .transform(originalRules.withServiceFqdn)
  .meta({ description: 'The ECS service to deploy.' });

// ------------------------------------------------------------------ the file

export const deploymentFileSchema = z
  .strictObject({
    canary: canarySchema,
    service: serviceSchema,
    target_groups: z
      .array(targetGroupSchema)
      .min(1, 'must list at least one target group (or leave the key out for the default one)')
      .optional(),
    listeners: z
      .array(listenerSchema)
      .min(1, 'must list at least one listener (or leave the key out for port 80 HTTP)')
      .superRefine(listenerRules.listenerPortsUnique, whenShaped)
      .optional(),
  })
  .superRefine(listenerRules.referencesResolve, whenShaped)
  .superRefine(listenerRules.conditionsWithinQuota, whenShaped)
  .meta({ title: 'ecs-crd deployment file', description: 'A canary release of one ECS service.' });

/** The file as parsed: defaults applied, still in the file's alternative spellings. */
export type DeploymentFile = z.output<typeof deploymentFileSchema>;
export type ServiceFile = DeploymentFile['service'];
export type ContainerFile = ServiceFile['containers'][number];
export type TargetGroupFile = z.output<typeof targetGroupSchema>;
export type ListenerFile = z.output<typeof listenerSchema>;
