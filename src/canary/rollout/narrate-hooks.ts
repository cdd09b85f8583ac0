/**
 * What the rollout says about hooks and pauses: `hook.*`, `rollout.paused`, `rollout.resumed`.
 * Pure, like ./narrate.ts; the hook events themselves are ../hooks.ts's, shared with
 * `ecs-crd rollback`'s `after_rollback` hooks.
 */
import type { HookPoint, HookSpec } from '../../config/types.js';
import { type ProgressEvent, progressEvent } from '../events.js';
import { hookFinishedEvent as finishedEvent, hookStartedEvent as startedEvent } from '../hooks.js';
import { shiftSteps } from '../plan.js';
import type { HookResult } from '../ports/hooks.js';
import type { PauseState, RolloutState } from './types.js';

/** The 1-based shift step under way and how many there are; null outside a shift. */
export function shiftNumbers(s: RolloutState): { number: number; total: number } | null {
  const step = s.ctx.plan.steps[s.stepIndex];
  if (step?.kind !== 'shift') return null;
  return { number: step.shift + 1, total: shiftSteps(s.ctx.plan).length };
}

/** `Hook after_step (2/4)`: the shift step's number at `after_step`. */
function hookTitle(s: RolloutState, point: HookPoint): string {
  const shift = point === 'after_step' ? shiftNumbers(s) : null;
  return `Hook ${point}${shift ? ` (${shift.number}/${shift.total})` : ''}`;
}

export function hookStartedEvent(s: RolloutState, point: HookPoint, spec: HookSpec): ProgressEvent {
  return startedEvent(hookTitle(s, point), point, spec);
}

export function hookFinishedEvent(
  s: RolloutState,
  point: HookPoint,
  spec: HookSpec,
  result: HookResult,
  gating: boolean,
): ProgressEvent {
  return finishedEvent(hookTitle(s, point), point, spec, result, gating);
}

/** The pause is saved: where, until when, and what the operator does next. */
export function pausedEvent(pause: PauseState, total: number): ProgressEvent {
  const where = `at ${pause.weight} % (shift step ${pause.shift}/${total})`;
  let text: string;
  if (pause.until !== null) {
    const seconds = Math.round((pause.until - pause.since) / 1000);
    text = `Paused ${where} for ${seconds} s, watching the candidate; \`ecs-crd promote\` goes on at once, \`ecs-crd rollback\` aborts`;
  } else if (pause.waiting) {
    text = `Paused ${where}, watching the candidate until \`ecs-crd promote\` (or \`ecs-crd rollback\` to abort)`;
  } else {
    text = `Paused ${where}: run \`ecs-crd promote\` to go on or \`ecs-crd rollback\` to abort`;
  }
  return progressEvent('rollout.paused', 'info', text, {
    weight: pause.weight,
    step: pause.shift,
    until: pause.until,
    waiting: pause.waiting,
  });
}

/** The pause ends: promoted by someone, aborted by someone, or its time is over. */
export function resumedEvent(
  action: 'promote' | 'abort' | 'timer',
  full: boolean,
  by: string | null,
): ProgressEvent {
  const who = by ?? 'someone';
  const text =
    action === 'timer'
      ? 'The pause is over: going on'
      : action === 'abort'
        ? `Aborted by ${who}: rolling back`
        : `Promoted by ${who}${full ? ': straight to 100 %' : ''}`;
  return progressEvent('rollout.resumed', action === 'abort' ? 'warn' : 'info', text, { action, full, by });
}
