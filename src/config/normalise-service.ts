/**
 * The canary and the service resolved: the original tool's spellings (`iam_roles`, statement
 * `name`, `entry_port`, `condtion`, lists of one-key maps, `containers[].fqdn`) become the
 * preferred ones, and keys the file leaves out stay absent (absent = ECS's default, so an old
 * release re-declared is unchanged). Runs only on a file that passed every check.
 */
import { effectiveNetworkMode, launchTypeOf } from './rules.js';
import { sidOf } from './rules-original.js';
import type { ContainerFile, DeploymentFile, ServiceFile } from './schema.js';
import { type AnalysisFile, defaultAnalysisInterval } from './schema-analysis.js';
import { flattenPairs } from './schema-blocks.js';
import { DEFAULT_IMAGE } from './schema-container.js';
import { resolveHooks } from './schema-hooks.js';
import { renderString, type TemplateValues } from './templates.js';
import type {
  AnalysisConfig,
  CanaryConfig,
  ContainerConfig,
  PolicyStatement,
  ServiceConfig,
  VolumeConfig,
} from './types.js';

/** The object without its undefined keys: what the file leaves out is not declared at all. */
function present<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

export function resolveCanary(canary: DeploymentFile['canary']): CanaryConfig {
  return {
    group: canary.group,
    releases: canary.releases,
    scale: canary.scale,
    strategy: canary.strategy.map(({ weight, wait, pause }) => ({
      weight,
      wait: wait ?? 0,
      ...(pause === undefined ? {} : { pause }),
    })),
    health: canary.health,
    drain: canary.drain,
    evaluate_target_health: canary.evaluate_target_health,
    ...present({
      sns_topic_notifications: canary.sns_topic_notifications,
      analysis: canary.analysis && resolveAnalysis(canary.analysis, canary.health),
      hooks: resolveHooks(canary.hooks),
    }),
  };
}

/** `canary.analysis` with the defaults that depend on `canary.health` applied. */
function resolveAnalysis(analysis: AnalysisFile, health: CanaryConfig['health']): AnalysisConfig {
  const { error_rate, latency, observed_share } = analysis;
  // In the order of AnalysisConfig: `validate --json` prints it as it is.
  return {
    interval: analysis.interval ?? defaultAnalysisInterval(health.interval),
    delay: analysis.delay,
    min_requests: analysis.min_requests,
    failure_limit: analysis.failure_limit,
    inconclusive: analysis.inconclusive,
    timeout: analysis.timeout ?? health.timeout,
    ...present({ error_rate: error_rate && present(error_rate), latency: latency && present(latency) }),
    alarms: analysis.alarms,
    metrics: analysis.metrics.map((metric) => present(metric)),
    ...present({ observed_share }),
  };
}

type StatementFile = NonNullable<ServiceFile['policies']>[number];

/** A statement as IAM takes it: the original's `name` as its Sid, no `resources` as every resource. */
function statement({ sid, name, effect, actions, resources }: StatementFile): PolicyStatement {
  const id = sid ?? (name === undefined ? undefined : sidOf(name));
  return { ...present({ sid: id }), effect, actions, resources: resources ?? ['*'] };
}

export function resolveService(service: ServiceFile, values: TemplateValues): ServiceConfig {
  const policies = service.policies ?? service.iam_roles?.task_role ?? [];
  const executionPolicies = service.execution_policies ?? service.iam_roles?.task_execution_role;
  const providers = service.capacity_provider_strategy;
  return {
    project: service.project,
    name: service.name,
    cluster: service.cluster,
    fqdn: service.fqdn,
    version: service.version,
    scheduling_strategy: service.scheduling_strategy,
    platform_version: service.platform_version,
    launch_type: launchTypeOf(service),
    network_mode: effectiveNetworkMode(service),
    network: service.network,
    cpu: service.cpu,
    memory: service.memory,
    health_check_grace_period: service.health_check_grace_period,
    placement_constraints: service.placement_constraints,
    placement_strategies: service.placement_strategies,
    policies: policies.map(statement),
    containers: service.containers.map((c) => resolveContainer(c, values)),
    ...present({
      execution_policies: executionPolicies?.map(statement),
      pid_mode: service.pid_mode,
      ipc_mode: service.ipc_mode,
      requires_compatibilities: service.requires_compatibilities,
      volumes: service.volumes?.map(resolveVolume),
      runtime_platform: service.runtime_platform,
      ephemeral_storage: service.ephemeral_storage,
      capacity_provider_strategy: providers,
      enable_execute_command: service.enable_execute_command,
      auto_scaling: service.auto_scaling,
    }),
  };
}

function resolveVolume(volume: NonNullable<ServiceFile['volumes']>[number]): VolumeConfig {
  const docker = volume.docker_volume_configuration;
  return {
    name: volume.name,
    ...present({
      host: volume.host,
      docker_volume_configuration:
        docker &&
        present({
          ...docker,
          driver_opts: docker.driver_opts && flattenPairs(docker.driver_opts),
          labels: docker.labels && flattenPairs(docker.labels),
        }),
      efs_volume_configuration: volume.efs_volume_configuration,
    }),
  };
}

export function resolveContainer(c: ContainerFile, values: TemplateValues): ContainerConfig {
  const { entry_port, fqdn: _, depends_on, log_configuration: logs, docker_labels, ...rest } = c;
  return present({
    ...rest,
    image: c.image ?? renderString(DEFAULT_IMAGE, values),
    entry_point: c.entry_point ?? entry_port,
    environment: flattenPairs(c.environment),
    secrets: flattenPairs(c.secrets),
    log_configuration:
      logs &&
      present({
        log_driver: logs.log_driver,
        options: flattenPairs(logs.options),
        secret_options: logs.secret_options && flattenPairs(logs.secret_options),
      }),
    depends_on: depends_on?.map((d) => ({
      container_name: d.container_name,
      // The rules make one of the two spellings present.
      condition: d.condition ?? d.condtion ?? 'START',
    })),
    docker_labels: docker_labels && flattenPairs(docker_labels),
  });
}
