/**
 * The JSON documents the program hands to AWS as strings: ECS container definitions and IAM
 * policies (a release's own are built in `config/iam-policies.ts`). Pure, with a fixed key
 * and element order, so the same release always renders the same text and the engine sees no
 * change.
 */
import type { Slot } from '../canary/ports/aws.js';
import { POLICY_VERSION, type PolicyDocument } from '../config/iam-policies.js';
import type { ContainerConfig, PortMapping, ServiceConfig } from '../config/types.js';

// The release's IAM policies are built in config, which measures them against IAM's quota.
export { type PolicyDocument, secretArns, secretsPolicy, taskPolicy } from '../config/iam-policies.js';

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
  logConfiguration: { logDriver: string; options: Record<string, string> };
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
    secrets: Object.entries(container.secrets)
      .map(([name, valueFrom]) => ({ name, valueFrom }))
      .sort(byName),
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
    logConfiguration: container.log_configuration
      ? { logDriver: container.log_configuration.log_driver, options: container.log_configuration.options }
      : {
          logDriver: 'awslogs',
          options: {
            'awslogs-group': logs.logGroup,
            'awslogs-region': logs.region,
            'awslogs-stream-prefix': logs.slot,
          },
        },
  });
}

/** The `containerDefinitions` JSON of a release's task definition. */
export function containerDefinitions(service: ServiceConfig, logs: LogDestination): string {
  return JSON.stringify(service.containers.map((c) => containerDefinition(c, service.network_mode, logs)));
}

/** Who may assume the execution and task roles: ECS tasks. */
export function ecsTasksTrustPolicy(): string {
  const document: PolicyDocument = {
    Version: POLICY_VERSION,
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  };
  return JSON.stringify(document);
}
