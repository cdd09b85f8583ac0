/**
 * What `status` and `history` report, computed from what the state backend keeps: the stack's
 * outputs (where the last successful `up` left things), its update history (one entry per
 * `up`, each carrying the meta ecs-crd wrote in its message) and the deployment lease. Pure;
 * `src/ui/documents.ts` turns these into the `--json` documents.
 */
import type { DeploymentConfig } from '../config/types.js';
import { assertNever } from '../errors.js';
import { attemptOf, type DeployAttempt, goneHolder } from './phase.js';
import { SLOTS, type Slot } from './ports/aws.js';
import { secondsBetween } from './ports/clock.js';
import type { LeaseState, LeaseView } from './ports/lease.js';
import type { DeploymentMeta, HistoryEntry, Phase, RolloutOutcome, StackOutputs } from './ports/stack.js';

/** The phase `status` shows: the stack's own phase, told apart from a run that died mid-way. */
export type StatusPhase = 'none' | 'stable' | 'deploying' | 'paused' | 'interrupted' | 'rolled_back';

/**
 * How one deployment ended, as far as the backend knows:
 * - the outcome the run recorded in a successful update (`deployed`, `rolled_back`, `interrupted`,
 *   or `paused`: it stopped at a pause for `ecs-crd promote`);
 * - `in_progress`: no outcome yet and its run still holds the stack;
 * - `interrupted`: no outcome and no run any more: killed, or stopped by a second Ctrl-C;
 * - `rollback_failed`: its last update failed while rolling back (nothing after it).
 * The last two leave the stack unfinished: `ecs-crd rollback` recovers it.
 */
export type DeploymentOutcome = RolloutOutcome | 'in_progress';

/** One past (or running) deployment. */
export interface DeploymentRecord {
  /** The version deployed (the candidate); null when no update of the run recorded one. */
  version: string | null;
  outcome: DeploymentOutcome;
  /** ISO-8601 start of the run. */
  startedAt: string;
  /** From the start of the run to the end of its last update, in whole seconds. */
  durationS: number;
  deploymentId: string;
  /** The slot the candidate was deployed to. */
  slot: Slot | null;
  /** Why it did not deploy (rollback cause), when recorded. */
  reason: string | null;
}

/** The release serving production traffic. */
export interface LiveRelease {
  slot: Slot;
  version: string | null;
  /** The slot ALB's `CanaryRelease` tag (the records' set identifier). */
  releaseId: string;
}

/** A deployment stopped at a pause: which, since when, at which weight, until when. */
export interface PauseStatus {
  deploymentId: string;
  /** The paused candidate's version. */
  version: string | null;
  /** ISO-8601. */
  since: string;
  /** The candidate's weight during the pause. */
  weight: number;
  /** 1-based shift step it stopped after. */
  step: number;
  /** ISO-8601 end of a timed pause; null: until promoted. */
  until: string | null;
  /**
   * The candidate's health now, in words (`2/2 targets healthy`, `unknown: <error>`): one probe
   * the app layer makes (`status` is pure here); null until it does.
   */
  health: string | null;
}

/** Where a service stands. */
export interface ServiceStatus {
  phase: StatusPhase;
  live: LiveRelease | null;
  /** Per fqdn, per slot release id (the records' set identifiers), the percent of traffic. */
  weights: Record<string, Record<string, number>>;
  lastDeployment: DeploymentRecord | null;
  /** Who holds the stack now; null when nobody does or the backend keeps no lease. */
  lease: LeaseState | null;
  /** Set when the phase is `paused`. */
  pause: PauseStatus | null;
}

export interface StatusInput {
  /** The deployment file: release ids and fqdns where the outputs do not record them. */
  config: Pick<DeploymentConfig, 'canary' | 'service'>;
  /** null when the stack does not exist (or holds no ecs-crd outputs). */
  outputs: StackOutputs | null;
  history: readonly HistoryEntry[];
  lease: LeaseView;
}

/** Where one service's stack stands. */
export function serviceStatus(input: StatusInput): ServiceStatus {
  const { config, outputs, lease } = input;
  return {
    phase: statusPhase(outputs, lease),
    live: liveRelease(outputs, config),
    weights: outputs ? weightsOf(outputs, config) : {},
    lastDeployment: deploymentHistory(input.history, activeDeployment(outputs, lease))[0] ?? null,
    lease: typeof lease === 'string' ? null : lease,
    pause: pauseStatus(outputs),
  };
}

