/**
 * From the file as parsed (alternative spellings, omitted sections) to the one resolved
 * `DeploymentConfig` the rest of ecs-crd reads. Runs only on a file that passed every check.
 */
import { defaultContainerRef, resolveRef } from './listener-rules.js';
import { resolveCanary, resolveService } from './normalise-service.js';
import {
  type DeploymentFile,
  type ListenerFile,
  listenerSchema,
  type TargetGroupFile,
  targetGroupSchema,
} from './schema.js';
import type { ListenerRuleFile } from './schema-listener-rules.js';
import { DEREGISTRATION_DELAY_KEY } from './target-group-attributes.js';
import type { TemplateValues } from './templates.js';
import type {
  ContainerPortRef,
  DeploymentConfig,
  ListenerConfig,
  ListenerRuleConfig,
  RuleAction,
  RuleCondition,
  TargetGroupConfig,
} from './types.js';

export function normalise(file: DeploymentFile, values: TemplateValues): DeploymentConfig {
  const { canary, service } = file;
  const fallbackRef = defaultContainerRef(file);
  // The rules guarantee a port to default to whenever a section is omitted or a ref left out.
  const refOr = (ref: { name?: string | undefined; port: number } | undefined): ContainerPortRef => {
    const found = ref && resolveRef(service.containers, ref);
    if (found && 'problem' in found) throw new Error(`unreachable: ${found.problem}`);
    const resolved = found?.ref ?? fallbackRef;
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
    canary: resolveCanary(canary),
    service: resolveService(service, values),
    target_groups: targetGroups,
    listeners,
  };
}

/** What a target group drains for when the file says nothing. */
const DEFAULT_DEREGISTRATION_DELAY_S = 30;

/**
 * The original's spellings (`interval_seconds`, the attribute of the deregistration delay)
 * folded into ecs-crd's; keys the file leaves out stay out (absent = AWS's default).
 */
function targetGroup(group: TargetGroupFile, container: ContainerPortRef): TargetGroupConfig {
  const { [DEREGISTRATION_DELAY_KEY]: delay, ...attributes } = group.target_group_attributes ?? {};
  const hc = group.health_check;
  return {
    container,
    ...(group.port === undefined ? {} : { port: group.port }),
    protocol: group.protocol,
    deregistration_delay:
      group.deregistration_delay ?? (delay === undefined ? DEFAULT_DEREGISTRATION_DELAY_S : Number(delay)),
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    health_check: {
      ...(hc.protocol === undefined ? {} : { protocol: hc.protocol }),
      path: hc.path,
      matcher: hc.matcher,
      interval: hc.interval ?? hc.interval_seconds ?? 15,
      timeout: hc.timeout ?? hc.timeout_seconds ?? 5,
      healthy_threshold: hc.healthy_threshold ?? hc.healthy_threshold_count ?? 3,
      unhealthy_threshold: hc.unhealthy_threshold ?? hc.unhealthy_threshold_count ?? 3,
    },
  };
}

function listener(entry: ListenerFile, container: ContainerPortRef, fqdn: string[]): ListenerConfig {
  const { priority, conditions } = entry.rule;
  const rules = (entry.rules ?? []).map((rule) => listenerRule(rule, fqdn));
  return {
    port: entry.port,
    protocol: entry.protocol,
    certificate_arns: entry.certificate_arns ?? entry.certificates ?? [],
    target_group: { container },
    rule: {
      ...(priority === undefined ? {} : { priority }),
      conditions: {
        host_header: conditions.host_header ?? [...fqdn],
        ...(conditions.path_pattern === undefined ? {} : { path_pattern: conditions.path_pattern }),
      },
    },
    ...(rules.length > 0 ? { rules } : {}),
  };
}

/**
 * A further rule as ELBv2 names it. Without a host-header condition it matches the service's
 * fqdns, as the main rule does: the slot ALBs are shared, and a rule without one would take
 * every other service's requests on that listener.
 */
function listenerRule(rule: ListenerRuleFile, fqdn: string[]): ListenerRuleConfig {
  const conditions: RuleCondition[] = rule.conditions.map(({ field, values, http_header_name, name }) => {
    const header = http_header_name ?? name;
    return {
      field,
      values: values.map(String),
      ...(header === undefined ? {} : { http_header_name: header }),
    };
  });
  if (!conditions.some((condition) => condition.field === 'host-header')) {
    conditions.unshift({ field: 'host-header', values: [...fqdn] });
  }
  // Without orders the actions run as listed; ELBv2 wants an order on each of several.
  const actions = rule.actions.map((action, i) =>
    action.order === undefined && rule.actions.length > 1 ? { ...action, order: i + 1 } : action,
  ) as RuleAction[];
  return { ...(rule.priority === undefined ? {} : { priority: rule.priority }), conditions, actions };
}
