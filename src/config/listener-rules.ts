/**
 * Cross-field rules of target groups and listeners, and of the references between sections
 * (a listener names a target group, which names a container port). Like `rules.ts`: each
 * reads only the valid parts of what it names, and reports at the key to change.
 */
import { type Context, itemsOf, type Path, report, validParts } from './rule-context.js';
import { didYouMean } from './suggest.js';
import { isRecord } from './templates.js';

export function timeoutBelowInterval(health: { interval: number; timeout: number }, ctx: Context): void {
  const valid = validParts(ctx);
  if (valid(['timeout']) && valid(['interval']) && health.timeout >= health.interval) {
    report(ctx, ['timeout'], `must be less than interval (${health.interval})`);
  }
}

/**
 * Certificates only make sense on HTTPS. An HTTPS listener without any is fine here: the ALB
 * may already have that listener (the platform team's, with its certificates); whether the
 * stack must create it, and so needs certificates, is only known after discovery.
 */
export function certificatesMatchProtocol(
  listener: { protocol: 'HTTP' | 'HTTPS'; certificate_arns: readonly string[] },
  ctx: Context,
): void {
  const written = itemsOf(listener.certificate_arns).length > 0;
  if (validParts(ctx)(['protocol']) && listener.protocol === 'HTTP' && written) {
    report(ctx, ['certificate_arns'], 'are only used with protocol HTTPS');
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
      | readonly { rule: { conditions: { host_header?: unknown; path_pattern?: unknown } } }[]
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
  itemsOf(file.listeners).forEach((item, i) => {
    const at: Path = ['listeners', i, 'rule', 'conditions'];
    if (!valid(at)) return;
    const { host_header, path_pattern } = (item as NonNullable<typeof file.listeners>[number]).rule
      .conditions;
    const hosts = host_header === undefined ? names : itemsOf(host_header).length;
    const paths = itemsOf(path_pattern).length;
    if (hosts + paths <= MAX_CONDITION_VALUES) return;
    const whose = host_header === undefined ? ' (the service’s fqdns, as host_header is not set)' : '';
    report(
      ctx,
      at,
      `match ${hosts} host names${whose} and ${paths} path patterns: an ALB rule takes at most ${MAX_CONDITION_VALUES} condition values in all`,
    );
  });
}

// ------------------------------------------------------------------ references between sections

interface ContainerRef {
  name: string;
  port: number;
}

interface ReferencingFile {
  service: { containers: readonly { name: string; port_mappings: readonly { container_port: number }[] }[] };
  target_groups?: readonly { container?: ContainerRef | undefined }[] | undefined;
  listeners?: readonly { target_group?: { container: ContainerRef } | undefined }[] | undefined;
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
  const groups: readonly { container?: ContainerRef | undefined }[] =
    file.target_groups === undefined ? [{}] : (itemsOf(file.target_groups) as typeof groups);
  const declared: ContainerRef[] = [];
  groups.forEach((group, i) => {
    const at: Path = file.target_groups ? ['target_groups', i] : ['service', 'containers', 0];
    if (file.target_groups && !valid([...at, 'container'])) return;
    const ref = group.container ?? fallback;
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
    const ref = (item as NonNullable<typeof file.listeners>[number]).target_group?.container;
    if (ref === undefined) return;
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
