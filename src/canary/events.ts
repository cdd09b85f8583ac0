/**
 * What every command tells the reporters: it never prints, it emits events, each with a level,
 * a stable code, a human text and typed data. `src/ui` decides where each goes (live view,
 * plain lines, log file, nothing but the result under `--json`). `deploy` emits the whole
 * rollout; `preview`, `undeploy` and `rollback` emit their stack operations and recovery
 * steps through the same stream.
 */
import type { HookPoint, HookSpec } from '../config/types.js';
import type { AnalysisCheck, WindowCode, WindowVerdict } from './analysis.js';
import type { GateCode, GateVerdict } from './gate.js';
import type { PlanStepKind, TimelineEntry } from './plan.js';
import type { AlarmState, ReleaseMetrics } from './ports/analysis.js';
import type { Slot } from './ports/aws.js';
import type { ChangeSummary, EngineEvent, RolloutOutcome } from './ports/stack.js';
import type { RollbackCause, StepOutcome, UpPurpose } from './rollout/types.js';

/** `debug` is shown with `--verbose` only; `warn` and `error` also go to stderr off a TTY. */
export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

/** What a stack operation is for: a rollout's or a recovery's `up`, or another command's engine call. */
export type StackOperation = UpPurpose | 'preview' | 'destroy';

interface EventShape<C extends string, D> {
  readonly level: EventLevel;
  /** Stable: reporters and tests key on it; never reworded. */
  readonly code: C;
  readonly text: string;
  readonly data: D;
}

/** Every event of every command, discriminated by `code`. */
export type ProgressEvent =
  | EventShape<
      'rollout.started',
      {
        deploymentId: string;
        version: string;
        candidateSlot: Slot;
        /** The `CanaryRelease` tag of the candidate's ALB. */
        candidateReleaseId: string;
        stableSlot: Slot | null;
        stableVersion: string | null;
        firstDeployment: boolean;
        plan: TimelineEntry[];
      }
    >
  | EventShape<
      'step.started',
      {
        number: number;
        total: number;
        kind: PlanStepKind;
        label: string;
        candidateWeight: number;
        waitS: number;
      }
    >
  | EventShape<'step.finished', { number: number; total: number; kind: PlanStepKind; outcome: StepOutcome }>
  | EventShape<'stack.update.started', { purpose: StackOperation }>
  | EventShape<
      'stack.update.finished',
      {
        purpose: StackOperation;
        durationMs: number;
        error: string | null;
        /** What the operation changed (or would change), per operation, as the engine counted it; null when it failed. */
        changes: ChangeSummary['changes'] | null;
      }
    >
  | EventShape<
      'weights.changed',
      { weights: Record<Slot, number>; candidateSlot: Slot; candidateWeight: number; fqdns: string[] }
    >
  | EventShape<'wait.started', { seconds: number; endsAt: number }>
  | EventShape<'wait.tick', { remainingS: number; endsAt: number }>
  | EventShape<
      'health.observed',
      {
        verdict: GateVerdict;
        code: GateCode;
        reason: string;
        healthy: number;
        total: number;
        running: number | null;
        desired: number | null;
      }
    >
  | EventShape<'health.probe-failed', { error: string }>
  /** One analysis window judged (`canary.analysis`): both releases' numbers and the verdict. */
  | EventShape<
      'analysis.window',
      {
        verdict: WindowVerdict;
        code: WindowCode;
        reason: string;
        /** Epoch milliseconds, [start, end). */
        start: number;
        end: number;
        /** The candidate's declared weight during the window, in percent. */
        declaredWeight: number;
        /** The candidate's share of the two releases' requests, in percent; null without requests. */
        observedShare: number | null;
        candidate: ReleaseMetrics;
        stable: ReleaseMetrics | null;
        custom: Record<string, number | null>;
        checks: AnalysisCheck[];
        /** Failing windows so far, and how many are tolerated (`analysis.failure_limit`). */
        failures: number;
        failureLimit: number;
      }
    >
  /** A named alarm is not OK (or no longer): its state, and the one before (null at the first look). */
  | EventShape<'analysis.alarm', { name: string; state: AlarmState | null; previous: AlarmState | null }>
  /** CloudWatch could not be read for a window: not a verdict, the window counts as inconclusive. */
  | EventShape<'analysis.probe-failed', { error: string; start: number; end: number }>
  | EventShape<'interrupt.received', { hard: boolean }>
  | EventShape<'rollback.started', { cause: RollbackCause; reason: string; restoreTraffic: boolean }>
  | EventShape<'rollout.finished', { outcome: RolloutOutcome; reason: string | null; durationS: number }>
  /**
   * The candidate holds `weight` % and the rollout stops there: until promoted (`until` null;
   * `waiting`: this process keeps watching, `deploy --wait`, else it exits and the stack says
   * `paused`), or until `until` (epoch ms, a timed pause).
   */
  | EventShape<'rollout.paused', { weight: number; step: number; until: number | null; waiting: boolean }>
  /**
   * The deployment starts again, as the same deployment, after another one on the shared ALBs
   * took the listener rule priority it had chosen (its first update refused, nothing had traffic).
   */
  | EventShape<'rollout.retried', { attempt: number; of: number; reason: string }>
  /** A paused rollout goes on: promoted (`by` who; `full`: straight to 100 %), a timed pause over (`by` null), or aborted. */
  | EventShape<'rollout.resumed', { action: 'promote' | 'abort' | 'timer'; full: boolean; by: string | null }>
  /** A hook starts: `target` is the command's argv[0] or the webhook's origin (never its headers). */
  | EventShape<'hook.started', { point: HookPoint; kind: HookSpec['kind']; target: string }>
  /** A line a command hook printed (`debug`: the log file always, the console with `--verbose`). */
  | EventShape<'hook.output', { point: HookPoint; stream: 'stdout' | 'stderr'; line: string }>
  /** A hook ended; a failing gating hook (`before_*`, `after_step`) rolls back, the others only warn. */
  | EventShape<
      'hook.finished',
      {
        point: HookPoint;
        kind: HookSpec['kind'];
        target: string;
        ok: boolean;
        detail: string;
        durationMs: number;
      }
    >
  /** `rollback` found a stack to recover: why, and the steps it will take. */
  | EventShape<'recovery.started', { reason: string; steps: string[] }>
  /** One step of that recovery is under way. */
  | EventShape<'recovery.step', { number: number; total: number; description: string }>
  /** `deploy --adopt` takes over records of these names that no ecs-crd stack owned. */
  | EventShape<'names.adopted', { fqdns: string[] }>
  /** The deployment file is valid but holds what is probably a mistake (a secret in `environment`), at this place. */
  | EventShape<'config.warning', { file: string; line: number; column: number; path: string }>
  /** The identity may not look this ECR image up (AccessDenied): the deployment goes on without that check. */
  | EventShape<'image.unchecked', { image: string; error: string }>
  /** The outcome was published to this SNS topic (`canary.sns_topic_notifications`). */
  | EventShape<'notification.sent', { topicArn: string; outcome: string; messageId: string }>
  /** Publishing the outcome failed: a warning, the outcome and the exit code stay as they are. */
  | EventShape<'notification.failed', { topicArn: string; outcome: string; error: string }>
  /**
   * The deployment lease: `rollback` waits for another run's lease (`seconds` at most), took
   * over one that expired or whose process is gone, or broke a live one (`--force`); or this
   * run's lease was taken over by another run (`lost`), which stops it. `holder`: the other run.
   */
  | EventShape<
      'lease.notice',
      { kind: 'waiting' | 'taken-over' | 'broken' | 'lost'; holder: string | null; seconds: number | null }
    >
  | EventShape<'engine.event', EngineEvent>
  | EventShape<'engine.output', { line: string }>;

