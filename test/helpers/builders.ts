/**
 * Test data builders: a resolved deployment file for a sample service, what discovery finds
 * for it (two slots and their hosted zones), and the desired states the rollout hands to the
 * stack. Every builder returns fresh objects and takes overrides for what a test varies.
 *
 * The sample: `shop/orders-api` in `prod`, eu-west-1, on Fargate (awsvpc), one container
 * `web` on port 8080 with two secrets, served as two fqdns through an HTTPS listener on 443.
 */
import type {
  Environment,
  HostedZoneInfo,
  Slot,
  SlotInfo,
  SlotListener,
} from '../../src/canary/ports/aws.js';
import type { DeploymentMeta, DesiredState, StackIdentity } from '../../src/canary/ports/stack.js';
import type {
  AnalysisConfig,
  CanaryConfig,
  ContainerConfig,
  DeploymentConfig,
  ListenerConfig,
  ServiceConfig,
  TargetGroupConfig,
} from '../../src/config/types.js';

export const SAMPLE_ACCOUNT_ID = '123456789012';
export const SAMPLE_REGION = 'eu-west-1';
export const SAMPLE_VERSION = '1.4.0';
export const SAMPLE_FQDNS = ['orders.example.com', 'orders.shop.example.org'];
/** The `CanaryRelease` tags of the two slots (the records' set identifiers). */
export const SAMPLE_RELEASE_IDS: Record<Slot, string> = { blue: 'orders-blue', green: 'orders-green' };
export const SAMPLE_CERTIFICATE_ARN = `arn:aws:acm:${SAMPLE_REGION}:${SAMPLE_ACCOUNT_ID}:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc`;
/** The sample's secrets: an SSM parameter and a Secrets Manager JSON key. */
export const SAMPLE_SECRETS = {
  API_TOKEN: `arn:aws:ssm:${SAMPLE_REGION}:${SAMPLE_ACCOUNT_ID}:parameter/shop/orders-api/api-token`,
  DB_PASSWORD: `arn:aws:secretsmanager:${SAMPLE_REGION}:${SAMPLE_ACCOUNT_ID}:secret:shop/orders-db-AbCdEf:password::`,
} as const;

/** The image the sample's template `{{account_id}}.dkr.ecr.{{region}}.amazonaws.com/{{name}}:{{version}}` renders to. */
export const sampleImage = (version: string): string =>
  `${SAMPLE_ACCOUNT_ID}.dkr.ecr.${SAMPLE_REGION}.amazonaws.com/orders-api:${version}`;

/** The sample's `web` container, its image tagged with `version`. */
export function buildContainer(
  overrides: Partial<ContainerConfig> = {},
  version = SAMPLE_VERSION,
): ContainerConfig {
  return {
    name: 'web',
    image: sampleImage(version),
    cpu: 256,
    memory: 512,
    memory_reservation: 384,
    port_mappings: [{ container_port: 8080, host_port: 0, protocol: 'tcp' }],
    command: ['node', 'server.js'],
    environment: { NODE_ENV: 'production', LOG_LEVEL: 'info' },
    secrets: { ...SAMPLE_SECRETS },
    essential: true,
    health_check: {
      command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'],
      interval: 30,
      retries: 3,
    },
    ...overrides,
  };
}

export function buildTargetGroup(overrides: Partial<TargetGroupConfig> = {}): TargetGroupConfig {
  return {
    container: { name: 'web', port: 8080 },
    protocol: 'HTTP',
    deregistration_delay: 30,
    health_check: {
      path: '/health',
      matcher: '200',
      interval: 15,
      timeout: 5,
      healthy_threshold: 3,
      unhealthy_threshold: 3,
    },
    ...overrides,
  };
}

export function buildListener(overrides: Partial<ListenerConfig> = {}): ListenerConfig {
  return {
    port: 443,
    protocol: 'HTTPS',
    certificate_arns: [SAMPLE_CERTIFICATE_ARN],
    target_group: { container: { name: 'web', port: 8080 } },
    rule: { conditions: { host_header: [...SAMPLE_FQDNS] } },
    ...overrides,
  };
}

/** Overrides of a deployment file, section by section (each merged over the sample's). */
export interface ConfigOverrides {
  canary?: Partial<CanaryConfig>;
  /** A `version` here also tags the default container's image, as the template would. */
  service?: Partial<ServiceConfig>;
  target_groups?: TargetGroupConfig[];
  listeners?: ListenerConfig[];
}

