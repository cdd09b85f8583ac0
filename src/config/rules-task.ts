/**
 * Rules of the task as a whole (its containers, volumes, platform and capacity): what RegisterTaskDefinition and CreateService would refuse mid-deployment, said
 * by `validate` at the key to change. Each cites the AWS reference it follows:
 *   TD  https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskDefinition.html
 *   CD  https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
 *   CS  https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CreateService.html
 * The original tool's spellings and IAM statements have theirs in `rules-original.ts`.
 */
import { type Context, itemsOf, type Path, report, validParts } from './rule-context.js';
import { isFargateProvider, type LaunchTypeSource, launchTypeOf } from './rules.js';
import { field, isRecord } from './templates.js';

// ------------------------------------------------------------------ volumes

const VOLUME_KINDS = ['host', 'docker_volume_configuration', 'efs_volume_configuration'] as const;

/** TD volumes: a volume is a bind mount, a Docker volume or an EFS file system, one of them. */
export function oneVolumeKind(volume: Record<string, unknown>, ctx: Context): void {
  const kinds = VOLUME_KINDS.filter((kind) => volume[kind] !== undefined);
  for (const kind of kinds.slice(1)) {
    report(ctx, [kind], `a volume is one kind: ${kinds[0]} is already set (declare another volume)`);
  }
}

/** DockerVolumeConfiguration: autoprovision "is only used if the scope is shared". */
export function autoprovisionShared(
  config: { scope?: string | undefined; autoprovision?: boolean | undefined },
  ctx: Context,
) {
  if (config.autoprovision === true && config.scope !== 'shared') {
    report(ctx, ['autoprovision'], 'is only used with scope shared (a task-scoped volume is always created)');
  }
}

/**
 * EFSVolumeConfiguration / EFSAuthorizationConfig: transit encryption must be ENABLED when
 * an access point or IAM authorization is used; its port means nothing without it; with an
 * access point the root directory is the access point's (omitted or /).
 */
export function efsTransitEncryption(
  efs: {
    root_directory?: string | undefined;
    transit_encryption?: 'ENABLED' | 'DISABLED' | undefined;
    transit_encryption_port?: number | undefined;
    authorization_config?: { access_point_id?: string | undefined; iam?: string | undefined } | undefined;
  },
  ctx: Context,
): void {
  const encrypted = efs.transit_encryption === 'ENABLED';
  if (efs.transit_encryption_port !== undefined && !encrypted) {
    report(ctx, ['transit_encryption_port'], 'is only used with transit_encryption: ENABLED');
  }
  const auth = efs.authorization_config;
  if (auth?.access_point_id !== undefined) {
    if (!encrypted)
      report(
        ctx,
        ['transit_encryption'],
        'must be ENABLED with an access point (authorization_config.access_point_id)',
      );
    if (efs.root_directory !== undefined && efs.root_directory !== '/') {
      report(
        ctx,
        ['root_directory'],
        'must be omitted (or /) with an access point: the access point’s path is the root',
      );
    }
  }
  if (auth?.iam === 'ENABLED' && !encrypted && auth.access_point_id === undefined) {
    report(
      ctx,
      ['transit_encryption'],
      'must be ENABLED with IAM authorization (authorization_config.iam: ENABLED)',
    );
  }
}

// ------------------------------------------------------------------ the task

interface TaskShape extends LaunchTypeSource {
  network_mode?: string | undefined;
  requires_compatibilities?: readonly string[] | undefined;
  containers: readonly unknown[];
  volumes?: readonly unknown[] | undefined;
}

/** Whether RegisterTaskDefinition checks the task against Fargate (its launch type or its compatibilities). */
function fargateTask(service: TaskShape): boolean {
  return launchTypeOf(service) === 'FARGATE' || (service.requires_compatibilities ?? []).includes('FARGATE');
}

/** TD requiresCompatibilities: the service's launch type must be one the task is registered for. */
export function compatibilitiesIncludeLaunchType(service: TaskShape, ctx: Context): void {
  const valid = validParts(ctx);
  const list = service.requires_compatibilities;
  if (list === undefined || !valid(['requires_compatibilities']) || !valid(['launch_type'])) return;
  list.forEach((item, i) => {
    if (list.indexOf(item) < i) report(ctx, ['requires_compatibilities', i], `${item} is listed twice`);
  });
  const launchType = launchTypeOf(service);
  if (!list.includes(launchType)) {
    report(ctx, ['requires_compatibilities'], `must include ${launchType}, the service's launch type`);
  }
}

