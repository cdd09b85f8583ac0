/**
 * A release's containers as ECS's RegisterTaskDefinition takes them (`containerDefinitions`),
 * built from the file's data. Pure, with a fixed key and element order, so the same release
 * always renders the same text and the engine sees no change. Here, not in the stack, because
 * `validate` measures this very text against ECS's size quota (`taskDefinitionTooLarge`), and
 * config may not import the stack.
 */
import type { ContainerConfig, PortMapping, ServiceConfig } from './types.js';

/** A slot, as the per-slot host ports name it. */
type Slot = keyof Exclude<PortMapping['host_port'], number>;

/** Where the awslogs driver sends a release's logs unless its file says otherwise. */
export interface LogDestination {
  logGroup: string;
  region: string;
  /** The stream prefix: the slot, so the two releases' streams stay apart. */
  slot: Slot;
}

/** One container definition as the ECS API takes it (only the keys ecs-crd sets). */
export interface ContainerDefinition {
  name: string;
  image: string;
  cpu: number;
  memory: number;
  memoryReservation?: number;
  essential: boolean;
  portMappings?: { containerPort: number; hostPort: number; protocol: 'tcp' | 'udp' }[];
  entryPoint?: string[];
  command?: string[];
  environment?: { name: string; value: string }[];
  /** References only: ECS fetches the values when a task starts. */
  secrets?: { name: string; valueFrom: string }[];
  dnsSearchDomains?: string[];
  dnsServers?: string[];
  disableNetworking?: boolean;
  healthCheck?: {
    command: string[];
    interval?: number;
    timeout?: number;
    retries?: number;
    startPeriod?: number;
  };
  // The keys below are absent from a release that does not set them (ECS's defaults apply).
  links?: string[];
  hostname?: string;
  privileged?: boolean;
  dockerSecurityOptions?: string[];
  startTimeout?: number;
  stopTimeout?: number;
  mountPoints?: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  dependsOn?: { containerName: string; condition: string }[];
  ulimits?: { name: string; softLimit: number; hardLimit: number }[];
  linuxParameters?: {
    initProcessEnabled?: boolean;
    capabilities?: { add?: string[]; drop?: string[] };
    sharedMemorySize?: number;
  };
  readonlyRootFilesystem?: boolean;
  user?: string;
  workingDirectory?: string;
  dockerLabels?: Record<string, string>;
  logConfiguration: {
    logDriver: string;
    options: Record<string, string>;
    /** References only, like `secrets`: the driver's options ECS reads from SSM or Secrets Manager. */
    secretOptions?: { name: string; valueFrom: string }[];
  };
}

const byName = <T extends { name: string }>(a: T, b: T): number =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/**
 * `value` without its undefined keys and empty lists: AWS reports some empty lists
 * (`secrets`) back as absent, and a definition re-read from AWS must equal ours.
 */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)),
  ) as T;
}

/** `NAME → ARN` as the ECS API's `[{name, valueFrom}]`, sorted by name. */
function references(map: Readonly<Record<string, string>>): { name: string; valueFrom: string }[] {
  return Object.entries(map)
    .map(([name, valueFrom]) => ({ name, valueFrom }))
    .sort(byName);
}

/**
 * A map with its keys sorted, so the rendered text does not depend on the file's order;
 * undefined when absent or empty (AWS reports an empty map back as absent).
 */
function sortedMap(map: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
  if (map === undefined || Object.keys(map).length === 0) return undefined;
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function linuxParameters(
  parameters: ContainerConfig['linux_parameters'],
): ContainerDefinition['linuxParameters'] {
  if (parameters === undefined) return undefined;
  const capabilities = parameters.capabilities
    ? compact({ add: parameters.capabilities.add, drop: parameters.capabilities.drop })
    : undefined;
  const rendered = compact({
    initProcessEnabled: parameters.init_process_enabled,
    capabilities: capabilities && Object.keys(capabilities).length > 0 ? capabilities : undefined,
    sharedMemorySize: parameters.shared_memory_size,
  });
  // Nothing set renders nothing, as an absent block: AWS reports no empty one back.
  return Object.keys(rendered).length > 0 ? rendered : undefined;
}

function logConfiguration(
  container: ContainerConfig,
  logs: LogDestination,
): ContainerDefinition['logConfiguration'] {
  const configured = container.log_configuration;
  if (!configured) {
    return {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': logs.logGroup,
        'awslogs-region': logs.region,
        'awslogs-stream-prefix': logs.slot,
      },
    };
  }
  return compact({
    logDriver: configured.log_driver,
    options: configured.options,
    secretOptions: configured.secret_options ? references(configured.secret_options) : undefined,
  });
}

