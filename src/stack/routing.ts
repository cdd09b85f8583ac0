/**
 * How traffic reaches one release in one slot: its target groups, and its rules on the slot
 * ALB's listeners (on a listener the stack owns where the ALB has none).
 */
import { ListenerRule } from '@pulumi/aws/lb/listenerRule.js';
import { TargetGroup } from '@pulumi/aws/lb/targetGroup.js';
import { type Input, secret } from '@pulumi/pulumi';
import type { Slot, SlotInfo } from '../canary/ports/aws.js';
import type { DesiredState } from '../canary/ports/stack.js';
import type { ContainerPortRef, DeploymentConfig, ListenerConfig } from '../config/types.js';
import { logicalNames, targetGroupName } from './naming.js';
import {
  actionInput,
  conditionInput,
  type SecretResolver,
  targetGroupAttributeInputs,
} from './routing-inputs.js';
import { listenerKey, type SharedResources, type Tags } from './shared.js';

const sameTarget = (a: ContainerPortRef, b: ContainerPortRef): boolean =>
  a.name === b.name && a.port === b.port;

export interface DeclaredTargetGroup {
  container: ContainerPortRef;
  resource: TargetGroup;
}

export function declareTargetGroups(
  state: DesiredState,
  slot: Slot,
  release: DeploymentConfig,
  tags: Tags,
): DeclaredTargetGroup[] {
  const spec = release.service;
  return release.target_groups.map((tg) => ({
    container: tg.container,
    resource: new TargetGroup(logicalNames.targetGroup(slot, tg.container), {
      name: targetGroupName(state.identity, slot, tg.container),
      port: tg.port ?? tg.container.port,
      protocol: tg.protocol,
      vpcId: state.environment.slots[slot].vpcId,
      targetType: spec.network_mode === 'awsvpc' ? 'ip' : 'instance',
      deregistrationDelay: tg.deregistration_delay,
      ...targetGroupAttributeInputs(tg),
      healthCheck: {
        enabled: true,
        protocol: tg.health_check.protocol ?? tg.protocol,
        path: tg.health_check.path,
        matcher: tg.health_check.matcher,
        interval: tg.health_check.interval,
        timeout: tg.health_check.timeout,
        healthyThreshold: tg.health_check.healthy_threshold,
        unhealthyThreshold: tg.health_check.unhealthy_threshold,
      },
      tags,
    }),
  }));
}

/**
 * One rule per listener, forwarding the service's hosts (and paths) to its target group, and
 * one per further rule of the file (`listeners[].rules`), at the priority discovery chose for
 * it on that slot's listener, tagged like the first so its owner is known.
 */
export function declareListenerRules(
  state: DesiredState,
  slot: Slot,
  release: DeploymentConfig,
  targetGroups: DeclaredTargetGroup[],
  shared: SharedResources,
  tags: Tags,
): ListenerRule[] {
  const where = state.environment.slots[slot];
  // A Pulumi secret: the engine encrypts it in the state and masks it in every output and event.
  const secretOf: SecretResolver = (arn) => {
    const value = shared.clientSecrets?.get(arn);
    // The runner reads every ARN clientSecretArns lists before the program runs.
    if (value === undefined) throw new Error(`the client secret ${arn} was not read before the program ran`);
    return secret(value);
  };
  return release.listeners.flatMap((listener) => {
    const target = targetGroups.find((tg) => sameTarget(tg.container, listener.target_group.container));
    if (!target) {
      throw new Error(
        `listener on port ${listener.port} forwards to ${listener.target_group.container.name}:` +
          `${listener.target_group.container.port}, which no target group exposes`,
      );
    }
    const on = slotListener(slot, where, listener, shared);
    const { host_header, path_pattern = [] } = listener.rule.conditions;
    const conditions = [
      { hostHeader: { values: host_header } },
      ...(path_pattern.length > 0 ? [{ pathPattern: { values: path_pattern } }] : []),
    ];
    const main = new ListenerRule(logicalNames.listenerRule(slot, listener.port), {
      listenerArn: on.arn,
      priority: on.priority,
      conditions,
      actions: [{ type: 'forward', targetGroupArn: target.resource.arn }],
      tags,
    });
    const further = (listener.rules ?? []).map((rule, i) => {
      const priority = on.rulePriorities?.[i];
      if (priority === undefined) {
        throw new Error(
          `discovery chose no priority for rules[${i}] of port ${listener.port} on the ${slot} ALB`,
        );
      }
      return new ListenerRule(`${logicalNames.listenerRule(slot, listener.port)}-${i + 1}`, {
        listenerArn: on.arn,
        priority,
        conditions: rule.conditions.map(conditionInput),
        actions: rule.actions.map((action) => actionInput(action, target.resource.arn, secretOf)),
        tags,
      });
    });
    return [main, ...further];
  });
}

/**
 * The listener of the slot's ALB on a port of the file, with the rule priority discovery
 * chose: one the stack owns (it created it where the ALB had none), else the platform team's.
 */
function slotListener(
  slot: Slot,
  where: SlotInfo,
  listener: ListenerConfig,
  shared: SharedResources,
): { arn: Input<string>; priority: number; rulePriorities?: number[] | undefined } {
  const found = where.listeners.find((l) => l.port === listener.port);
  if (!found) {
    throw new Error(
      `discovery has no listener for port ${listener.port} of the ${slot} ALB (${where.albName})`,
    );
  }
  const owned = shared.listeners.get(listenerKey(slot, listener.port));
  const arn = owned ?? found.listenerArn;
  if (arn === undefined) {
    throw new Error(
      `the ${slot} ALB (${where.albName}) has no listener on port ${listener.port}, and the stack declares none`,
    );
  }
  return { arn, priority: found.priority, rulePriorities: found.rulePriorities };
}
