/**
 * Cross-field rules of target groups and listeners, and of the references between sections
 * (a listener names a target group, which names a container port). Like `rules.ts`: each
 * reads only the valid parts of what it names, and reports at the key to change.
 */
import { type Context, itemsOf, type Path, report, validParts } from './rule-context.js';
import { type ActionFile, type ConditionFile, checkListenerRule } from './schema-listener-rules.js';
import { didYouMean } from './suggest.js';
import { DEREGISTRATION_DELAY_KEY } from './target-group-attributes.js';
import { isRecord } from './templates.js';

/** The health check settings with their original tool's spellings (`interval_seconds`…). */
const HEALTH_ALIASES = [
  ['interval', 'interval_seconds'],
  ['timeout', 'timeout_seconds'],
  ['healthy_threshold', 'healthy_threshold_count'],
  ['unhealthy_threshold', 'unhealthy_threshold_count'],
] as const;

/** A setting written under both its names would leave one of them ignored. */
export function healthCheckAliases(health: Record<string, unknown>, ctx: Context): void {
  for (const [name, original] of HEALTH_ALIASES) {
    if (health[name] !== undefined && health[original] !== undefined) {
      report(ctx, [original], `is the original spelling of ${name}, which is also given: keep one of them`);
    }
  }
}

/** `deregistration_delay` and the attribute of the same meaning: one of them. */
export function deregistrationDelayOnce(
  group: {
    deregistration_delay?: number | undefined;
    target_group_attributes?: Record<string, string> | undefined;
  },
  ctx: Context,
): void {
  // Read even when other attributes have problems: only the key's presence matters here.
  const attributes = group.target_group_attributes;
  if (
    group.deregistration_delay !== undefined &&
    isRecord(attributes) &&
    DEREGISTRATION_DELAY_KEY in attributes
  ) {
    report(
      ctx,
      ['target_group_attributes', DEREGISTRATION_DELAY_KEY],
      'is deregistration_delay, which is also given: keep one of them',
    );
  }
}

/** `certificates` is the original's name of `certificate_arns`: one of them. */
export function certificatesOnce(
  listener: {
    certificate_arns?: readonly string[] | undefined;
    certificates?: readonly string[] | undefined;
  },
  ctx: Context,
): void {
  if (listener.certificate_arns !== undefined && listener.certificates !== undefined) {
    report(
      ctx,
      ['certificates'],
      'is the original spelling of certificate_arns, which is also given: keep one of them',
    );
  }
}

/** ELBv2's rules on each `rules[]` entry, and the priorities of the listener's rules unique. */
export function rulesFollowElbv2(
  listener: {
    protocol: 'HTTP' | 'HTTPS';
    rule: { priority?: number | undefined };
    rules?:
      | readonly { priority?: number | undefined; conditions: ConditionFile[]; actions: ActionFile[] }[]
      | undefined;
  },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  const protocol = valid(['protocol']) ? listener.protocol : undefined;
  const priorities = new Map<number, string>();
  if (valid(['rule', 'priority']) && listener.rule.priority !== undefined) {
    priorities.set(listener.rule.priority, 'rule.priority');
  }
  itemsOf(listener.rules).forEach((item, i) => {
    const rule = item as NonNullable<typeof listener.rules>[number];
    if (valid(['rules', i, 'conditions']) && valid(['rules', i, 'actions'])) {
      checkListenerRule(rule, protocol, ctx, ['rules', i]);
    }
    if (!valid(['rules', i, 'priority']) || rule.priority === undefined) return;
    const earlier = priorities.get(rule.priority);
    if (earlier !== undefined) {
      report(
        ctx,
        ['rules', i, 'priority'],
        `${rule.priority} is already the priority of ${earlier} on this listener`,
      );
    }
    priorities.set(rule.priority, `rules[${i}]`);
  });
}

export function timeoutBelowInterval(
  health: {
    interval?: number | undefined;
    interval_seconds?: number | undefined;
    timeout?: number | undefined;
    timeout_seconds?: number | undefined;
  },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  const timeoutKey =
    health.timeout === undefined && health.timeout_seconds !== undefined ? 'timeout_seconds' : 'timeout';
  const intervalKey =
    health.interval === undefined && health.interval_seconds !== undefined ? 'interval_seconds' : 'interval';
  if (!valid([timeoutKey]) || !valid([intervalKey])) return;
  // The defaults as normalise applies them: 15 s between checks, 5 s to answer.
  const interval = health.interval ?? health.interval_seconds ?? 15;
  const timeout = health.timeout ?? health.timeout_seconds ?? 5;
  if (timeout >= interval) report(ctx, [timeoutKey], `must be less than ${intervalKey} (${interval})`);
}

/**
 * Certificates only make sense on HTTPS. An HTTPS listener without any is fine here: the ALB
 * may already have that listener (the platform team's, with its certificates); whether the
 * stack must create it, and so needs certificates, is only known after discovery.
 */
