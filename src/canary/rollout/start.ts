/**
 * The first state of a run: which release is stable (from the stack's outputs), which slot the
 * candidate takes, the plan, and the discovery each release is declared with. Refuses a stack
 * whose last deployment did not finish.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { EcsCrdError } from '../../errors.js';
import { refuseUnfinished } from '../phase.js';
import { planRollout } from '../plan.js';
import { type Environment, otherSlot, type Slot } from '../ports/aws.js';
import { initialAnalysis } from './analyze.js';
import { keepDeclaredSlots, ownedListeners } from './desired.js';
import type { Release, RolloutRequest, RolloutState } from './types.js';

/**
 * Builds the initial state of a run.
 *
 * @throws StackLockedError when the previous deployment did not finish (point to `rollback`).
 * @throws EcsCrdError when the outputs name a live slot but keep no release spec for it.
 */
export function startRollout(request: RolloutRequest, now: number): RolloutState {
  const { config, environment, previous } = request;
  refuseUnfinished(request.identity, previous);
  const liveSlot = previous?.meta.liveSlot ?? null;
  let stable: Release | null = null;
  if (previous && liveSlot) {
    const spec = previous.releases[liveSlot];
    if (!spec) {
      throw new EcsCrdError(`the stack says slot ${liveSlot} is live but keeps no release for it`, {
        hint: 'inspect the stack with `ecs-crd status`; its outputs are inconsistent',
      });
    }
    stable = release(liveSlot, spec, environment);
  }
  const candidateSlot = liveSlot ? otherSlot(liveSlot) : 'blue';
  const plan = planRollout(config.canary, { firstDeployment: stable === null });
  return {
    ctx: {
      deploymentId: request.deploymentId,
      startedAt: now,
      identity: request.identity,
      environment: stable ? keepDeclaredSlots(environment, previous, [stable.slot]) : environment,
      candidate: release(candidateSlot, config, environment),
      stable,
      listeners: ownedListeners(previous, environment, { slot: candidateSlot, config }),
      plan,
    },
    now,
    stepIndex: -1,
    stage: { kind: 'apply' },
    candidateWeight: 0,
    wasHealthy: false,
    candidate: null,
    lastGate: null,
    stepOutcomes: plan.steps.map(() => 'not_run'),
    interrupted: false,
    lastUpEndedAt: null,
    analysis: initialAnalysis(config.canary.analysis, plan.steps.length),
  };
}

function release(slot: Slot, config: DeploymentConfig, environment: Environment): Release {
  return { slot, releaseId: environment.slots[slot].releaseId, version: config.service.version, config };
}
