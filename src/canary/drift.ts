/**
 * Drift: the weighted records in Route 53 no longer say what the stack last wrote (someone
 * changed them by hand, or another tool did). A deployment reports it and stops rather than
 * silently overwrite a choice a person made. Pure.
 */
import { type Environment, SLOTS } from './ports/aws.js';
import type { StackOutputs } from './ports/stack.js';

/** One line per record whose weight differs from the stack's, or that is missing. */
export function findDrift(
  previous: StackOutputs | null,
  environment: Environment,
  live: Record<string, Record<string, number>>,
): string[] {
  if (!previous) return [];
  const drift: string[] = [];
  for (const { fqdn } of environment.zones) {
    for (const slot of SLOTS) {
      const id = environment.slots[slot].releaseId;
      const expected = previous.weights[slot];
      const actual = live[fqdn]?.[id];
      if (actual === undefined)
        drift.push(`${fqdn} [${id}]: the record is missing (the stack has weight ${expected})`);
      else if (actual !== expected)
        drift.push(`${fqdn} [${id}]: weight ${actual} in Route 53, ${expected} in the stack`);
    }
  }
  return drift;
}
