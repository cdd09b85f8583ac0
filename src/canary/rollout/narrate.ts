/**
 * What the rollout says: every event `decide` emits, the text of its result and the manual
 * instructions when it could not put things back itself. Pure; the transitions call these and
 * never build text of their own.
 */
import { assertNever } from '../../errors.js';
import { type ProgressEvent, type ProgressEventOf, progressEvent } from '../events.js';
import type { GateResult } from '../gate.js';
import { candidateWeightAt, describeStep, type PlanStep, shiftSteps, timeline, waitOf } from '../plan.js';
import { type Observation, otherSlot } from '../ports/aws.js';
import { secondsBetween } from '../ports/clock.js';
import { splitWeights } from './desired.js';
import type { PauseState, RollbackCause, RolloutOutcome, RolloutState, StepOutcome } from './types.js';

/** `{number, total}` of the current step, 1-based. */
export function stepNumbers(s: RolloutState): { number: number; total: number } {
  return { number: s.stepIndex + 1, total: s.ctx.plan.steps.length };
}

/** `Step 3/6`: how errors and events name the current step. */
export function stepTitle(s: RolloutState): string {
  const { number, total } = stepNumbers(s);
  return `Step ${number}/${total}`;
}

/**
 * The run's duration: from its start to the end of its last update, as the engine recorded it
 * (the stack's history measures a deployment the same way, so `history` agrees); before any
 * update, to now.
 */
export function durationOf(s: RolloutState): number {
  return secondsBetween(s.ctx.startedAt, s.lastUpEndedAt ?? s.now);
}

export function startedEvent(s: RolloutState): ProgressEvent {
  const { candidate, stable, plan, deploymentId, resumed } = s.ctx;
  const replacing = stable ? `, replacing ${stable.version} on ${stable.slot}` : ' (first deployment)';
  const what = `${candidate.config.service.name} ${candidate.version} to ${candidate.slot} (${candidate.releaseId})${replacing}`;
  const skipped = plan.pausesSkipped
    ? "; the strategy's pauses are skipped: a first deployment has no release to compare with"
    : '';
  const text = resumed
    ? `Resuming the deployment of ${what} at ${s.candidateWeight} %, step ${s.stepIndex + 1} of ${plan.steps.length}`
    : `Deploying ${what}: ${plan.steps.length} steps${skipped}`;
  return progressEvent('rollout.started', 'info', text, {
    deploymentId,
    version: candidate.version,
    candidateSlot: candidate.slot,
    candidateReleaseId: candidate.releaseId,
    stableSlot: stable?.slot ?? null,
    stableVersion: stable?.version ?? null,
    firstDeployment: plan.firstDeployment,
    plan: timeline(plan),
  });
}

/** `s` has just moved to `step`. */
export function stepStartedEvent(s: RolloutState, step: PlanStep): ProgressEvent {
  return progressEvent('step.started', 'info', `${stepTitle(s)}: ${describeStep(step)}`, {
    ...stepNumbers(s),
    kind: step.kind,
    label: describeStep(step),
    candidateWeight: candidateWeightAt(step),
    waitS: waitOf(step),
  });
}

export function stepFinishedEvent(s: RolloutState, step: PlanStep, outcome: StepOutcome): ProgressEvent {
  return progressEvent(
    'step.finished',
    outcome === 'passed' ? 'info' : 'error',
    `${stepTitle(s)} ${outcome}`,
    {
      ...stepNumbers(s),
      kind: step.kind,
      outcome,
    },
  );
}

export function waitStartedEvent(waitS: number, until: number): ProgressEvent {
  return progressEvent('wait.started', 'info', `Watching the candidate for ${waitS} s`, {
    seconds: waitS,
    endsAt: until,
  });
}

/** The rollback's drain: the candidate, now at 0 %, keeps serving cached DNS answers. */
export function drainStartedEvent(drainS: number, until: number): ProgressEvent {
  return progressEvent(
    'wait.started',
    'info',
    `Draining the candidate for ${drainS} s (canary.drain) before removing it`,
    { seconds: drainS, endsAt: until },
  );
}

export function tickEvent(s: RolloutState, until: number): ProgressEvent {
  const remainingS = Math.ceil((until - s.now) / 1000);
  return progressEvent('wait.tick', 'debug', `${remainingS} s left`, { remainingS, endsAt: until });
}

export function weightsEvent(s: RolloutState): ProgressEvent {
  const { candidate, environment } = s.ctx;
  const weights = splitWeights(candidate.slot, s.candidateWeight);
  const other = otherSlot(candidate.slot);
  return progressEvent(
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

export function observedEvent(
  previous: GateResult | null,
  gate: GateResult,
  observation: Observation,
): ProgressEvent {
  // Only changes are worth a line; the same verdict again goes to --verbose.
  const changed =
    !previous ||
    previous.verdict !== gate.verdict ||
    previous.code !== gate.code ||
    previous.healthy !== gate.healthy ||
    previous.total !== gate.total;
  return progressEvent(
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

export function probeFailedEvent(error: string): ProgressEvent {
  return progressEvent('health.probe-failed', 'warn', `Could not observe the candidate: ${error}`, { error });
}

const INTERRUPTS = {
  rollingBack: ['warn', 'Interrupt received: the rollback under way goes on'],
  beforeChange: ['warn', 'Interrupt received before any change'],
  willRollBack: ['warn', 'Interrupt received: rolling back (interrupt again to stop at once)'],
  afterFinalize: ['warn', 'Interrupt received after the release was finalized: nothing to undo'],
  afterEnd: ['warn', 'Interrupt received after the deployment ended: the remaining hooks are skipped'],
  hard: ['error', 'Second interrupt: stopping at once'],
} as const;

/** What an interrupt does at this point of the run. */
export function interruptEvent(when: keyof typeof INTERRUPTS): ProgressEventOf<'interrupt.received'> {
  const [level, text] = INTERRUPTS[when];
  return progressEvent('interrupt.received', level, text, { hard: when === 'hard' });
}

export function rollbackStartedEvent(
  cause: RollbackCause,
  reason: string,
  restoreTraffic: boolean,
): ProgressEvent {
  return progressEvent('rollback.started', 'warn', `Rolling back: ${reason}`, {
    cause,
    reason,
    restoreTraffic,
  });
}

export function finishedEvent(
  s: RolloutState,
  outcome: RolloutOutcome,
  reason: string | null,
  paused?: PauseState,
): ProgressEvent {
  return progressEvent(
    'rollout.finished',
    outcome === 'deployed' || outcome === 'paused' ? 'info' : 'error',
    paused ? pausedText(s, paused) : finishedText(s, outcome, reason),
    { outcome, reason, durationS: durationOf(s) },
  );
}

function pausedText(s: RolloutState, pause: PauseState): string {
  const total = shiftSteps(s.ctx.plan).length;
  return `Paused ${s.ctx.candidate.version} at ${pause.weight} % (shift step ${pause.shift}/${total}): run \`ecs-crd promote\` to go on or \`ecs-crd rollback\` to abort`;
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
    case 'paused':
      return `Paused${why}`;
    default:
      return assertNever(outcome);
  }
}

/** What an operator does when the rollout could not put things back itself. */
export function recoveryInstructions(s: RolloutState): string[] {
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
