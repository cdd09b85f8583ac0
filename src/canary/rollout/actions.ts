/**
 * From a rollout state to the one action it calls for, and the one builder of what each `up`
 * declares. Pure: the stable release's spec passes through exactly as it was read, so the
 * engine never sees a change to it before finalize.
 */
import type { DeploymentConfig, HookPoint } from '../../config/types.js';
import { assertNever, EcsCrdError } from '../../errors.js';
import { candidateEndpoint } from '../hooks.js';
import { type PlanStep, shiftSteps } from '../plan.js';
import type { Slot } from '../ports/aws.js';
import type { HookEvent } from '../ports/hooks.js';
import type { DesiredState, PauseRecord, Phase } from '../ports/stack.js';
import { analysisReads, analysisResult, stepAnalysisReport } from './analyze.js';
import { splitWeights } from './desired.js';
import { durationOf, recoveryInstructions } from './narrate.js';
import type {
  PauseState,
  RolloutAction,
  RolloutOutcome,
  RolloutResult,
  RolloutStage,
  RolloutState,
  StepReport,
  UpPurpose,
} from './types.js';

/** What `s` calls for next. */
export function nextAction(s: RolloutState): RolloutAction {
  const { stage } = s;
  switch (stage.kind) {
    case 'apply':
      return applyAction(s, currentStep(s));
    case 'locate':
      return { type: 'read-outputs' };
    case 'watch': {
      if (s.now < stage.nextObservationAt) return { type: 'sleep', ms: stage.nextObservationAt - s.now };
      return { type: 'observe', candidate: located(s), ...analysisReads(s, stage) };
    }
    case 'hooks': {
      const spec = s.ctx.candidate.config.canary.hooks?.[stage.point]?.[stage.index];
      if (!spec) throw new EcsCrdError(`internal error: no hook ${stage.index} at ${stage.point}`);
      return { type: 'hook', point: stage.point, spec, event: hookEvent(s, stage.point, stage.ending) };
    }
    case 'pausing':
      return up(
        'pause',
        desiredState(
          s,
          { stable: true, candidate: true, candidateWeight: s.candidateWeight },
          // `outcome: paused` lets `history` tell a pause from a run that died.
          { phase: 'paused', outcome: 'paused', pause: pauseRecord(stage.pause) },
        ),
      );
    case 'paused': {
      if (s.now < stage.nextObservationAt) return { type: 'sleep', ms: stage.nextObservationAt - s.now };
      const span = { startedAt: stage.pause.since, until: s.now };
      return {
        type: 'observe',
        candidate: located(s),
        ...analysisReads(s, span),
        control: s.ctx.deploymentId,
      };
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
      return up('provision', desiredState(s, { stable: true, candidate: true, candidateWeight: 0 }));
    case 'shift':
      return up('shift', desiredState(s, { stable: true, candidate: true, candidateWeight: step.weight }));
    case 'finalize':
      return up(
        'finalize',
        desiredState(
          s,
          { stable: false, candidate: true, candidateWeight: 100 },
          { phase: 'stable', live: 'candidate', outcome: 'deployed' },
        ),
      );
    case 'scale-wait':
    case 'drain':
      throw new EcsCrdError(`internal error: the ${step.kind} step has no update to apply`);
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
          { stable: true, candidate: true, candidateWeight: 0 },
          { phase: interrupted ? 'interrupted' : 'rolling_back' },
        ),
      );
    case 'drain':
      return { type: 'sleep', ms: Math.max(0, (stage.until ?? s.now) - s.now) };
    case 'remove-candidate':
      return up(
        'remove-candidate',
        desiredState(
          s,
          { stable: true, candidate: false, candidateWeight: 0 },
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

function located(s: RolloutState) {
  if (!s.candidate) throw new EcsCrdError('internal error: watching a candidate that was never located');
  return s.candidate;
}

function pauseRecord(pause: PauseState): PauseRecord {
  return {
    since: new Date(pause.since).toISOString(),
    weight: pause.weight,
    until: pause.until === null ? null : new Date(pause.until).toISOString(),
  };
}

/** What a hook at `point` is told; `ending`: how the deployment ended, for the `after_*` points. */
export function hookEvent(
  s: RolloutState,
  point: HookPoint,
  ending: { outcome: RolloutOutcome; reason: string | null } | null,
): HookEvent {
  const { ctx } = s;
  const { candidate, stable, identity } = ctx;
  const step = ctx.plan.steps[s.stepIndex];
  return {
    hook: point,
    deploymentId: ctx.deploymentId,
    project: identity.project,
    service: candidate.config.service.name,
    environment: identity.environment,
    region: identity.region,
    version: candidate.version,
    slot: candidate.slot,
    releaseId: candidate.releaseId,
    stable: stable ? { version: stable.version, slot: stable.slot } : null,
    weight: s.candidateWeight,
    step: point === 'after_step' && step?.kind === 'shift' ? step.shift + 1 : null,
    steps: shiftSteps(ctx.plan).length,
    candidate: candidateEndpoint(ctx.environment, candidate.slot, candidate.config),
    outcome: ending?.outcome ?? null,
    reason: ending?.reason ?? null,
    at: new Date(s.now).toISOString(),
  };
}

function up(purpose: UpPurpose, desired: DesiredState): RolloutAction {
  return { type: 'up', purpose, desired };
}

/** Which releases an `up` declares, and the candidate's weight. */
interface Declared {
  stable: boolean;
  candidate: boolean;
  candidateWeight: number;
}

interface MetaChanges {
  phase?: Phase;
  live?: 'stable' | 'candidate';
  outcome?: RolloutOutcome;
  reason?: string;
  pause?: PauseRecord;
}

function desiredState(s: RolloutState, declared: Declared, changes: MetaChanges = {}): DesiredState {
  const { ctx } = s;
  const releases: Partial<Record<Slot, DeploymentConfig>> = {};
  if (declared.stable && ctx.stable) releases[ctx.stable.slot] = ctx.stable.config;
  if (declared.candidate) releases[ctx.candidate.slot] = ctx.candidate.config;
  const live = changes.live === 'candidate' ? ctx.candidate : ctx.stable;
  return {
    identity: ctx.identity,
    environment: ctx.environment,
    listeners: ctx.listeners,
    releases,
    weights: splitWeights(ctx.candidate.slot, declared.candidateWeight),
    meta: {
      phase: changes.phase ?? 'deploying',
      liveSlot: live?.slot ?? null,
      liveVersion: live?.version ?? null,
      deploymentId: ctx.deploymentId,
      candidateVersion: ctx.candidate.version,
      candidateSlot: ctx.candidate.slot,
      step: lastPassedShift(s),
      startedAt: new Date(ctx.startedAt).toISOString(),
      outcome: changes.outcome ?? null,
      reason: changes.reason ?? null,
      // Written by every `up`: the one after a pause clears it.
      pause: changes.pause ?? null,
    },
  };
}

function resultOf(s: RolloutState, done: Extract<RolloutStage, { kind: 'done' }>): RolloutResult {
  const { ctx } = s;
  const steps: StepReport[] = [];
  for (const [index, step] of ctx.plan.steps.entries()) {
    if (step.kind === 'shift') {
      steps.push({
        weight: step.weight,
        wait: step.wait,
        outcome: s.stepOutcomes[index] ?? 'not_run',
        ...stepAnalysisReport(s, index),
      });
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
    ...analysisResult(s),
    ...(done.paused
      ? {
          paused: {
            weight: done.paused.weight,
            step: done.paused.shift,
            since: new Date(done.paused.since).toISOString(),
          },
        }
      : {}),
  };
}

/** The step the rollout is in. */
export function currentStep(s: RolloutState): PlanStep {
  const step = s.ctx.plan.steps[s.stepIndex];
  if (!step) throw new EcsCrdError(`internal error: no step ${s.stepIndex}`);
  return step;
}

/** The index among the shifts of the last shift step passed; -1 before one (`DeploymentMeta.step`). */
function lastPassedShift(s: RolloutState): number {
  let last = -1;
  s.ctx.plan.steps.forEach((step, index) => {
    if (step.kind === 'shift' && s.stepOutcomes[index] === 'passed') last = step.shift;
  });
  return last;
}
