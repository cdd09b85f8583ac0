/**
 * The Pulumi program: a pure function of the `DesiredState`. Per slot holding a release it
 * declares that release (task definition, service, target groups, listener rules, and a
 * listener where the slot's ALB has none); shared, it declares the log group, the two roles
 * and, per fqdn, the weighted alias record of each slot. Weights feed only the records, and
 * every per-slot resource depends only on its own release, so a weight change updates only
 * records and removing a release deletes only that slot's resources.
 *
 * `@pulumi/aws` is imported file by file: under ESM a sub-module index (`@pulumi/aws/ecs`)
 * is a directory import Node refuses, and `@pulumi/aws/ecs/index.js` evaluates every lazy
 * export of the module (~200 files for these five); one file per resource class loads 11.
 */
import { LogGroup } from '@pulumi/aws/cloudwatch/logGroup.js';
import { Role } from '@pulumi/aws/iam/role.js';
import { RolePolicyAttachment } from '@pulumi/aws/iam/rolePolicyAttachment.js';
import { Listener } from '@pulumi/aws/lb/listener.js';
import { ListenerCertificate } from '@pulumi/aws/lb/listenerCertificate.js';
import { Record as DnsRecord } from '@pulumi/aws/route53/record.js';
import type { Output } from '@pulumi/pulumi';
import { ownershipRecordName, ownershipValue } from '../canary/ownership.js';
import { SLOTS, type Slot } from '../canary/ports/aws.js';
import type { DesiredState, StackIdentity, StackOutputs } from '../canary/ports/stack.js';
import type { DeploymentConfig } from '../config/types.js';
import { ecsTasksTrustPolicy } from './documents.js';
import { logGroupName, logicalNames, partitionOf, roleName, stackName } from './naming.js';
import { declareRelease, serviceTags } from './release.js';
import { listenerKey, type SharedResources, type Tags } from './shared.js';

/** The ownership records change only with their stack: a long TTL costs nothing. */
const OWNERSHIP_TTL_S = 300;

/** How long the service's logs are kept. */
export const LOG_RETENTION_DAYS = 30;

/**
 * The stack outputs as the program returns them: `StackOutputs`, with the ARNs and names AWS
 * assigns still to come.
 */
export interface DeploymentOutputs extends Omit<Required<StackOutputs>, 'targetGroupArns' | 'serviceNames'> {
  targetGroupArns: Partial<Record<Slot, Output<string>[]>>;
  serviceNames: Partial<Record<Slot, Output<string>>>;
}

/** What a run needs besides the desired state: values read at deploy time, kept out of it. */
export interface ProgramInputs {
  /** The client secrets of authenticate-oidc actions, by ARN (see `clientSecretArns`). */
  clientSecrets?: ReadonlyMap<string, string>;
}

/** The inline program of one `up`/`preview` for `LocalWorkspace`: declares, then returns the outputs. */
export function deploymentProgram(
  state: DesiredState,
  inputs: ProgramInputs = {},
): () => Promise<Record<string, unknown>> {
  return async () => ({ ...declareDeployment(state, inputs) });
}

/** Declares every resource of the desired state (inside a Pulumi program run) and returns the outputs. */
export function declareDeployment(state: DesiredState, inputs: ProgramInputs = {}): DeploymentOutputs {
  assertWeights(state.weights);
  const shared = {
    ...declareShared(state.identity),
    listeners: declareListeners(state),
    ...(inputs.clientSecrets === undefined ? {} : { clientSecrets: inputs.clientSecrets }),
  };
  const outputs: DeploymentOutputs = {
    meta: state.meta,
    releases: recordedReleases(state.releases),
    weights: state.weights,
    targetGroupArns: {},
    serviceNames: {},
    slots: {},
    listeners: state.listeners,
  };
  for (const slot of SLOTS) {
    const release = state.releases[slot];
    if (!release) continue;
    const declared = declareRelease(state, slot, release, shared);
    outputs.targetGroupArns[slot] = declared.targetGroupArns;
    outputs.serviceNames[slot] = declared.serviceName;
    outputs.slots[slot] = state.environment.slots[slot];
  }
  declareRecords(state);
  return outputs;
}

/**
 * The releases as the outputs record them, for the next deployment to declare the live one
 * again: without `canary.hooks`, which belong to the pipeline running a deployment, not to the
 * release, and may hold a token (a webhook's headers) that whoever reads the state must not
 * see. No resource depends on them, so re-declaring a recorded release changes nothing.
 */
export function recordedReleases(
  releases: Partial<Record<Slot, DeploymentConfig>>,
): Partial<Record<Slot, DeploymentConfig>> {
  const recorded: Partial<Record<Slot, DeploymentConfig>> = {};
  for (const slot of SLOTS) {
    const release = releases[slot];
    if (!release) continue;
    const { hooks: _hooks, ...canary } = release.canary;
    recorded[slot] = release.canary.hooks === undefined ? release : { ...release, canary };
  }
  return recorded;
}

/**
 * The last check before DNS: a weight pair that does not sum to 100 is a bug upstream, and
 * declaring it would send traffic where no health gate allowed it.
 */
