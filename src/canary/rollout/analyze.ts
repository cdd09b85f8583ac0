/**
 * The rollout's side of `canary.analysis`: which CloudWatch reads an observation carries, what
 * a reading does to the state (alarms, judged windows, failures), when a step may advance, and
 * what the result reports. Pure: `decide` and `nextAction` call these; the verdicts themselves
 * are `../analysis.ts`'s.
 */
import type { AnalysisConfig } from '../../config/types.js';
import {
  alarmProblems,
  dueWindow,
  judgeWindow,
  unreadWindow,
  type WindowResult,
  windowCountsAsPassing,
} from '../analysis.js';
import type { ProgressEvent } from '../events.js';
import { candidateWeightAt } from '../plan.js';
import type { AlarmState, ReleaseDimensions, WindowQuery } from '../ports/analysis.js';
import type { StackOutputs } from '../ports/stack.js';
import { stepTitle } from './narrate.js';
import { alarmEvent, analysisProbeFailedEvent, windowEvent } from './narrate-analysis.js';
import type {
  AnalysisProgress,
  AnalysisReading,
  RolloutAction,
  RolloutResult,
  RolloutStage,
  RolloutState,
  StepAnalysis,
  StepReport,
} from './types.js';

/** The span a step (or a pause) is watched over: windows start at or after `startedAt`. */
type Watch = Pick<Extract<RolloutStage, { kind: 'watch' }>, 'startedAt' | 'until'>;
type Events = ProgressEvent[];

/** Where the analysis of a run starts; null without `canary.analysis`. */
export function initialAnalysis(config: AnalysisConfig | undefined, steps: number): AnalysisProgress | null {
  if (!config) return null;
  return {
    releases: null,
    alarms: {},
    lastWindow: null,
    failures: 0,
    steps: Array.from({ length: steps }, noWindows),
    windows: [],
  };
}

function noWindows(): StepAnalysis {
  return { passed: 0, failed: 0, inconclusive: 0, observedShare: null, ready: false, holding: null };
}

function configOf(s: RolloutState): AnalysisConfig | undefined {
  return s.ctx.candidate.config.canary.analysis;
}

/**
 * The current step is judged on windows: the candidate has a declared weight above 0 (shift
 * and drain steps) and CloudWatch's names for both releases are known.
 */
function judged(s: RolloutState): { config: AnalysisConfig; weight: number } | null {
  const config = configOf(s);
  const step = s.ctx.plan.steps[s.stepIndex];
  if (!config || !s.analysis?.releases || !step) return null;
  if (step.kind !== 'shift' && step.kind !== 'drain') return null;
  const weight = candidateWeightAt(step);
  return weight > 0 ? { config, weight } : null;
}

// ---------------------------------------------------------------- what to read

/** CloudWatch names a release by the ARN suffixes of its ALB and target groups. */
export function releaseDimensions(albArn: string, targetGroupArns: readonly string[]): ReleaseDimensions {
  const after = (arn: string, marker: string) => {
    const at = arn.indexOf(marker);
    return at >= 0 ? arn.slice(at + marker.length) : arn;
  };
  return {
    loadBalancer: after(albArn, ':loadbalancer/'),
    targetGroups: targetGroupArns.map((arn) => `targetgroup/${after(arn, ':targetgroup/')}`),
  };
}

/** Once the candidate is located: both releases as CloudWatch names them, from the stack's outputs. */
export function locateReleases(s: RolloutState, outputs: StackOutputs): RolloutState {
  if (!s.analysis) return s;
  const { candidate, stable, environment } = s.ctx;
  const dimensionsOf = (slot: typeof candidate.slot) => {
    const arns = outputs.targetGroupArns[slot] ?? [];
    return arns.length > 0 ? releaseDimensions(environment.slots[slot].albArn, arns) : null;
  };
  const candidateDims = dimensionsOf(candidate.slot);
  if (!candidateDims) return s;
  const releases = { candidate: candidateDims, stable: stable ? dimensionsOf(stable.slot) : null };
  return { ...s, analysis: { ...s.analysis, releases } };
}

