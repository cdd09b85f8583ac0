import { assertNever } from '../../errors.js';
import { candidateWeightAt, type PlanStep } from '../plan.js';
import type { Observation } from '../ports/aws.js';
import type { StackOutputs } from '../ports/stack.js';
import { currentStep, nextAction } from './actions.js';
import { analysisHold, applyReading, locateReleases } from './analyze.js';
import {
  advanceTo,
  completeStep,
  deadlineOf,
  type Events,
  expectStage,
  fail,
  finish,
  hookFinished,
  judgeHealth,
  markStep,
  scheduleObservation,
  startHooks,
  startRollback,
  startWatch,
  unexpected,
  type Watch,
  watchPassed,
} from './flow.js';
import {
  drainStartedEvent,
  interruptEvent,
  probeFailedEvent,
  startedEvent,
  stepTitle,
  tickEvent,
  weightsEvent,
} from './narrate.js';
import { resumedEvent } from './narrate-hooks.js';
import { pauseApplied, pausedObserved, pausedProbeFailed, pausedSlept } from './pause.js';
import type { AnalysisReading, Decision, RolloutMessage, RolloutStage, RolloutState } from './types.js';

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
      return started(s, ev);
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
      if (s.stage.kind === 'paused') return pausedObserved(s, s.stage, m.observation, m, ev);
      return observed(s, m.observation, m.analysis, ev);
    case 'observe-failed':
      if (s.stage.kind === 'paused') return pausedProbeFailed(s, s.stage, m.error, m, ev);
      return probeFailed(s, m.error, m.analysis, ev);
    case 'hook-finished':
      return hookFinished(s, m.result, ev);
    case 'slept':
      return slept(s, ev);
    case 'interrupt':
      return interrupt(s, ev);
    case 'hard-stop':
      return hardStop(s, m.upCancelled, ev, m.lost);
    default:
      return assertNever(m);
  }
}

/**
 * The first message: a new run enters its first step; a resumed one (`promote`) says where it
 * stands and starts with the health gate its state already holds.
 */
function started(s: RolloutState, ev: Events): RolloutState {
  ev.push(startedEvent(s));
  const { resumed } = s.ctx;
  if (!resumed) return advanceTo(s, 0, ev);
  ev.push(resumedEvent('promote', resumed.full, resumed.by));
  ev.push(weightsEvent(s));
  return s;
}

function upSucceeded(s: RolloutState, ev: Events): RolloutState {
  const { stage } = s;
  switch (stage.kind) {
    case 'apply':
      return applied(s, currentStep(s), ev);
    case 'pausing':
      return pauseApplied(s, stage.pause, ev);
    case 'rollback':
      if (stage.step === 'restore-traffic') {
        const restored = { ...s, candidateWeight: 0 };
        ev.push(weightsEvent(restored));
        return startDrain(restored, stage, ev);
      }
      // The rollout's own rollback ended: the `after_rollback` hooks are told how.
      return startHooks(
        s,
        'after_rollback',
        { outcome: stage.cause === 'interrupt' ? 'interrupted' : 'rolled_back', reason: stage.reason },
        ev,
      );
    case 'locate':
    case 'watch':
    case 'hooks':
    case 'paused':
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
    case 'finalize': {
      const done = markStep({ ...s, candidateWeight: 100 }, 'passed', ev);
      return startHooks(done, 'after_deploy', { outcome: 'deployed', reason: null }, ev);
    }
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
    case 'pausing':
      // Only the outputs were to change: the weights stand as they were.
      return fail(s, `${stepTitle(s)}: the stack update failed: ${error}`, ev);
    case 'rollback': {
      const reason = `${stage.reason}; then the rollback failed (${stage.step}): ${error}`;
      return finish(s, 'rollback_failed', reason, ev, true);
    }
    case 'locate':
    case 'watch':
    case 'hooks':
    case 'paused':
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
  const judged = judgeHealth(s, observation, deadlineOf(s, watch), ev);
  if (judged.failure) return fail(judged.state, judged.failure, ev);
  if (judged.gate.verdict === 'pass' && s.now >= watch.until) return waitOver(judged.state, watch, ev);
  return scheduleObservation(judged.state, watch);
}

/** The wait is over and the candidate healthy: the step passes, unless the analysis holds it. */
function waitOver(s: RolloutState, watch: Watch, ev: Events): RolloutState {
  // A gate after a pause waits for health only: the paused step's analysis already let it pass.
  const hold = watch.next === undefined ? analysisHold(s, watch) : null;
  if (!hold) return watchPassed(s, watch, ev);
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
  if (stage.kind === 'paused') return pausedSlept(s, stage, ev);
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
    case 'hooks':
      if (stage.ending) {
        // The deployment has ended: nothing to undo; the hooks still to run are skipped.
        ev.push(interruptEvent('afterEnd'));
        return finish(noted, stage.ending.outcome, stage.ending.reason, ev);
      }
      return interruptForward(s, noted, ev);
    case 'apply':
    case 'locate':
    case 'watch':
    case 'pausing':
    case 'paused':
      return interruptForward(s, noted, ev);
    case 'done':
      return s;
    default:
      return assertNever(stage);
  }
}

/** A first interrupt while the rollout goes forward: roll back, unless nothing was changed yet. */
function interruptForward(s: RolloutState, noted: RolloutState, ev: Events): RolloutState {
  const stopped = markStep(noted, 'interrupted', ev);
  if (nothingApplied(s)) {
    ev.push(interruptEvent('beforeChange'));
    return finish(stopped, 'interrupted', 'interrupted before any change was made', ev);
  }
  ev.push(interruptEvent('willRollBack'));
  return startRollback(stopped, 'interrupt', 'interrupted by the user', ev);
}

/** A second Ctrl-C, or (`lost`: why) another run took this run's lease over: either way no further change. */
function hardStop(s: RolloutState, upCancelled: boolean, ev: Events, lost?: string): RolloutState {
  // A lost lease was told as it was found (a `lease.notice` event): no interrupt to narrate.
  if (lost === undefined) ev.push(interruptEvent('hard'));
  const { stage } = s;
  // The deployment ended before its last hooks: its outcome stands.
  if (stage.kind === 'hooks' && stage.ending) return finish(s, stage.ending.outcome, stage.ending.reason, ev);
  const stopped = s.stage.kind === 'rollback' ? s : markStep(s, 'interrupted', ev);
  if (nothingApplied(s) && !upCancelled) {
    return finish(stopped, 'interrupted', 'interrupted before any change was made', ev);
  }
  const reason =
    lost ??
    'stopped at once by a second interrupt: the deployment is left unfinished; run `ecs-crd rollback`';
  return finish(stopped, 'interrupted', reason, ev, true);
}

/** Before the provision `up` completed, an interrupt has nothing to undo. */
function nothingApplied(s: RolloutState): boolean {
  return s.stepIndex <= 0 && s.stage.kind === 'apply';
}
