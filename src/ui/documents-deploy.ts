/**
 * `deploy --json`: the outcome of a rollout, its steps with the traffic the candidate really
 * got, and (with `canary.analysis`) each judged window with both releases' numbers. Split from
 * ./documents.ts for size, which re-exports it; the same snake_case contracts. Pure.
 */
import type { AnalysisCheck, WindowCode, WindowVerdict } from '../canary/analysis.js';
import type { ReleaseMetrics } from '../canary/ports/analysis.js';
import type { Slot } from '../canary/ports/aws.js';
import type {
  RolloutOutcome,
  RolloutResult,
  StepOutcome,
  StepReport,
  WindowRecord,
} from '../canary/rollout/types.js';
import { redact } from './redact.js';

/**
 * `deploy --json`. The first six fields are the original contract, in that order; the others
 * were added after.
 */
export interface DeployDocument {
  outcome: RolloutOutcome;
  /** The candidate's version and slot. */
  version: string;
  slot: Slot;
  /** One per strategy step: percent of traffic to the candidate, seconds watched, outcome. */
  steps: StepDocument[];
  reason: string | null;
  duration_s: number;
  deployment_id: string;
  /** The release live when the run started; null on a first deployment. */
  previous: { slot: Slot; version: string } | null;
  /** What to do by hand when the stack was left unfinished; empty otherwise. */
  instructions: string[];
  /** The deployment file's warnings (`FILE:LINE:COL PATH: warning: …`, as `validate` prints them). */
  warnings: string[];
  /** Every judged window, in order: the evidence of the outcome. Only with `canary.analysis`. */
  analysis?: { windows: AnalysisWindowDocument[] };
  /**
   * Where the deployment stopped, only with the outcome `paused`: the candidate's weight, the
   * 1-based shift step, and since when (ISO-8601). `ecs-crd promote` goes on from there.
   */
  paused?: { weight: number; step: number; since: string };
}

/** One strategy step of `deploy --json`. */
export interface StepDocument {
  weight: number;
  wait: number;
  outcome: StepOutcome;
  /** The candidate's share of requests in percent in the step's last judged window; null when none was. */
  observed_share: number | null;
  /** The step's windows by verdict; only with `canary.analysis`. */
  analysis?: { passed: number; failed: number; inconclusive: number };
}

function stepDocument(step: StepReport): StepDocument {
  return {
    weight: step.weight,
    wait: step.wait,
    outcome: step.outcome,
    observed_share: step.observedShare,
    ...(step.analysis ? { analysis: { ...step.analysis } } : {}),
  };
}

export function deployDocument(result: RolloutResult, warnings: readonly string[] = []): DeployDocument {
  return {
    outcome: result.outcome,
    version: result.version,
    slot: result.slot,
    steps: result.steps.map(stepDocument),
    // The reason may quote the engine's error text: the one free text in the document.
    reason: result.reason === null ? null : redact(result.reason),
    duration_s: result.durationS,
    deployment_id: result.deploymentId,
    previous: result.previous ? { ...result.previous } : null,
    instructions: [...result.instructions],
    warnings: [...warnings],
    ...(result.analysis
      ? { analysis: { windows: result.analysis.windows.map(analysisWindowDocument) } }
      : {}),
    ...(result.paused ? { paused: { ...result.paused } } : {}),
  };
}

// ---------------------------------------------------------------- analysis windows

/** A release's ALB metrics over one window. */
export interface ReleaseMetricsDocument {
  requests: number;
  target_5xx: number;
  /** 0 when `error_rate.elb_5xx` is off. */
  elb_5xx: number;
  /** p99 `TargetResponseTime` in ms; null without data. */
  p99_ms: number | null;
}

/** One judged window. */
export interface AnalysisWindowDocument {
  /** ISO-8601, [start, end). */
  start: string;
  end: string;
  verdict: WindowVerdict;
  code: WindowCode;
  reason: string;
  /** The candidate's declared weight, and the share of requests it really got, in percent. */
  declared_weight: number;
  observed_share: number | null;
  candidate: ReleaseMetricsDocument;
  /** null on a first deployment. */
  stable: ReleaseMetricsDocument | null;
  /** Custom metric name → value; null without a data point. */
  custom: Record<string, number | null>;
  checks: AnalysisCheck[];
  /** Failing windows of the deployment so far, and how many are tolerated. */
  failures: number;
  failure_limit: number;
}

function releaseDocument(metrics: ReleaseMetrics): ReleaseMetricsDocument {
  return {
    requests: metrics.requests,
    target_5xx: metrics.target5xx,
    elb_5xx: metrics.elb5xx,
    p99_ms: metrics.p99Ms,
  };
}

export function analysisWindowDocument(record: WindowRecord): AnalysisWindowDocument {
  return {
    start: new Date(record.start).toISOString(),
    end: new Date(record.end).toISOString(),
    verdict: record.verdict,
    code: record.code,
    reason: record.reason,
    declared_weight: record.declaredWeight,
    observed_share: record.observedShare,
    candidate: releaseDocument(record.candidate),
    stable: record.stable ? releaseDocument(record.stable) : null,
    custom: { ...record.custom },
    checks: record.checks.map((check) => ({ ...check })),
    failures: record.failures,
    failure_limit: record.failureLimit,
  };
}
