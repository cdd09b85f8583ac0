/**
 * What the rollout tells the reporters (ARCHITECTURE habit 2): it never prints, it emits
 * events, each with a level, a stable code, a human text and typed data. `src/ui` decides
 * where each goes (live view, plain lines, log file, nothing under `--json`).
 */
import type { ChangeSummary, EngineEvent } from '../stack/types.js';
import type { GateCode, GateVerdict } from './gate.js';
import type { PlanStepKind, TimelineEntry } from './plan.js';
import type { Slot } from './ports.js';
import type { RollbackCause, RolloutOutcome, StepOutcome, UpPurpose } from './rollout.js';

/** `debug` is shown with `--verbose` only; `warn` and `error` also go to stderr off a TTY. */
export type EventLevel = 'debug' | 'info' | 'warn' | 'error';

interface EventShape<C extends string, D> {
  readonly level: EventLevel;
  /** Stable: reporters and tests key on it; never reworded. */
  readonly code: C;
  readonly text: string;
  readonly data: D;
}

/** Every event of a rollout, discriminated by `code`. */
export type RolloutEvent =
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
  | EventShape<'stack.update.started', { purpose: UpPurpose }>
  | EventShape<
      'stack.update.finished',
      {
        purpose: UpPurpose;
        durationMs: number;
        error: string | null;
        /** What the update changed, per operation, as the engine counted it; null when it failed. */
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
  | EventShape<'interrupt.received', { hard: boolean }>
  | EventShape<'rollback.started', { cause: RollbackCause; reason: string; restoreTraffic: boolean }>
  | EventShape<'rollout.finished', { outcome: RolloutOutcome; reason: string | null; durationS: number }>
  | EventShape<'engine.event', EngineEvent>
  | EventShape<'engine.output', { line: string }>;

export type RolloutEventCode = RolloutEvent['code'];
export type RolloutEventOf<C extends RolloutEventCode> = Extract<RolloutEvent, { code: C }>;

/** The codes, listed once so that a missing or extra one fails to compile. */
const CODES: Record<RolloutEventCode, true> = {
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
  'interrupt.received': true,
  'rollback.started': true,
  'rollout.finished': true,
  'engine.event': true,
  'engine.output': true,
};

/** Every event code, for reporters' completeness tests. */
export const ROLLOUT_EVENT_CODES: readonly RolloutEventCode[] = Object.keys(CODES).filter(
  (code): code is RolloutEventCode => code in CODES,
);

/** Builds an event; the data's type follows from the code. */
export function rolloutEvent<C extends RolloutEventCode>(
  code: C,
  level: EventLevel,
  text: string,
  data: RolloutEventOf<C>['data'],
): RolloutEventOf<C> {
  // TypeScript cannot narrow a generic union member from its parts; the signature keeps it sound.
  return { code, level, text, data } as RolloutEventOf<C>;
}