/** A resolved deployment file of the sample service: what `src/config` produces. */
export function buildConfig(overrides: ConfigOverrides = {}): DeploymentConfig {
  const version = overrides.service?.version ?? SAMPLE_VERSION;
  return {
    canary: {
      group: 'shop',
      releases: { ...SAMPLE_RELEASE_IDS },
      scale: { desired: 2, wait: 60 },
      strategy: [
        { weight: 10, wait: 120 },
        { weight: 50, wait: 120 },
      ],
      health: { interval: 10, timeout: 300 },
      drain: 0,
      evaluate_target_health: false,
      ...overrides.canary,
    },
    service: {
      project: 'shop',
      name: 'orders-api',
      cluster: 'main',
      fqdn: [...SAMPLE_FQDNS],
      version,
      scheduling_strategy: 'REPLICA',
      platform_version: 'LATEST',
      launch_type: 'FARGATE',
      network_mode: 'awsvpc',
      network: {
        subnets: ['subnet-0aaa1111', 'subnet-0bbb2222'],
        security_groups: ['sg-0ccc3333'],
        assign_public_ip: false,
      },
      cpu: 512,
      memory: 1024,
      placement_constraints: [],
      placement_strategies: [],
      policies: [
        { effect: 'Allow', actions: ['s3:GetObject'], resources: ['arn:aws:s3:::shop-orders/*'] },
        {
          effect: 'Allow',
          actions: ['sqs:SendMessage'],
          resources: [`arn:aws:sqs:${SAMPLE_REGION}:${SAMPLE_ACCOUNT_ID}:orders`],
        },
      ],
      containers: [buildContainer({}, version)],
      ...overrides.service,
    },
    target_groups: overrides.target_groups ?? [buildTargetGroup()],
    listeners: overrides.listeners ?? [buildListener()],
  };
}

const albName = (slot: Slot): string => `shop-${slot}`;
const albId = (slot: Slot): string => (slot === 'blue' ? '50dc6c495c0c9188' : '6d0ecf831eec9f09');

/** A slot's ALB as discovery finds it: a listener on 443 with a free priority. */
export function buildSlot(slot: Slot, overrides: Partial<SlotInfo> = {}): SlotInfo {
  return {
    slot,
    releaseId: SAMPLE_RELEASE_IDS[slot],
    albArn: `arn:aws:elasticloadbalancing:${SAMPLE_REGION}:${SAMPLE_ACCOUNT_ID}:loadbalancer/app/${albName(slot)}/${albId(slot)}`,
    albName: albName(slot),
    albDnsName: `${albName(slot)}-1234567890.${SAMPLE_REGION}.elb.amazonaws.com`,
    albZoneId: 'Z32O12XQLNTSW2',
    vpcId: 'vpc-0abc1234',
    listeners: [buildSlotListener(slot)],
    ...overrides,
  };
}

/**
 * The slot ALB's listener on `port` (443 by default) and the rule priority discovery chose;
 * `{ listenerArn: undefined }` gives a port the ALB does not listen on (the key is left out).
 */
export function buildSlotListener(slot: Slot, overrides: Partial<SlotListener> = {}): SlotListener {
  const port = overrides.port ?? 443;
  const listener: SlotListener = {
    port,
    listenerArn: `arn:aws:elasticloadbalancing:${SAMPLE_REGION}:${SAMPLE_ACCOUNT_ID}:listener/app/${albName(slot)}/${albId(slot)}/${slot}${port}`,
    priority: 10,
    ...overrides,
  };
  if (listener.listenerArn === undefined) delete listener.listenerArn;
  return listener;
}

/** The hosted zones of the sample's fqdns. */
export function buildZones(): HostedZoneInfo[] {
  return [
    { fqdn: 'orders.example.com', zoneId: 'Z0EXAMPLECOM', zoneName: 'example.com' },
    { fqdn: 'orders.shop.example.org', zoneId: 'Z0SHOPEXAMPLEORG', zoneName: 'shop.example.org' },
  ];
}

/** What discovery finds for the sample: both slots, both zones. */
export function buildEnvironment(
  overrides: { slots?: Partial<Record<Slot, Partial<SlotInfo>>>; zones?: HostedZoneInfo[] } = {},
): Environment {
  return {
    accountId: SAMPLE_ACCOUNT_ID,
    region: SAMPLE_REGION,
    slots: {
      blue: buildSlot('blue', overrides.slots?.blue),
      green: buildSlot('green', overrides.slots?.green),
    },
    zones: overrides.zones ?? buildZones(),
  };
}

export function buildIdentity(overrides: Partial<StackIdentity> = {}): StackIdentity {
  return { project: 'shop', name: 'orders-api', environment: 'prod', region: SAMPLE_REGION, ...overrides };
}

/** A stable stack with the sample's release live on blue. */
export function buildMeta(overrides: Partial<DeploymentMeta> = {}): DeploymentMeta {
  return {
    phase: 'stable',
    liveSlot: 'blue',
    liveVersion: SAMPLE_VERSION,
    deploymentId: 'd-20240501-0001',
    candidateVersion: null,
    candidateSlot: null,
    step: -1,
    startedAt: '2024-05-01T10:00:00.000Z',
    outcome: 'deployed',
    reason: null,
    ...overrides,
  };
}

/** A desired state; by default the sample's release alone on blue, serving 100 %. */
export function buildDesiredState(overrides: Partial<DesiredState> = {}): DesiredState {
  return {
    identity: buildIdentity(),
    environment: buildEnvironment(),
    listeners: {},
    releases: { blue: buildConfig() },
    weights: { blue: 100, green: 0 },
    meta: buildMeta(),
    ...overrides,
  };
}

/** `canary.analysis` as it resolves with every default (health.interval 10, health.timeout 300), then `overrides`. */
export function analysisConfig(overrides: Partial<AnalysisConfig> = {}): AnalysisConfig {
  return {
    interval: 10,
    delay: 60,
    min_requests: 50,
    failure_limit: 0,
    inconclusive: 'fail',
    timeout: 300,
    alarms: [],
    metrics: [],
    ...overrides,
  };
}