/** The pause the outputs record, when the stack is paused. */
export function pauseStatus(outputs: StackOutputs | null): PauseStatus | null {
  const meta = outputs?.meta;
  if (meta?.phase !== 'paused') return null;
  const slot = meta.candidateSlot;
  return {
    deploymentId: meta.deploymentId,
    version: meta.candidateVersion,
    since: meta.pause?.since ?? meta.startedAt,
    weight: meta.pause?.weight ?? (slot ? outputs?.weights[slot] : undefined) ?? 0,
    step: meta.step + 1,
    until: meta.pause?.until ?? null,
    health: null,
  };
}

/**
 * The stack's phase, with `deploying` / `rolling_back` checked against the lease: a run that
 * no longer holds it (killed: SIGKILL, a lost machine: its lease dead or expired) left the
 * stack `interrupted`. On a backend without leases the stack's own phase is believed. A lease
 * whose holder no longer runs is an interrupted run whatever the outputs say: one killed before
 * its first update was recorded left no other trace (`deploy` refuses it and `rollback`
 * recovers it, as here).
 */
export function statusPhase(outputs: StackOutputs | null, lease: LeaseView): StatusPhase {
  // Paused stays paused whoever holds the stack: a promote may take over a dead holder's lease.
  if (outputs?.meta.phase === 'paused') return 'paused';
  if (goneHolder(lease)) return 'interrupted';
  if (!outputs) return 'none';
  const { phase } = outputs.meta;
  switch (phase) {
    case 'stable':
      return 'stable';
    case 'interrupted':
      return 'interrupted';
    case 'rolled_back':
      return 'rolled_back';
    case 'deploying':
    case 'rolling_back':
      return holderMayRun(lease) ? 'deploying' : 'interrupted';
    default:
      return assertNever(phase);
  }
}

/** What the lease says about the runs: the deployment whose run still holds the stack, or the one that died. */
export interface LeaseRuns {
  /** The id of the deployment whose run still holds the stack (phase `deploying`). */
  running?: string;
  /** The deployment whose run died holding the stack, as its lease recorded it. */
  dead?: DeployAttempt;
}

/** The runs the lease tells of, beside the outputs. */
export function activeDeployment(outputs: StackOutputs | null, lease: LeaseView): LeaseRuns {
  const dead = goneHolder(lease);
  const attempt = dead ? attemptOf(dead) : undefined;
  if (attempt) return { dead: attempt };
  const phase = statusPhase(outputs, lease);
  // At a pause a run may still watch (`deploy --wait`, a timed pause): it holds the lease.
  const watching = phase === 'paused' && typeof lease === 'object' && lease.liveness === 'alive';
  const running = phase === 'deploying' || watching ? outputs?.meta.deploymentId : undefined;
  return running ? { running } : {};
}

/**
 * The past deployments, newest first: the engine's updates grouped by the deployment id in
 * their meta (a later `rollback` of a run joins it); updates ecs-crd did not make are
 * skipped. `runs.running` (or `runs` itself, an id) is the deployment whose run still holds
 * the stack: without an outcome it is `in_progress` rather than `interrupted`. `runs.dead` is
 * a run that died holding the stack: first, `interrupted`, even when it died before its first
 * update was recorded.
 */
export function deploymentHistory(
  entries: readonly HistoryEntry[],
  runs: string | LeaseRuns = {},
): DeploymentRecord[] {
  const { running: active, dead } = typeof runs === 'string' ? { running: runs, dead: undefined } : runs;
  // Insertion order: a run enters the map with its newest update, so the runs come newest first.
  const byRun = new Map<string, OurUpdate[]>();
  for (const entry of newestFirst(entries)) {
    const { meta } = entry;
    if (!meta) continue;
    // Each run's updates, oldest first.
    byRun.set(meta.deploymentId, [{ ...entry, meta }, ...(byRun.get(meta.deploymentId) ?? [])]);
  }
  const records = [...byRun.values()].map((updates) => deploymentRecord(updates, active));
  if (!dead || byRun.has(dead.deploymentId)) return records;
  return [unrecordedRun(dead), ...records];
}

/** A run killed before the engine recorded any update of it: only its lease tells of it. */
function unrecordedRun(attempt: DeployAttempt): DeploymentRecord {
  return {
    version: attempt.version,
    outcome: 'interrupted',
    startedAt: attempt.startedAt,
    durationS: 0,
    deploymentId: attempt.deploymentId,
    slot: null,
    reason: 'its process stopped before its first update was recorded: run `ecs-crd rollback`',
  };
}