export function certificatesMatchProtocol(
  listener: {
    protocol: 'HTTP' | 'HTTPS';
    certificate_arns?: readonly string[] | undefined;
    certificates?: readonly string[] | undefined;
  },
  ctx: Context,
): void {
  const key = listener.certificate_arns === undefined ? 'certificates' : 'certificate_arns';
  const written = itemsOf(listener[key]).length > 0;
  if (validParts(ctx)(['protocol']) && listener.protocol === 'HTTP' && written) {
    report(ctx, [key], 'are only used with protocol HTTPS');
  }
}

/**
 * One `listeners[]` entry per port. An ALB has one listener per port, and the stack declares
 * one rule per slot and port: a second entry on a port would declare the same rule twice
 * (whatever its protocol or priority). Path patterns and host names share one rule.
 */
export function listenerPortsUnique(listeners: readonly { port: number }[], ctx: Context): void {
  const valid = validParts(ctx);
  const first = new Map<number, number>();
  listeners.forEach((listener, i) => {
    if (!valid([i, 'port'])) return;
    const earlier = first.get(listener.port);
    if (earlier === undefined) first.set(listener.port, i);
    else
      report(
        ctx,
        [i, 'port'],
        `${listener.port} is already the port of listeners[${earlier}]: an ALB has one listener per port, and ecs-crd one rule per listener; merge the two entries`,
      );
  });
}

/** An ALB listener rule matches at most 5 values, host names and path patterns together (an AWS quota). */
export const MAX_CONDITION_VALUES = 5;

/**
 * Each listener rule within the quota of condition values. Without `host_header`, a rule
 * matches every fqdn of the service; without `listeners`, the one default rule does.
 */
export function conditionsWithinQuota(
  file: {
    service: { fqdn: readonly string[] | string };
    listeners?:
      | readonly {
          rule: { conditions: { host_header?: unknown; path_pattern?: unknown } };
          rules?:
            | readonly { conditions: readonly { field: string; values: readonly unknown[] }[] }[]
            | undefined;
        }[]
      | undefined;
  },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  if (!valid(['service', 'fqdn'])) return;
  const names = itemsOf(file.service.fqdn).length;
  if (file.listeners === undefined) {
    if (names > MAX_CONDITION_VALUES)
      report(
        ctx,
        ['service', 'fqdn'],
        `lists ${names} names, and the default listener rule matches each as a host name, but an ALB rule takes at most ${MAX_CONDITION_VALUES} condition values: declare listeners whose rule.conditions.host_header lists at most ${MAX_CONDITION_VALUES}`,
      );
    return;
  }
  const fqdns = ' (the service’s fqdns, as host_header is not set)';
  itemsOf(file.listeners).forEach((item, i) => {
    const listener = item as NonNullable<typeof file.listeners>[number];
    const at: Path = ['listeners', i, 'rule', 'conditions'];
    if (valid(at)) {
      const { host_header, path_pattern } = listener.rule.conditions;
      const hosts = host_header === undefined ? names : itemsOf(host_header).length;
      const paths = itemsOf(path_pattern).length;
      if (hosts + paths > MAX_CONDITION_VALUES) {
        const whose = host_header === undefined ? fqdns : '';
        report(
          ctx,
          at,
          `match ${hosts} host names${whose} and ${paths} path patterns: an ALB rule takes at most ${MAX_CONDITION_VALUES} condition values in all`,
        );
      }
    }
    itemsOf(listener.rules).forEach((rule, r) => {
      const where: Path = ['listeners', i, 'rules', r, 'conditions'];
      if (!valid(where)) return;
      const { conditions } = rule as NonNullable<(typeof listener)['rules']>[number];
      const hostless = !conditions.some((condition) => condition.field === 'host-header');
      const count = conditions.reduce(
        (sum, condition) => sum + condition.values.length,
        hostless ? names : 0,
      );
      if (count <= MAX_CONDITION_VALUES) return;
      report(
        ctx,
        where,
        `match ${count} values${hostless ? ` with ${names} host names (the service’s fqdns, as the rule has no host-header condition)` : ''}: an ALB rule takes at most ${MAX_CONDITION_VALUES} condition values in all`,
      );
    });
  });
}

// ------------------------------------------------------------------ references between sections

interface ContainerRef {
  name: string;
  port: number;
}

/** A reference as written: the original tool's may give the port alone. */
interface WrittenRef {
  name?: string | undefined;
  port: number;
}

interface ReferencingFile {
  service: { containers: readonly { name: string; port_mappings: readonly { container_port: number }[] }[] };
  target_groups?: readonly { container?: WrittenRef | undefined }[] | undefined;
  listeners?: readonly { target_group?: { container: WrittenRef } | undefined }[] | undefined;
}

/**
 * The container a port-only reference means: the one container mapping that port; else why
 * not (none or several map it), naming them.
 */
