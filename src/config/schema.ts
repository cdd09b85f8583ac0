/**
 * The deployment file's shape as zod schemas: types, ranges, defaults, the
 * descriptions editors show (the JSON Schema is generated from here), and the cross-field
 * rules of `rules.ts` and `listener-rules.ts` wired where the values they compare live. Unknown keys are errors.
 */
import { z } from 'zod';
import {
  CERTIFICATE_ARN_MESSAGE,
  CLUSTER_MESSAGE,
  IMAGE_MESSAGE,
  isCertificateArn,
  isCluster,
  isImageReference,
  isTagValue,
} from './formats.js';
import { policiesFitTheRoles } from './iam-policies.js';
import * as listenerRules from './listener-rules.js';
import { whenShaped } from './rule-context.js';
import * as rules from './rules.js';
import {
  envName,
  formatted,
  hostName,
  int,
  matches,
  nameMap,
  oneOrMany,
  portNumber,
  stringish,
  text,
} from './schema-blocks.js';
import { DEFAULT_DRAIN_S, DEFAULT_HEALTH_CHECK_GRACE_PERIOD_S } from './types.js';

// ------------------------------------------------------------------ canary

const releaseId = z
  .union([text(), z.number()], { error: 'must be a string or a number' })
  .transform(String)
  .meta({ description: 'The `CanaryRelease` tag value of one of the two ALBs (compared as a string).' });

const strategyStep = z
  .strictObject({
    weight: int(1, 100).meta({ description: 'Percent of the traffic sent to the new release at this step.' }),
    wait: int(0).meta({
      description: 'Seconds to watch the new release at this weight before the next step.',
    }),
  })
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
  })
  .meta({
    description: 'How the new release is brought in: the ALB slots, the scale-up and the traffic steps.',
  });

// ------------------------------------------------------------------ service.containers[]

const portMapping = z.strictObject({
  container_port: portNumber().meta({ description: 'Port the container listens on.' }),
  host_port: int(0, 65535).default(0).meta({
    description: 'Port on the host; 0 = dynamic (bridge). With awsvpc/host: 0 or the container port.',
  }),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
});

const environmentVariables = nameMap(
  envName,
  stringish('must be a string, a number or true/false (write "" for an empty value)'),
);
const environmentSchema = z
  .union(
    [
      environmentVariables,
      // The original tool's spelling: a list of one-key maps.
      z.array(
        environmentVariables.refine(
          (item) => Object.keys(item).length === 1,
          'each item must be exactly one `NAME: value`',
        ),
      ),
    ],
    { error: 'must be a map `NAME: value` (or a list of one-key maps)' },
  )
  .default({})
  .meta({ description: 'Environment variables, `NAME: value`. Never put secrets here: use `secrets`.' });

const secretArn = formatted(
  (value) => /^arn:[^:]+:(ssm|secretsmanager):/.test(value),
  'must be the ARN of an SSM parameter or a Secrets Manager secret (arn:aws:ssm:… or arn:aws:secretsmanager:…), never the secret itself',
);

const containerHealthCheck = z
  .strictObject({
    command: z
      .array(z.string())
      .min(1, 'must not be empty')
      .refine(
        (command) => ['CMD', 'CMD-SHELL', 'NONE'].includes(command[0] ?? ''),
        'must start with `CMD`, `CMD-SHELL` or `NONE`, e.g. [CMD-SHELL, "curl -f http://localhost/ || exit 1"]',
      ),
    interval: int(5, 300).optional().meta({ description: 'Seconds between checks (ECS default 30).' }),
    timeout: int(2, 60).optional().meta({ description: 'Seconds before a check fails (ECS default 5).' }),
    retries: int(1, 10).optional().meta({ description: 'Failures before unhealthy (ECS default 3).' }),
    start_period: int(0, 300).optional().meta({ description: 'Grace period in seconds (ECS default 0).' }),
  })
  .meta({ description: 'The container health check (Docker HEALTHCHECK).' });

const logConfiguration = z
  .strictObject({
    log_driver: z.enum([
      'awslogs',
      'awsfirelens',
      'fluentd',
      'gelf',
      'journald',
      'json-file',
      'splunk',
      'syslog',
    ]),
    options: nameMap(z.string(), stringish('must be a string, a number or true/false')).default({}),
  })
  .meta({ description: 'Where the logs go. Default: `awslogs` to the log group the stack creates.' });

export const DEFAULT_IMAGE = '{{account_id}}.dkr.ecr.{{region}}.amazonaws.com/{{name}}:{{version}}';

