/**
 * The pieces of a desired state that a deployment and a recovery build alike: the split of
 * traffic between the two slots, and the discovery each existing release is declared with.
 * Pure.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { type Environment, SLOTS, type Slot } from '../ports/aws.js';
import type { OwnedListener, StackOutputs } from '../ports/stack.js';

/** `candidate` gets `candidateWeight` %, the other slot the rest: the two always sum to 100. */
export function splitWeights(candidate: Slot, candidateWeight: number): Record<Slot, number> {
  const rest = 100 - candidateWeight;
  return candidate === 'blue'
    ? { blue: candidateWeight, green: rest }
    : { blue: rest, green: candidateWeight };
}

/**
 * The discovery to declare with: for each of `slots` (releases that already exist), the slot
 * as the stack recorded it when the release was created (its rule priority, a listener the
 * stack made), not the fresh discovery, which would move or drop them.
 */
export function keepDeclaredSlots(
  discovered: Environment,
  outputs: StackOutputs | null,
  slots: Slot[],
): Environment {
  const kept = { ...discovered.slots };
  for (const slot of slots) kept[slot] = outputs?.slots?.[slot] ?? kept[slot];
  return { ...discovered, slots: kept };
}

/**
 * The listeners the stack owns once `release` (if any) is declared on its slot: every one it
 * created before, plus one per port of the release where the slot's ALB has none. None is ever
 * dropped here: a listener may carry other services' rules.
 */
export function ownedListeners(
  outputs: StackOutputs | null,
  environment: Environment,
  release?: { slot: Slot; config: DeploymentConfig },
): Partial<Record<Slot, OwnedListener[]>> {
  const owned = recordedListeners(outputs);
  if (!release) return owned;
  const { slot, config } = release;
  const mine = [...(owned[slot] ?? [])];
  config.listeners.forEach((listener, index) => {
    const found = environment.slots[slot].listeners[index];
    if (found?.listenerArn !== undefined || mine.some((l) => l.port === listener.port)) return;
    mine.push({
      port: listener.port,
      protocol: listener.protocol,
      certificateArns: [...listener.certificate_arns],
    });
  });
  return mine.length > 0 ? { ...owned, [slot]: mine } : owned;
}

/**
 * The listeners a stack recorded; a stack older than that record kept them inside its
 * releases: the recorded discovery of a release has no ARN for a listener the stack made.
 */
function recordedListeners(outputs: StackOutputs | null): Partial<Record<Slot, OwnedListener[]>> {
  if (outputs?.listeners) return outputs.listeners;
  const owned: Partial<Record<Slot, OwnedListener[]>> = {};
  for (const slot of SLOTS) {
    const release = outputs?.releases[slot];
    const made = (outputs?.slots?.[slot]?.listeners ?? []).filter((l) => l.listenerArn === undefined);
    const specs = made.flatMap((l) => {
      const listener = release?.listeners.find((candidate) => candidate.port === l.port);
      return listener
        ? [
            {
              port: listener.port,
              protocol: listener.protocol,
              certificateArns: [...listener.certificate_arns],
            },
          ]
        : [];
    });
    if (specs.length > 0) owned[slot] = specs;
  }
  return owned;
}