export function resolveRef(
  containers: readonly unknown[],
  ref: WrittenRef,
): { ref: ContainerRef } | { problem: string } {
  if (ref.name !== undefined) return { ref: { name: ref.name, port: ref.port } };
  const mapping = containers
    .filter(isRecord)
    .filter((container) =>
      itemsOf(container.port_mappings).some((item) => isRecord(item) && item.container_port === ref.port),
    );
  const [only, ...others] = mapping;
  if (only !== undefined && others.length === 0 && typeof only.name === 'string') {
    return { ref: { name: only.name, port: ref.port } };
  }
  if (only !== undefined) {
    const names = mapping.map((container) => `\`${String(container.name)}\``).join(', ');
    return { problem: `port ${ref.port} is mapped by several containers (${names}): give container.name` };
  }
  const known = containers
    .filter(isRecord)
    .map((container) => {
      const ports = itemsOf(container.port_mappings).flatMap((item) =>
        isRecord(item) && typeof item.container_port === 'number' ? [item.container_port] : [],
      );
      return `\`${String(container.name)}\` (${ports.length > 0 ? ports.join(', ') : 'no port'})`;
    })
    .join(', ');
  return { problem: `no container maps port ${ref.port}; the containers map: ${known}` };
}

/** The first container's first port mapping: what an omitted `container:` means. */
export function defaultContainerRef(file: ReferencingFile): ContainerRef | undefined {
  const first = itemsOf(file.service.containers)[0];
  const mapping = isRecord(first) ? itemsOf(first.port_mappings)[0] : undefined;
  return isRecord(first) &&
    typeof first.name === 'string' &&
    isRecord(mapping) &&
    typeof mapping.container_port === 'number'
    ? { name: first.name, port: mapping.container_port }
    : undefined;
}

const sameRef = (a: ContainerRef, b: ContainerRef) => a.name === b.name && a.port === b.port;

/**
 * Target groups and listeners name containers and ports that exist. Containers are read as
 * written (a malformed name still names its container); each reference is checked unless it
 * has a problem of its own.
 */
export function referencesResolve(file: ReferencingFile, ctx: Context): void {
  const valid = validParts(ctx);
  // No container at all is the schema's problem; there is nothing to refer to.
  if (!isRecord(file.service) || itemsOf(file.service.containers).length === 0) return;
  const fallback = defaultContainerRef(file);
  const containers = itemsOf(file.service.containers);
  const groups: readonly { container?: WrittenRef | undefined }[] =
    file.target_groups === undefined ? [{}] : (itemsOf(file.target_groups) as typeof groups);
  const declared: ContainerRef[] = [];
  groups.forEach((group, i) => {
    const at: Path = file.target_groups ? ['target_groups', i] : ['service', 'containers', 0];
    if (file.target_groups && !valid([...at, 'container'])) return;
    const resolved = group.container && resolveRef(containers, group.container);
    if (resolved && 'problem' in resolved) {
      report(ctx, [...at, 'container', 'port'], resolved.problem);
      return;
    }
    const ref = resolved?.ref ?? fallback;
    if (ref === undefined) {
      const message = file.target_groups
        ? 'container is required: the first container has no port mapping to default to'
        : 'needs a port mapping: the default target group uses the first container’s first port mapping (or declare target_groups)';
      report(ctx, file.target_groups ? [...at, 'container'] : [...at, 'port_mappings'], message);
      return;
    }
    if (group.container && !checkRef(file, ref, [...at, 'container'], ctx)) return;
    if (declared.some((other) => sameRef(other, ref))) {
      report(ctx, [...at, 'container'], `a target group for ${ref.name}:${ref.port} is already declared`);
    }
    declared.push(ref);
  });
  itemsOf(file.listeners).forEach((item, i) => {
    const at: Path = ['listeners', i, 'target_group', 'container'];
    if (!valid(at)) return;
    const written = (item as NonNullable<typeof file.listeners>[number]).target_group?.container;
    if (written === undefined) return;
    const resolved = resolveRef(containers, written);
    if ('problem' in resolved) {
      report(ctx, [...at, 'port'], resolved.problem);
      return;
    }
    const { ref } = resolved;
    if (checkRef(file, ref, at, ctx) && !declared.some((group) => sameRef(group, ref))) {
      report(ctx, at, `no target group forwards to ${ref.name}:${ref.port}; add one to target_groups`);
    }
  });
}

function checkRef(file: ReferencingFile, ref: ContainerRef, at: Path, ctx: Context): boolean {
  const containers = itemsOf(file.service.containers).filter(isRecord);
  const names = containers.flatMap((container) =>
    typeof container.name === 'string' ? [container.name] : [],
  );
  const container = containers.find((candidate) => candidate.name === ref.name);
  if (container === undefined) {
    const hint = didYouMean(ref.name, names);
    report(
      ctx,
      [...at, 'name'],
      `no container named \`${ref.name}\` in service.containers${hint ? `: ${hint}` : ''}`,
    );
    return false;
  }
  const ports = itemsOf(container.port_mappings).flatMap((mapping) =>
    isRecord(mapping) && typeof mapping.container_port === 'number' ? [mapping.container_port] : [],
  );
  if (!ports.includes(ref.port)) {
    const known = ports.length > 0 ? `it has ${ports.join(', ')}` : 'it has none';
    report(
      ctx,
      [...at, 'port'],
      `container \`${ref.name}\` has no port mapping with container_port ${ref.port} (${known})`,
    );
    return false;
  }
  return true;
}
