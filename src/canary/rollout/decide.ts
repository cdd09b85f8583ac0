import { assertNever, EcsCrdError } from '../../errors.js';
import type { ProgressEvent } from '../events.js';
import { evaluateGate, failedTaskLimit } from '../gate.js';
import { candidateWeightAt, type PlanStep } from '../plan.js';
import type { Observation } from '../ports/aws.js';
import type { StackOutputs } from '../ports/stack.js';
import { currentStep, nextAction } from './actions.js';
import { analysisHold, analysisWakeups, applyReading, locateReleases } from './analyze.js';
import {
  drainStartedEvent,
  finishedEvent,
  interruptEvent,
  observedEvent,
  probeFailedEvent,
  rollbackStartedEvent,
  startedEvent,
  stepFinishedEvent,
  stepStartedEvent,
  stepTitle,
  tickEvent,
  waitStartedEvent,
  weightsEvent,
} from './narrate.js';
import type {
  AnalysisReading,
  Decision,
  RollbackCause,
  RolloutMessage,
  RolloutOutcome,
  RolloutStage,
  RolloutState,
  StepOutcome,
} from './types.js';

type Events = ProgressEvent[];
type Watch = Extract<RolloutStage, { kind: 'watch' }>;

/** The pure transition: the next state, the action it calls for, and what to report. */
export function decide(state: RolloutState, message: RolloutMessage): Decision {
  const events: Events = [];
  const next = transition({ ...state, now: Math.max(state.now, message.at) }, message, events);
  return { state: next, action: nextAction(next), events };
}

function transition(s: RolloutState, m: RolloutMessage, ev: Events): RolloutState {
  // Nothing moves after the end; the driver stops there anyway.
  if (s.stage.kind === 'done') return s;
  switch (m.type) {
    case 'start':
      ev.push(startedEvent(s));
      return advanceTo(s, 0, ev);
    case 'up-succeeded':
      return upSucceeded({ ...s, lastUpEndedAt: m.endedAt ?? s.lastUpEndedAt }, ev);
    case 'up-failed':
      return upFailed(s, m.error, ev);
    case 'outputs-read':
      return located(s, m.outputs, ev);
    case 'outputs-failed':
      expectStage(s, 'locate', m);
      return fail(s, `${stepTitle(s)}: could not read the stack outputs: ${m.error}`, ev);
    case 'observed':
      return observed(s, m.observation, m.analysis, ev);
    case 'observe-failed':
      return probeFailed(s, m.error, m.analysis, ev);
    case 'slept':
      return slept(s, ev);
    case 'interrupt':
      return interrupt(s, ev);
    case 'hard-stop':
      return hardStop(s, m.upCancelled, ev);
    default:
      return assertNever(m);
  }
}

/** The one place the step index moves, and only forward. */
function advanceTo(s: RolloutState, index: number, ev: Events): RolloutState {
  const step = s.ctx.plan.steps[index];
  if (index <= s.stepIndex || !step) {
    throw new EcsCrdError(`internal error: cannot move from step ${s.stepIndex} to ${index}`);
  }
  const moved: RolloutState = { ...s, stepIndex: index };
  ev.push(stepStartedEvent(moved, step));
  switch (step.kind) {
    case 'provision':
    case 'shift':
    case 'finalize':
      return { ...moved, stage: { kind: 'apply' } };
    case 'scale-wait':
    case 'drain':
      return startWatch(moved, step.wait, ev);
    default:
      return assertNever(step);
  }
}

/** The current step passed: record it and move on. */
function completeStep(s: RolloutState, ev: Events): RolloutState {
  return advanceTo(markStep(s, 'passed', ev), s.stepIndex + 1, ev);
}

