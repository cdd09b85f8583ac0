/**
 * Cross-field rules of the deployment file: what a single key's type cannot say. Each rule
 * reads only the fields it names (structural types, so it does not depend on the schema that
 * wires it) and reports at the exact key the user has to change.
 */
import type { z } from 'zod';
import { didYouMean } from './suggest.js';

type Context = Pick<z.core.$RefinementCtx, 'addIssue'>;
type Path = (string | number)[];

function report(ctx: Context, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message, input: undefined });
}

// ------------------------------------------------------------------ canary

export function releasesDiffer(releases: { blue: string; green: string }, ctx: Context): void {
  if (releases.blue === releases.green) {
    report(ctx, ['green'], `must differ from releases.blue (both are "${releases.blue}")`);
  }
}

export function weightsIncrease(steps: readonly { weight: number }[], ctx: Context): void {
  steps.forEach((step, i) => {
    const previous = steps[i - 1];
    if (previous !== undefined && step.weight <= previous.weight) {
      report(ctx, [i, 'weight'], `must be greater than the previous step's weight (${previous.weight})`);
    }
  });
}

export function healthIntervalWithinTimeout(
  health: { interval: number; timeout: number },
  ctx: Context,
): void {
  if (health.interval > health.timeout) {
    report(ctx, ['interval'], `must not exceed health.timeout (${health.timeout})`);
  }
}

// ------------------------------------------------------------------ containers

export function memoryReservationWithinMemory(
  container: { memory: number; memory_reservation?: number | undefined },
  ctx: Context,
): void {
  if (container.memory_reservation !== undefined && container.memory_reservation > container.memory) {
    report(ctx, ['memory_reservation'], `must not exceed memory (${container.memory})`);
  }
}

export function environmentNamesUnique(
  container: {
    environment: Record<string, string> | Record<string, string>[];
    secrets: Record<string, string>;
  },
  ctx: Context,
): void {
  const seen = new Set<string>();
  const entries: [Path, string][] = Array.isArray(container.environment)
    ? container.environment.flatMap((item, i) =>
        Object.keys(item).map((name): [Path, string] => [[i, name], name]),
      )
    : Object.keys(container.environment).map((name) => [[name], name]);
  for (const [path, name] of entries) {
    if (seen.has(name)) report(ctx, ['environment', ...path], `\`${name}\` is set twice`);
    seen.add(name);
  }
  for (const name of Object.keys(container.secrets)) {
    if (seen.has(name))
      report(ctx, ['secrets', name], `\`${name}\` is also in environment: set it in one place`);
  }
}

export function portMappingsUnique(
  container: { port_mappings: readonly { container_port: number; protocol: string }[] },
  ctx: Context,
): void {
  const seen = new Set<string>();
  container.port_mappings.forEach((mapping, i) => {
    const key = `${mapping.container_port}/${mapping.protocol}`;
    if (seen.has(key)) report(ctx, ['port_mappings', i, 'container_port'], `${key} is mapped twice`);
    seen.add(key);
  });
}

export function containerNamesUnique(containers: readonly { name: string }[], ctx: Context): void {
  const seen = new Set<string>();
  containers.forEach((container, i) => {
    if (seen.has(container.name)) {
      report(
        ctx,
        [i, 'name'],
        `\`${container.name}\` is already the name of another container: names must be unique`,
      );
    }
    seen.add(container.name);
  });
}

// ------------------------------------------------------------------ service

export function fqdnsUnique(service: { fqdn: readonly string[] }, ctx: Context): void {
  service.fqdn.forEach((name, i) => {
    if (service.fqdn.findIndex((other) => other.toLowerCase() === name.toLowerCase()) < i) {
      report(ctx, ['fqdn', i], `${name} is listed twice`);
    }
  });
}

type LaunchType = 'EC2' | 'FARGATE';
type NetworkMode = 'bridge' | 'host' | 'awsvpc' | 'none';

/** The network mode in effect: the file's, else the launch type's default. */
export function effectiveNetworkMode(service: {
  launch_type: LaunchType;
  network_mode?: NetworkMode | undefined;
}) {
  return service.network_mode ?? (service.launch_type === 'FARGATE' ? 'awsvpc' : 'bridge');
}

export function networkModeRules(
  service: { launch_type: LaunchType; network_mode?: NetworkMode | undefined; network?: object | undefined },
  ctx: Context,
): void {
  const mode = effectiveNetworkMode(service);
  if (service.launch_type === 'FARGATE' && mode !== 'awsvpc') {
    report(ctx, ['network_mode'], 'must be awsvpc with launch_type FARGATE');
  } else if (mode === 'awsvpc' && service.network === undefined) {
    const why =
      service.network_mode === undefined ? 'launch_type FARGATE uses network_mode awsvpc, which' : 'awsvpc';
    report(
      ctx,
      [service.network_mode === undefined ? 'launch_type' : 'network_mode'],
      `${why} needs service.network`,
    );
  }
  // With Fargate, the mode is what is wrong (reported above), not the network.
  if (service.network !== undefined && mode !== 'awsvpc' && service.launch_type !== 'FARGATE') {
    report(ctx, ['network'], `is only used with network_mode awsvpc (here: ${mode})`);
  }
}

