/**
 * Discovery: the account, the two slot ALBs of a canary group with their listeners
 * and rule priorities, and the hosted zone of every fqdn; later, the live weights of the
 * records. Implements the `AwsLookup` port over the narrow clients of ./clients.ts.
 *
 * Problems the user can fix (tags, the file's priorities, a missing zone) are UsageErrors
 * that say what was found and what to change; AWS failures arrive as the clients' errors.
 */
import type { Listener, LoadBalancer, Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ownerOfTags } from '../canary/ownership.js';
import type { AwsLookup, Environment, RuleOwner, Slot, SlotInfo, SlotListener } from '../canary/ports/aws.js';
import type { DeploymentConfig } from '../config/types.js';
import { EcsCrdError, UsageError } from '../errors.js';
import type { AwsClients, EcsApi, Elbv2Api } from './clients.js';
import {
  choosePriority,
  chooseRulePriorities,
  hasConditions,
  sameRuleConditions,
} from './rule-priorities.js';
import { allPages, chunk, once } from './util.js';
import { findZones, liveWeights, owners } from './zones.js';

export { choosePriority, type PriorityContext } from './rule-priorities.js';

/** The tags that make an ALB a slot of a canary group. */
export const GROUP_TAG = 'CanaryGroup';
export const RELEASE_TAG = 'CanaryRelease';

/** DescribeTags accepts at most 20 ARNs per call. */
const TAGS_BATCH = 20;
/** The largest page DescribeLoadBalancers, DescribeListeners and DescribeRules allow. */
const ELB_PAGE_SIZE = 400;

/** Choices that are not in the deployment file. */
export interface DiscoveryOptions {
  /** Look the fqdns up in private hosted zones instead of public ones. Default false. */
  privateZone?: boolean;
  /**
   * Require `service.cluster` to exist (default true): a deployment refuses before any change
   * what it would otherwise find only when ECS refuses the service, after creating the rest.
   * `rollback` does without: it must be able to undo a release whose cluster is gone.
   */
  requireCluster?: boolean;
}

/** The `AwsLookup` port over real (or faked) AWS clients. */
export function createAwsLookup(
  clients: Pick<AwsClients, 'region' | 'sts' | 'elbv2' | 'route53' | 'ecs'>,
  options: DiscoveryOptions = {},
): AwsLookup {
  // Asked once before rendering the templates and again by discover(): one STS call.
  const accountId = once(async () => {
    const { Account } = await clients.sts.getCallerIdentity({});
    if (Account === undefined) throw new EcsCrdError('AWS STS GetCallerIdentity returned no account id');
    return Account;
  });
  return {
    accountId,
    async discover(config: DeploymentConfig): Promise<Environment> {
      const [account, slots, zones] = await Promise.all([
        accountId(),
        findSlots(clients.elbv2, config, clients.region),
        findZones(clients.route53, config.service.fqdn, options.privateZone ?? false),
        options.requireCluster === false ? undefined : requireCluster(clients.ecs, config, clients.region),
      ]);
      return { accountId: account, region: clients.region, slots, zones };
    },
    liveWeights: (zones) => liveWeights(clients.route53, zones),
    owners: (zones) => owners(clients.route53, zones),
    serviceStatuses: (cluster, names) => serviceStatuses(clients.ecs, cluster, names),
  };
}

/** DescribeServices takes at most 10 services per call. */
const SERVICES_BATCH = 10;

async function serviceStatuses(
  ecs: EcsApi,
  cluster: string,
  names: string[],
): Promise<Record<string, string>> {
  const statuses: Record<string, string> = {};
  for (const services of chunk(names, SERVICES_BATCH)) {
    const found = await ecs.describeServices({ cluster, services });
    for (const service of found.services ?? []) {
      // An INACTIVE service is gone: its name is free again.
      if (service.serviceName && service.status && service.status !== 'INACTIVE')
        statuses[service.serviceName] = service.status;
    }
  }
  return statuses;
}

// ---------------------------------------------------------------- cluster

/** The service's ECS cluster exists and is active, or a UsageError that names it, the region and what to do. */
async function requireCluster(ecs: EcsApi, config: DeploymentConfig, region: string): Promise<void> {
  const { cluster } = config.service;
  const { clusters = [], failures = [] } = await ecs.describeClusters({ clusters: [cluster] });
  const found = clusters.find((c) => c.clusterName === cluster || c.clusterArn === cluster);
  if (found?.status === 'ACTIVE') return;
  const state = found
    ? `is ${found.status ?? 'not active'}`
    : `does not exist${failures[0]?.reason && failures[0].reason !== 'MISSING' ? ` (${failures[0].reason})` : ''}`;
  throw new UsageError(
    `The ECS cluster ${cluster} (service.cluster) ${state} in ${region}. Nothing was changed.`,
    {
      hint: `Create it (or have the platform team create it) in ${region}, or correct service.cluster in the deployment file; check -r/--region and the account (--profile) too.`,
    },
  );
}

// ---------------------------------------------------------------- slots

/** A load balancer with its tags. */
export interface TaggedLoadBalancer {
  loadBalancer: LoadBalancer;
  tags: Record<string, string>;
}

