/**
 * The words of the canary release as a state machine: what a run is asked to do, the state
 * `decide` moves from message to message, the one action it asks for next, and the result.
 * Plain, serialisable data (after Argo Rollouts' canary reconcile).
 */
import type { DeploymentConfig, HookPoint, HookSpec, HooksConfig } from '../../config/types.js';
import type { EventSink, ProgressEvent, ProgressEventOf } from '../events.js';
import type { GateResult } from '../gate.js';
import type { Plan } from '../plan.js';
import type {
  AlarmState,
  AnalysisWindow,
  MetricsSource,
  ReleaseDimensions,
  WindowMeasurement,
  WindowQuery,
} from '../ports/analysis.js';
import type { CandidateRef, Environment, HealthProbe, Observation, Slot } from '../ports/aws.js';
import type { Clock } from '../ports/clock.js';
import type { ControlChannel, ControlRequest } from '../ports/control.js';
import type { HookEvent, HookResult, HookRunner } from '../ports/hooks.js';
import type {
  DesiredState,
  OwnedListener,
  RolloutOutcome,
  StackIdentity,
  StackOutputs,
  StackRunner,
} from '../ports/stack.js';

export type { RolloutOutcome };

export type StepOutcome = 'passed' | 'failed' | 'interrupted' | 'not_run';
/**
 * Why an `up` is run: the three forward steps, the two rollback steps, and a pause (which
 * changes only the outputs: the phase `paused` and where it stopped).
 */
export type UpPurpose = 'provision' | 'shift' | 'pause' | 'finalize' | 'restore-traffic' | 'remove-candidate';
export type RollbackCause = 'failure' | 'interrupt';

/** What `deploy` hands the rollout once the file is resolved and AWS discovered. */
export interface RolloutRequest {
  config: DeploymentConfig;
  environment: Environment;
  identity: StackIdentity;
  /** The stack's outputs before this run; null when the stack does not exist. */
  previous: StackOutputs | null;
  /** Unique per `deploy` run. */
  deploymentId: string;
  /**
   * `deploy --wait`: at a `pause: true` step, keep running and watching until promoted or
   * aborted through the control channel, instead of saving `paused` and ending.
   */
  waitForPromotion?: boolean;
}

/**
 * What `promote` hands the rollout: a stack saved in the phase `paused`, to go on from the
 * step it stopped at, as the same deployment (same id, same start). The releases come from
 * the outputs (what runs), not from the file; the hooks come from the file `promote` read.
 */
export interface ResumeRequest {
  /** The discovery of the file, as for `deploy` (the recorded slots are kept over it). */
  environment: Environment;
  identity: StackIdentity;
  /** The stack's outputs, phase `paused`. */
  outputs: StackOutputs;
  /** `promote --full`: from the pause straight to the final 100 % step. */
  full: boolean;
  /** The hooks of the file `promote` read (never recorded in the outputs). */
  hooks?: HooksConfig;
  /** Who promotes, for the `rollout.resumed` event: `ana@laptop (pid 4242)`. */
  by: string;
  /** As for `deploy --wait`, at a later `pause: true` step. */
  waitForPromotion?: boolean;
}

/** The ports the driver acts through. */
export interface RolloutDeps {
  runner: StackRunner;
  probe: HealthProbe;
  clock: Clock;
  reporter: EventSink;
  /** First Ctrl-C / SIGTERM: the running `up` finishes, then the rollout rolls back. */
  signal?: AbortSignal;
  /** Second Ctrl-C: stop at once; passed to the running `up` so the engine cancels it cleanly. */
  hardStop?: AbortSignal;
  /**
   * Another run took this run's lease over (`rollback --force`): also part of `hardStop` (the
   * rollout stops at once); its reason says who, for the result instead of a second Ctrl-C.
   */
  leaseLost?: AbortSignal;
  /** CloudWatch: required when the file has `canary.analysis`. */
  metrics?: MetricsSource;
  /** Runs `canary.hooks`: required when the file has hooks. */
  hooks?: HookRunner;
  /** Where `promote` / `rollback` requests reach a run that waits at a pause; absent: none can. */
  control?: ControlChannel;
}

/** A release the rollout knows: which slot, which version, its resolved spec. */
export interface Release {
  slot: Slot;
  /** The slot ALB's `CanaryRelease` tag: the Route 53 set identifier. */
  releaseId: string;
  version: string;
  config: DeploymentConfig;
}