export function fargateRules(
  service: {
    launch_type: LaunchType;
    cpu?: number | undefined;
    memory?: number | undefined;
    platform_version?: string | undefined;
    placement_constraints: readonly unknown[];
    placement_strategies: readonly unknown[];
    scheduling_strategy: 'REPLICA' | 'DAEMON';
  },
  ctx: Context,
): void {
  if (service.launch_type !== 'FARGATE') {
    if (service.platform_version !== undefined)
      report(ctx, ['platform_version'], 'is for launch_type FARGATE only');
    return;
  }
  const missing = (['cpu', 'memory'] as const).filter((key) => service[key] === undefined);
  for (const key of missing) report(ctx, [key], `is required with launch_type FARGATE (task-level ${key})`);
  if (service.placement_constraints.length > 0) {
    report(ctx, ['placement_constraints'], 'are not supported with launch_type FARGATE');
  }
  if (service.placement_strategies.length > 0) {
    report(ctx, ['placement_strategies'], 'are not supported with launch_type FARGATE');
  }
  if (service.scheduling_strategy === 'DAEMON') {
    report(ctx, ['scheduling_strategy'], 'DAEMON is not supported with launch_type FARGATE');
  }
}

export function daemonRules(
  service: { scheduling_strategy: 'REPLICA' | 'DAEMON'; placement_strategies: readonly unknown[] },
  ctx: Context,
): void {
  if (service.scheduling_strategy === 'DAEMON' && service.placement_strategies.length > 0) {
    report(ctx, ['placement_strategies'], 'are not supported with scheduling_strategy DAEMON');
  }
}

export function hostPortsMatch(
  service: {
    launch_type: LaunchType;
    network_mode?: NetworkMode | undefined;
    containers: readonly { port_mappings: readonly { container_port: number; host_port: number }[] }[];
  },
  ctx: Context,
): void {
  const mode = effectiveNetworkMode(service);
  if (mode !== 'awsvpc' && mode !== 'host') return;
  service.containers.forEach((container, c) => {
    container.port_mappings.forEach((mapping, p) => {
      if (mapping.host_port !== 0 && mapping.host_port !== mapping.container_port) {
        report(
          ctx,
          ['containers', c, 'port_mappings', p, 'host_port'],
          `must be 0 or equal to container_port (${mapping.container_port}) with network_mode ${mode}`,
        );
      }
    });
  });
}

export function placementConstraintExpression(
  constraint: { type: 'distinctInstance' | 'memberOf'; expression?: string | undefined },
  ctx: Context,
): void {
  if (constraint.type === 'memberOf' && constraint.expression === undefined) {
    report(ctx, ['expression'], 'is required for type memberOf');
  }
  if (constraint.type === 'distinctInstance' && constraint.expression !== undefined) {
    report(ctx, ['expression'], 'is only used with type memberOf');
  }
}

export function placementStrategyField(
  strategy: { type: 'binpack' | 'random' | 'spread'; field?: string | undefined },
  ctx: Context,
): void {
  if (strategy.type === 'random') {
    if (strategy.field !== undefined) report(ctx, ['field'], 'is not used with type random');
  } else if (strategy.field === undefined) {
    report(ctx, ['field'], `is required for type ${strategy.type}`);
  } else if (strategy.type === 'binpack' && !['cpu', 'memory'].includes(strategy.field)) {
    report(ctx, ['field'], 'must be cpu or memory for type binpack');
  }
}

// ------------------------------------------------------------------ target groups, listeners

export function timeoutBelowInterval(health: { interval: number; timeout: number }, ctx: Context): void {
  if (health.timeout >= health.interval) {
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
  if (listener.protocol === 'HTTP' && listener.certificate_arns.length > 0) {
    report(ctx, ['certificate_arns'], 'are only used with protocol HTTPS');
  }
}

export function listenerPrioritiesUnique(
  listeners: readonly { port: number; rule: { priority?: number | undefined } }[] | undefined,
  ctx: Context,
): void {
  const seen = new Set<string>();
  listeners?.forEach((listener, i) => {
    if (listener.rule.priority === undefined) return;
    const key = `${listener.port}:${listener.rule.priority}`;
    if (seen.has(key)) {
      report(
        ctx,
        [i, 'rule', 'priority'],
        `${listener.rule.priority} is already used on port ${listener.port}`,
      );
    }
    seen.add(key);
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
  const first = file.service.containers[0];
  const mapping = first?.port_mappings[0];
  return first && mapping ? { name: first.name, port: mapping.container_port } : undefined;
}

const sameRef = (a: ContainerRef, b: ContainerRef) => a.name === b.name && a.port === b.port;

/** Target groups and listeners name containers and ports that exist. */
export function referencesResolve(file: ReferencingFile, ctx: Context): void {
  // No container at all is the schema's problem; there is nothing to refer to.
  if (file.service.containers.length === 0) return;
  const fallback = defaultContainerRef(file);
  const groups = file.target_groups ?? [{}];
  const declared: ContainerRef[] = [];
  groups.forEach((group, i) => {
    const at: Path = file.target_groups ? ['target_groups', i] : ['service', 'containers', 0];
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
  file.listeners?.forEach((listener, i) => {
    const ref = listener.target_group?.container;
    if (ref === undefined) return;
    const at: Path = ['listeners', i, 'target_group', 'container'];
    if (checkRef(file, ref, at, ctx) && !declared.some((group) => sameRef(group, ref))) {
      report(ctx, at, `no target group forwards to ${ref.name}:${ref.port}; add one to target_groups`);
    }
  });
}

function checkRef(file: ReferencingFile, ref: ContainerRef, at: Path, ctx: Context): boolean {
  const names = file.service.containers.map((container) => container.name);
  const container = file.service.containers.find((candidate) => candidate.name === ref.name);
  if (container === undefined) {
    const hint = didYouMean(ref.name, names);
    report(
      ctx,
      [...at, 'name'],
      `no container named \`${ref.name}\` in service.containers${hint ? `: ${hint}` : ''}`,
    );
    return false;
  }
  const ports = container.port_mappings.map((mapping) => mapping.container_port);
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