/** Task-level keys Fargate refuses (TD pidMode, ipcMode, ephemeralStorage; volumes). */
export function fargateTaskRules(
  service: TaskShape & {
    pid_mode?: string | undefined;
    ipc_mode?: string | undefined;
    ephemeral_storage?: number | undefined;
  },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  if (
    !valid(['launch_type']) ||
    !valid(['capacity_provider_strategy']) ||
    !valid(['requires_compatibilities'])
  )
    return;
  const fargate = fargateTask(service);
  const on = 'on Fargate';
  if (fargate && service.pid_mode === 'host')
    report(ctx, ['pid_mode'], `must be task ${on} (host is refused)`);
  if (fargate && service.ipc_mode !== undefined) report(ctx, ['ipc_mode'], `is not supported ${on}`);
  // TD ephemeralStorage: "only supported for tasks hosted on Fargate".
  if (!fargate && service.ephemeral_storage !== undefined) {
    report(ctx, ['ephemeral_storage'], 'is for Fargate tasks only (EC2 tasks use the instance’s disk)');
  }
  itemsOf(service.volumes).forEach((volume, v) => {
    if (!fargate || !valid(['volumes', v])) return;
    if (field(volume, 'docker_volume_configuration') !== undefined) {
      report(
        ctx,
        ['volumes', v, 'docker_volume_configuration'],
        `Docker volumes are not supported ${on} (use host: {} or efs_volume_configuration)`,
      );
    }
    if (field(field(volume, 'host'), 'source_path') !== undefined) {
      report(
        ctx,
        ['volumes', v, 'host', 'source_path'],
        `is not supported ${on}: omit it for a scratch volume`,
      );
    }
  });
  itemsOf(service.containers).forEach((container, c) => {
    if (!fargate || !valid(['containers', c])) return;
    const at = (...path: Path) => ['containers', c, ...path];
    const get = (key: string) => field(container, key);
    // CD privileged, dockerSecurityOptions: "not supported for … tasks run on Fargate".
    if (get('privileged') === true) report(ctx, at('privileged'), `is not supported ${on} (AWS refuses it)`);
    if (get('docker_security_options') !== undefined)
      report(ctx, at('docker_security_options'), `are not supported ${on}`);
    // CD startTimeout / stopTimeout: "The valid values for Fargate are 2-120 seconds".
    for (const key of ['start_timeout', 'stop_timeout']) {
      const value = get(key);
      if (typeof value === 'number' && (value < 2 || value > 120))
        report(ctx, at(key), `must be between 2 and 120 ${on}`);
    }
    const linux = get('linux_parameters');
    // LinuxParameters sharedMemorySize: not supported on Fargate; KernelCapabilities add: SYS_PTRACE only.
    if (field(linux, 'shared_memory_size') !== undefined) {
      report(ctx, at('linux_parameters', 'shared_memory_size'), `is not supported ${on}`);
    }
    itemsOf(field(field(linux, 'capabilities'), 'add')).forEach((capability, i) => {
      if (capability !== 'SYS_PTRACE') {
        report(ctx, at('linux_parameters', 'capabilities', 'add', i), `only SYS_PTRACE may be added ${on}`);
      }
    });
  });
}

/** Names of the containers that parsed, by index. */
function containerNames(service: TaskShape, valid: (path: Path) => boolean): Map<string, unknown> {
  const names = new Map<string, unknown>();
  itemsOf(service.containers).forEach((container, c) => {
    const name = field(container, 'name');
    if (valid(['containers', c, 'name']) && typeof name === 'string') names.set(name, container);
  });
  return names;
}

/**
 * CD dependsOn, links, hostname, mountPoints: what a container refers to must exist. A HEALTHY
 * dependency waits for the other container's health check, so it needs one; links are a
 * bridge-mode feature; awsvpc tasks take their host name from their network interface.
 */
