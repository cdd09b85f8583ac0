/**
 * The rollout at a pause (`pause: true` / `pause: SECONDS` on a strategy step): once the pause
 * is saved, either the run ends `paused` (until `ecs-crd promote`, in another process), or it
 * keeps watching the candidate as during any wait (the health gate, the analysis) and takes
 * the control channel's request at each observation: promote goes on, abort rolls back, a
 * timed pause's end goes on by itself. Pure, like ./decide.ts.
 */
import { shiftSteps } from '../plan.js';
import type { Observation } from '../ports/aws.js';
import type { ControlRequest } from '../ports/control.js';
import { analysisWakeups, applyReading } from './analyze.js';
import { type Events, fail, finish, judgeHealth, startGate } from './flow.js';
import { probeFailedEvent, stepTitle, tickEvent } from './narrate.js';
import { pausedEvent, resumedEvent } from './narrate-hooks.js';
import type { AnalysisReading, PauseState, RolloutStage, RolloutState } from './types.js';

type Paused = Extract<RolloutStage, { kind: 'paused' }>;
type Read = { analysis?: AnalysisReading; control?: ControlRequest | null };

/** The pause's `up` landed: end the run `paused`, or start watching. */
export function pauseApplied(s: RolloutState, pause: PauseState, ev: Events): RolloutState {
  ev.push(pausedEvent(pause, shiftSteps(s.ctx.plan).length));
  if (!pause.waiting) return finish(s, 'paused', null, ev, false, pause);
  return { ...s, stage: { kind: 'paused', pause, nextObservationAt: s.now, healthyAt: s.now } };
}

/** The candidate, as the gate sees it during a pause: it must stay healthy, as after any wait. */
export function pausedObserved(
  before: RolloutState,
  stage: Paused,
  observation: Observation,
  read: Read,
  ev: Events,
): RolloutState {
  const analysed = applyReading(before, read.analysis, ev);
  if (analysed.failure) return fail(analysed.state, analysed.failure, ev);
  const judged = judgeHealth(analysed.state, observation, deadlineOf(analysed.state, stage), ev);
  if (judged.failure) return fail(judged.state, judged.failure, ev);
  const healthyAt = judged.gate.verdict === 'pass' ? judged.state.now : stage.healthyAt;
  return afterLook({ ...judged.state, stage: { ...stage, healthyAt } }, read.control ?? null, ev);
}

/** The candidate could not be observed: not a verdict, until the deadline; a request still counts. */
export function pausedProbeFailed(
  before: RolloutState,
  stage: Paused,
  error: string,
  read: Read,
  ev: Events,
): RolloutState {
  const analysed = applyReading(before, read.analysis, ev);
  if (analysed.failure) return fail(analysed.state, analysed.failure, ev);
  const s = analysed.state;
  ev.push(probeFailedEvent(error));
  if (s.now >= deadlineOf(s, stage)) {
    return fail(s, `${stepTitle(s)}: the candidate could not be observed during the pause: ${error}`, ev);
  }
  return afterLook({ ...s, stage }, read.control ?? null, ev);
}

export function pausedSlept(s: RolloutState, stage: Paused, ev: Events): RolloutState {
  const { until } = stage.pause;
  if (until !== null && s.now < until) ev.push(tickEvent(s, until));
  return s;
}

/** After each look: a request, the end of a timed pause, or the next look. */
function afterLook(s: RolloutState, control: ControlRequest | null, ev: Events): RolloutState {
  const stage = s.stage as Paused;
  if (control?.action === 'abort') {
    ev.push(resumedEvent('abort', false, control.by));
    return fail(s, `aborted by ${control.by}`, ev);
  }
  if (control?.action === 'promote') {
    ev.push(resumedEvent('promote', control.full, control.by));
    return leavePause(s, control.full);
  }
  const { until } = stage.pause;
  if (until !== null && s.now >= until) {
    ev.push(resumedEvent('timer', false, null));
    return leavePause(s, false);
  }
  const intervalMs = s.ctx.candidate.config.canary.health.interval * 1000;
  const due = [s.now + intervalMs, until ?? Number.POSITIVE_INFINITY, deadlineOf(s, stage)].filter(
    (at) => at > s.now,
  );
  const wakeups = analysisWakeups(s, { startedAt: stage.pause.since, until: s.now });
  return { ...s, stage: { ...stage, nextObservationAt: Math.min(...due, ...wakeups) } };
}

/**
 * On from the pause, through a health gate first: to the next step, or with `full` straight
 * to the final 100 % shift (the steps between are not run).
 */
export function leavePause(s: RolloutState, full: boolean): RolloutState {
  return startGate(s, nextAfterPause(s, full));
}

/** The step a pause at the current step goes on to. */
export function nextAfterPause(s: RolloutState, full: boolean): number {
  const { steps } = s.ctx.plan;
  const lastShift = steps.findLastIndex((step) => step.kind === 'shift');
  return full && lastShift > s.stepIndex ? lastShift : s.stepIndex + 1;
}

/** During a pause the candidate, once healthy, must not stay unhealthy for `health.timeout`. */
function deadlineOf(s: RolloutState, stage: Paused): number {
  return stage.healthyAt + s.ctx.candidate.config.canary.health.timeout * 1000;
}
