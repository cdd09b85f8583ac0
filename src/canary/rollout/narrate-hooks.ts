/**
 * What the rollout says about hooks and pauses: `hook.*`, `rollout.paused`, `rollout.resumed`.
 * Pure, like ./narrate.ts. A hook is named by its command's argv[0] or its webhook's origin,
 * never by the webhook's path, query or headers (they may hold tokens).
 */
import type { HookPoint, HookSpec } from '../../config/types.js';
import { type ProgressEvent, progressEvent } from '../events.js';
import { shiftSteps } from '../plan.js';
import type { HookResult } from '../ports/hooks.js';
import type { PauseState, RolloutState } from './types.js';

/** `./check.sh`, or `https://hooks.example.com`. */
export function hookTarget(spec: HookSpec): string {
  if (spec.kind === 'command') return spec.command[0] ?? '(empty command)';
  try {
    return new URL(spec.url).origin;
  } catch {
    return 'webhook';
  }
}

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
  const target = hookTarget(spec);
  return progressEvent('hook.started', 'info', `${hookTitle(s, point)}: ${target}`, {
    point,
    kind: spec.kind,
    target,
  });
}

/** `Hook after_step (2/4): ./check.sh passed, exit code 0 (1.2 s)`; a failure warns, or is an error where it rolls back. */
export function hookFinishedEvent(
  s: RolloutState,
  point: HookPoint,
  spec: HookSpec,
  result: HookResult,
  gating: boolean,
): ProgressEvent {
  const target = hookTarget(spec);
  const verdict = result.ok ? 'passed' : 'failed';
  const seconds = (result.durationMs / 1000).toFixed(1);
  return progressEvent(
    'hook.finished',
    result.ok ? 'info' : gating ? 'error' : 'warn',
    `${hookTitle(s, point)}: ${target} ${verdict}, ${result.detail} (${seconds} s)`,
    { point, kind: spec.kind, target, ok: result.ok, detail: result.detail, durationMs: result.durationMs },
  );
}

/** One line a command hook printed: for the log file, and the console with `--verbose`. */
export function hookOutputEvent(
  point: HookPoint,
  spec: HookSpec,
  stream: 'stdout' | 'stderr',
  line: string,
): ProgressEvent {
  return progressEvent('hook.output', 'debug', `${hookTarget(spec)}: ${line}`, { point, stream, line });
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