function upSucceeded(s: RolloutState, ev: Events): RolloutState {
  const { stage } = s;
  switch (stage.kind) {
    case 'apply':
      return applied(s, currentStep(s), ev);
    case 'rollback':
      if (stage.step === 'restore-traffic') {
        const restored = { ...s, candidateWeight: 0 };
        ev.push(weightsEvent(restored));
        return startDrain(restored, stage, ev);
      }
      return finish(s, stage.cause === 'interrupt' ? 'interrupted' : 'rolled_back', stage.reason, ev);
    case 'locate':
    case 'watch':
    case 'done':
      return unexpected(s, 'up-succeeded');
    default:
      return assertNever(stage);
  }
}

/** The `up` of `step` landed. */
function applied(s: RolloutState, step: PlanStep, ev: Events): RolloutState {
  switch (step.kind) {
    case 'provision':
      return { ...s, stage: { kind: 'locate' } };
    case 'shift': {
      const shifted = { ...s, candidateWeight: step.weight };
      ev.push(weightsEvent(shifted));
      return startWatch(shifted, step.wait, ev);
    }
    case 'finalize':
      return finish(markStep({ ...s, candidateWeight: 100 }, 'passed', ev), 'deployed', null, ev);
    case 'scale-wait':
    case 'drain':
      return unexpected(s, 'up-succeeded');
    default:
      return assertNever(step);
  }
}

function upFailed(s: RolloutState, error: string, ev: Events): RolloutState {
  const { stage } = s;
  switch (stage.kind) {
    case 'apply': {
      // The failed `up` may have changed some records before it stopped: assume the worst.
      const candidateWeight = Math.max(s.candidateWeight, candidateWeightAt(currentStep(s)));
      return fail({ ...s, candidateWeight }, `${stepTitle(s)}: the stack update failed: ${error}`, ev);
    }
    case 'rollback': {
      const reason = `${stage.reason}; then the rollback failed (${stage.step}): ${error}`;
      return finish(s, 'rollback_failed', reason, ev, true);
    }
    case 'locate':
    case 'watch':
    case 'done':
      return unexpected(s, 'up-failed');
    default:
      return assertNever(stage);
  }
}

function located(s: RolloutState, outputs: StackOutputs | null, ev: Events): RolloutState {
  expectStage(s, 'locate', { type: 'outputs-read' });
  const { slot, config } = s.ctx.candidate;
  const targetGroupArns = outputs?.targetGroupArns[slot] ?? [];
  const serviceName = outputs?.serviceNames[slot];
  if (targetGroupArns.length === 0 || !serviceName) {
    const reason = `${stepTitle(s)}: the stack outputs name no ECS service or target group for slot ${slot}`;
    return fail(s, reason, ev);
  }
  const found = { ...s, candidate: { cluster: config.service.cluster, serviceName, targetGroupArns } };
  return completeStep(outputs ? locateReleases(found, outputs) : found, ev);
}

function observed(
  before: RolloutState,
  observation: Observation,
  reading: AnalysisReading | undefined,
  ev: Events,
): RolloutState {
  const watch = expectStage(before, 'watch', { type: 'observed' });
  // CloudWatch first: an alarm in ALARM or a failing window rolls back whatever health says.
  const read = applyReading(before, reading, ev);
  if (read.failure) return fail(read.state, read.failure, ev);
  const s = read.state;
  const { canary, service } = s.ctx.candidate.config;
  // ECS runs a DAEMON service's task on every container instance: it, not scale.desired, says
  // how many; at least one, so that traffic never goes to a release without a single target.
  const desired =
    service.scheduling_strategy === 'DAEMON'
      ? Math.max(1, observation.service?.desired ?? 1)
      : canary.scale.desired;
  const gate = evaluateGate({
    observation,
    desired,
    failedTaskLimit: failedTaskLimit(desired, canary.health.failed_tasks),
    wasHealthy: s.wasHealthy,
    now: s.now,
    deadline: deadlineOf(s, watch),
  });
  ev.push(observedEvent(s.lastGate, gate, observation));
  const judged: RolloutState = { ...s, wasHealthy: s.wasHealthy || gate.verdict === 'pass', lastGate: gate };
  switch (gate.verdict) {
    case 'fail': {
      const limit = gate.code === 'timeout' ? ` (canary.health.timeout: ${canary.health.timeout} s)` : '';
      return fail(judged, `${stepTitle(s)}: ${gate.reason}${limit}`, ev);
    }
    case 'pass':
      return s.now >= watch.until ? waitOver(judged, watch, ev) : scheduleObservation(judged, watch);
    case 'wait':
      return scheduleObservation(judged, watch);
    default:
      return assertNever(gate.verdict);
  }
}

