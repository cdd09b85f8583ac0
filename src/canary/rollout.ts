/**
 * The canary release as a state machine (ARCHITECTURE habit 3, after Argo Rollouts' canary
 * reconcile). `decide(state, message)` is pure: it returns the next state, the one action to
 * perform and the events to report. `runRollout` is the only code that acts: it performs the
 * action through the ports and feeds the outcome back as the next message. The state is plain
 * data, and its progress (phase, step, slots) rides in `DesiredState.meta` with every `up`,
 * so the stack's outputs always say where a deployment stands.
 */
import type { DeploymentConfig } from '../config/types.js';
import { EcsCrdError, StackLockedError, UsageError } from '../errors.js';
import { ExitCode } from '../exit-codes.js';
import { formatChanges } from '../stack/events.js';
import type {
  DeploymentMeta,
  DesiredState,
  Phase,
  StackIdentity,
  StackOutputs,
  StackRunner,
} from '../stack/types.js';
import { type RolloutEvent, rolloutEvent } from './events.js';
import { evaluateGate, type GateResult } from './gate.js';
import {
  assertNever,
  candidateWeightAt,
  describeStep,
  type Plan,
  type PlanStep,
  planRollout,
  timeline,
  waitOf,
} from './plan.js';
import {
  type CandidateRef,
  type Clock,
  type Environment,
  type HealthProbe,
  type Observation,
  otherSlot,
  type Slot,
} from './ports.js';

// ---------------------------------------------------------------- public types

/** How a `deploy` run ended; also `DeploymentMeta.outcome`. */
export type RolloutOutcome = NonNullable<DeploymentMeta['outcome']>;
export type StepOutcome = 'passed' | 'failed' | 'interrupted' | 'not_run';
/** Why an `up` is run: the three forward steps and the two rollback steps. */
export type UpPurpose = 'provision' | 'shift' | 'finalize' | 'restore-traffic' | 'remove-candidate';
export type RollbackCause = 'failure' | 'interrupt';

/** What `deploy` hands the rollout once the file is resolved and AWS discovered. */
export interface RolloutRequest {
  config: DeploymentConfig;
  environment: Environment;
  identity: StackIdentity;
  /** The stack's outputs before this run; null when the stack does not exist. */
  previous: StackOutputs | null;
  /** Unique per `deploy` run. */
  deploymentId: string;
}

/** The ports the driver acts through. */
export interface RolloutDeps {
  runner: StackRunner;
  probe: HealthProbe;
  clock: Clock;
  reporter: (event: RolloutEvent) => void;
  /** First Ctrl-C / SIGTERM: the running `up` finishes, then the rollout rolls back. */
  signal?: AbortSignal;
  /** Second Ctrl-C: stop at once; passed to the running `up` so the engine cancels it cleanly. */
  hardStop?: AbortSignal;
}

/** A release the rollout knows: which slot, which version, its resolved spec. */
export interface Release {
  slot: Slot;
  /** The slot ALB's `CanaryRelease` tag: the Route 53 set identifier. */
  releaseId: string;
  version: string;
  config: DeploymentConfig;
}

/** What does not change during a run. */
export interface RolloutContext {
  deploymentId: string;
  /** Epoch milliseconds. */
  startedAt: number;
  identity: StackIdentity;
  environment: Environment;
  candidate: Release;
  /** The live release, declared unchanged until finalize; null on a first deployment. */
  stable: Release | null;
  plan: Plan;
}

/** Where the rollout is inside the current step (or outside the plan, for rollback and the end). */
export type RolloutStage =
  /** The current step's `up` is due. */
  | { kind: 'apply' }
  /** Provisioned: read the stack outputs to find the candidate's service and target groups. */
  | { kind: 'locate' }
  /** Watching the candidate: observe at `nextObservationAt`, until `until` and a passing gate. */
  | { kind: 'watch'; startedAt: number; until: number; nextObservationAt: number }
  | { kind: 'rollback'; step: 'restore-traffic' | 'remove-candidate'; cause: RollbackCause; reason: string }
  /** `unfinished`: the stack was left mid-way (rollback failed, second interrupt): `rollback` must recover it. */
  | { kind: 'done'; outcome: RolloutOutcome; reason: string | null; unfinished: boolean };