/** What an observation reads besides health: the named alarms, and the window now due. */
export function analysisReads(
  s: RolloutState,
  watch: Watch,
): Pick<Extract<RolloutAction, { type: 'observe' }>, 'alarms' | 'window'> {
  const config = configOf(s);
  if (!config) return {};
  const reads: { alarms?: string[]; window?: WindowQuery } = {};
  if (config.alarms.length > 0) reads.alarms = [...config.alarms];
  const step = judged(s);
  const releases = s.analysis?.releases;
  if (step && releases) {
    const window = dueWindow(
      s.now,
      config.interval,
      config.delay,
      watch.startedAt,
      s.analysis?.lastWindow ?? null,
    );
    if (window) {
      reads.window = {
        start: window.start,
        end: window.end,
        candidate: releases.candidate,
        stable: releases.stable,
        metrics: config.metrics,
        elb5xx: config.error_rate?.elb_5xx ?? false,
      };
    }
  }
  return reads;
}

/**
 * When the next window of the step is due: the first aligned window starting at or after the
 * step's start and after the last window read, plus its length and the delay. Null when the
 * step is not judged on windows.
 */
function nextWindowDueAt(s: RolloutState, watch: Watch): number | null {
  const step = judged(s);
  if (!step) return null;
  const intervalMs = step.config.interval * 1000;
  const from = Math.max(watch.startedAt, s.analysis?.lastWindow?.end ?? watch.startedAt);
  const start = Math.ceil(from / intervalMs) * intervalMs;
  return start + intervalMs + step.config.delay * 1000;
}

/**
 * The times the analysis needs an observation at: the next window (now, when it is already
 * due), and the step's analysis deadline.
 */
export function analysisWakeups(s: RolloutState, watch: Watch): number[] {
  const due = nextWindowDueAt(s, watch);
  const hold = analysisHold(s, watch);
  return [
    ...(due === null ? [] : [Math.max(due, s.now)]),
    ...(hold && hold.deadline > s.now ? [hold.deadline] : []),
  ];
}

// ---------------------------------------------------------------- what a reading does

/** Applies what CloudWatch said; `failure` is the rollback reason when it calls for one. */
export function applyReading(
  s: RolloutState,
  reading: AnalysisReading | undefined,
  ev: Events,
): { state: RolloutState; failure: string | null } {
  if (!reading || !s.analysis) return { state: s, failure: null };
  const alarms = reading.alarms ? readAlarms(s, reading.alarms, ev) : { state: s, failure: null };
  const window = reading.window ? readWindow(alarms.state, reading.window, ev) : alarms;
  // An alarm rolls back at once, whatever the window said; the window is still on the record.
  return { state: window.state, failure: alarms.failure ?? window.failure };
}

function readAlarms(
  s: RolloutState,
  read: NonNullable<AnalysisReading['alarms']>,
  ev: Events,
): { state: RolloutState; failure: string | null } {
  const progress = s.analysis;
  if (!progress) return { state: s, failure: null };
  if ('error' in read) {
    ev.push(analysisProbeFailedEvent(`the alarms could not be read: ${read.error}`, s.now, s.now));
    return { state: s, failure: null };
  }
  const seen: Record<string, AlarmState | null> = { ...progress.alarms };
  for (const [name, state] of Object.entries(read.states)) {
    const before = progress.alarms[name];
    // Only changes are news; an alarm OK at its first look is what is expected.
    const changed = before === undefined ? state !== 'OK' : state !== before;
    if (changed) ev.push(alarmEvent(name, state, before ?? null));
    seen[name] = state;
  }
  const state: RolloutState = { ...s, analysis: { ...progress, alarms: seen } };
  const { inAlarm } = alarmProblems(read.states);
  if (inAlarm.length === 0) return { state, failure: null };
  const names = inAlarm.join(', ');
  const verb = inAlarm.length === 1 ? `alarm ${names} is` : `alarms ${names} are`;
  return { state, failure: `${stepTitle(s)}: ${verb} in ALARM (canary.analysis.alarms)` };
}

