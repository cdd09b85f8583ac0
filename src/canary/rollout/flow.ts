/**
 * The moves every transition of `decide` shares: entering a step, a step passing (its hooks,
 * its pause), failing into a rollback, finishing (after the `after_*` hooks), and the watch's
 * clock. Pure; ./decide.ts handles the messages and calls these, as ./pause.ts does at a pause.
 */
import type { HookPoint, HookSpec } from '../../config/types.js';
import { GATING_HOOK_POINTS } from '../../config/types-hooks.js';
import { assertNever, EcsCrdError } from '../../errors.js';
import type { ProgressEvent } from '../events.js';
import { evaluateGate, failedTaskLimit, type GateResult } from '../gate.js';
import { hookTarget } from '../hooks.js';
import type { PlanStep } from '../plan.js';
import type { Observation } from '../ports/aws.js';
import type { HookResult } from '../ports/hooks.js';
import { currentStep } from './actions.js';
import { analysisWakeups } from './analyze.js';
import {
  finishedEvent,
  observedEvent,
  rollbackStartedEvent,
  stepFinishedEvent,
  stepStartedEvent,
  stepTitle,
  waitStartedEvent,
} from './narrate.js';
import { hookFinishedEvent, hookStartedEvent } from './narrate-hooks.js';
import type {
  PauseState,
  RollbackCause,
  RolloutMessage,
  RolloutOutcome,
  RolloutStage,
  RolloutState,
  StepOutcome,
} from './types.js';

export type Events = ProgressEvent[];
export type Watch = Extract<RolloutStage, { kind: 'watch' }>;
type Ending = { outcome: RolloutOutcome; reason: string | null };

/** The one place the step index moves, and only forward. */
export function advanceTo(s: RolloutState, index: number, ev: Events): RolloutState {
  const step = s.ctx.plan.steps[index];
  if (index <= s.stepIndex || !step) {
    throw new EcsCrdError(`internal error: cannot move from step ${s.stepIndex} to ${index}`);
  }
  const moved: RolloutState = { ...s, stepIndex: index };
  ev.push(stepStartedEvent(moved, step));
  switch (step.kind) {
    case 'provision':
    case 'shift':
      return { ...moved, stage: { kind: 'apply' } };
    case 'finalize':
      // After the drain (or the last shift), before the old release goes.
      return startHooks(moved, 'before_finalize', null, ev);
    case 'scale-wait':
    case 'drain':
      return startWatch(moved, step.wait, ev);
    default:
      return assertNever(step);
  }
}

/** The current step passed: record it and move on. */
export function completeStep(s: RolloutState, ev: Events): RolloutState {
  return advanceTo(markStep(s, 'passed', ev), s.stepIndex + 1, ev);
}

/**
 * The watch is over and the candidate passed: a health gate after a pause moves to the step
 * it was for; a step's own wait runs the step's hooks (before the first traffic after the
 * scale wait, after each shift), then its pause, then the next step.
 */
export function watchPassed(s: RolloutState, watch: Watch, ev: Events): RolloutState {
  if (watch.next !== undefined) return advanceTo(markStep(s, 'passed', ev), watch.next, ev);
  const step = currentStep(s);
  if (step.kind === 'scale-wait') return startHooks(s, 'before_traffic', null, ev);
  if (step.kind === 'shift') return startHooks(s, 'after_step', null, ev);
  return completeStep(s, ev);
}

/** The hooks of `point`, in the file's order. */
export function hooksAt(s: RolloutState, point: HookPoint): HookSpec[] {
  return s.ctx.candidate.config.canary.hooks?.[point] ?? [];
}

/** Runs the hooks of `point` one after the other; none: goes on at once. */
export function startHooks(
  s: RolloutState,
  point: HookPoint,
  ending: Ending | null,
  ev: Events,
): RolloutState {
  const [first] = hooksAt(s, point);
  if (!first) return hooksPassed(s, point, ending, ev);
  ev.push(hookStartedEvent(s, point, first));
  return { ...s, stage: { kind: 'hooks', point, index: 0, ending } };
}

/** A hook ended: the next one, or on; a failing gating hook rolls back, another only warns. */
export function hookFinished(s: RolloutState, result: HookResult, ev: Events): RolloutState {
  const stage = expectStage(s, 'hooks', { type: 'hook-finished' });
  const { point, index, ending } = stage;
  const specs = hooksAt(s, point);
  const spec = specs[index];
  if (!spec) throw new EcsCrdError(`internal error: no hook ${index} at ${point}`);
  const gating = GATING_HOOK_POINTS.has(point);
  ev.push(hookFinishedEvent(s, point, spec, result, gating));
  if (!result.ok) {
    if (gating) {
      return fail(s, `${stepTitle(s)}: hook ${point} failed: ${hookTarget(spec)}: ${result.detail}`, ev);
    }
    // The first failure stops the list; the deployment's outcome stays as it is.
    return hooksPassed(s, point, ending, ev);
  }
  const next = specs[index + 1];
  if (!next) return hooksPassed(s, point, ending, ev);
  ev.push(hookStartedEvent(s, point, next));
  return { ...s, stage: { ...stage, index: index + 1 } };
}