/** The whole state of a run: plain, serialisable data. */
export interface RolloutState {
  ctx: RolloutContext;
  /** Epoch milliseconds of the last message. */
  now: number;
  /** Index into `ctx.plan.steps`; -1 before the start. Moved only by `advanceTo`, only forward. */
  stepIndex: number;
  stage: RolloutStage;
  /**
   * The highest weight declared for the candidate, counting an `up` that failed (it may have
   * landed in part): rollback restores traffic first whenever this is above 0.
   */
  candidateWeight: number;
  /** The candidate passed a gate once: an `unhealthy` target now fails at once. */
  wasHealthy: boolean;
  candidate: CandidateRef | null;
  lastGate: GateResult | null;
  /** One per plan step. */
  stepOutcomes: StepOutcome[];
  /** The first interrupt was handled (a second soft one changes nothing). */
  interrupted: boolean;
}

/** What the driver feeds `decide`: the start, or the outcome of the last action, or an interrupt. */
export type RolloutMessage =
  | { type: 'start'; at: number }
  | { type: 'up-succeeded'; at: number }
  | { type: 'up-failed'; at: number; error: string }
  | { type: 'outputs-read'; at: number; outputs: StackOutputs | null }
  | { type: 'outputs-failed'; at: number; error: string }
  | { type: 'observed'; at: number; observation: Observation }
  | { type: 'observe-failed'; at: number; error: string }
  | { type: 'slept'; at: number }
  | { type: 'interrupt'; at: number }
  /** `upCancelled`: the second interrupt cancelled an `up` under way, which may have changed things. */
  | { type: 'hard-stop'; at: number; upCancelled: boolean };

/** The one thing to do next. */
export type RolloutAction =
  | { type: 'up'; purpose: UpPurpose; desired: DesiredState }
  | { type: 'read-outputs' }
  | { type: 'observe'; candidate: CandidateRef }
  | { type: 'sleep'; ms: number }
  | { type: 'done'; result: RolloutResult };

export interface Decision {
  state: RolloutState;
  action: RolloutAction;
  events: RolloutEvent[];
}

/** One strategy step in the result (the `steps` of `deploy --json`). */
export interface StepReport {
  weight: number;
  wait: number;
  outcome: StepOutcome;
}

/** The result of a run; `deploy --json` prints it (with `duration_s` for `durationS`). */
export interface RolloutResult {
  outcome: RolloutOutcome;
  deploymentId: string;
  /** The candidate's version and slot. */
  version: string;
  slot: Slot;
  /** The release that was live when the run started. */
  previous: { slot: Slot; version: string } | null;
  steps: StepReport[];
  reason: string | null;
  durationS: number;
  /** What to do when the stack could not be put back (rollback failed, second interrupt); else empty. */
  instructions: string[];
}

// ---------------------------------------------------------------- the pure part

/**
 * Builds the initial state of a run.
 *
 * @throws UsageError when the previous deployment did not finish (point to `rollback`).
 * @throws EcsCrdError when the outputs name a live slot but keep no release spec for it.
 */
export function startRollout(request: RolloutRequest, now: number): RolloutState {
  const { config, environment, previous } = request;
  if (previous) assertSettled(previous.meta);
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
  };
}

/** The pure transition: the next state, the action it calls for, and what to report. */
export function decide(state: RolloutState, message: RolloutMessage): Decision {
  const events: RolloutEvent[] = [];
  const next = transition({ ...state, now: Math.max(state.now, message.at) }, message, events);
  return { state: next, action: nextAction(next), events };
}

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

/** A stack whose last deployment ended (deployed or rolled back): a new one may start. */
export function isSettled(phase: Phase): boolean {
  switch (phase) {
    case 'stable':
    case 'rolled_back':
      return true;
    case 'deploying':
    case 'rolling_back':
    case 'interrupted':
    case 'failed':
      return false;
    default:
      return assertNever(phase);
  }
}

/** The exit code of a run (SPEC §1). */
export function exitCodeFor(outcome: RolloutOutcome): ExitCode {
  switch (outcome) {
    case 'deployed':
      return ExitCode.Success;
    case 'rolled_back':
      return ExitCode.RolledBack;
    case 'rollback_failed':
      return ExitCode.RollbackFailed;
    case 'interrupted':
      return ExitCode.Interrupted;
    default:
      return assertNever(outcome);
  }
}