function hostPort(
  networkMode: ServiceConfig['network_mode'],
  containerPort: number,
  perSlot: PortMapping['host_port'],
  slot: Slot,
): number {
  const declared = typeof perSlot === 'number' ? perSlot : perSlot[slot];
  // Only bridge mode maps ports (0 = dynamic); awsvpc and host use the container port, and
  // AWS reports it back as such, so spelling it out keeps the definition free of drift.
  if (networkMode === 'bridge') return declared;
  return declared === 0 ? containerPort : declared;
}

function containerDefinition(
  container: ContainerConfig,
  networkMode: ServiceConfig['network_mode'],
  logs: LogDestination,
): ContainerDefinition {
  const check = container.health_check;
  return compact<ContainerDefinition>({
    name: container.name,
    image: container.image,
    cpu: container.cpu,
    memory: container.memory,
    memoryReservation: container.memory_reservation,
    essential: container.essential,
    portMappings: container.port_mappings.map((p) => ({
      containerPort: p.container_port,
      hostPort: hostPort(networkMode, p.container_port, p.host_port, logs.slot),
      protocol: p.protocol,
    })),
    entryPoint: container.entry_point,
    command: container.command,
    environment: Object.entries(container.environment)
      .map(([name, value]) => ({ name, value }))
      .sort(byName),
    secrets: references(container.secrets),
    dnsSearchDomains: container.dns_search_domains,
    dnsServers: container.dns_servers,
    disableNetworking: container.disable_networking,
    healthCheck: check
      ? compact({
          command: check.command,
          interval: check.interval,
          timeout: check.timeout,
          retries: check.retries,
          startPeriod: check.start_period,
        })
      : undefined,
    links: container.links,
    hostname: container.hostname,
    privileged: container.privileged,
    dockerSecurityOptions: container.docker_security_options,
    startTimeout: container.start_timeout,
    stopTimeout: container.stop_timeout,
    mountPoints: container.mount_points?.map((m) => ({
      sourceVolume: m.source_volume,
      containerPath: m.container_path,
      readOnly: m.read_only,
    })),
    dependsOn: container.depends_on?.map((d) => ({
      containerName: d.container_name,
      condition: d.condition,
    })),
    ulimits: container.ulimits?.map((u) => ({
      name: u.name,
      softLimit: u.soft_limit,
      hardLimit: u.hard_limit,
    })),
    linuxParameters: linuxParameters(container.linux_parameters),
    readonlyRootFilesystem: container.readonly_root_filesystem,
    user: container.user,
    workingDirectory: container.working_directory,
    dockerLabels: sortedMap(container.docker_labels),
    logConfiguration: logConfiguration(container, logs),
  });
}

/** The `containerDefinitions` JSON of a release's task definition. */
export function containerDefinitions(service: ServiceConfig, logs: LogDestination): string {
  return JSON.stringify(service.containers.map((c) => containerDefinition(c, service.network_mode, logs)));
}

// ------------------------------------------------------------------ ECS's size quota

/**
 * The largest task definition ECS registers: 64 KiB, not adjustable (Amazon ECS service
 * quotas, "Task definition size"). Over it, RegisterTaskDefinition fails with
 * "ClientException: Actual length: '66420'. Max allowed length is '65536' bytes."
 */
export const TASK_DEFINITION_MAX_BYTES = 65_536;

/**
 * Why ECS would refuse the release's task definition for its size, or undefined. Counts the
 * container definitions as this module renders them for either slot, which is nearly all of
 * a task definition; the awslogs group and region (a few dozen bytes per container, not all
 * known offline) are left out, so a file refused here is refused by ECS.
 */
export function taskDefinitionTooLarge(service: ServiceConfig): string | undefined {
  const size = Math.max(
    ...(['blue', 'green'] as const).map((slot) =>
      Buffer.byteLength(containerDefinitions(service, { logGroup: '', region: '', slot })),
    ),
  );
  if (size <= TASK_DEFINITION_MAX_BYTES) return undefined;
  const count = (n: number) => n.toLocaleString('en-US');
  const environments = service.containers
    .map((c) => ({ name: c.name, bytes: Buffer.byteLength(JSON.stringify(c.environment)) }))
    .sort((a, b) => b.bytes - a.bytes);
  const largest = environments[0];
  const where = largest
    ? `; the environment of container ${largest.name} takes ${count(largest.bytes)} bytes`
    : '';
  return `make a task definition of at least ${count(size)} bytes, over the ${count(TASK_DEFINITION_MAX_BYTES)} ECS registers${where} (move values to secrets: one Secrets Manager secret holds several, as JSON keys; or into a file the image reads)`;
}