/** The wait is over and the candidate healthy: the step passes, unless the analysis holds it. */
function waitOver(s: RolloutState, watch: Watch, ev: Events): RolloutState {
  const hold = analysisHold(s, watch);
  if (!hold) return completeStep(s, ev);
  return s.now >= hold.deadline ? fail(s, hold.reason, ev) : scheduleObservation(s, watch);
}

function probeFailed(
  before: RolloutState,
  error: string,
  reading: AnalysisReading | undefined,
  ev: Events,
): RolloutState {
  const watch = expectStage(before, 'watch', { type: 'observe-failed' });
  const read = applyReading(before, reading, ev);
  if (read.failure) return fail(read.state, read.failure, ev);
  const s = read.state;
  ev.push(probeFailedEvent(error));
  // A probe error is not a verdict on the candidate: keep looking until the deadline.
  if (s.now >= deadlineOf(s, watch)) {
    return fail(s, `${stepTitle(s)}: the candidate could not be observed before the deadline: ${error}`, ev);
  }
  return scheduleObservation(s, watch);
}

function slept(s: RolloutState, ev: Events): RolloutState {
  const { stage } = s;
  if (stage.kind === 'rollback' && stage.step === 'drain' && stage.until !== null) {
    if (s.now < stage.until) {
      ev.push(tickEvent(s, stage.until));
      return s;
    }
    return { ...s, stage: { ...stage, step: 'remove-candidate', until: null } };
  }
  const watch = expectStage(s, 'watch', { type: 'slept' });
  if (s.now < watch.until) ev.push(tickEvent(s, watch.until));
  return s;
}

/**
 * Traffic is back on the stable release: the candidate keeps its resources for `canary.drain`
 * more seconds, for the clients that still hold its DNS answer, before it is removed.
 */
function startDrain(
  s: RolloutState,
  stage: Extract<RolloutStage, { kind: 'rollback' }>,
  ev: Events,
): RolloutState {
  const drainS = s.ctx.candidate.config.canary.drain;
  if (drainS <= 0) return { ...s, stage: { ...stage, step: 'remove-candidate', until: null } };
  const until = s.now + drainS * 1000;
  ev.push(drainStartedEvent(drainS, until));
  return { ...s, stage: { ...stage, step: 'drain', until } };
}

function interrupt(s: RolloutState, ev: Events): RolloutState {
  if (s.interrupted) return s;
  const noted = { ...s, interrupted: true };
  const { stage } = s;
  switch (stage.kind) {
    case 'rollback':
      ev.push(interruptEvent('rollingBack'));
      return noted;
    case 'apply':
    case 'locate':
    case 'watch': {
      const stopped = markStep(noted, 'interrupted', ev);
      if (nothingApplied(s)) {
        ev.push(interruptEvent('beforeChange'));
        return finish(stopped, 'interrupted', 'interrupted before any change was made', ev);
      }
      ev.push(interruptEvent('willRollBack'));
      return startRollback(stopped, 'interrupt', 'interrupted by the user', ev);
    }
    case 'done':
      return s;
    default:
      return assertNever(stage);
  }
}

function hardStop(s: RolloutState, upCancelled: boolean, ev: Events): RolloutState {
  ev.push(interruptEvent('hard'));
  const stopped = s.stage.kind === 'rollback' ? s : markStep(s, 'interrupted', ev);
  if (nothingApplied(s) && !upCancelled) {
    return finish(stopped, 'interrupted', 'interrupted before any change was made', ev);
  }
  const reason =
    'stopped at once by a second interrupt: the deployment is left unfinished; run `ecs-crd rollback`';
  return finish(stopped, 'interrupted', reason, ev, true);
}

