/**
 * The JSON documents the program hands to AWS as strings: ECS container definitions and IAM
 * policies. Pure, with a fixed key and element order, so the same release always renders
 * the same text and the engine sees no change.
 */
import type { Slot } from '../canary/ports/aws.js';
import type { ContainerConfig, PolicyStatement, ServiceConfig } from '../config/types.js';

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
  declared: number,
): number {
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
      hostPort: hostPort(networkMode, p.container_port, p.host_port),
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

/** An IAM policy document. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: {
    Sid?: string;
    Effect: 'Allow' | 'Deny';
    Principal?: { Service: string };
    Action: string | string[];
    Resource?: string[];
  }[];
}

const POLICY_VERSION = '2012-10-17';

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

/** The release's `policies`, as the inline policy it adds to the task role; null when none. */
export function taskPolicy(statements: PolicyStatement[]): string | null {
  if (statements.length === 0) return null;
  const document: PolicyDocument = {
    Version: POLICY_VERSION,
    Statement: statements.map((s) => ({ Effect: s.effect, Action: s.actions, Resource: s.resources })),
  };
  return JSON.stringify(document);
}

/** Every secret ARN a release's containers refer to, once each, sorted. */
export function secretArns(service: ServiceConfig): string[] {
  return [...new Set(service.containers.flatMap((c) => Object.values(c.secrets)))].sort();
}

/**
 * The IAM resource a `valueFrom` ARN needs read access to. A Secrets Manager reference may
 * name a JSON key, stage or version after the secret's ARN
 * (`arn:aws:secretsmanager:<region>:<account>:secret:<name>:<key>:<stage>:<version>`); the
 * permission is on the secret itself, its first seven fields.
 */
function secretResource(arn: string): { service: 'ssm' | 'secretsmanager'; resource: string } {
  const fields = arn.split(':');
  const service = fields[2];
  if (fields[0] !== 'arn' || (service !== 'ssm' && service !== 'secretsmanager')) {
    throw new Error(`not an SSM parameter or Secrets Manager secret ARN: ${arn}`);
  }
  return { service, resource: service === 'secretsmanager' ? fields.slice(0, 7).join(':') : arn };
}

/**
 * The execution role's read access to exactly these secrets (`ssm:GetParameters`,
 * `secretsmanager:GetSecretValue`), or null when there are none: IAM refuses an empty policy.
 */
export function secretsPolicy(arns: string[]): string | null {
  const resources = { ssm: new Set<string>(), secretsmanager: new Set<string>() };
  for (const arn of arns) {
    const { service, resource } = secretResource(arn);
    resources[service].add(resource);
  }
  const statements: PolicyDocument['Statement'] = [];
  if (resources.ssm.size > 0) {
    statements.push({
      Sid: 'ReadSsmParameters',
      Effect: 'Allow',
      Action: ['ssm:GetParameters'],
      Resource: [...resources.ssm].sort(),
    });
  }
  if (resources.secretsmanager.size > 0) {
    statements.push({
      Sid: 'ReadSecretsManagerSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [...resources.secretsmanager].sort(),
    });
  }
  if (statements.length === 0) return null;
  const document: PolicyDocument = { Version: POLICY_VERSION, Statement: statements };
  return JSON.stringify(document);
}