async function findSlots(
  elbv2: Elbv2Api,
  config: DeploymentConfig,
  region: string,
): Promise<Record<Slot, SlotInfo>> {
  const group = await listGroupLoadBalancers(elbv2, config.canary.group);
  // async, so that a slot's error is a rejection Promise.all handles, not a throw that would
  // leave the other slot's calls running unobserved.
  const slotInfo = async (slot: Slot): Promise<SlotInfo> => {
    const releaseId = config.canary.releases[slot];
    const loadBalancer = selectSlotLoadBalancer(group, {
      slot,
      group: config.canary.group,
      releaseId,
      region,
    });
    return describeSlot(elbv2, slot, releaseId, loadBalancer, config);
  };
  const [blue, green] = await Promise.all([slotInfo('blue'), slotInfo('green')]);
  return { blue, green };
}

/** Every load balancer of the region tagged `CanaryGroup=<group>`, whatever its type. */
async function listGroupLoadBalancers(elbv2: Elbv2Api, group: string): Promise<TaggedLoadBalancer[]> {
  const pages = await allPages(
    (Marker: string | undefined) => elbv2.describeLoadBalancers({ Marker, PageSize: ELB_PAGE_SIZE }),
    (page) => page.NextMarker,
  );
  const byArn = new Map<string, LoadBalancer>();
  for (const loadBalancer of pages.flatMap((page) => page.LoadBalancers ?? [])) {
    if (loadBalancer.LoadBalancerArn !== undefined) byArn.set(loadBalancer.LoadBalancerArn, loadBalancer);
  }
  // DescribeLoadBalancers cannot filter by tag: read the tags of all of them, 20 at a time.
  const found: TaggedLoadBalancer[] = [];
  for (const ResourceArns of chunk([...byArn.keys()], TAGS_BATCH)) {
    const { TagDescriptions = [] } = await elbv2.describeTags({ ResourceArns });
    for (const description of TagDescriptions) {
      const loadBalancer = byArn.get(description.ResourceArn ?? '');
      const tags = Object.fromEntries(
        (description.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']),
      );
      if (loadBalancer !== undefined && tags[GROUP_TAG] === group) found.push({ loadBalancer, tags });
    }
  }
  return found;
}

/** What a slot's ALB must carry. */
export interface SlotWanted {
  slot: Slot;
  group: string;
  releaseId: string;
  region: string;
}

/**
 * The one application load balancer of a slot among the group's load balancers, or a
 * UsageError that lists what the group holds.
 */
export function selectSlotLoadBalancer(group: TaggedLoadBalancer[], wanted: SlotWanted): LoadBalancer {
  const tagged = `${GROUP_TAG}=${wanted.group} and ${RELEASE_TAG}=${wanted.releaseId}`;
  const matches = group.filter((candidate) => candidate.tags[RELEASE_TAG] === wanted.releaseId);
  const [match, ...others] = matches;
  if (match === undefined) {
    const found =
      group.length === 0
        ? `No load balancer in ${wanted.region} is tagged ${GROUP_TAG}=${wanted.group}.`
        : `The group's load balancers: ${group.map((c) => `${lbName(c.loadBalancer)} (${RELEASE_TAG}=${c.tags[RELEASE_TAG] ?? 'missing'})`).join(', ')}.`;
    throw new UsageError(
      `No load balancer is tagged ${tagged} in ${wanted.region} (the ${wanted.slot} slot). ${found}`,
      {
        hint: `Tag the ${wanted.slot} slot's application load balancer with ${tagged}, or correct canary.group / canary.releases.${wanted.slot} in the deployment file.`,
      },
    );
  }
  if (others.length > 0) {
    throw new UsageError(
      `${matches.length} load balancers are tagged ${tagged} in ${wanted.region} (the ${wanted.slot} slot): ${matches.map((c) => `${lbName(c.loadBalancer)} (${c.loadBalancer.LoadBalancerArn})`).join(', ')}.`,
      {
        hint: `A slot is exactly one load balancer: remove the ${RELEASE_TAG} tag from all but one of them.`,
      },
    );
  }
  const { loadBalancer } = match;
  if (loadBalancer.Type !== 'application') {
    throw new UsageError(
      `Load balancer ${lbName(loadBalancer)}, tagged ${tagged} (the ${wanted.slot} slot), is of type ${loadBalancer.Type ?? 'unknown'}; a slot must be an application load balancer.`,
      { hint: `Move the ${GROUP_TAG} and ${RELEASE_TAG} tags to an application load balancer.` },
    );
  }
  return loadBalancer;
}

async function describeSlot(
  elbv2: Elbv2Api,
  slot: Slot,
  releaseId: string,
  loadBalancer: LoadBalancer,
  config: DeploymentConfig,
): Promise<SlotInfo> {
  const wantedListeners = config.listeners;
  const albArn = loadBalancer.LoadBalancerArn ?? '';
  const pages = await allPages(
    (Marker: string | undefined) =>
      elbv2.describeListeners({ LoadBalancerArn: albArn, Marker, PageSize: ELB_PAGE_SIZE }),
    (page) => page.NextMarker,
  );
  const existing = pages.flatMap((page) => page.Listeners ?? []);
  // Priorities handed out in this run, per port: two entries on one port must not share one.
  const assigned = new Map<number, Set<number>>();
  const listeners: SlotListener[] = [];
  const sameConditions = new Map<number, string>();
  const further: { index: number; rules: Rule[]; reserved: Set<number>; where: string }[] = [];
  for (const [index, wanted] of wantedListeners.entries()) {
    const listener = existing.find((candidate) => candidate.Port === wanted.port);
    const reserved = assigned.get(wanted.port) ?? new Set<number>();
    assigned.set(wanted.port, reserved);
    const rules = listener?.ListenerArn === undefined ? [] : await listRules(elbv2, listener.ListenerArn);
    const priority = choosePriority(rules, wanted, reserved, {
      where: `port ${wanted.port} of load balancer ${lbName(loadBalancer)} (the ${slot} slot)`,
      key: `listeners[${index}].rule.priority`,
    });
    reserved.add(priority);
    listeners.push(listenerInfo(wanted.port, listener, priority));
    const same = rules.find((rule) => rule.IsDefault !== true && hasConditions(rule, wanted.rule.conditions));
    if (same?.RuleArn !== undefined) sameConditions.set(index, same.RuleArn);
    if ((wanted.rules ?? []).length > 0) {
      const where = `port ${wanted.port} of load balancer ${lbName(loadBalancer)} (the ${slot} slot)`;
      further.push({ index, rules, reserved, where });
    }
  }
  await chooseFurtherPriorities(elbv2, config, further, listeners);
  // Whose those rules are, from their tags: one call for the slot (at most 20 entries per call).
  const owners = await ruleOwners(elbv2, [...sameConditions.values()]);
  for (const [index, ruleArn] of sameConditions) {
    const listener = listeners[index];
    if (listener !== undefined) listener.existingRule = { ruleArn, owner: owners.get(ruleArn) ?? null };
  }
  return {
    slot,
    releaseId,
    albArn,
    albName: lbName(loadBalancer),
    albDnsName: loadBalancer.DNSName ?? '',
    albZoneId: loadBalancer.CanonicalHostedZoneId ?? '',
    vpcId: loadBalancer.VpcId ?? '',
    listeners,
  };
}

/**
 * The priorities of the further rules (`listeners[].rules`), after every entry's main rule
 * has its own: a rule with the same conditions is this service's own only when its tags name
 * this service (read in one call for the slot), so no other service's rule is ever taken over.
 */
async function chooseFurtherPriorities(
  elbv2: Elbv2Api,
  config: DeploymentConfig,
  further: { index: number; rules: Rule[]; reserved: Set<number>; where: string }[],
  listeners: SlotListener[],
): Promise<void> {
  const wantedOf = (index: number) => config.listeners[index]?.rules ?? [];
  const candidates = further.flatMap(({ index, rules }) =>
    rules.filter((rule) => wantedOf(index).some((wanted) => sameRuleConditions(rule, wanted))),
  );
  const owners = await ruleOwners(
    elbv2,
    candidates.flatMap((rule) => (rule.RuleArn === undefined ? [] : [rule.RuleArn])),
  );
  const { project, name } = config.service;
  const ours = new Set(
    [...owners].filter(([, owner]) => owner.project === project && owner.name === name).map(([arn]) => arn),
  );
  for (const { index, rules, reserved, where } of further) {
    const listener = listeners[index];
    if (listener === undefined) continue;
    listener.rulePriorities = chooseRulePriorities(rules, wantedOf(index), ours, reserved, (i) => ({
      where,
      key: `listeners[${index}].rules[${i}].priority`,
    }));
  }
}

function listenerInfo(port: number, listener: Listener | undefined, priority: number): SlotListener {
  return listener?.ListenerArn === undefined
    ? { port, priority }
    : { port, listenerArn: listener.ListenerArn, priority };
}

/** Per rule ARN, the ecs-crd service its tags name; rules without those tags are left out. */
async function ruleOwners(elbv2: Elbv2Api, ruleArns: string[]): Promise<Map<string, RuleOwner>> {
  const owners = new Map<string, RuleOwner>();
  for (const ResourceArns of chunk(ruleArns, TAGS_BATCH)) {
    const { TagDescriptions = [] } = await elbv2.describeTags({ ResourceArns });
    for (const description of TagDescriptions) {
      const owner = ownerOfTags(
        new Map((description.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? ''])),
      );
      if (description.ResourceArn && owner) owners.set(description.ResourceArn, owner);
    }
  }
  return owners;
}

async function listRules(elbv2: Elbv2Api, listenerArn: string): Promise<Rule[]> {
  const pages = await allPages(
    (Marker: string | undefined) =>
      elbv2.describeRules({ ListenerArn: listenerArn, Marker, PageSize: ELB_PAGE_SIZE }),
    (page) => page.NextMarker,
  );
  return pages.flatMap((page) => page.Rules ?? []);
}

function lbName(loadBalancer: LoadBalancer): string {
  return loadBalancer.LoadBalancerName ?? loadBalancer.LoadBalancerArn ?? 'unnamed';
}