/** Every hook of `point` passed (or, at an `after_*` point, the list ended). */
function hooksPassed(s: RolloutState, point: HookPoint, ending: Ending | null, ev: Events): RolloutState {
  switch (point) {
    case 'before_traffic':
      return completeStep(s, ev);
    case 'after_step':
      return stepPassed(s, currentStep(s), ev);
    case 'before_finalize':
      return { ...s, stage: { kind: 'apply' } };
    case 'after_deploy':
    case 'after_rollback':
      if (!ending) throw new EcsCrdError(`internal error: ${point} hooks without an outcome`);
      return finish(s, ending.outcome, ending.reason, ev);
    default:
      return assertNever(point);
  }
}

/** A shift step passed its wait, gate and hooks: its pause, if it has one, else the next step. */
function stepPassed(s: RolloutState, step: PlanStep, ev: Events): RolloutState {
  if (step.kind !== 'shift' || step.pause === null) return completeStep(s, ev);
  const passed = markStep(s, 'passed', ev);
  const pause: PauseState = {
    since: s.now,
    weight: s.candidateWeight,
    until: step.pause === true ? null : s.now + step.pause * 1000,
    shift: step.shift + 1,
    waiting: step.pause !== true || s.ctx.waitForPromotion,
  };
  return { ...passed, stage: { kind: 'pausing', pause } };
}

export function fail(s: RolloutState, reason: string, ev: Events): RolloutState {
  return startRollback(markStep(s, 'failed', ev), 'failure', reason, ev);
}

export function startRollback(
  s: RolloutState,
  cause: RollbackCause,
  reason: string,
  ev: Events,
): RolloutState {
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

export function finish(
  s: RolloutState,
  outcome: RolloutOutcome,
  reason: string | null,
  ev: Events,
  unfinished = false,
  paused?: PauseState,
): RolloutState {
  ev.push(finishedEvent(s, outcome, reason, paused));
  return { ...s, stage: { kind: 'done', outcome, reason, unfinished, ...(paused ? { paused } : {}) } };
}

/** Records the current step's outcome (once: a step that failed stays failed). */
export function markStep(s: RolloutState, outcome: StepOutcome, ev: Events): RolloutState {
  const step = s.ctx.plan.steps[s.stepIndex];
  if (!step || s.stepOutcomes[s.stepIndex] !== 'not_run') return s;
  ev.push(stepFinishedEvent(s, step, outcome));
  return {
    ...s,
    stepOutcomes: s.stepOutcomes.map((current, index) => (index === s.stepIndex ? outcome : current)),
  };
}

export function startWatch(s: RolloutState, waitS: number, ev: Events): RolloutState {
  const until = s.now + waitS * 1000;
  if (waitS > 0) ev.push(waitStartedEvent(waitS, until));
  // Look at once: a candidate broken from the start is caught in seconds, and the view gets counts.
  return { ...s, stage: { kind: 'watch', startedAt: s.now, until, nextObservationAt: s.now } };
}

/** A health gate (no wait) before moving to step `next`: after a pause, and first when resumed. */
export function startGate(s: RolloutState, next: number): RolloutState {
  return { ...s, stage: { kind: 'watch', startedAt: s.now, until: s.now, nextObservationAt: s.now, next } };
}

/**
 * By when the candidate must pass: `health.timeout` after scale-up until it first passes; after
 * that, `health.timeout` of grace past the end of each wait for a transient not-yet-healthy state.
 */
export function deadlineOf(s: RolloutState, watch: Watch): number {
  const timeoutMs = s.ctx.candidate.config.canary.health.timeout * 1000;
  return s.wasHealthy ? watch.until + timeoutMs : watch.startedAt + timeoutMs;
}

/**
 * Every `health.interval`, and exactly at the end of the wait and at the deadline (and, with
 * `canary.analysis`, when the next window is due and at the step's analysis deadline).
 */
export function scheduleObservation(s: RolloutState, watch: Watch): RolloutState {
  const intervalMs = s.ctx.candidate.config.canary.health.interval * 1000;
  const due = [s.now + intervalMs, watch.until, deadlineOf(s, watch)].filter((at) => at > s.now);
  // A window already due (the rollout fell behind) is read at once, catching up one by one.
  return { ...s, stage: { ...watch, nextObservationAt: Math.min(...due, ...analysisWakeups(s, watch)) } };
}

/**
 * Judges one observation against the gate (by `deadline`), reports it, and records it; the
 * verdict is the caller's to act on.
 */
export function judgeHealth(
  s: RolloutState,
  observation: Observation,
  deadline: number,
  ev: Events,
): { state: RolloutState; gate: GateResult; failure: string | null } {
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
    deadline,
  });
  ev.push(observedEvent(s.lastGate, gate, observation));
  const state: RolloutState = { ...s, wasHealthy: s.wasHealthy || gate.verdict === 'pass', lastGate: gate };
  if (gate.verdict !== 'fail') return { state, gate, failure: null };
  const limit = gate.code === 'timeout' ? ` (canary.health.timeout: ${canary.health.timeout} s)` : '';
  return { state, gate, failure: `${stepTitle(s)}: ${gate.reason}${limit}` };
}

export function expectStage<K extends RolloutStage['kind']>(
  s: RolloutState,
  kind: K,
  message: Pick<RolloutMessage, 'type'>,
): Extract<RolloutStage, { kind: K }> {
  const { stage } = s;
  if (stage.kind !== kind) return unexpected(s, message.type);
  return stage as Extract<RolloutStage, { kind: K }>;
}

export function unexpected(s: RolloutState, message: RolloutMessage['type']): never {
  throw new EcsCrdError(`internal error: message ${message} in stage ${s.stage.kind} of step ${s.stepIndex}`);
}