function readWindow(
  s: RolloutState,
  read: NonNullable<AnalysisReading['window']>,
  ev: Events,
): { state: RolloutState; failure: string | null } {
  const progress = s.analysis;
  const step = judged(s);
  if (!progress || !step) return { state: s, failure: null };
  const { window } = read;
  if ('error' in read) {
    // Not a verdict on the candidate: the window counts as inconclusive and the step waits on.
    ev.push(analysisProbeFailedEvent(read.error, window.start, window.end));
    const { reason } = unreadWindow(window, read.error);
    return {
      state: withStep(s, { ...progress, lastWindow: window }, (a) => ({
        ...a,
        inconclusive: a.inconclusive + 1,
        holding: reason,
      })),
      failure: null,
    };
  }
  const result = judgeWindow(step.config, read.measurement, step.weight);
  const failures = progress.failures + (result.verdict === 'fail' ? 1 : 0);
  const record = {
    verdict: result.verdict,
    code: result.code,
    reason: result.reason,
    start: window.start,
    end: window.end,
    declaredWeight: step.weight,
    observedShare: result.observedShare,
    candidate: read.measurement.candidate,
    stable: read.measurement.stable,
    custom: read.measurement.custom,
    checks: result.checks,
    failures,
    failureLimit: step.config.failure_limit,
  };
  ev.push(windowEvent(record));
  const next = { ...progress, lastWindow: window, failures, windows: [...progress.windows, record] };
  const state = withStep(s, next, (a) => counted(a, result, step.config));
  const failure =
    result.verdict === 'fail' && failures > step.config.failure_limit
      ? `${stepTitle(s)}: analysis failed: ${result.reason}`
      : null;
  return { state, failure };
}

/** A step's counts after one more judged window. */
function counted(a: StepAnalysis, result: WindowResult, config: AnalysisConfig): StepAnalysis {
  const lets = windowCountsAsPassing(config, result);
  return {
    passed: a.passed + (result.verdict === 'pass' ? 1 : 0),
    failed: a.failed + (result.verdict === 'fail' ? 1 : 0),
    inconclusive: a.inconclusive + (result.verdict === 'inconclusive' ? 1 : 0),
    observedShare: result.observedShare,
    ready: a.ready || lets,
    holding: lets ? a.holding : result.reason,
  };
}

function withStep(
  s: RolloutState,
  progress: AnalysisProgress,
  change: (step: StepAnalysis) => StepAnalysis,
): RolloutState {
  const steps = progress.steps.map((step, index) => (index === s.stepIndex ? change(step) : step));
  return { ...s, analysis: { ...progress, steps } };
}

// ---------------------------------------------------------------- may the step advance?

/**
 * Null when the analysis lets the current step advance once its wait is over (no analysis, a
 * step without traffic, or a window that let it); else by when it must, and why it has not.
 */
export function analysisHold(s: RolloutState, watch: Watch): { deadline: number; reason: string } | null {
  const step = judged(s);
  const analysis = s.analysis?.steps[s.stepIndex];
  if (!step || !analysis || analysis.ready) return null;
  const { timeout } = step.config;
  const why = analysis.holding ?? 'no analysis window could be read';
  return {
    deadline: watch.until + timeout * 1000,
    reason: `${stepTitle(s)}: no analysis window passed within canary.analysis.timeout (${timeout} s) after the wait: ${why}`,
  };
}

// ---------------------------------------------------------------- the result

/** A shift step's analysis in the result: its last observed share, and its windows' counts. */
export function stepAnalysisReport(
  s: RolloutState,
  index: number,
): Pick<StepReport, 'observedShare' | 'analysis'> {
  const analysis = s.analysis?.steps[index];
  if (!analysis) return { observedShare: null };
  const { passed, failed, inconclusive, observedShare } = analysis;
  return { observedShare, analysis: { passed, failed, inconclusive } };
}

/** The run's windows in the result, when it was analysed. */
export function analysisResult(s: RolloutState): Pick<RolloutResult, 'analysis'> {
  return s.analysis ? { analysis: { windows: s.analysis.windows } } : {};
}