function assertWeights(weights: Record<Slot, number>): void {
  const valid = SLOTS.every(
    (slot) => Number.isInteger(weights[slot]) && weights[slot] >= 0 && weights[slot] <= 100,
  );
  if (!valid || weights.blue + weights.green !== 100) {
    throw new Error(
      `weights must be two integers from 0 to 100 summing to 100, got ${JSON.stringify(weights)}`,
    );
  }
}

// ---------------------------------------------------------------- shared

/**
 * The listeners the stack owns, on the slot ALBs that had none on a port: declared for as long
 * as the stack lives, whichever releases it holds, since other services' rules may sit on
 * them; and left in place by `undeploy` (retained), for the same reason. A fixed 404 answers
 * what no rule routes.
 */
function declareListeners(state: DesiredState): Map<string, Output<string>> {
  const arns = new Map<string, Output<string>>();
  const tags: Tags = serviceTags(state.identity);
  for (const slot of SLOTS) {
    for (const owned of state.listeners[slot] ?? []) {
      const [certificate, ...more] = owned.protocol === 'HTTPS' ? owned.certificateArns : [];
      const listener = new Listener(
        logicalNames.listener(slot, owned.port),
        {
          loadBalancerArn: state.environment.slots[slot].albArn,
          port: owned.port,
          protocol: owned.protocol,
          certificateArn: certificate,
          defaultActions: [
            {
              type: 'fixed-response',
              fixedResponse: { contentType: 'text/plain', statusCode: '404', messageBody: 'Not Found' },
            },
          ],
          tags,
        },
        { retainOnDelete: true },
      );
      more.forEach((certificateArn, index) => {
        new ListenerCertificate(logicalNames.listenerCertificate(slot, owned.port, index + 1), {
          listenerArn: listener.arn,
          certificateArn,
        });
      });
      arns.set(listenerKey(slot, owned.port), listener.arn);
    }
  }
  return arns;
}

function declareShared(identity: StackIdentity): Omit<SharedResources, 'listeners'> {
  const tags = serviceTags(identity);
  const logGroup = new LogGroup(logicalNames.logGroup, {
    name: logGroupName(identity),
    retentionInDays: LOG_RETENTION_DAYS,
    tags,
  });
  const executionRole = new Role(logicalNames.executionRole, {
    name: roleName(identity, 'execution'),
    description: `ECS task execution role of ${identity.project}/${identity.name} (${identity.environment})`,
    assumeRolePolicy: ecsTasksTrustPolicy(),
    tags,
  });
  const executionManagedPolicy = new RolePolicyAttachment(logicalNames.executionRoleManagedPolicy, {
    role: executionRole.name,
    policyArn: `arn:${partitionOf(identity.region)}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy`,
  });
  const taskRole = new Role(logicalNames.taskRole, {
    name: roleName(identity, 'task'),
    description: `ECS task role of ${identity.project}/${identity.name} (${identity.environment})`,
    assumeRolePolicy: ecsTasksTrustPolicy(),
    tags,
  });
  return { logGroup, executionRole, executionManagedPolicy, taskRole };
}

/**
 * Per fqdn, one weighted alias record per slot, whether the slot holds a release or not:
 * both always exist, so a traffic shift is two weight updates and never a create or delete.
 */
function declareRecords(state: DesiredState): void {
  const evaluateTargetHealth = evaluatesTargetHealth(state);
  const owner = ownershipValue(stackName(state.identity));
  for (const zone of state.environment.zones) {
    // Beside the name, for every other stack to see: this name is ours (never overwritten).
    new DnsRecord(logicalNames.ownership(zone.fqdn), {
      zoneId: zone.zoneId,
      name: ownershipRecordName(zone.fqdn),
      type: 'TXT',
      ttl: OWNERSHIP_TTL_S,
      records: [owner],
    });
    for (const slot of SLOTS) {
      const alb = state.environment.slots[slot];
      new DnsRecord(logicalNames.record(zone.fqdn, slot), {
        zoneId: zone.zoneId,
        name: zone.fqdn,
        type: 'A',
        setIdentifier: alb.releaseId,
        weightedRoutingPolicies: [{ weight: state.weights[slot] }],
        aliases: [{ name: alb.albDnsName, zoneId: alb.albZoneId, evaluateTargetHealth }],
        // UPSERT rather than CREATE: takes over the records of a service first released by
        // the original tool (same name and set identifier) instead of failing on them.
        allowOverwrite: true,
      });
    }
  }
}

/**
 * Whether Route 53 judges the slot ALBs' health, as the newest release's file says (the
 * candidate's, else the live one's). Off unless asked: Route 53 calls an ALB unhealthy when any
 * target group of it with targets has none healthy, so on ALBs shared by several services one
 * service's starting candidate would send every other service's traffic to its weight-0 record.
 */
function evaluatesTargetHealth(state: DesiredState): boolean {
  const { candidateSlot, liveSlot } = state.meta;
  const newest =
    (candidateSlot ? state.releases[candidateSlot] : undefined) ??
    (liveSlot ? state.releases[liveSlot] : undefined);
  return newest?.canary.evaluate_target_health ?? false;
}
