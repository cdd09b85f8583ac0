/**
 * The resolved deployment file: every default applied, every template rendered, every
 * alternative spelling normalised. This is the contract between `src/config` and the rest of
 * ecs-crd; keys keep the file's snake_case so `validate --json` can print it as it is.
 */

import type { AnalysisConfig } from './types-analysis.js';
import type { HooksConfig } from './types-hooks.js';
import type { ListenerRuleConfig } from './types-routing.js';
import type { AutoScalingConfig, VolumeConfig } from './types-service.js';

export type { AnalysisConfig, CustomMetric, MetricQuery } from './types-analysis.js';
export type { HookPoint, HookSpec, HooksConfig } from './types-hooks.js';
export type { ListenerRuleConfig, RuleAction, RuleCondition } from './types-routing.js';
export type {
  AutoScalingConfig,
  StepScalingPolicy,
  TargetTrackingPolicy,
  VolumeConfig,
} from './types-service.js';

export const ENVIRONMENTS = ['dev', 'qua', 'stage', 'preprod', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

export interface StrategyStep {
  /** Percent of traffic to the candidate, 1–100, strictly increasing along the list. */
  weight: number;
  /** Seconds to watch the candidate at this weight before the next step (default 0 with `pause`). */
  wait: number;
  /**
   * After the wait (health gate and `after_step` hooks passed): `true` stops there until
   * `ecs-crd promote` (or `rollback`); a number of seconds holds the step that much longer,
   * watching, then continues by itself. Absent: no pause.
   */
  pause?: true | number;
}

/** `canary.drain` when the file says nothing, and for releases recorded before it existed. */
export const DEFAULT_DRAIN_S = 60;

export interface CanaryConfig {
  group: string;
  /** The `CanaryRelease` tag values of the two slots, compared as strings. */
  releases: { blue: string; green: string };
  scale: { desired: number; wait: number };
  /** As written in the file (the implied final 100 % step is added by the plan, not here). */
  strategy: StrategyStep[];
  /** `failed_tasks`: stopped tasks at which the candidate fails; absent: the ECS circuit breaker's threshold. */
  health: { interval: number; timeout: number; failed_tasks?: number };
  /** Seconds a release keeps its resources after its DNS weight reaches 0. */
  drain: number;
  /** Route 53 `EvaluateTargetHealth` on the weighted records. */
  evaluate_target_health: boolean;
  /**
   * SNS topics told the outcome of every deployment (the original tool's
   * `sns_topic_notifications`): `on_success` when deployed, `on_fail` on a rollback or failure.
   * Absent: nobody is told.
   */
  sns_topic_notifications?: { on_success?: string; on_fail?: string };
  /** Judging the candidate on CloudWatch (`canary.analysis`); absent: the health gate alone. */
  analysis?: AnalysisConfig;
  /**
   * Commands and webhooks run at points of the rollout (`canary.hooks`); absent: none. Never
   * recorded in the stack's outputs (a webhook's headers may hold a token): `promote` runs the
   * hooks of the file it reads.
   */
  hooks?: HooksConfig;
}

export interface PortMapping {
  container_port: number;
  /**
   * 0 = dynamic host port. Per slot (the original's `host_port: {blue, green}`) when both
   * releases may run on one instance with static ports: each slot then binds its own.
   */
  host_port: number | { blue: number; green: number };
  protocol: 'tcp' | 'udp';
}

export interface ContainerHealthCheck {
  command: string[];
  interval?: number;
  timeout?: number;
  retries?: number;
  start_period?: number;
}

export interface LogConfiguration {
  log_driver: string;
  options: Record<string, string>;
  /** Driver options read from SSM or Secrets Manager: option name → ARN (never the value). */
  secret_options?: Record<string, string>;
}

export interface MountPoint {
  source_volume: string;
  container_path: string;
  read_only: boolean;
}

export interface ContainerDependency {
  container_name: string;
  condition: 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY';
}

export interface Ulimit {
  name: string;
  soft_limit: number;
  hard_limit: number;
}

export interface LinuxParameters {
  init_process_enabled?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  shared_memory_size?: number;
}

export interface ContainerConfig {
  name: string;
  image: string;
  cpu: number;
  memory: number;
  memory_reservation?: number;
  port_mappings: PortMapping[];
  entry_point?: string[];
  command?: string[];
  /** Normalised from either a map or the original's list of one-key maps. */
  environment: Record<string, string>;
  /** NAME → ARN of an SSM parameter or Secrets Manager secret (never the value). */
  secrets: Record<string, string>;
  dns_search_domains?: string[];
  dns_servers?: string[];
  disable_networking?: boolean;
  essential: boolean;
  health_check?: ContainerHealthCheck;
  /** Absent: awslogs to the log group the stack creates. */
  log_configuration?: LogConfiguration;
  // The keys below are absent from releases recorded before they existed: absent = ECS's default.
  links?: string[];
  hostname?: string;
  privileged?: boolean;
  docker_security_options?: string[];
  start_timeout?: number;
  stop_timeout?: number;
  mount_points?: MountPoint[];
  depends_on?: ContainerDependency[];
  ulimits?: Ulimit[];
  linux_parameters?: LinuxParameters;
  readonly_root_filesystem?: boolean;
  user?: string;
  working_directory?: string;
  docker_labels?: Record<string, string>;
}

export interface ContainerPortRef {
  name: string;
  port: number;
}

export interface TargetGroupConfig {
  container: ContainerPortRef;
  /** The target group's own port (the original's `target_groups[].port`). Absent: the container port. */
  port?: number;
  protocol: 'HTTP' | 'HTTPS';
  deregistration_delay: number;
  /**
   * Further target group attributes by their AWS key (`stickiness.enabled`,
   * `slow_start.duration_seconds`, `load_balancing.algorithm.type`, …), values as AWS writes
   * them. `deregistration_delay.timeout_seconds` is never here: it is `deregistration_delay`.
   */
  attributes?: Record<string, string>;
  health_check: {
    /** Absent: the target group's protocol. */
    protocol?: 'HTTP' | 'HTTPS';
    path: string;
    matcher: string;
    interval: number;
    timeout: number;
    healthy_threshold: number;
    unhealthy_threshold: number;
  };
}

export interface ListenerConfig {
  port: number;
  protocol: 'HTTP' | 'HTTPS';
  certificate_arns: string[];
  target_group: { container: ContainerPortRef };
  rule: {
    /** Absent: the lowest free priority on that listener, found by discovery. */
    priority?: number;
    conditions: { host_header: string[]; path_pattern?: string[] };
  };
  /**
   * Further rules on the same listener (the original's `listeners[].rules`), each declared on
   * both slots' listeners like `rule`. Absent or empty: `rule` alone.
   */
  rules?: ListenerRuleConfig[];
}

export interface NetworkConfig {
  subnets: string[];
  security_groups: string[];
  assign_public_ip: boolean;
}

export interface PolicyStatement {
  /** The statement's `Sid` (the original's policy `name`, letters and digits only). */
  sid?: string;
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
}

/**
 * `service.health_check_grace_period` when the file says nothing. ECS's own default is 0: a
 * task is stopped as soon as the ALB calls it unhealthy (with the default target group check,
 * three failed checks 15 s apart), which kills a service that takes longer than that to
 * start, over and over. A minute covers most services' start, as AWS Copilot's default does,
 * while a task that never answers is still replaced within a minute and a half.
 */
export const DEFAULT_HEALTH_CHECK_GRACE_PERIOD_S = 60;

export interface ServiceConfig {
  project: string;
  name: string;
  cluster: string;
  /** Always a list after resolution; the first one is `{{fqdn}}`. */
  fqdn: string[];
  version: string;
  scheduling_strategy: 'REPLICA' | 'DAEMON';
  platform_version?: string;
  launch_type: 'EC2' | 'FARGATE';
  network_mode: 'bridge' | 'host' | 'awsvpc' | 'none';
  network?: NetworkConfig;
  cpu?: number;
  memory?: number;
  /**
   * Seconds ECS ignores the ALB's health checks of a new task (every service here has a load
   * balancer). Always set from a file; absent from releases recorded before it existed, which
   * are declared without it, unchanged.
   */
  health_check_grace_period?: number;
  placement_constraints: { type: 'distinctInstance' | 'memberOf'; expression?: string }[];
  placement_strategies: { type: 'binpack' | 'random' | 'spread'; field?: string }[];
  /** Statements of the task role's inline policy (the original's `iam_roles.task_role` too). */
  policies: PolicyStatement[];
  containers: ContainerConfig[];
  // The keys below are absent from releases recorded before they existed: absent = ECS's default.
  /** Statements added to the execution role (the original's `iam_roles.task_execution_role`). */
  execution_policies?: PolicyStatement[];
  pid_mode?: 'host' | 'task';
  ipc_mode?: 'host' | 'none' | 'task';
  /** Absent: `[launch_type]`. */
  requires_compatibilities?: ('EC2' | 'FARGATE' | 'EXTERNAL')[];
  volumes?: VolumeConfig[];
  runtime_platform?: { cpu_architecture?: 'X86_64' | 'ARM64'; operating_system_family?: string };
  /** GiB of Fargate ephemeral storage (21–200). */
  ephemeral_storage?: number;
  /** When set, the service has no launch type: ECS places tasks by these providers (FARGATE_SPOT…). */
  capacity_provider_strategy?: { capacity_provider: string; weight: number; base: number }[];
  enable_execute_command?: boolean;
  auto_scaling?: AutoScalingConfig;
}

export interface DeploymentConfig {
  canary: CanaryConfig;
  service: ServiceConfig;
  /** Always at least one: defaulted to the first container's first port mapping. */
  target_groups: TargetGroupConfig[];
  /** Always at least one: defaulted to port 80 HTTP. */
  listeners: ListenerConfig[];
}

/** Values the templates `{{…}}` may refer to, besides the service's own keys. */
export interface TemplateContext {
  environment: EnvironmentName;
  region: string;
  /** Unknown offline (validate without --account-id): `{{account_id}}` then stays as written. */
  account_id?: string;
  /**
   * `{{env.NAME}}`: the process environment (an unset NAME is an error at its line). Absent:
   * `process.env`.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** `{{var.name}}`: the `--var name=value` flags (a name not given is an error at its line). */
  vars?: Readonly<Record<string, string>>;
}

/** One problem in a deployment file, where it is. */
export interface ConfigProblem {
  file: string;
  line: number;
  column: number;
  /** Key path as a user writes it: `canary.strategy[1].weight`. */
  path: string;
  message: string;
}