/** What does not change during a run. */
export interface RolloutContext {
  deploymentId: string;
  /** Epoch milliseconds. */
  startedAt: number;
  identity: StackIdentity;
  environment: Environment;
  candidate: Release;
  /** The live release, declared unchanged until finalize; null on a first deployment. */
  stable: Release | null;
  /** The listeners the stack owns, kept through the whole run whatever it removes. */
  listeners: Partial<Record<Slot, OwnedListener[]>>;
  plan: Plan;
  /** `deploy --wait`: an indefinite pause keeps this run watching instead of ending `paused`. */
  waitForPromotion: boolean;
  /** A run of `promote`, going on from a pause: who promoted, and whether straight to 100 %. */
  resumed: { by: string; full: boolean } | null;
}

/** A pause under way: since when, at which weight, until when (null: until promoted). */
export interface PauseState {
  /** Epoch milliseconds. */
  since: number;
  weight: number;
  /** Epoch milliseconds of a timed pause's end; null: until promoted (or aborted). */
  until: number | null;
  /** 1-based number of the paused shift step among the shift steps. */
  shift: number;
  /** This run keeps watching (a timed pause, or `--wait`); false: it saves `paused` and ends. */
  waiting: boolean;
}

/** Where the rollout is inside the current step (or outside the plan, for rollback and the end). */
export type RolloutStage =
  /** The current step's `up` is due. */
  | { kind: 'apply' }
  /** Provisioned: read the stack outputs to find the candidate's service and target groups. */
  | { kind: 'locate' }
  /**
   * Watching the candidate: observe at `nextObservationAt`, until `until` and a passing gate.
   * `next`: a health gate before moving to that step (after a pause), not a step's own wait.
   */
  | { kind: 'watch'; startedAt: number; until: number; nextObservationAt: number; next?: number }
  /**
   * Hooks of `point` run one at a time, `index` the one under way. `ending`: the outcome an
   * `after_deploy` / `after_rollback` list runs after (their failures only warn).
   */
  | {
      kind: 'hooks';
      point: HookPoint;
      index: number;
      ending: { outcome: RolloutOutcome; reason: string | null } | null;
    }
  /** The pause's `up` is due: the outputs say `paused`, the weights stay as they are. */
  | { kind: 'pausing'; pause: PauseState }
  /**
   * At a pause, watching: observe every `health.interval` (the gate, the analysis) and take a
   * request from the control channel at each observation. `healthyAt`: the last passing gate.
   */
  | { kind: 'paused'; pause: PauseState; nextObservationAt: number; healthyAt: number }
  /**
   * Rolling back: traffic to the stable release first, then (`drain`, until `until`) the
   * candidate keeps serving the clients that still hold its DNS answer, then it is removed.
   */
  | {
      kind: 'rollback';
      step: 'restore-traffic' | 'drain' | 'remove-candidate';
      cause: RollbackCause;
      reason: string;
      /** Epoch milliseconds the drain ends; null outside it. */
      until: number | null;
    }
  /** `unfinished`: the stack was left mid-way (rollback failed, second interrupt): `rollback` must recover it. */
  | {
      kind: 'done';
      outcome: RolloutOutcome;
      reason: string | null;
      unfinished: boolean;
      /** Where it stopped, when it ended `paused`. */
      paused?: PauseState;
    };

/** The whole state of a run: plain, serialisable data. */
export interface RolloutState {
  ctx: RolloutContext;
  /** Epoch milliseconds of the last message. */
  now: number;
  /** Index into `ctx.plan.steps`; -1 before the start. Moved only by `advanceTo`, only forward. */
  stepIndex: number;
  stage: RolloutStage;
  /**
   * The highest weight declared for the candidate, counting an `up` that failed (it may have
   * landed in part): rollback restores traffic first whenever this is above 0.
   */
  candidateWeight: number;
  /** The candidate passed a gate once: an `unhealthy` target now fails at once. */
  wasHealthy: boolean;
  candidate: CandidateRef | null;
  lastGate: GateResult | null;
  /** One per plan step. */
  stepOutcomes: StepOutcome[];
  /** The first interrupt was handled (a second soft one changes nothing). */
  interrupted: boolean;
  /** When the engine recorded the end of the last update that succeeded: where the run's duration ends. */
  lastUpEndedAt: number | null;
  /** How the candidate fares on CloudWatch (`canary.analysis`); null without that section. */
  analysis: AnalysisProgress | null;
}

/** The analysis data of one window, as its `analysis.window` event carries it. */
export type WindowRecord = ProgressEventOf<'analysis.window'>['data'];

