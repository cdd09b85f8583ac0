/**
 * The decisions about a deployment lease, pure: how long it lives without renewal, whether its
 * holder still runs, what a command does about a lease someone else holds, and what `rollback`
 * concludes while it waits for one. `src/app/lease.ts` performs them through a `LeaseStore`.
 */
import { StackLockedError, UsageError } from '../errors.js';
import { heldByAnotherRun, interruptedRun } from './phase.js';
import { describeHolder, type LeaseHolder, type Liveness, type StoredLease } from './ports/lease.js';

/** Seconds a lease lives without renewal, when `ECS_CRD_LEASE_TTL` says nothing. */
export const DEFAULT_LEASE_TTL_S = 60;
const MIN_TTL_S = 2;
const MAX_TTL_S = 3600;

/** The TTL in milliseconds from `ECS_CRD_LEASE_TTL` (whole seconds); `UsageError` when it is not one. */
export function leaseTtlMs(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_LEASE_TTL_S * 1000;
  const seconds = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || seconds < MIN_TTL_S || seconds > MAX_TTL_S) {
    throw new UsageError(
      `ECS_CRD_LEASE_TTL is ${JSON.stringify(text)}: not whole seconds from ${MIN_TTL_S} to ${MAX_TTL_S}.`,
      {
        hint: `Set it to whole seconds from ${MIN_TTL_S} to ${MAX_TTL_S} (default ${DEFAULT_LEASE_TTL_S}), the same on every machine, or unset it.`,
      },
    );
  }
  return seconds * 1000;
}

/** A holder renews four times per TTL: one or two lost renewals never let its lease expire. */
export function renewIntervalMs(ttlMs: number): number {
  return Math.floor(ttlMs / 4);
}

/** How often `rollback` reads a lease it waits for. */
export function waitPollMs(ttlMs: number): number {
  return Math.min(2000, Math.max(250, Math.floor(ttlMs / 20)));
}

/** What liveness is judged against. */
export interface LivenessContext {
  ttlMs: number;
  /** This machine's host name. */
  host: string;
  /** Whether the store lets a pid on this host be believed (`LeaseStore.checksPids`). */
  checksPids: boolean;
  pidAlive: (pid: number) => boolean;
}

/**
 * `dead` at once for a holder on this host whose process is gone (where pids are believed);
 * `expired` when not renewed within the TTL; else `alive`.
 */
export function livenessOf(lease: StoredLease, at: LivenessContext): Liveness {
  const { holder } = lease;
  if (at.checksPids && holder.host === at.host && !at.pidAlive(holder.pid)) return 'dead';
  return lease.ageMs > ttlOf(lease, at.ttlMs) ? 'expired' : 'alive';
}

/**
 * The TTL a lease is judged by: the one its holder renews it by (recorded in it), else the
 * reader's. A reader's own `ECS_CRD_LEASE_TTL` never shortens another run's lease: set lower
 * on one machine, it would take over a lease that is renewed on time.
 */
export function ttlOf(lease: StoredLease, readerTtlMs: number): number {
  const recorded = lease.holder.ttl;
  if (typeof recorded !== 'number' || !Number.isFinite(recorded) || recorded <= 0) return readerTtlMs;
  // A damaged or hostile record never holds a stack longer than the longest TTL ecs-crd sets.
  return Math.min(recorded, MAX_TTL_S) * 1000;
}

/** A holder seen running: on this host, where pids are believed, its process is there. */
export function seenRunning(lease: StoredLease, at: LivenessContext): boolean {
  return at.checksPids && lease.holder.host === at.host && at.pidAlive(lease.holder.pid);
}

/** How a command treats a lease another run holds. */
export interface LeasePolicy {
  /** Take over a lease whose holder is gone (dead or expired): `rollback`, `promote`. */
  takeOverGone?: boolean;
  /** Take over the lease of a gone run of this command, to finish its work: `undeploy`. */
  resumes?: string;
  /** Wait for a live holder to renew or expire, instead of refusing at once: `rollback`. */
  waitForExpiry?: boolean;
  /** Take it over whoever holds it. */
  force?: boolean;
}

