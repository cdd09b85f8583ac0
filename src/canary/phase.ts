/**
 * Whether a stack's last deployment ended, and the one refusal of a stack whose deployment did
 * not: every command that would start something on it (`deploy`, `preview`, `undeploy`)
 * refuses the same way, with the same exit code, and points to `rollback`.
 *
 * Two records say a deployment did not end: the phase its updates saved in the outputs, and
 * the lease its run holds and renews for its whole life (file and S3 backends). A run killed
 * before its first update was recorded (SIGKILL in the first seconds) leaves only the second:
 * a lease whose holder no longer runs, or that expired. `status`, `history`, `deploy`, `preview` and `rollback` all read both.
 */
import { assertNever, StackLockedError } from '../errors.js';
import { describeHolder, type LeaseHolder, type LeaseState, type LeaseView } from './ports/lease.js';
import type { DeploymentMeta, Phase, StackIdentity, StackOutputs } from './ports/stack.js';

/** What a `deploy` run set out to do, written in its lease before anything else. */
export interface DeployAttempt {
  deploymentId: string;
  version: string;
  /** ISO-8601. */
  startedAt: string;
}

/** The attempt a lease holder recorded, when it is a `deploy` that recorded one (older leases did not). */
export function attemptOf(holder: LeaseHolder): DeployAttempt | undefined {
  // Read from a file: checked, not trusted.
  const attempt: unknown = (holder as { deployment?: unknown }).deployment;
  if (typeof attempt !== 'object' || attempt === null) return undefined;
  const { deploymentId, version, startedAt } = attempt as Record<string, unknown>;
  return typeof deploymentId === 'string' && typeof version === 'string' && typeof startedAt === 'string'
    ? { deploymentId, version, startedAt }
    : undefined;
}

/** A lease whose run is gone (same host and no such process, or not renewed in time): its work did not end. */
export function goneLease(lease: LeaseView | undefined): LeaseState | undefined {
  return typeof lease === 'object' && lease.liveness !== 'alive' ? lease : undefined;
}

/** The holder of a lease whose run is gone (see `goneLease`). */
export function goneHolder(lease: LeaseView | undefined): LeaseHolder | undefined {
  return goneLease(lease)?.holder;
}

/** A stack whose last deployment ended (deployed or rolled back): a new one may start. */
export function isSettled(phase: Phase): boolean {
  switch (phase) {
    case 'stable':
    case 'rolled_back':
      return true;
    case 'deploying':
    case 'paused':
    case 'rolling_back':
    case 'interrupted':
      return false;
    default:
      return assertNever(phase);
  }
}

/** What `deploy` and `preview` tell the user to do about an unfinished deployment. */
/** What to do about an undeploy that stopped half-way. */
export const FINISH_UNDEPLOY =
  'Run `ecs-crd undeploy` with the same flags to finish removing it, or `ecs-crd rollback` to restore the stable release.';

export const RECOVER_FIRST =
  'Run `ecs-crd rollback` with the same flags to restore the stable release, then deploy again.';

/**
 * Refuses a stack whose last deployment did not finish (interrupted, killed, its rollback
 * failed): it is held by a run that is gone, exactly as a locked stack is held by one that
 * runs (exit 5). `hint` says what to do; the refusal itself never differs.
 */
export function refuseUnfinished(
  identity: StackIdentity,
  outputs: StackOutputs | null,
  hint: string = RECOVER_FIRST,
  lease?: LeaseView,
): void {
  const service = `${identity.name} in ${identity.environment} (${identity.region})`;
  // A paused deployment whose run is gone (a timed pause killed) is still one to promote.
  if (outputs?.meta.phase === 'paused') throw pausedDeployment(service, outputs.meta, hint);
  // A run that holds the lease and lives is not unfinished but under way: rolling it back is
  // the last thing to suggest (a `preview` beside a deploy used to).
  if (typeof lease === 'object' && lease.liveness === 'alive') throw heldByAnotherRun(lease.holder);
  const gone = goneLease(lease);
  if (gone)
    throw interruptedRun(gone.holder, hint, gone.liveness === 'expired' ? 'its lease expired' : undefined);
  if (!outputs || isSettled(outputs.meta.phase)) return;
  const { meta } = outputs;
  throw new StackLockedError(
    `The last deployment of ${service} (version ${meta.candidateVersion ?? 'unknown'}, deployment ${meta.deploymentId}, started ${meta.startedAt}) did not finish: the stack is ${meta.phase}.`,
    { hint },
  );
}

/** What to do about a paused deployment: go on, or abort. */
export const PAUSED_NEXT = 'run `ecs-crd promote` to go on or `ecs-crd rollback` to abort';

/** The refusal of a stack whose deployment waits at a pause (exit 5): it is not over, only stopped. */
function pausedDeployment(service: string, meta: DeploymentMeta, hint: string): StackLockedError {
  const at = meta.pause ? ` at ${meta.pause.weight} % since ${meta.pause.since}` : '';
  return new StackLockedError(
    `The deployment of version ${meta.candidateVersion ?? 'unknown'} of ${service} (deployment ${meta.deploymentId}) is paused${at}: ${PAUSED_NEXT}.`,
    { hint: hint === RECOVER_FIRST ? `Then deploy again; ${PAUSED_NEXT}.` : hint },
  );
}

/** The refusal of a stack whose lease a running run holds (exit 5); `why` says more of it. */
export function heldByAnotherRun(holder: LeaseHolder, why = ''): StackLockedError {
  return new StackLockedError(`The stack is held by another run: ${describeHolder(holder)}${why}.`, {
    hint: 'Wait for it to end (`ecs-crd status` shows it). If that machine or process is gone, its lease expires and `ecs-crd rollback` takes the stack over; `ecs-crd rollback --force` does so at once.',
  });
}

/**
 * The refusal of a stack whose lease is held by a run that no longer runs (exit 5); `why`
 * says how that is known when not by its process (`its lease expired 90 s ago`).
 */
export function interruptedRun(
  holder: LeaseHolder,
  hint: string = RECOVER_FIRST,
  why?: string,
): StackLockedError {
  const attempt = attemptOf(holder);
  const undeploy = holder.command === 'undeploy';
  const what = attempt
    ? `The deployment of version ${attempt.version} (deployment ${attempt.deploymentId}, started ${attempt.startedAt})`
    : undeploy
      ? 'An undeploy of this service'
      : 'A deployment of this service';
  const gone = why ? `no longer runs: ${why}` : 'no longer runs';
  return new StackLockedError(`${what} was interrupted: ${describeHolder(holder)} ${gone}.`, {
    hint: undeploy && hint === RECOVER_FIRST ? FINISH_UNDEPLOY : hint,
  });
}
