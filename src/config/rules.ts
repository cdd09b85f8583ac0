/**
 * Cross-field rules of the canary and the service: what a single key's type cannot say. Each
 * rule reads only the fields it names (structural types, so it does not depend on the schema
 * that wires it), only the parts of them that are valid (`validParts`: so one problem never
 * hides another), and reports at the exact key the user has to change. Target groups and
 * listeners have theirs in `listener-rules.ts`.
 */
import { IMAGE_TAG } from './formats.js';
import { type Context, itemsOf, type Path, report, validParts } from './rule-context.js';
import { isRecord } from './templates.js';

// ------------------------------------------------------------------ canary

export function releasesDiffer(releases: { blue: string; green: string }, ctx: Context): void {
  if (releases.blue === releases.green) {
    report(ctx, ['green'], `must differ from releases.blue (both are "${releases.blue}")`);
  }
}

export function weightsIncrease(steps: readonly { weight: number }[], ctx: Context): void {
  const valid = validParts(ctx);
  let previous: number | undefined;
  steps.forEach((step, i) => {
    if (!valid([i, 'weight'])) return;
    if (previous !== undefined && step.weight <= previous) {
      report(ctx, [i, 'weight'], `must be greater than the previous step's weight (${previous})`);
    }
    previous = step.weight;
  });
}

