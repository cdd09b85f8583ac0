/**
 * The pieces of a desired state that a deployment and a recovery build alike: the split of
 * traffic between the two slots, and the discovery each existing release is declared with.
 * Pure.
 */
import type { Environment, Slot } from '../ports/aws.js';
import type { StackOutputs } from '../ports/stack.js';

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
