/**
 * Reads what traffic depends on from the emulator, as one `World`: every weighted alias
 * record, every ALB with its listeners and rules, every target group's target states and
 * release tags, and the `SANDBOX_ERROR_RATE` / `SANDBOX_LATENCY_MS` of the ECS service behind
 * each target group (its task definition's container environment). It reads AWS state only;
 * it never asks ecs-crd. Its requests carry `sandbox-observer` in their user agent, so the emulator's throttling
 * and injected failures (meant for the product) never hit them, nor draw from their generator.
 */

import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import {
  type Action,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import {
  type AlbView,
  DEFAULT_LATENCY_MS,
  type DefaultAction,
  type ListenerView,
  normalizeName,
  type RecordView,
  type TargetGroupView,
  type TargetState,
  type World,
} from './model.js';

export interface WorldReader {
  read(): Promise<World>;
}

const KNOBS_MAX_AGE_MS = 5_000;

/** A reader of the emulator at `endpoint`. */
export function emulatorWorld(endpoint: string, region: string): WorldReader {
  const config = {
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
    // The emulator knows the sandbox's own observation by this (see the module comment).
    customUserAgent: 'sandbox-observer',
  };
  const elb = new ElasticLoadBalancingV2Client(config);
  const route53 = new Route53Client(config);
  const ecs = new ECSClient(config);
  // Task definitions never change once registered: each is read once.
  const definitions = new Map<string, TaskDefinition>();
  let knobs = { byGroup: new Map<string, Knobs>(), readAt: 0 };
  let hadRecords = false;
  return {
    async read() {
      // No name to send requests to at the last read: the records alone, until one appears.
      if (!hadRecords) {
        const records = await readRecords(route53);
        hadRecords = Object.keys(records).length > 0;
        if (!hadRecords) return { records, albs: [], targetGroups: {} };
      }
      const [records, albs, groups] = await Promise.all([
        readRecords(route53),
        readAlbs(elb),
        readTargetGroups(elb),
      ]);
      hadRecords = Object.keys(records).length > 0;
      // A release's knobs change only with its service's task definition: read again when a
      // target group is new to them, else every KNOBS_MAX_AGE_MS.
      const unknown = Object.keys(groups).some((arn) => !knobs.byGroup.has(arn));
      if (unknown || Date.now() - knobs.readAt > KNOBS_MAX_AGE_MS) {
        const byGroup = await readReleaseKnobs(ecs, definitions);
        // A group with no service (yet): the defaults, until the next read of them.
        for (const [arn, group] of Object.entries(groups)) {
          if (!byGroup.has(arn)) byGroup.set(arn, { errorRate: group.errorRate, latencyMs: group.latencyMs });
        }
        knobs = { byGroup, readAt: Date.now() };
      }
      const targetGroups = Object.fromEntries(
        Object.entries(groups).map(([arn, group]) => {
          const { errorRateOverride, ...view } = group;
          const released = { ...view, ...(knobs.byGroup.get(arn) ?? {}) };
          return [
            arn,
            errorRateOverride === undefined ? released : { ...released, errorRate: errorRateOverride },
          ];
        }),
      );
      return { records, albs, targetGroups };
    },
  };
}

/** `app/<name>/<id>` of an ALB's ARN, `targetgroup/<name>/<id>` of a target group's: CloudWatch's dimensions. */
export function dimensionOf(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.replace(/^loadbalancer\//, '');
}

type Knobs = Pick<TargetGroupView, 'errorRate' | 'latencyMs'>;

/** The container environment knobs of the ACTIVE ECS service behind each target group ARN. */
async function readReleaseKnobs(
  ecs: ECSClient,
  definitions: Map<string, TaskDefinition>,
): Promise<Map<string, Knobs>> {
  const knobs = new Map<string, Knobs>();
  const clusters = (await ecs.send(new ListClustersCommand({}))).clusterArns ?? [];
  for (const cluster of clusters) {
    const arns = (await ecs.send(new ListServicesCommand({ cluster, maxResults: 100 }))).serviceArns ?? [];
    for (let i = 0; i < arns.length; i += 10) {
      const page = await ecs.send(new DescribeServicesCommand({ cluster, services: arns.slice(i, i + 10) }));
      for (const service of page.services ?? []) {
        if (service.status !== 'ACTIVE' || !service.taskDefinition) continue;
        const definition = await taskDefinition(ecs, definitions, service.taskDefinition);
        for (const balancer of service.loadBalancers ?? []) {
          if (!balancer.targetGroupArn) continue;
          knobs.set(balancer.targetGroupArn, releaseKnobs(definition, balancer.containerName));
        }
      }
    }
  }
  return knobs;
}

async function taskDefinition(
  ecs: ECSClient,
  definitions: Map<string, TaskDefinition>,
  arn: string,
): Promise<TaskDefinition> {
  const known = definitions.get(arn);
  if (known) return known;
  const read =
    (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }))).taskDefinition ?? {};
  definitions.set(arn, read);
  return read;
}