function fail(s: RolloutState, reason: string, ev: Events): RolloutState {
  return startRollback(markStep(s, 'failed', ev), 'failure', reason, ev);
}

function startRollback(s: RolloutState, cause: RollbackCause, reason: string, ev: Events): RolloutState {
  // Traffic first, then the candidate's resources; a candidate that never had traffic skips the first `up`.
  const restoreTraffic = s.candidateWeight > 0;
  ev.push(rollbackStartedEvent(cause, reason, restoreTraffic));
  return {
    ...s,
    stage: {
      kind: 'rollback',
      step: restoreTraffic ? 'restore-traffic' : 'remove-candidate',
      cause,
      reason,
      until: null,
    },
  };
}

function finish(
  s: RolloutState,
  outcome: RolloutOutcome,
  reason: string | null,
  ev: Events,
  unfinished = false,
): RolloutState {
  ev.push(finishedEvent(s, outcome, reason));
  return { ...s, stage: { kind: 'done', outcome, reason, unfinished } };
}

/** Records the current step's outcome (once: a step that failed stays failed). */
function markStep(s: RolloutState, outcome: StepOutcome, ev: Events): RolloutState {
  const step = s.ctx.plan.steps[s.stepIndex];
  if (!step || s.stepOutcomes[s.stepIndex] !== 'not_run') return s;
  ev.push(stepFinishedEvent(s, step, outcome));
  return {
    ...s,
    stepOutcomes: s.stepOutcomes.map((current, index) => (index === s.stepIndex ? outcome : current)),
  };
}

function startWatch(s: RolloutState, waitS: number, ev: Events): RolloutState {
  const until = s.now + waitS * 1000;
  if (waitS > 0) ev.push(waitStartedEvent(waitS, until));
  // Look at once: a candidate broken from the start is caught in seconds, and the view gets counts.
  return { ...s, stage: { kind: 'watch', startedAt: s.now, until, nextObservationAt: s.now } };
}

/**
 * By when the candidate must pass: `health.timeout` after scale-up until it first passes; after
 * that, `health.timeout` of grace past the end of each wait for a transient not-yet-healthy state.
 */
function deadlineOf(s: RolloutState, watch: Watch): number {
  const timeoutMs = s.ctx.candidate.config.canary.health.timeout * 1000;
  return s.wasHealthy ? watch.until + timeoutMs : watch.startedAt + timeoutMs;
}

/**
 * Every `health.interval`, and exactly at the end of the wait and at the deadline (and, with
 * `canary.analysis`, when the next window is due and at the step's analysis deadline).
 */
function scheduleObservation(s: RolloutState, watch: Watch): RolloutState {
  const intervalMs = s.ctx.candidate.config.canary.health.interval * 1000;
  const due = [s.now + intervalMs, watch.until, deadlineOf(s, watch)].filter((at) => at > s.now);
  // A window already due (the rollout fell behind) is read at once, catching up one by one.
  return { ...s, stage: { ...watch, nextObservationAt: Math.min(...due, ...analysisWakeups(s, watch)) } };
}

/** Before the provision `up` completed, an interrupt has nothing to undo. */
function nothingApplied(s: RolloutState): boolean {
  return s.stepIndex <= 0 && s.stage.kind === 'apply';
}

function expectStage<K extends RolloutStage['kind']>(
  s: RolloutState,
  kind: K,
  message: Pick<RolloutMessage, 'type'>,
): Extract<RolloutStage, { kind: K }> {
  const { stage } = s;
  if (stage.kind !== kind) return unexpected(s, message.type);
  return stage as Extract<RolloutStage, { kind: K }>;
}

function unexpected(s: RolloutState, message: RolloutMessage['type']): never {
  throw new EcsCrdError(`internal error: message ${message} in stage ${s.stage.kind} of step ${s.stepIndex}`);
}
