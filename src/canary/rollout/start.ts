/**
 * The first state of a run: which release is stable (from the stack's outputs), which slot the
 * candidate takes, the plan, and the discovery each release is declared with. Refuses a stack
 * whose last deployment did not finish.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { EcsCrdError, UsageError } from '../../errors.js';
import { refuseUnfinished } from '../phase.js';
import { planRollout } from '../plan.js';
import { type Environment, otherSlot, type Slot } from '../ports/aws.js';
import type { StackOutputs } from '../ports/stack.js';
import { initialAnalysis, locateReleases } from './analyze.js';
import { keepDeclaredSlots, ownedListeners } from './desired.js';
import { nextAfterPause } from './pause.js';
import type { Release, ResumeRequest, RolloutRequest, RolloutState, StepOutcome } from './types.js';

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
      waitForPromotion: request.waitForPromotion === true,
      resumed: null,
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

/**
 * The state of a deployment saved `paused`, going on (`ecs-crd promote`): everything from the
 * outputs (the releases, the slots as recorded, the listeners, where it stopped), the hooks
 * from the file `promote` read. Same deployment id and start. It stands at the paused shift,
 * passed, with a health gate first (the candidate must be healthy within `health.timeout`),
 * then the next step (with `full`, the final 100 % shift).
 *
 * @throws UsageError when the stack is not paused.
 * @throws EcsCrdError when the outputs are inconsistent (no candidate release, no service).
 */
export function resumeState(request: ResumeRequest, now: number): RolloutState {
  const { outputs } = request;
  const { meta } = outputs;
  if (meta.phase !== 'paused') {
    throw new UsageError(
      `The deployment of ${request.identity.name} is not paused: the stack is ${meta.phase}.`,
      {
        hint: '`ecs-crd promote` goes on from a pause (`pause:` on a strategy step); `ecs-crd status` shows where the stack is.',
      },
    );
  }
  const candidateSlot = meta.candidateSlot;
  const spec = candidateSlot ? outputs.releases[candidateSlot] : undefined;
  if (!candidateSlot || !spec) throw inconsistent('names no candidate release');
  const { hooks: _recorded, ...canary } = spec.canary;
  const config: DeploymentConfig = {
    ...spec,
    canary: request.hooks ? { ...canary, hooks: request.hooks } : canary,
  };
  const liveSlot = meta.liveSlot;
  const stableSpec = liveSlot ? outputs.releases[liveSlot] : undefined;
  if (liveSlot && !stableSpec)
    throw inconsistent(`says slot ${liveSlot} is live but keeps no release for it`);
  const environment = keepDeclaredSlots(
    request.environment,
    outputs,
    liveSlot ? [liveSlot, candidateSlot] : [candidateSlot],
  );
  const stable = liveSlot && stableSpec ? release(liveSlot, stableSpec, environment) : null;
  const plan = planRollout(config.canary, { firstDeployment: stable === null });
  const stepIndex = plan.steps.findIndex((step) => step.kind === 'shift' && step.shift === meta.step);
  if (stepIndex < 0)
    throw inconsistent(`stopped at shift step ${meta.step + 1}, which its strategy does not have`);
  const stepOutcomes = plan.steps.map((_, index): StepOutcome => (index <= stepIndex ? 'passed' : 'not_run'));
  const state: RolloutState = {
    ctx: {
      deploymentId: meta.deploymentId,
      startedAt: Date.parse(meta.startedAt),
      identity: request.identity,
      environment,
      candidate: release(candidateSlot, config, environment),
      stable,
      listeners: ownedListeners(outputs, environment),
      plan,
      waitForPromotion: request.waitForPromotion === true,
      resumed: { by: request.by, full: request.full },
    },
    now,
    stepIndex,
    stage: { kind: 'apply' },
    candidateWeight: meta.pause?.weight ?? outputs.weights[candidateSlot],
    wasHealthy: false,
    candidate: locatedCandidate(outputs, candidateSlot, config),
    lastGate: null,
    stepOutcomes,
    interrupted: false,
    lastUpEndedAt: null,
    analysis: passedAnalysis(initialAnalysis(config.canary.analysis, plan.steps.length), stepIndex),
  };
  const gate = { kind: 'watch' as const, startedAt: now, until: now, nextObservationAt: now };
  return { ...locateReleases(state, outputs), stage: { ...gate, next: nextAfterPause(state, request.full) } };
}

function inconsistent(what: string): EcsCrdError {
  return new EcsCrdError(`the paused stack ${what}`, {
    hint: 'inspect the stack with `ecs-crd status`; `ecs-crd rollback` puts the stable release back',
  });
}

function locatedCandidate(outputs: StackOutputs, slot: Slot, config: DeploymentConfig) {
  const serviceName = outputs.serviceNames[slot];
  const targetGroupArns = outputs.targetGroupArns[slot] ?? [];
  if (!serviceName || targetGroupArns.length === 0)
    throw inconsistent(`names no ECS service or target group for slot ${slot}`);
  return { cluster: config.service.cluster, serviceName, targetGroupArns };
}

/** The steps passed before the pause passed their analysis too: only the gate stands before the next. */
function passedAnalysis(analysis: RolloutState['analysis'], stepIndex: number): RolloutState['analysis'] {
  if (!analysis) return null;
  const steps = analysis.steps.map((step, index) => (index <= stepIndex ? { ...step, ready: true } : step));
  return { ...analysis, steps };
}