/** `SANDBOX_ERROR_RATE` (0–1, else 0) and `SANDBOX_LATENCY_MS` (> 0, else the default) of the container. */
export function releaseKnobs(definition: TaskDefinition, containerName: string | undefined): Knobs {
  const containers = definition.containerDefinitions ?? [];
  const container = containers.find((candidate) => candidate.name === containerName) ?? containers[0];
  const env = Object.fromEntries((container?.environment ?? []).map((pair) => [pair.name, pair.value]));
  const rate = Number(env.SANDBOX_ERROR_RATE);
  const latency = Number(env.SANDBOX_LATENCY_MS);
  return {
    errorRate: Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : 0,
    latencyMs: Number.isFinite(latency) && latency > 0 ? latency : DEFAULT_LATENCY_MS,
  };
}

async function readRecords(route53: Route53Client): Promise<World['records']> {
  const records: World['records'] = {};
  const zones = (await route53.send(new ListHostedZonesCommand({}))).HostedZones ?? [];
  for (const zone of zones) {
    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.Id }));
    for (const set of page.ResourceRecordSets ?? []) {
      if (set.Type !== 'A' || !set.AliasTarget?.DNSName || set.Weight === undefined || !set.Name) continue;
      const view: RecordView = {
        setIdentifier: set.SetIdentifier ?? '',
        weight: set.Weight,
        aliasDnsName: normalizeName(set.AliasTarget.DNSName),
        evaluateTargetHealth: set.AliasTarget.EvaluateTargetHealth === true,
      };
      const name = normalizeName(set.Name);
      records[name] = [...(records[name] ?? []), view];
    }
  }
  return records;
}

async function readAlbs(elb: ElasticLoadBalancingV2Client): Promise<AlbView[]> {
  const loadBalancers = (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers ?? [];
  return Promise.all(
    loadBalancers.map(async (lb) => {
      const listeners = (
        await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb.LoadBalancerArn }))
      ).Listeners;
      const views: ListenerView[] = await Promise.all(
        (listeners ?? []).map(async (listener) => {
          const rules =
            (await elb.send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn }))).Rules ?? [];
          return {
            port: listener.Port ?? 0,
            rules: rules.filter((rule) => !rule.IsDefault).flatMap(ruleView),
            defaultAction: defaultAction(listener.DefaultActions ?? []),
          };
        }),
      );
      return {
        dnsName: normalizeName(lb.DNSName ?? ''),
        dimension: dimensionOf(lb.LoadBalancerArn ?? ''),
        listeners: views,
      };
    }),
  );
}

function ruleView(rule: Rule): ListenerView['rules'] {
  const forward = forwardTarget(rule.Actions ?? []);
  if (!forward) return [];
  const values = (field: string) =>
    (rule.Conditions ?? [])
      .filter((c) => c.Field === field)
      .flatMap((c) => c.HostHeaderConfig?.Values ?? c.PathPatternConfig?.Values ?? c.Values ?? []);
  return [
    {
      priority: Number(rule.Priority),
      hosts: values('host-header'),
      paths: values('path-pattern'),
      targetGroupArn: forward,
    },
  ];
}

function forwardTarget(actions: Action[]): string | undefined {
  const forward = actions.find((action) => action.Type === 'forward');
  return forward?.TargetGroupArn ?? forward?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
}

function defaultAction(actions: Action[]): DefaultAction {
  const forward = forwardTarget(actions);
  if (forward) return { kind: 'forward', targetGroupArn: forward };
  const fixed = actions.find((action) => action.Type === 'fixed-response');
  return { kind: 'fixed', status: Number(fixed?.FixedResponseConfig?.StatusCode ?? 404) };
}

/**
 * `sandbox:error-rate=<0–1>` on a target group overrides its release's `SANDBOX_ERROR_RATE` from
 * the next read on: a release that starts answering 5xx while it runs (the bench's metric failure),
 * as `sandbox:health` makes one unhealthy.
 */
const ERROR_RATE_TAG = 'sandbox:error-rate';

type TargetGroupRead = TargetGroupView & { errorRateOverride?: number };

async function readTargetGroups(elb: ElasticLoadBalancingV2Client): Promise<Record<string, TargetGroupRead>> {
  const groups = (await elb.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [];
  const arns = groups.flatMap((group) => (group.TargetGroupArn ? [group.TargetGroupArn] : []));
  const tags = new Map<string, Record<string, string>>();
  for (let i = 0; i < arns.length; i += 20) {
    const described = await elb.send(new DescribeTagsCommand({ ResourceArns: arns.slice(i, i + 20) }));
    for (const entry of described.TagDescriptions ?? []) {
      tags.set(
        entry.ResourceArn ?? '',
        Object.fromEntries((entry.Tags ?? []).map((t) => [t.Key ?? '', t.Value ?? ''])),
      );
    }
  }
  const views = await Promise.all(
    arns.map(async (arn): Promise<TargetGroupRead> => {
      const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      const tagged = tags.get(arn) ?? {};
      const override = Number(tagged[ERROR_RATE_TAG] ?? Number.NaN);
      return {
        ...(override >= 0 && override <= 1 ? { errorRateOverride: override } : {}),
        arn,
        dimension: dimensionOf(arn),
        errorRate: 0,
        latencyMs: DEFAULT_LATENCY_MS,
        release: `${tagged['ecs-crd:service'] ?? '?'} ${tagged['ecs-crd:version'] ?? '?'} (${tagged['ecs-crd:slot'] ?? '?'})`,
        targets: (health.TargetHealthDescriptions ?? []).map(
          (description) => (description.TargetHealth?.State ?? 'unavailable') as TargetState,
        ),
      };
    }),
  );
  return Object.fromEntries(views.map((view) => [view.arn, view]));
}