/** The analysis of one plan step. */
export interface StepAnalysis {
  passed: number;
  failed: number;
  inconclusive: number;
  /** The candidate's share in percent of the step's last judged window; null before one (or without requests). */
  observedShare: number | null;
  /** The step had a window that lets it advance once its wait is over. */
  ready: boolean;
  /** Why its last window did not let it advance; null before any. */
  holding: string | null;
}

/** Where the analysis stands: what CloudWatch names the releases by, the alarms, the windows. */
export interface AnalysisProgress {
  /** Known once the candidate is located; stable null on a first deployment. */
  releases: { candidate: ReleaseDimensions; stable: ReleaseDimensions | null } | null;
  /** Each named alarm's state at the last look; a name absent was never looked at. */
  alarms: Record<string, AlarmState | null>;
  /** The last window read (judged or not): the next one starts after it. */
  lastWindow: AnalysisWindow | null;
  /** Failing windows over the whole deployment. */
  failures: number;
  /** One per plan step. */
  steps: StepAnalysis[];
  /** Every judged window, in order: the evidence the result carries. */
  windows: WindowRecord[];
}

/** What CloudWatch said at one observation, each part read or failed on its own. */
export interface AnalysisReading {
  /** The named alarms; absent when none are named. */
  alarms?: { states: Record<string, AlarmState | null> } | { error: string };
  /** The window that was due; absent when none was. */
  window?:
    | { window: AnalysisWindow; measurement: WindowMeasurement }
    | { window: AnalysisWindow; error: string };
}

/** What the driver feeds `decide`: the start, or the outcome of the last action, or an interrupt. */
export type RolloutMessage =
  | { type: 'start'; at: number }
  /** `endedAt`: when the engine recorded the update's end (the stack's history keeps that time). */
  | { type: 'up-succeeded'; at: number; endedAt?: number }
  | { type: 'up-failed'; at: number; error: string }
  | { type: 'outputs-read'; at: number; outputs: StackOutputs | null }
  | { type: 'outputs-failed'; at: number; error: string }
  /** `control`: what the control channel held, when the observation asked it (at a pause). */
  | {
      type: 'observed';
      at: number;
      observation: Observation;
      analysis?: AnalysisReading;
      control?: ControlRequest | null;
    }
  | {
      type: 'observe-failed';
      at: number;
      error: string;
      analysis?: AnalysisReading;
      control?: ControlRequest | null;
    }
  | { type: 'hook-finished'; at: number; result: HookResult }
  | { type: 'slept'; at: number }
  | { type: 'interrupt'; at: number }
  /** `upCancelled`: the second interrupt cancelled an `up` under way, which may have changed things. */
  | { type: 'hard-stop'; at: number; upCancelled: boolean; lost?: string };

/** The one thing to do next. */
export type RolloutAction =
  | { type: 'up'; purpose: UpPurpose; desired: DesiredState }
  | { type: 'read-outputs' }
  /**
   * Look at the candidate's health; with `canary.analysis`, read the alarms and the window now
   * due too; at a pause, take the request the control channel holds for deployment `control`.
   */
  | { type: 'observe'; candidate: CandidateRef; alarms?: string[]; window?: WindowQuery; control?: string }
  /** Run one hook to its end (a second interrupt aborts it). */
  | { type: 'hook'; point: HookPoint; spec: HookSpec; event: HookEvent }
  | { type: 'sleep'; ms: number }
  | { type: 'done'; result: RolloutResult };

export interface Decision {
  state: RolloutState;
  action: RolloutAction;
  events: ProgressEvent[];
}

/** One strategy step in the result (the `steps` of `deploy --json`). */
export interface StepReport {
  weight: number;
  wait: number;
  outcome: StepOutcome;
  /** The candidate's share in percent of the step's last judged window; null when none was. */
  observedShare: number | null;
  /** Windows of the step by verdict; only with `canary.analysis`. */
  analysis?: { passed: number; failed: number; inconclusive: number };
}

/** The result of a run; `deploy --json` prints it (with `duration_s` for `durationS`). */
export interface RolloutResult {
  outcome: RolloutOutcome;
  deploymentId: string;
  /** The candidate's version and slot. */
  version: string;
  slot: Slot;
  /** The release that was live when the run started. */
  previous: { slot: Slot; version: string } | null;
  steps: StepReport[];
  reason: string | null;
  durationS: number;
  /** What to do when the stack could not be put back (rollback failed, second interrupt); else empty. */
  instructions: string[];
  /** Every judged window, in order; only with `canary.analysis`. */
  analysis?: { windows: WindowRecord[] };
  /** Where it stopped, when the outcome is `paused`: `step` is the 1-based shift step. */
  paused?: { weight: number; step: number; since: string };
}