export function containerReferences(service: TaskShape, ctx: Context): void {
  const valid = validParts(ctx);
  const names = containerNames(service, valid);
  const volumes = new Set(
    itemsOf(service.volumes).flatMap((v, i) => (valid(['volumes', i, 'name']) ? [field(v, 'name')] : [])),
  );
  const modeKnown =
    valid(['network_mode']) && valid(['launch_type']) && valid(['capacity_provider_strategy']);
  const mode = service.network_mode ?? (launchTypeOf(service) === 'FARGATE' ? 'awsvpc' : 'bridge');
  itemsOf(service.containers).forEach((container, c) => {
    if (!isRecord(container)) return;
    const self = field(container, 'name');
    itemsOf(container.depends_on).forEach((item, d) => {
      if (!valid(['containers', c, 'depends_on', d])) return;
      const target = field(item, 'container_name') as string;
      const at: Path = ['containers', c, 'depends_on', d, 'container_name'];
      if (target === self)
        report(ctx, at, 'must name another container (a container cannot wait for itself)');
      else if (!names.has(target)) report(ctx, at, `names no container of the service${known(names)}`);
      else if (
        (field(item, 'condition') ?? field(item, 'condtion')) === 'HEALTHY' &&
        field(names.get(target), 'health_check') === undefined
      ) {
        report(
          ctx,
          at,
          `\`${target}\` has no health_check, which a HEALTHY dependency waits for: give it one, or wait for START`,
        );
      }
    });
    if (container.links !== undefined && valid(['containers', c, 'links'])) {
      if (modeKnown && mode !== 'bridge')
        report(
          ctx,
          ['containers', c, 'links'],
          `are only supported with network_mode bridge (here: ${mode})`,
        );
      itemsOf(container.links).forEach((link, l) => {
        const target = String(link).split(':')[0] ?? '';
        if (target === self) report(ctx, ['containers', c, 'links', l], 'must name another container');
        else if (!names.has(target))
          report(ctx, ['containers', c, 'links', l], `names no container of the service${known(names)}`);
      });
    }
    if (container.hostname !== undefined && modeKnown && mode === 'awsvpc') {
      report(
        ctx,
        ['containers', c, 'hostname'],
        'is not supported with network_mode awsvpc (the task’s network interface names it)',
      );
    }
    itemsOf(container.mount_points).forEach((mount, m) => {
      if (!valid(['containers', c, 'mount_points', m, 'source_volume'])) return;
      const source = field(mount, 'source_volume');
      if (!volumes.has(source)) {
        report(
          ctx,
          ['containers', c, 'mount_points', m, 'source_volume'],
          `names no volume of service.volumes${volumes.size ? ` (known: ${[...volumes].join(', ')})` : ''}`,
        );
      }
    });
  });
}

const known = (names: Map<string, unknown>) =>
  names.size ? ` (known: ${[...names.keys()].join(', ')})` : '';

export function volumeNamesUnique(list: readonly unknown[], ctx: Context): void {
  const valid = validParts(ctx);
  const seen = new Set<unknown>();
  list.forEach((volume, i) => {
    if (!valid([i, 'name'])) return;
    const name = field(volume, 'name');
    if (seen.has(name)) report(ctx, [i, 'name'], `\`${String(name)}\` is already the name of another volume`);
    seen.add(name);
  });
}

/**
 * CS capacityProviderStrategy: "If a capacityProviderStrategy is specified, the launchType
 * parameter must be omitted"; only one provider may have a base; when several are listed, one
 * at least needs a weight; Fargate providers and Auto Scaling group ones do not mix.
 */
export function capacityProviderRules(
  service: LaunchTypeSource & { capacity_provider_strategy?: readonly unknown[] | undefined },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  const list = service.capacity_provider_strategy;
  // An empty strategy declares nothing, as an absent one: the launch type applies (the stack reads it so).
  if (list === undefined || list.length === 0) return;
  if (service.launch_type !== undefined) {
    report(
      ctx,
      ['launch_type'],
      'must be omitted with capacity_provider_strategy (ECS refuses both): the providers decide where tasks run',
    );
  }
  if (!list.every((_, i) => valid(['capacity_provider_strategy', i]))) return;
  const items = list as { capacity_provider: string; weight: number; base: number }[];
  items.forEach((item, i) => {
    const at: Path = ['capacity_provider_strategy', i];
    if (items.findIndex((other) => other.capacity_provider === item.capacity_provider) < i) {
      report(ctx, [...at, 'capacity_provider'], `${item.capacity_provider} is listed twice`);
    }
    if (item.base > 0 && items.findIndex((other) => other.base > 0) < i) {
      report(ctx, [...at, 'base'], 'only one capacity provider of the strategy may have a base');
    }
    if (isFargateProvider(item.capacity_provider) !== isFargateProvider(items[0]?.capacity_provider)) {
      report(
        ctx,
        [...at, 'capacity_provider'],
        'FARGATE/FARGATE_SPOT and Auto Scaling group providers cannot be mixed',
      );
    }
  });
  if (items.length > 1 && items.every((item) => item.weight === 0)) {
    report(
      ctx,
      ['capacity_provider_strategy', 0, 'weight'],
      'one provider at least needs a weight above 0 when several are listed',
    );
  }
}
