/**
 * Who owns a name. The slot ALBs and the hosted zones are shared by many services, so a
 * deployment must never take over another service's records (or, through them, its users).
 * Ownership is recorded in AWS, where every stack can read it, the way external-dns marks the
 * names it manages: a TXT record beside each name, `_ecs-crd.<fqdn>`, naming the stack.
 */
import type { Environment, RuleOwner } from './ports/aws.js';
import type { StackOutputs } from './ports/stack.js';

/** The label the ownership record of a name is put under. */
const OWNERSHIP_LABEL = '_ecs-crd';
const HERITAGE = 'heritage=ecs-crd';
const STACK_KEY = 'ecs-crd/stack=';

/** `_ecs-crd.<fqdn>`: where the owner of `fqdn` is recorded. */
export function ownershipRecordName(fqdn: string): string {
  return `${OWNERSHIP_LABEL}.${fqdn}`;
}

/** The TXT value naming `stack` as the owner (the provider quotes it for Route 53). */
export function ownershipValue(stack: string): string {
  return `${HERITAGE},${STACK_KEY}${stack}`;
}

/** The stack a TXT value (as Route 53 returns it, quoted) names, or null for one ecs-crd did not write. */
export function ownerOfValue(value: string): string | null {
  const text = value.replace(/^"|"$/g, '');
  const [heritage, stack] = text.split(',');
  if (heritage !== HERITAGE || !stack?.startsWith(STACK_KEY)) return null;
  return stack.slice(STACK_KEY.length) || null;
}

/** The fqdns a stack's releases were declared with: its own names, also before ownership records existed. */
export function declaredNames(outputs: StackOutputs | null): string[] {
  return [
    ...new Set(Object.values(outputs?.releases ?? {}).flatMap((release) => release?.service.fqdn ?? [])),
  ];
}

export interface OwnershipInput {
  /** This service's stack. */
  stack: string;
  /** The fqdns the deployment serves. */
  fqdns: string[];
  /** Per fqdn, the stack its ownership record names; null when it has none. */
  owners: Record<string, string | null>;
  /** Per fqdn, the weighted records Route 53 holds (set identifier → weight). */
  records: Record<string, Record<string, number>>;
  /** The fqdns this stack's last run declared (its releases' `service.fqdn`). */
  declared: string[];
  /** `--adopt`: take over records that no ecs-crd stack owns. */
  adopt: boolean;
  /** This service, as the tags of its listener rules name it. */
  service: RuleOwner;
  /** The rules already on the slot listeners with exactly this deployment's conditions. */
  rules: ExistingRule[];
  /** The ECS services of both slots: their names, the cluster's status of each, and this stack's own. */
  services: { cluster: string; names: string[]; live: Record<string, string>; own: string[] };
}

/** A rule on a slot listener routing exactly this deployment's hosts and paths. */
export interface ExistingRule {
  /** Where it is, for the message: the port, the ALB and the slot. */
  where: string;
  ruleArn: string;
  owner: RuleOwner | null;
}

/** The rules of the slot listeners that route exactly this deployment's conditions. */
export function existingRules(environment: Pick<Environment, 'slots'>): ExistingRule[] {
  return Object.values(environment.slots).flatMap((slot) =>
    slot.listeners.flatMap((listener) =>
      listener.existingRule === undefined
        ? []
        : [
            {
              where: `port ${listener.port} of ${slot.albName} (the ${slot.slot} slot)`,
              ...listener.existingRule,
            },
          ],
    ),
  );
}

/** The tags naming the service every resource of a stack carries: its listener rules' owner. */
const OWNER_TAGS: Readonly<Record<keyof RuleOwner, string>> = {
  project: 'ecs-crd:project',
  name: 'ecs-crd:service',
  environment: 'ecs-crd:environment',
};

/** The tags naming `owner`, for every resource of its stack. */
export function ownerTags(owner: RuleOwner): Record<string, string> {
  return {
    [OWNER_TAGS.project]: owner.project,
    [OWNER_TAGS.name]: owner.name,
    [OWNER_TAGS.environment]: owner.environment,
  };
}

/** The service a resource's tags name, or null when they are not ecs-crd's. */
export function ownerOfTags(tags: ReadonlyMap<string, string>): RuleOwner | null {
  const project = tags.get(OWNER_TAGS.project);
  const name = tags.get(OWNER_TAGS.name);
  const environment = tags.get(OWNER_TAGS.environment);
  return project && name && environment ? { project, name, environment } : null;
}

const sameOwner = (a: RuleOwner, b: RuleOwner): boolean =>
  a.project === b.project && a.name === b.name && a.environment === b.environment;

const ownerText = (owner: RuleOwner): string =>
  `${owner.project}/${owner.name} (environment ${owner.environment})`;

export interface OwnershipVerdict {
  /** Names that cannot be deployed to, each with why and what to do. */
  refused: string[];
  /** Names without an owner whose records `--adopt` takes over. */
  adopted: string[];
}

/**
 * Refuses a name another stack owns, whatever `adopt` says; refuses records of a name nobody
 * owns (the original tool's, or made by hand) unless `adopt`; a name this stack declared
 * before ownership was recorded is its own. Refuses as well a listener rule of another
 * ecs-crd service routing exactly these hosts and paths (its tags name it): two services
 * behind one rule would take each other's traffic whatever the records say.
 */
export function checkOwnership(input: OwnershipInput): OwnershipVerdict {
  const refused: string[] = [];
  const adopted: string[] = [];
  for (const fqdn of input.fqdns) {
    const owner = input.owners[fqdn] ?? null;
    if (owner !== null) {
      if (owner !== input.stack) {
        refused.push(
          `${fqdn} belongs to the ecs-crd stack ${owner} (its TXT record ${ownershipRecordName(fqdn)}): a deployment never takes over another service's name; give this service its own fqdn, or undeploy ${owner} first`,
        );
      }
      continue;
    }
    const existing = Object.keys(input.records[fqdn] ?? {});
    // DNS names compare without case: `API.example.com` declared before is this `api.example.com`.
    const declared = input.declared.some((name) => name.toLowerCase() === fqdn.toLowerCase());
    if (existing.length === 0 || declared) continue;
    if (input.adopt) adopted.push(fqdn);
    else {
      refused.push(
        `${fqdn} already has weighted records (${existing.join(', ')}) that no ecs-crd stack owns: if they are this service's (released by the original tool), deploy with --adopt to take them over`,
      );
    }
  }
  const { services } = input;
  for (const name of services.names) {
    const status = services.live[name];
    if (status === undefined || services.own.includes(name)) continue;
    refused.push(
      status === 'DRAINING'
        ? `the ECS service ${name} of cluster ${services.cluster} is still DRAINING after its deletion, and ECS refuses its name until it is INACTIVE: deploy again once its targets have drained (the target groups' deregistration delay)`
        : `the ECS service ${name} already exists in cluster ${services.cluster} (${status}) and this stack did not create it: a deployment never takes over another service; delete it, or give this deployment another project, name or environment`,
    );
  }
  for (const rule of input.rules) {
    // A rule without ecs-crd's tags (made by hand, or by the original tool) is not a claim.
    if (rule.owner === null || sameOwner(rule.owner, input.service)) continue;
    refused.push(
      `listener rule ${rule.ruleArn} on ${rule.where} already routes these host names for the ecs-crd service ${ownerText(rule.owner)}: a deployment never takes over another service's rule; give this service its own host names (or paths), or undeploy that service first`,
    );
  }
  return { refused, adopted };
}
