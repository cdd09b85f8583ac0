/**
 * From the file as parsed (alternative spellings, omitted sections) to the one resolved
 * `DeploymentConfig` the rest of ecs-crd reads. Runs only on a file that passed every check.
 */
import { defaultContainerRef } from './listener-rules.js';
import { resolveCanary, resolveService } from './normalise-service.js';
import {
  type DeploymentFile,
  type ListenerFile,
  listenerSchema,
  type TargetGroupFile,
  targetGroupSchema,
} from './schema.js';
import { renderTree, type TemplateValues } from './templates.js';
import type { ContainerPortRef, DeploymentConfig, ListenerConfig, TargetGroupConfig } from './types.js';

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
  const config: DeploymentConfig = {
    canary: resolveCanary(canary),
    service: resolveService(service, values),
    target_groups: targetGroups,
    listeners,
  };
  return withFqdnRendered(config, file, values);
}

/**
 * A file that names its DNS names only on a container (the original tool's place) has no
 * `{{fqdn}}` value while templates are rendered: its `{{fqdn}}` templates are rendered here,
 * from the names the service resolved to (nothing else is rendered twice).
 */
function withFqdnRendered(config: DeploymentConfig, file: DeploymentFile, values: TemplateValues) {
  const fqdn = file.service.fqdn[0];
  if (values.fqdn !== undefined || fqdn === undefined) return config;
  return renderTree(config, { fqdn }).data as DeploymentConfig;
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
