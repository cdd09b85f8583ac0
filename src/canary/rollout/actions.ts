/**
 * From a rollout state to the one action it calls for, and the one builder of what each `up`
 * declares. Pure: the stable release's spec passes through exactly as it was read, so the
 * engine never sees a change to it before finalize.
 */
import type { DeploymentConfig } from '../../config/types.js';
import { assertNever, EcsCrdError } from '../../errors.js';
import type { PlanStep } from '../plan.js';
import type { Slot } from '../ports/aws.js';
import type { DesiredState, Phase } from '../ports/stack.js';
import { analysisReads, analysisResult, stepAnalysisReport } from './analyze.js';
import { splitWeights } from './desired.js';
import { durationOf, recoveryInstructions } from './narrate.js';
import type {
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
      if (!s.candidate) throw new EcsCrdError('internal error: watching a candidate that was never located');
      return { type: 'observe', candidate: s.candidate, ...analysisReads(s, stage) };
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
  };
}

/** The step the rollout is in. */
export function currentStep(s: RolloutState): PlanStep {
  const step = s.ctx.plan.steps[s.stepIndex];
  if (!step) throw new EcsCrdError(`internal error: no step ${s.stepIndex}`);
  return step;
}

function passedShifts(s: RolloutState): number {
  return s.ctx.plan.steps.filter((step, index) => step.kind === 'shift' && s.stepOutcomes[index] === 'passed')
    .length;
}
