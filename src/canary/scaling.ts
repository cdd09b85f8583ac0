/**
 * Auto scaling through a canary: the capacity each release's scalable target is declared with.
 * Pure. A candidate sharing the stack with another release is held at `canary.scale.desired`
 * at least, so scale-in can never shrink it below what its health gates counted on; once it
 * is alone (finalized) it scales by its own file. Every other release is declared from its own
 * recorded file and nothing else, so its scaling never changes before it is removed.
 */
import type { AutoScalingConfig, DeploymentConfig } from '../config/types.js';
import { otherSlot, type Slot } from './ports/aws.js';
import type { DesiredState } from './ports/stack.js';

export interface Capacity {
  min: number;
  max: number;
}

/**
 * The capacity of a scalable target: the file's own, or, for a candidate that does not hold
 * all the traffic yet, at least `desired` tasks (max raised with it, since AWS refuses a
 * minimum above the maximum).
 */
export function scalingCapacity(
  scaling: AutoScalingConfig,
  desired: number,
  holdsCandidateFloor: boolean,
): Capacity {
  if (!holdsCandidateFloor) return { min: scaling.min_capacity, max: scaling.max_capacity };
  const min = Math.max(scaling.min_capacity, desired);
  return { min, max: Math.max(scaling.max_capacity, min) };
}

/**
 * The capacity `slot`'s release is declared with in `state`, or null when it does not
 * autoscale. The floor holds while the slot is the deployment's candidate and the other slot
 * still holds a release (provision, shifts, rollback until the candidate goes).
 */
export function releaseCapacity(
  state: Pick<DesiredState, 'releases' | 'meta'>,
  slot: Slot,
  release: DeploymentConfig,
): Capacity | null {
  const scaling = release.service.auto_scaling;
  if (!scaling) return null;
  const sharing = state.meta.candidateSlot === slot && state.releases[otherSlot(slot)] !== undefined;
  return scalingCapacity(scaling, release.canary.scale.desired, sharing);
}