export type ProgressEventCode = ProgressEvent['code'];
export type ProgressEventOf<C extends ProgressEventCode> = Extract<ProgressEvent, { code: C }>;

/** Where a command's events go: the reporter of the run. */
export type EventSink = (event: ProgressEvent) => void;

/** The codes, listed once so that a missing or extra one fails to compile. */
const CODES: Record<ProgressEventCode, true> = {
  'rollout.started': true,
  'step.started': true,
  'step.finished': true,
  'stack.update.started': true,
  'stack.update.finished': true,
  'weights.changed': true,
  'wait.started': true,
  'wait.tick': true,
  'health.observed': true,
  'health.probe-failed': true,
  'analysis.window': true,
  'analysis.alarm': true,
  'analysis.probe-failed': true,
  'interrupt.received': true,
  'rollback.started': true,
  'rollout.finished': true,
  'rollout.paused': true,
  'rollout.retried': true,
  'rollout.resumed': true,
  'hook.started': true,
  'hook.output': true,
  'hook.finished': true,
  'recovery.started': true,
  'recovery.step': true,
  'names.adopted': true,
  'config.warning': true,
  'image.unchecked': true,
  'notification.sent': true,
  'notification.failed': true,
  'lease.notice': true,
  'engine.event': true,
  'engine.output': true,
};

/** Every event code, for reporters' completeness tests. */
export const PROGRESS_EVENT_CODES: readonly ProgressEventCode[] = Object.keys(CODES).filter(
  (code): code is ProgressEventCode => code in CODES,
);

/** Builds an event; the data's type follows from the code. */
export function progressEvent<C extends ProgressEventCode>(
  code: C,
  level: EventLevel,
  text: string,
  data: ProgressEventOf<C>['data'],
): ProgressEventOf<C> {
  // TypeScript cannot narrow a generic union member from its parts; the signature keeps it sound.
  return { code, level, text, data } as ProgressEventOf<C>;
}
