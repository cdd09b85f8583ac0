/**
 * Reads what traffic depends on from the emulator, as one `World`: every weighted alias
 * record, every ALB with its listeners and rules, and every target group's target states and
 * release tags. It reads AWS state only; it never asks ecs-crd.
 */
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

/** A reader of the emulator at `endpoint`. */
export function emulatorWorld(endpoint: string, region: string): WorldReader {
  const config = {
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  };
  const elb = new ElasticLoadBalancingV2Client(config);
  const route53 = new Route53Client(config);
  return {
    async read() {
      const [records, albs, targetGroups] = await Promise.all([
        readRecords(route53),
        readAlbs(elb),
        readTargetGroups(elb),
      ]);
      return { records, albs, targetGroups };
    },
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
      return { dnsName: normalizeName(lb.DNSName ?? ''), listeners: views };
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

async function readTargetGroups(elb: ElasticLoadBalancingV2Client): Promise<World['targetGroups']> {
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
    arns.map(async (arn): Promise<TargetGroupView> => {
      const health = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: arn }));
      const tagged = tags.get(arn) ?? {};
      return {
        arn,
        release: `${tagged['ecs-crd:service'] ?? '?'} ${tagged['ecs-crd:version'] ?? '?'} (${tagged['ecs-crd:slot'] ?? '?'})`,
        targets: (health.TargetHealthDescriptions ?? []).map(
          (description) => (description.TargetHealth?.State ?? 'unavailable') as TargetState,
        ),
      };
    }),
  );
  return Object.fromEntries(views.map((view) => [view.arn, view]));
}