export type HeldLeaseMove = 'take-over' | 'wait' | 'refuse';

/**
 * What to do about a lease someone else holds. A holder `running` (seen on this host) is not
 * waited for: it would only renew, so the refusal comes at once.
 */
export function onHeldLease(
  liveness: Liveness,
  policy: LeasePolicy,
  running = false,
  holder?: LeaseHolder,
): HeldLeaseMove {
  if (policy.force) return 'take-over';
  if (liveness !== 'alive') {
    const resumed = policy.resumes !== undefined && holder?.command === policy.resumes;
    return policy.takeOverGone || resumed ? 'take-over' : 'refuse';
  }
  return policy.waitForExpiry && !running ? 'wait' : 'refuse';
}

/**
 * The longest `rollback` waits for a live lease first seen `first`: until it would expire,
 * and one more read. A holder that still runs renews well before (every TTL/4).
 */
export function leaseWaitMs(first: StoredLease, readerTtlMs: number): number {
  const ttlMs = ttlOf(first, readerTtlMs);
  return Math.max(0, ttlMs - first.ageMs) + waitPollMs(ttlMs);
}

/**
 * What one more read of a lease `rollback` waits for says: `renewed` (its holder still runs,
 * or another run took it), `released`, `gone` (expired, or its process ended: take it over),
 * or nothing yet.
 */
export function judgeWait(
  first: StoredLease,
  now: StoredLease | undefined,
  liveness: Liveness | undefined,
): 'renewed' | 'released' | 'gone' | 'waiting' {
  if (!now) return 'released';
  if (now.version !== first.version) return 'renewed';
  return liveness === 'alive' ? 'waiting' : 'gone';
}

/** The refusal of a lease held by another run (exit 5); a gone holder points to `rollback`. */
export function leaseRefusal(
  held: StoredLease,
  liveness: Liveness,
  renewedWhileWaiting = false,
): StackLockedError {
  if (liveness === 'dead') return interruptedRun(held.holder);
  if (liveness === 'expired') {
    return interruptedRun(held.holder, undefined, `its lease was last renewed ${ageText(held.ageMs)} ago`);
  }
  return heldByAnotherRun(
    held.holder,
    renewedWhileWaiting ? ' (it renewed its lease while this run waited)' : '',
  );
}

/** `83 s`, `4 min`. */
export function ageText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 120 ? `${seconds} s` : `${Math.round(seconds / 60)} min`;
}

/** A lease's content as read from its store: checked, not trusted; undefined when it is no holder. */
export function parseHolder(text: string): LeaseHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LeaseHolder> | null;
    if (typeof value !== 'object' || value === null) return undefined;
    const { host, pid, user, command, since } = value;
    if (typeof host !== 'string' || typeof pid !== 'number' || typeof user !== 'string') return undefined;
    if (typeof command !== 'string' || typeof since !== 'string') return undefined;
    return value as LeaseHolder;
  } catch {
    return undefined;
  }
}

/** A lease whose content is no holder (being written, or damaged): held by someone unknown, expiring like any other. */
export const UNREADABLE_HOLDER: LeaseHolder = {
  host: 'unknown',
  pid: 0,
  user: 'unknown',
  command: 'unknown',
  since: 'unknown',
};

/** The end of a run whose lease another run took over (`rollback --force`): exit 5, naming it. */
export function lostLease(taker: LeaseHolder | undefined): StackLockedError {
  const what = taker
    ? `The stack was taken over by another run (${describeHolder(taker)}) while this one held it`
    : 'The lease of this run was removed while it held the stack';
  return new StackLockedError(`${what}: this run stopped making changes.`, {
    hint: 'That run now decides what happens to the stack: `ecs-crd status` shows where it stands.',
  });
}