/** A step without `pause` watches the new release for `wait` seconds: leaving it out is a slip. */
export function waitOrPause(step: { wait?: number | undefined; pause?: unknown }, ctx: Context): void {
  // A pause that is wrong is still a pause the user meant: its own problem says enough.
  if (step.wait === undefined && step.pause === undefined && validParts(ctx)(['pause'])) {
    report(
      ctx,
      ['wait'],
      'is required: the seconds to watch the new release at this weight (only a step with `pause` may leave it out)',
    );
  }
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

/**
 * The names of a map `NAME: value` or of the original's list of one-key maps, each with its
 * path (relative to the value), as written: names are keys, whatever their values' problems.
 */
export function pairNames(value: unknown): [Path, string][] {
  if (Array.isArray(value)) {
    return value.flatMap((item, i) =>
      isRecord(item) ? Object.keys(item).map((name): [Path, string] => [[i, name], name]) : [],
    );
  }
  return isRecord(value) ? Object.keys(value).map((name) => [[name], name]) : [];
}

/** Each name once in a `keyPairs` value (a list of one-key maps may repeat one; a map cannot). */
export function pairNamesUnique(key: string) {
  return (value: Record<string, unknown>, ctx: Context): void => {
    const seen = new Set<string>();
    for (const [path, name] of pairNames(value[key])) {
      if (seen.has(name)) report(ctx, [key, ...path], `\`${name}\` is set twice`);
      seen.add(name);
    }
  };
}

/** A variable is set once: in `environment` or in `secrets`, never twice nor in both. */
export function environmentNamesUnique(
  container: { environment: unknown; secrets: unknown },
  ctx: Context,
): void {
  const seen = new Set<string>();
  for (const [path, name] of pairNames(container.environment)) {
    if (seen.has(name)) report(ctx, ['environment', ...path], `\`${name}\` is set twice`);
    seen.add(name);
  }
  const secrets = new Set<string>();
  for (const [path, name] of pairNames(container.secrets)) {
    if (secrets.has(name)) report(ctx, ['secrets', ...path], `\`${name}\` is set twice`);
    else if (seen.has(name))
      report(ctx, ['secrets', ...path], `\`${name}\` is also in environment: set it in one place`);
    secrets.add(name);
  }
}

export function portMappingsUnique(
  container: { port_mappings: readonly { container_port: number; protocol: string }[] },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  const seen = new Set<string>();
  itemsOf(container.port_mappings).forEach((item, i) => {
    if (!valid(['port_mappings', i])) return;
    const mapping = item as (typeof container.port_mappings)[number];
    const key = `${mapping.container_port}/${mapping.protocol}`;
    if (seen.has(key)) report(ctx, ['port_mappings', i, 'container_port'], `${key} is mapped twice`);
    seen.add(key);
  });
}

export function containerNamesUnique(containers: readonly { name: string }[], ctx: Context): void {
  const valid = validParts(ctx);
  const seen = new Set<string>();
  containers.forEach((container, i) => {
    if (!valid([i, 'name'])) return;
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

/** DNS names are compared without case; a malformed one is skipped, not a reason to skip the others. */
export function fqdnsUnique(service: { fqdn?: readonly string[] | string | undefined }, ctx: Context): void {
  if (!Array.isArray(service.fqdn)) return;
  const valid = validParts(ctx);
  const seen = new Set<string>();
  service.fqdn.forEach((name: string, i) => {
    if (!valid(['fqdn', i])) return;
    if (seen.has(name.toLowerCase())) report(ctx, ['fqdn', i], `${name} is listed twice`);
    seen.add(name.toLowerCase());
  });
}

type LaunchType = 'EC2' | 'FARGATE';
type NetworkMode = 'bridge' | 'host' | 'awsvpc' | 'none';

/** What decides the launch type: the file's, else its capacity providers', else EC2. */
export interface LaunchTypeSource {
  launch_type?: LaunchType | undefined;
  capacity_provider_strategy?: readonly { capacity_provider: string }[] | undefined;
}

/**
 * The launch type in effect. A service with a capacity provider strategy has none of its own
 * (ECS refuses both); its tasks are then Fargate ones when its providers are FARGATE or
 * FARGATE_SPOT (ECS does not mix them with Auto Scaling group providers).
 */
export function launchTypeOf(service: LaunchTypeSource): LaunchType {
  if (service.launch_type !== undefined) return service.launch_type;
  const providers = Array.isArray(service.capacity_provider_strategy)
    ? service.capacity_provider_strategy
    : [];
  const fargate = providers.length > 0 && providers.every((p) => isFargateProvider(p?.capacity_provider));
  return fargate ? 'FARGATE' : 'EC2';
}

export const isFargateProvider = (name: unknown): boolean => name === 'FARGATE' || name === 'FARGATE_SPOT';

/** The network mode in effect: the file's, else the launch type's default. */
export function effectiveNetworkMode(service: LaunchTypeSource & { network_mode?: NetworkMode | undefined }) {
  return service.network_mode ?? (launchTypeOf(service) === 'FARGATE' ? 'awsvpc' : 'bridge');
}

/** A value is written (even a wrong one): what "not with FARGATE" and "needs a network" ask. */
const written = (value: unknown): boolean =>
  value !== undefined && !(Array.isArray(value) && value.length === 0);

export function networkModeRules(
  service: LaunchTypeSource & { network_mode?: NetworkMode | undefined; network?: unknown },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  if (!valid(['launch_type']) || !valid(['capacity_provider_strategy'])) return;
  const fargate = launchTypeOf(service) === 'FARGATE';
  // A network_mode with a problem of its own is unknown; Fargate still implies awsvpc.
  const mode = valid(['network_mode']) ? effectiveNetworkMode(service) : fargate ? 'awsvpc' : undefined;
  if (fargate && mode !== 'awsvpc') {
    report(ctx, ['network_mode'], 'must be awsvpc with launch_type FARGATE');
  } else if (mode === 'awsvpc' && service.network === undefined) {
    const implied = fargate && service.network_mode === undefined;
    const why = implied
      ? 'launch_type FARGATE uses network_mode awsvpc, which'
      : fargate
        ? 'launch_type FARGATE'
        : 'awsvpc';
    report(
      ctx,
      [implied || (fargate && !valid(['network_mode'])) ? 'launch_type' : 'network_mode'],
      `${why} needs service.network`,
    );
  }
  // With Fargate, the mode is what is wrong (reported above), not the network.
  if (written(service.network) && mode !== undefined && mode !== 'awsvpc' && !fargate) {
    report(ctx, ['network'], `is only used with network_mode awsvpc (here: ${mode})`);
  }
}

export function fargateRules(
  service: LaunchTypeSource & {
    cpu?: number | undefined;
    memory?: number | undefined;
    platform_version?: string | undefined;
    placement_constraints: readonly unknown[];
    placement_strategies: readonly unknown[];
    scheduling_strategy: 'REPLICA' | 'DAEMON';
  },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  if (!valid(['launch_type']) || !valid(['capacity_provider_strategy'])) return;
  if (launchTypeOf(service) !== 'FARGATE') {
    if (service.platform_version !== undefined)
      report(ctx, ['platform_version'], 'is for launch_type FARGATE only');
    return;
  }
  const missing = (['cpu', 'memory'] as const).filter((key) => service[key] === undefined);
  for (const key of missing) report(ctx, [key], `is required with launch_type FARGATE (task-level ${key})`);
  if (written(service.placement_constraints)) {
    report(ctx, ['placement_constraints'], 'are not supported with launch_type FARGATE');
  }
  if (written(service.placement_strategies)) {
    report(ctx, ['placement_strategies'], 'are not supported with launch_type FARGATE');
  }
  if (valid(['scheduling_strategy']) && service.scheduling_strategy === 'DAEMON') {
    report(ctx, ['scheduling_strategy'], 'DAEMON is not supported with launch_type FARGATE');
  }
}

export function daemonRules(
  service: { scheduling_strategy: 'REPLICA' | 'DAEMON'; placement_strategies: readonly unknown[] },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  if (
    valid(['scheduling_strategy']) &&
    service.scheduling_strategy === 'DAEMON' &&
    written(service.placement_strategies)
  ) {
    report(ctx, ['placement_strategies'], 'are not supported with scheduling_strategy DAEMON');
  }
}

/** A host port as written: one for both slots, or the original's one per slot. */
export type HostPort = number | { blue: number; green: number };

/**
 * With awsvpc or host networking a task's host port is its container port (0 meaning the
 * same): there is nothing to choose, so per-slot ports (which exist for bridge mode, where
 * both releases may run on one instance) cannot be honoured either.
 */
export function hostPortsMatch(
  service: LaunchTypeSource & {
    network_mode?: NetworkMode | undefined;
    containers: readonly { port_mappings: readonly { container_port: number; host_port: HostPort }[] }[];
  },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  if (!valid(['launch_type']) || !valid(['network_mode']) || !valid(['capacity_provider_strategy'])) return;
  const mode = effectiveNetworkMode(service);
  if (mode !== 'awsvpc' && mode !== 'host') return;
  itemsOf(service.containers).forEach((container, c) => {
    itemsOf(isRecord(container) ? container.port_mappings : undefined).forEach((item, p) => {
      if (!valid(['containers', c, 'port_mappings', p])) return;
      const mapping = item as { container_port: number; host_port: HostPort };
      const at = ['containers', c, 'port_mappings', p, 'host_port'];
      if (typeof mapping.host_port !== 'number') {
        report(
          ctx,
          at,
          `per-slot host ports are for network_mode bridge; with network_mode ${mode} write 0 or ${mapping.container_port} (${mode === 'awsvpc' ? 'each task has its own network interface' : 'a task binds its container port on the instance itself'})`,
        );
      } else if (mapping.host_port !== 0 && mapping.host_port !== mapping.container_port) {
        report(
          ctx,
          at,
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

/**
 * A container reserves part of its task: with task-level cpu or memory, no container may ask
 * for more, nor all of them together (RegisterTaskDefinition refuses it; for memory each
 * container counts its reservation, else its hard limit).
 */
export function containersFitTheTask(
  service: {
    cpu?: number | undefined;
    memory?: number | undefined;
    containers: readonly { cpu: number; memory: number; memory_reservation?: number | undefined }[];
  },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  const containers = itemsOf(service.containers) as typeof service.containers;
  const withinTask = (
    key: 'cpu' | 'memory',
    share: (c: (typeof containers)[number]) => number,
    unit: string,
  ) => {
    const task = service[key];
    if (task === undefined || !valid([key])) return;
    let total = 0;
    let complete = true;
    containers.forEach((container, i) => {
      if (!valid(['containers', i, key]) || !valid(['containers', i, 'memory_reservation'])) {
        complete = false;
        return;
      }
      if (container[key] > task) {
        report(
          ctx,
          ['containers', i, key],
          `must not exceed the task's ${key} (service.${key}: ${task}${unit})`,
        );
      }
      total += share(container);
    });
    if (complete && containers.length > 1 && total > task) {
      report(
        ctx,
        [key],
        `is less than the containers reserve together (${total}${unit}): raise it, or lower theirs`,
      );
    }
  };
  withinTask('cpu', (c) => c.cpu, '');
  withinTask('memory', (c) => c.memory_reservation ?? c.memory, ' MiB');
}

/**
 * A container without `image` runs `…/{{name}}:{{version}}`: the version is then its image tag,
 * and must be one (at most 128 letters, digits, `_`, `.` and `-`).
 */
export function versionTagsTheDefaultImage(
  service: { version: string; containers: readonly { image?: string | undefined }[] },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  if (!valid(['version']) || IMAGE_TAG.test(service.version)) return;
  const index = itemsOf(service.containers).findIndex((c) => isRecord(c) && c.image === undefined);
  if (index < 0) return;
  report(
    ctx,
    ['version'],
    `is the image tag of service.containers[${index}], which has no image (the default ends in :{{version}}), but a tag is at most 128 letters, digits, _ . and -: set that container's image, or use a version such as 1.2.3`,
  );
}