type OurUpdate = HistoryEntry & { meta: DeploymentMeta };

/**
 * The updates, newest first. A file backend numbers every update 0 and keeps whole seconds,
 * so ties keep the engine's own order (`pulumi stack history` lists newest first).
 */
function newestFirst(entries: readonly HistoryEntry[]): HistoryEntry[] {
  return [...entries].sort(
    (a, b) => b.version - a.version || Date.parse(b.startTime) - Date.parse(a.startTime),
  );
}

function deploymentRecord(updates: readonly OurUpdate[], active: string | undefined): DeploymentRecord {
  const [first] = updates;
  const last = updates.at(-1);
  if (!first || !last) throw new Error('internal error: a deployment without updates');
  const { meta } = last;
  const startedAt = validDate(first.meta.startedAt) ?? first.startTime;
  const endedAt = last.endTime ?? last.startTime;
  const candidate = [...updates].reverse().find((u) => u.meta.candidateVersion !== null)?.meta;
  return {
    version: candidate?.candidateVersion ?? null,
    outcome: outcomeOf(last, meta.deploymentId === active),
    startedAt,
    durationS: secondsBetween(Date.parse(startedAt), Date.parse(endedAt)),
    deploymentId: meta.deploymentId,
    slot: candidate?.candidateSlot ?? null,
    reason: meta.reason,
  };
}

/**
 * An update's message holds the meta it was *asked* to record, even when it failed: only a
 * successful last update's outcome is believed.
 */
function outcomeOf(last: OurUpdate, running: boolean): DeploymentOutcome {
  // Its run still holds the stack: whatever the last update says, it has not ended.
  if (running) return 'in_progress';
  if (last.result === 'succeeded') return last.meta.outcome ?? 'interrupted';
  if (last.result === 'in-progress') return 'interrupted';
  // The run stopped on a failed update: during its rollback, that rollback failed.
  return ROLLBACK_PHASES.has(last.meta.phase) ? 'rollback_failed' : 'interrupted';
}

/** The phases an update of a rollback records (after an interrupt, `interrupted` first). */
const ROLLBACK_PHASES: ReadonlySet<Phase> = new Set<Phase>(['rolling_back', 'rolled_back', 'interrupted']);

function validDate(text: string): string | undefined {
  return Number.isNaN(Date.parse(text)) ? undefined : text;
}

function holderMayRun(lease: LeaseView): boolean {
  if (lease === 'untracked') return true;
  if (lease === 'free') return false;
  return lease.liveness === 'alive';
}

/** A slot's `CanaryRelease` id as the stack recorded it, else as the file says. */
export function releaseIdOf(
  slot: Slot,
  outputs: StackOutputs | null,
  config: Pick<DeploymentConfig, 'canary'>,
): string {
  return outputs?.slots?.[slot]?.releaseId ?? config.canary.releases[slot];
}

/** The live release the outputs record; null before the first deployment. */
export function liveRelease(
  outputs: StackOutputs | null,
  config: Pick<DeploymentConfig, 'canary'>,
): LiveRelease | null {
  const slot = outputs?.meta.liveSlot;
  if (!outputs || !slot) return null;
  const version = outputs.meta.liveVersion ?? outputs.releases[slot]?.service.version ?? null;
  return { slot, version, releaseId: releaseIdOf(slot, outputs, config) };
}

/**
 * Every fqdn has one weighted record per slot. The records were declared for the fqdns of the
 * last run's candidate (the one whose discovery found the zones): its spec when the stack still
 * holds it, else the live release's, else the file's.
 */
function weightsOf(outputs: StackOutputs, config: StatusInput['config']): ServiceStatus['weights'] {
  const { candidateSlot, liveSlot } = outputs.meta;
  const declared =
    (candidateSlot ? outputs.releases[candidateSlot] : undefined) ??
    (liveSlot ? outputs.releases[liveSlot] : undefined);
  const fqdns = declared?.service.fqdn ?? config.service.fqdn;
  const perRelease = Object.fromEntries(
    SLOTS.map((slot) => [releaseIdOf(slot, outputs, config), outputs.weights[slot]]),
  );
  return Object.fromEntries(fqdns.map((fqdn) => [fqdn, { ...perRelease }]));
}