function transition(s: RolloutState, m: RolloutMessage, ev: RolloutEvent[]): RolloutState {
  // Nothing moves after the end; the driver stops there anyway.
  if (s.stage.kind === 'done') return s;
  switch (m.type) {
    case 'start':
      ev.push(startedEvent(s));
      return advanceTo(s, 0, ev);
    case 'up-succeeded':
      return upSucceeded(s, ev);
    case 'up-failed':
      return upFailed(s, m.error, ev);
    case 'outputs-read':
      return located(s, m.outputs, ev);
    case 'outputs-failed':
      expectStage(s, 'locate', m);
      return fail(s, `${stepTitle(s)}: could not read the stack outputs: ${m.error}`, ev);
    case 'observed':
      return observed(s, m.observation, ev);
    case 'observe-failed':
      return probeFailed(s, m.error, ev);
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
function advanceTo(s: RolloutState, index: number, ev: RolloutEvent[]): RolloutState {
  const step = s.ctx.plan.steps[index];
  if (index <= s.stepIndex || !step) {
    throw new EcsCrdError(`internal error: cannot move from step ${s.stepIndex} to ${index}`);
  }
  const moved: RolloutState = { ...s, stepIndex: index };
  ev.push(
    rolloutEvent('step.started', 'info', `${stepTitle(moved)}: ${describeStep(step)}`, {
      ...stepNumbers(moved),
      kind: step.kind,
      label: describeStep(step),
      candidateWeight: candidateWeightAt(step),
      waitS: waitOf(step),
    }),
  );
  switch (step.kind) {
    case 'provision':
    case 'shift':
    case 'finalize':
      return { ...moved, stage: { kind: 'apply' } };
    case 'scale-wait':
      return startWatch(moved, step.wait, ev);
    default:
      return assertNever(step);
  }
}

/** The current step passed: record it and move on. */
function completeStep(s: RolloutState, ev: RolloutEvent[]): RolloutState {
  const passed = markStep(s, 'passed', ev);
  return advanceTo(passed, s.stepIndex + 1, ev);
}

function upSucceeded(s: RolloutState, ev: RolloutEvent[]): RolloutState {
  const { stage } = s;
  switch (stage.kind) {
    case 'apply': {
      const step = currentStep(s);
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
          return unexpected(s, 'up-succeeded');
        default:
          return assertNever(step);
      }
    }
    case 'rollback':
      if (stage.step === 'restore-traffic') {
        const restored = { ...s, candidateWeight: 0 };
        ev.push(weightsEvent(restored));
        return { ...restored, stage: { ...stage, step: 'remove-candidate' } };
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

function upFailed(s: RolloutState, error: string, ev: RolloutEvent[]): RolloutState {
  const { stage } = s;
  switch (stage.kind) {
    case 'apply': {
      // The failed `up` may have changed some records before it stopped: assume the worst.
      const candidateWeight = Math.max(s.candidateWeight, candidateWeightAt(currentStep(s)));
      return fail({ ...s, candidateWeight }, `${stepTitle(s)}: the stack update failed: ${error}`, ev);
    }
    case 'rollback':
      return finish(
        s,
        'rollback_failed',
        `${stage.reason}; then the rollback failed (${stage.step}): ${error}`,
        ev,
        true,
      );
    case 'locate':
    case 'watch':
    case 'done':
      return unexpected(s, 'up-failed');
    default:
      return assertNever(stage);
  }
}

function located(s: RolloutState, outputs: StackOutputs | null, ev: RolloutEvent[]): RolloutState {
  expectStage(s, 'locate', { type: 'outputs-read' });
  const { slot, config } = s.ctx.candidate;
  const targetGroupArns = outputs?.targetGroupArns[slot] ?? [];
  const serviceName = outputs?.serviceNames[slot];
  if (targetGroupArns.length === 0 || !serviceName) {
    return fail(
      s,
      `${stepTitle(s)}: the stack outputs name no ECS service or target group for slot ${slot}`,
      ev,
    );
  }
  const found = { ...s, candidate: { cluster: config.service.cluster, serviceName, targetGroupArns } };
  return completeStep(found, ev);
}

function observed(s: RolloutState, observation: Observation, ev: RolloutEvent[]): RolloutState {
  const watch = expectStage(s, 'watch', { type: 'observed' });
  const { canary } = s.ctx.candidate.config;
  const gate = evaluateGate({
    observation,
    desired: canary.scale.desired,
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
      if (s.now >= watch.until) return completeStep(judged, ev);
      return scheduleObservation(judged, watch);
    case 'wait':
      return scheduleObservation(judged, watch);
    default:
      return assertNever(gate.verdict);
  }
}

function probeFailed(s: RolloutState, error: string, ev: RolloutEvent[]): RolloutState {
  const watch = expectStage(s, 'watch', { type: 'observe-failed' });
  ev.push(
    rolloutEvent('health.probe-failed', 'warn', `Could not observe the candidate: ${error}`, { error }),
  );
  // A probe error is not a verdict on the candidate: keep looking until the deadline.
  if (s.now >= deadlineOf(s, watch)) {
    return fail(s, `${stepTitle(s)}: the candidate could not be observed before the deadline: ${error}`, ev);
  }
  return scheduleObservation(s, watch);
}

function slept(s: RolloutState, ev: RolloutEvent[]): RolloutState {
  const watch = expectStage(s, 'watch', { type: 'slept' });
  if (s.now < watch.until) {
    const remainingS = Math.ceil((watch.until - s.now) / 1000);
    ev.push(rolloutEvent('wait.tick', 'debug', `${remainingS} s left`, { remainingS, endsAt: watch.until }));
  }
  return s;
}

function interrupt(s: RolloutState, ev: RolloutEvent[]): RolloutState {
  if (s.interrupted) return s;
  const noted = { ...s, interrupted: true };
  const { stage } = s;
  switch (stage.kind) {
    case 'rollback':
      ev.push(
        rolloutEvent('interrupt.received', 'warn', 'Interrupt received: the rollback under way goes on', {
          hard: false,
        }),
      );
      return noted;
    case 'apply':
    case 'locate':
    case 'watch': {
      const stopped = markStep(noted, 'interrupted', ev);
      if (nothingApplied(s)) {
        ev.push(
          rolloutEvent('interrupt.received', 'warn', 'Interrupt received before any change', { hard: false }),
        );
        return finish(stopped, 'interrupted', 'interrupted before any change was made', ev);
      }
      ev.push(
        rolloutEvent(
          'interrupt.received',
          'warn',
          'Interrupt received: rolling back (interrupt again to stop at once)',
          {
            hard: false,
          },
        ),
      );
      return startRollback(stopped, 'interrupt', 'interrupted by the user', ev);
    }
    case 'done':
      return s;
    default:
      return assertNever(stage);
  }
}

function hardStop(s: RolloutState, upCancelled: boolean, ev: RolloutEvent[]): RolloutState {
  ev.push(rolloutEvent('interrupt.received', 'error', 'Second interrupt: stopping at once', { hard: true }));
  const stopped = s.stage.kind === 'rollback' ? s : markStep(s, 'interrupted', ev);
  if (nothingApplied(s) && !upCancelled) {
    return finish(stopped, 'interrupted', 'interrupted before any change was made', ev);
  }
  const reason =
    'stopped at once by a second interrupt: the deployment is left unfinished; run `ecs-crd rollback`';
  return finish(stopped, 'interrupted', reason, ev, true);
}

function fail(s: RolloutState, reason: string, ev: RolloutEvent[]): RolloutState {
  return startRollback(markStep(s, 'failed', ev), 'failure', reason, ev);
}

function startRollback(
  s: RolloutState,
  cause: RollbackCause,
  reason: string,
  ev: RolloutEvent[],
): RolloutState {
  // Traffic first, then the candidate's resources; a candidate that never had traffic skips the first `up`.
  const restoreTraffic = s.candidateWeight > 0;
  ev.push(
    rolloutEvent('rollback.started', 'warn', `Rolling back: ${reason}`, { cause, reason, restoreTraffic }),
  );
  return {
    ...s,
    stage: { kind: 'rollback', step: restoreTraffic ? 'restore-traffic' : 'remove-candidate', cause, reason },
  };
}

function finish(
  s: RolloutState,
  outcome: RolloutOutcome,
  reason: string | null,
  ev: RolloutEvent[],
  unfinished = false,
): RolloutState {
  const durationS = durationOf(s);
  ev.push(
    rolloutEvent(
      'rollout.finished',
      outcome === 'deployed' ? 'info' : 'error',
      finishedText(s, outcome, reason),
      {
        outcome,
        reason,
        durationS,
      },
    ),
  );
  return { ...s, stage: { kind: 'done', outcome, reason, unfinished } };
}

/** Records the current step's outcome (once: a step that failed stays failed). */
function markStep(s: RolloutState, outcome: StepOutcome, ev: RolloutEvent[]): RolloutState {
  const step = s.ctx.plan.steps[s.stepIndex];
  if (!step || s.stepOutcomes[s.stepIndex] !== 'not_run') return s;
  ev.push(
    rolloutEvent('step.finished', outcome === 'passed' ? 'info' : 'error', `${stepTitle(s)} ${outcome}`, {
      ...stepNumbers(s),
      kind: step.kind,
      outcome,
    }),
  );
  return {
    ...s,
    stepOutcomes: s.stepOutcomes.map((current, index) => (index === s.stepIndex ? outcome : current)),
  };
}

function startWatch(s: RolloutState, waitS: number, ev: RolloutEvent[]): RolloutState {
  const until = s.now + waitS * 1000;
  if (waitS > 0) {
    ev.push(
      rolloutEvent('wait.started', 'info', `Watching the candidate for ${waitS} s`, {
        seconds: waitS,
        endsAt: until,
      }),
    );
  }
  // Look at once: a candidate broken from the start is caught in seconds, and the view gets counts.
  return { ...s, stage: { kind: 'watch', startedAt: s.now, until, nextObservationAt: s.now } };
}

/**
 * By when the candidate must pass: `health.timeout` after scale-up until it first passes; after
 * that, `health.timeout` of grace past the end of each wait for a transient not-yet-healthy state.
 */
function deadlineOf(s: RolloutState, watch: Extract<RolloutStage, { kind: 'watch' }>): number {
  const timeoutMs = s.ctx.candidate.config.canary.health.timeout * 1000;
  return s.wasHealthy ? watch.until + timeoutMs : watch.startedAt + timeoutMs;
}

/** Every `health.interval`, and exactly at the end of the wait and at the deadline. */
function scheduleObservation(s: RolloutState, watch: Extract<RolloutStage, { kind: 'watch' }>): RolloutState {
  const intervalMs = s.ctx.candidate.config.canary.health.interval * 1000;
  const due = [s.now + intervalMs, watch.until, deadlineOf(s, watch)].filter((at) => at > s.now);
  return { ...s, stage: { ...watch, nextObservationAt: Math.min(...due) } };
}

function nextAction(s: RolloutState): RolloutAction {
  const { stage } = s;
  switch (stage.kind) {
    case 'apply':
      return applyAction(s, currentStep(s));
    case 'locate':
      return { type: 'read-outputs' };
    case 'watch': {
      if (s.now < stage.nextObservationAt) return { type: 'sleep', ms: stage.nextObservationAt - s.now };
      if (!s.candidate) throw new EcsCrdError('internal error: watching a candidate that was never located');
      return { type: 'observe', candidate: s.candidate };
    }
    case 'rollback':
      return rollbackAction(s, stage);
    case 'done':
      return { type: 'done', result: resultOf(s, stage) };
    default:
      return assertNever(stage);
  }
}

function applyAction(s: RolloutState, step: PlanStep): RolloutAction {
  switch (step.kind) {
    case 'provision':
      return up(
        'provision',
        desiredState(s, { stableRelease: true, candidateRelease: true, candidateWeight: 0 }),
      );
    case 'shift':
      return up(
        'shift',
        desiredState(s, { stableRelease: true, candidateRelease: true, candidateWeight: step.weight }),
      );
    case 'finalize':
      return up(
        'finalize',
        desiredState(
          s,
          { stableRelease: false, candidateRelease: true, candidateWeight: 100 },
          { phase: 'stable', live: 'candidate', outcome: 'deployed' },
        ),
      );
    case 'scale-wait':
      throw new EcsCrdError('internal error: the scale wait has no update to apply');
    default:
      return assertNever(step);
  }
}

function rollbackAction(s: RolloutState, stage: Extract<RolloutStage, { kind: 'rollback' }>): RolloutAction {
  const interrupted = stage.cause === 'interrupt';
  switch (stage.step) {
    case 'restore-traffic':
      // An interrupted run is marked as such as soon as this lands, in case a second Ctrl-C follows.
      return up(
        'restore-traffic',
        desiredState(
          s,
          { stableRelease: true, candidateRelease: true, candidateWeight: 0 },
          { phase: interrupted ? 'interrupted' : 'rolling_back' },
        ),
      );
    case 'remove-candidate':
      return up(
        'remove-candidate',
        desiredState(
          s,
          { stableRelease: true, candidateRelease: false, candidateWeight: 0 },
          {
            phase: 'rolled_back',
            outcome: interrupted ? 'interrupted' : 'rolled_back',
            reason: stage.reason,
          },
        ),
      );
    default:
      return assertNever(stage.step);
  }
}

function up(purpose: UpPurpose, desired: DesiredState): RolloutAction {
  return { type: 'up', purpose, desired };
}

interface Declared {
  stableRelease: boolean;
  candidateRelease: boolean;
  candidateWeight: number;
}

interface MetaChanges {
  phase?: Phase;
  live?: 'stable' | 'candidate';
  outcome?: RolloutOutcome;
  reason?: string;
}

/** The one builder of what an `up` declares: the stable spec passes through as it was read. */
function desiredState(s: RolloutState, declared: Declared, changes: MetaChanges = {}): DesiredState {
  const { ctx } = s;
  const releases: Partial<Record<Slot, DeploymentConfig>> = {};
  if (declared.stableRelease && ctx.stable) releases[ctx.stable.slot] = ctx.stable.config;
  if (declared.candidateRelease) releases[ctx.candidate.slot] = ctx.candidate.config;
  const live = changes.live === 'candidate' ? ctx.candidate : ctx.stable;
  return {
    identity: ctx.identity,
    environment: ctx.environment,
    releases,
    weights: splitWeights(ctx.candidate.slot, declared.candidateWeight),
    meta: {
      phase: changes.phase ?? 'deploying',
      liveSlot: live?.slot ?? null,
      liveVersion: live?.version ?? null,
      deploymentId: ctx.deploymentId,
      candidateVersion: ctx.candidate.version,
      candidateSlot: ctx.candidate.slot,
      step: passedShifts(s) - 1,
      startedAt: new Date(ctx.startedAt).toISOString(),
      outcome: changes.outcome ?? null,
      reason: changes.reason ?? null,
    },
  };
}

function resultOf(s: RolloutState, done: Extract<RolloutStage, { kind: 'done' }>): RolloutResult {
  const { ctx } = s;
  const steps: StepReport[] = [];
  for (const [index, step] of ctx.plan.steps.entries()) {
    if (step.kind === 'shift') {
      steps.push({ weight: step.weight, wait: step.wait, outcome: s.stepOutcomes[index] ?? 'not_run' });
    }
  }
  return {
    outcome: done.outcome,
    deploymentId: ctx.deploymentId,
    version: ctx.candidate.version,
    slot: ctx.candidate.slot,
    previous: ctx.stable ? { slot: ctx.stable.slot, version: ctx.stable.version } : null,
    steps,
    reason: done.reason,
    durationS: durationOf(s),
    instructions: done.unfinished ? recoveryInstructions(s) : [],
  };
}

/** What an operator does when the rollout could not put things back itself. */
function recoveryInstructions(s: RolloutState): string[] {
  const { candidate, stable, environment } = s.ctx;
  const { service } = candidate.config;
  const serviceName = s.candidate?.serviceName ?? `${service.name}-${candidate.slot}`;
  const lines = [
    'Run `ecs-crd rollback` with the same --environment, --region and deployment file: it unlocks the stack, ' +
      'clears pending operations, sends all traffic to the stable release and removes the candidate; it is safe to run twice.',
    'If that fails too, by hand:',
  ];
  if (stable) {
    for (const zone of environment.zones) {
      lines.push(
        `  Route 53 zone ${zone.zoneName} (${zone.zoneId}): set the weighted records of ${zone.fqdn} to 100 for ` +
          `set identifier "${stable.releaseId}" and 0 for "${candidate.releaseId}".`,
      );
    }
  } else {
    lines.push(`  There was no release before ${candidate.version}: there is no traffic to send back.`);
  }
  lines.push(`  Scale the ECS service ${serviceName} in cluster ${service.cluster} to 0 and delete it.`);
  return lines;
}

// ---------------------------------------------------------------- helpers of the pure part

function assertSettled(meta: DeploymentMeta): void {
  if (isSettled(meta.phase)) return;
  throw new UsageError(
    `deployment ${meta.deploymentId} (version ${meta.candidateVersion ?? 'unknown'}) did not finish: the stack is ${meta.phase}`,
    { hint: 'run `ecs-crd rollback` to recover it, then deploy again' },
  );
}

function release(slot: Slot, config: DeploymentConfig, environment: Environment): Release {
  return { slot, releaseId: environment.slots[slot].releaseId, version: config.service.version, config };
}

function currentStep(s: RolloutState): PlanStep {
  const step = s.ctx.plan.steps[s.stepIndex];
  if (!step) throw new EcsCrdError(`internal error: no step ${s.stepIndex}`);
  return step;
}

/** Before the provision `up` completed, an interrupt has nothing to undo. */
function nothingApplied(s: RolloutState): boolean {
  return s.stepIndex <= 0 && s.stage.kind === 'apply';
}

function passedShifts(s: RolloutState): number {
  return s.ctx.plan.steps.filter((step, index) => step.kind === 'shift' && s.stepOutcomes[index] === 'passed')
    .length;
}

function durationOf(s: RolloutState): number {
  return Math.round((s.now - s.ctx.startedAt) / 100) / 10;
}

function stepNumbers(s: RolloutState): { number: number; total: number } {
  return { number: s.stepIndex + 1, total: s.ctx.plan.steps.length };
}

function stepTitle(s: RolloutState): string {
  const { number, total } = stepNumbers(s);
  return `Step ${number}/${total}`;
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

function startedEvent(s: RolloutState): RolloutEvent {
  const { candidate, stable, plan, deploymentId } = s.ctx;
  const replacing = stable ? `, replacing ${stable.version} on ${stable.slot}` : ' (first deployment)';
  return rolloutEvent(
    'rollout.started',
    'info',
    `Deploying ${candidate.config.service.name} ${candidate.version} to ${candidate.slot} (${candidate.releaseId})${replacing}: ${plan.steps.length} steps`,
    {
      deploymentId,
      version: candidate.version,
      candidateSlot: candidate.slot,
      candidateReleaseId: candidate.releaseId,
      stableSlot: stable?.slot ?? null,
      stableVersion: stable?.version ?? null,
      firstDeployment: plan.firstDeployment,
      plan: timeline(plan),
    },
  );
}

function weightsEvent(s: RolloutState): RolloutEvent {
  const { candidate, environment } = s.ctx;
  const weights = splitWeights(candidate.slot, s.candidateWeight);
  const other = otherSlot(candidate.slot);
  return rolloutEvent(
    'weights.changed',
    'info',
    `Traffic: ${candidate.slot} ${weights[candidate.slot]} % / ${other} ${weights[other]} %`,
    {
      weights,
      candidateSlot: candidate.slot,
      candidateWeight: s.candidateWeight,
      fqdns: environment.zones.map((zone) => zone.fqdn),
    },
  );
}

function observedEvent(
  previous: GateResult | null,
  gate: GateResult,
  observation: Observation,
): RolloutEvent {
  // Only changes are worth a line; the same verdict again goes to --verbose.
  const changed =
    !previous ||
    previous.verdict !== gate.verdict ||
    previous.code !== gate.code ||
    previous.healthy !== gate.healthy ||
    previous.total !== gate.total;
  return rolloutEvent(
    'health.observed',
    changed ? 'info' : 'debug',
    `Health: ${gate.healthy}/${gate.total} targets healthy — ${gate.verdict}: ${gate.reason}`,
    {
      verdict: gate.verdict,
      code: gate.code,
      reason: gate.reason,
      healthy: gate.healthy,
      total: gate.total,
      running: observation.service?.running ?? null,
      desired: observation.service?.desired ?? null,
    },
  );
}

function finishedText(s: RolloutState, outcome: RolloutOutcome, reason: string | null): string {
  const { candidate, stable } = s.ctx;
  const why = reason ? `: ${reason}` : '';
  switch (outcome) {
    case 'deployed':
      return `Deployed ${candidate.version} on ${candidate.slot} in ${durationOf(s)} s`;
    case 'rolled_back':
      return stable
        ? `Rolled back: ${stable.version} on ${stable.slot} serves 100 %${why}`
        : `Rolled back: the candidate was removed${why}`;
    case 'rollback_failed':
      return `Rollback failed, manual action needed${why}`;
    case 'interrupted':
      return `Interrupted${why}`;
    default:
      return assertNever(outcome);
  }
}

// ---------------------------------------------------------------- the driver

/**
 * Runs one canary release to its end: performs each action `decide` asks for through the
 * ports and feeds the result back. Never throws for a failed deployment (the result says how
 * it ended); throws only for a stack locked by someone else before anything changed
 * (`StackLockedError`, exit 5), a refused start, or an internal error.
 *
 * Interruption: once `signal` aborts, the `up` under way finishes (it is never given that
 * signal), then the rollout rolls back and ends `interrupted`. Once `hardStop` aborts, the
 * rollout stops at once: the running `up` gets `hardStop` as its signal so the engine cancels
 * it cleanly, and no further `up` is started.
 */
export async function runRollout(deps: RolloutDeps, request: RolloutRequest): Promise<RolloutResult> {
  const { clock } = deps;
  const report = (event: RolloutEvent): void => {
    try {
      deps.reporter(event);
    } catch {
      // A broken reporter must not leave a deployment half done.
    }
  };
  const wake = anySignal([deps.signal, deps.hardStop]);
  let state = startRollout(request, clock.now());
  let message: RolloutMessage = { type: 'start', at: clock.now() };
  let decision = decide(state, message);
  for (const event of decision.events) report(event);
  while (decision.action.type !== 'done') {
    state = decision.state;
    message =
      interruption(deps, state, clock.now()) ?? (await perform(deps, report, decision.action, state, wake));
    decision = decide(state, message);
    for (const event of decision.events) report(event);
  }
  if (deps.signal?.aborted && !decision.state.interrupted && decision.action.result.outcome === 'deployed') {
    report(
      rolloutEvent(
        'interrupt.received',
        'warn',
        'Interrupt received after the release was finalized: nothing to undo',
        {
          hard: false,
        },
      ),
    );
  }
  return decision.action.result;
}

function interruption(deps: RolloutDeps, state: RolloutState, at: number): RolloutMessage | null {
  if (deps.hardStop?.aborted) return { type: 'hard-stop', at, upCancelled: false };
  if (deps.signal?.aborted && !state.interrupted) return { type: 'interrupt', at };
  return null;
}

async function perform(
  deps: RolloutDeps,
  report: (event: RolloutEvent) => void,
  action: Exclude<RolloutAction, { type: 'done' }>,
  state: RolloutState,
  wake: AbortSignal | undefined,
): Promise<RolloutMessage> {
  const { clock, runner, probe } = deps;
  switch (action.type) {
    case 'up':
      return runUp(deps, report, action);
    case 'read-outputs':
      try {
        return { type: 'outputs-read', at: clock.now(), outputs: await runner.outputs() };
      } catch (error) {
        return { type: 'outputs-failed', at: clock.now(), error: messageOf(error) };
      }
    case 'observe':
      try {
        const observation = await probe.observe(action.candidate);
        return { type: 'observed', at: clock.now(), observation };
      } catch (error) {
        return { type: 'observe-failed', at: clock.now(), error: messageOf(error) };
      }
    case 'sleep':
      try {
        await clock.sleep(action.ms, wake);
      } catch {
        // Woken early by an interrupt: it becomes the next message.
      }
      return interruption(deps, state, clock.now()) ?? { type: 'slept', at: clock.now() };
    default:
      return assertNever(action);
  }
}

async function runUp(
  deps: RolloutDeps,
  report: (event: RolloutEvent) => void,
  action: Extract<RolloutAction, { type: 'up' }>,
): Promise<RolloutMessage> {
  const { clock, runner, hardStop } = deps;
  const { purpose } = action;
  const startedAt = clock.now();
  report(rolloutEvent('stack.update.started', 'info', `Updating the stack (${purpose})`, { purpose }));
  try {
    const summary = await runner.up(action.desired, {
      signal: hardStop,
      onEvent: (event) =>
        report(rolloutEvent('engine.event', 'debug', event.message ?? engineEventText(event), event)),
      onOutput: (line) => report(rolloutEvent('engine.output', 'debug', line, { line })),
    });
    const durationMs = clock.now() - startedAt;
    report(
      rolloutEvent(
        'stack.update.finished',
        'info',
        `Stack updated (${purpose}) in ${durationMs} ms: ${formatChanges(summary)}`,
        { purpose, durationMs, error: null, changes: summary.changes },
      ),
    );
    return { type: 'up-succeeded', at: clock.now() };
  } catch (error) {
    const text = messageOf(error);
    report(
      rolloutEvent('stack.update.finished', 'error', `Stack update failed (${purpose}): ${text}`, {
        purpose,
        durationMs: clock.now() - startedAt,
        error: text,
        changes: null,
      }),
    );
    // Someone else's lock before anything changed is not a failed deployment: exit 5, nothing to undo.
    if (error instanceof StackLockedError && purpose === 'provision') throw error;
    if (hardStop?.aborted) return { type: 'hard-stop', at: clock.now(), upCancelled: true };
    return { type: 'up-failed', at: clock.now(), error: text };
  }
}

function engineEventText(event: { kind: string; operation?: string; type?: string; name?: string }): string {
  return [event.kind, event.operation, event.type, event.name].filter(Boolean).join(' ');
}

function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length > 1 ? AbortSignal.any(present) : present[0];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