const containerSchema = z
  .strictObject({
    name: matches(/^[A-Za-z0-9_-]{1,255}$/, 'must be letters, digits, - and _ (at most 255)').default(
      'default',
    ),
    image: formatted(isImageReference, IMAGE_MESSAGE).optional().meta({
      default: DEFAULT_IMAGE,
      description: 'The image to run: [host[:port]/]name[:tag][@sha256:…].',
    }),
    cpu: int(0).default(128).meta({ description: 'CPU units reserved for the container.' }),
    memory: int(6).default(128).meta({ description: 'Hard memory limit in MiB.' }),
    memory_reservation: int(6)
      .optional()
      .meta({ description: 'Soft memory limit in MiB; at most `memory`.' }),
    port_mappings: z.array(portMapping).default([]),
    entry_point: z.array(z.string()).optional(),
    command: z.array(z.string()).optional(),
    environment: environmentSchema,
    secrets: nameMap(envName, secretArn)
      .default({})
      .meta({ description: 'Environment variables read from SSM or Secrets Manager: `NAME: ARN`.' }),
    dns_search_domains: z.array(text()).optional(),
    dns_servers: z.array(text()).optional(),
    disable_networking: z.boolean().optional(),
    essential: z.boolean().default(true),
    health_check: containerHealthCheck.optional(),
    log_configuration: logConfiguration.optional(),
  })
  .superRefine(rules.memoryReservationWithinMemory)
  .superRefine(rules.environmentNamesUnique, whenShaped)
  .superRefine(rules.portMappingsUnique, whenShaped);

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

const policyStatement = z.strictObject({
  effect: z.enum(['Allow', 'Deny']),
  actions: z
    .array(matches(/^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/, 'must be an IAM action such as s3:GetObject'))
    .min(1, 'must list at least one action'),
  resources: z.array(text()).min(1, 'must list at least one resource (an ARN, or "*")'),
});

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
    fqdn: oneOrMany(hostName(), 'DNS name').meta({
      description:
        'DNS name(s) served, each in a Route 53 hosted zone of the account. The first is `{{fqdn}}`.',
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
    launch_type: z.enum(['EC2', 'FARGATE']).default('EC2'),
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
    policies: z
      .array(policyStatement)
      .default([])
      .meta({ description: 'Statements of the task role’s inline policy.' }),
    containers: z
      .array(containerSchema)
      .min(1, 'must list at least one container')
      .superRefine(rules.containerNamesUnique, whenShaped),
  })
  .superRefine(rules.fqdnsUnique, whenShaped)
  .superRefine(rules.networkModeRules, whenShaped)
  .superRefine(rules.fargateRules, whenShaped)
  .superRefine(rules.daemonRules, whenShaped)
  .superRefine(rules.hostPortsMatch, whenShaped)
  .superRefine(rules.containersFitTheTask, whenShaped)
  .superRefine(rules.versionTagsTheDefaultImage, whenShaped)
  .superRefine(policiesFitTheRoles, whenShaped)
  .meta({ description: 'The ECS service to deploy.' });

// ------------------------------------------------------------------ target_groups[], listeners[]

const containerRef = z
  .strictObject({
    name: text().meta({ description: 'A container of service.containers.' }),
    port: portNumber().meta({ description: 'One of its port_mappings’ container_port.' }),
  })
  .meta({ description: 'A container port. Default: the first container’s first port mapping.' });

const MATCHER_MESSAGE = 'must be HTTP codes such as 200, 200-299 or 200,302';

export const targetGroupSchema = z
  .strictObject({
    container: containerRef.optional(),
    protocol: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
    deregistration_delay: int(0, 3600).default(30).meta({ description: 'Seconds to drain a target.' }),
    health_check: z
      .strictObject({
        path: formatted((value) => value.startsWith('/'), 'must start with /').default('/'),
        matcher: stringish(MATCHER_MESSAGE)
          .pipe(z.string().regex(/^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/, MATCHER_MESSAGE))
          .default('200'),
        interval: int(5, 300).default(15),
        timeout: int(2, 120).default(5),
        healthy_threshold: int(2, 10).default(3),
        unhealthy_threshold: int(2, 10).default(3),
      })
      .prefault({})
      .superRefine(listenerRules.timeoutBelowInterval, whenShaped),
  })
  .meta({ description: 'One target group per exposed container port.' });

export const listenerSchema = z
  .strictObject({
    port: portNumber().meta({ description: 'The ALB port; its listener is reused when the ALB has one.' }),
    protocol: z.enum(['HTTP', 'HTTPS']).default('HTTP'),
    certificate_arns: z
      .array(formatted(isCertificateArn, CERTIFICATE_ARN_MESSAGE))
      .default([])
      .meta({ description: 'Certificates of an HTTPS listener the stack creates.' }),
    target_group: z
      .strictObject({ container: containerRef })
      .optional()
      .meta({ description: 'The target group to forward to. Default: the first target group.' }),
    rule: z
      .strictObject({
        priority: int(1, 50000)
          .optional()
          .meta({ description: 'Rule priority. Default: the lowest free one on that listener.' }),
        conditions: z
          .strictObject({
            host_header: oneOrMany(hostName(), 'host name')
              .optional()
              .meta({ description: 'Default: the service fqdn(s).' }),
            path_pattern: oneOrMany(text(), 'path pattern').optional(),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .superRefine(listenerRules.certificatesMatchProtocol, whenShaped)
  .meta({ description: 'Where the ALBs receive the traffic. Omitted: port 80 HTTP.' });

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
