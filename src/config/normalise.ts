/**
 * From the file as parsed (alternative spellings, omitted sections) to the one resolved
 * `DeploymentConfig` the rest of ecs-crd reads. Runs only on a file that passed every check.
 */
import { defaultContainerRef } from './listener-rules.js';
import { effectiveNetworkMode } from './rules.js';
import {
  type ContainerFile,
  DEFAULT_IMAGE,
  type DeploymentFile,
  type ListenerFile,
  listenerSchema,
  type TargetGroupFile,
  targetGroupSchema,
} from './schema.js';
import { renderString, type TemplateValues } from './templates.js';
import type {
  ContainerConfig,
  ContainerPortRef,
  DeploymentConfig,
  ListenerConfig,
  TargetGroupConfig,
} from './types.js';

export function normalise(file: DeploymentFile, values: TemplateValues): DeploymentConfig {
  const { canary, service } = file;
  const fallbackRef = defaultContainerRef(file);
  // The rules guarantee a port to default to whenever a section is omitted or a ref left out.
  const refOr = (ref: ContainerPortRef | undefined): ContainerPortRef => {
    const resolved = ref ?? fallbackRef;
    if (resolved === undefined) throw new Error('unreachable: no container port to default to');
    return resolved;
  };
  const targetGroups = (file.target_groups ?? [targetGroupSchema.parse({})]).map((group) =>
    targetGroup(group, refOr(group.container)),
  );
  const firstGroup = targetGroups[0]?.container;
  const listeners = (file.listeners ?? [listenerSchema.parse({ port: 80 })]).map((entry) =>
    listener(entry, refOr(entry.target_group?.container ?? firstGroup), service.fqdn),
  );
  return {
    canary: {
      group: canary.group,
      releases: canary.releases,
      scale: canary.scale,
      strategy: canary.strategy,
      health: canary.health,
      drain: canary.drain,
      evaluate_target_health: canary.evaluate_target_health,
      ...(canary.sns_topic_notifications ? { sns_topic_notifications: canary.sns_topic_notifications } : {}),
    },
    service: {
      project: service.project,
      name: service.name,
      cluster: service.cluster,
      fqdn: service.fqdn,
      version: service.version,
      scheduling_strategy: service.scheduling_strategy,
      platform_version: service.platform_version,
      launch_type: service.launch_type,
      network_mode: effectiveNetworkMode(service),
      network: service.network,
      cpu: service.cpu,
      memory: service.memory,
      health_check_grace_period: service.health_check_grace_period,
      placement_constraints: service.placement_constraints,
      placement_strategies: service.placement_strategies,
      policies: service.policies,
      containers: service.containers.map((c) => container(c, values)),
      ...(service.auto_scaling === undefined ? {} : { auto_scaling: service.auto_scaling }),
    },
    target_groups: targetGroups,
    listeners,
  };
}

function container(c: ContainerFile, values: TemplateValues): ContainerConfig {
  return {
    ...c,
    image: c.image ?? renderString(DEFAULT_IMAGE, values),
    // fromEntries, not Object.assign: a variable named `__proto__` stays a variable.
    environment: Array.isArray(c.environment)
      ? Object.fromEntries(c.environment.flatMap((item) => Object.entries(item)))
      : c.environment,
  };
}

function targetGroup(group: TargetGroupFile, container: ContainerPortRef): TargetGroupConfig {
  return { ...group, container };
}

function listener(entry: ListenerFile, container: ContainerPortRef, fqdn: string[]): ListenerConfig {
  const { priority, conditions } = entry.rule;
  return {
    port: entry.port,
    protocol: entry.protocol,
    certificate_arns: entry.certificate_arns,
    target_group: { container },
    rule: {
      ...(priority === undefined ? {} : { priority }),
      conditions: {
        host_header: conditions.host_header ?? [...fqdn],
        ...(conditions.path_pattern === undefined ? {} : { path_pattern: conditions.path_pattern }),
      },
    },
  };
}
