/**
 * The deployment lease of a run, through its backend's `LeaseStore`: taken before anything
 * changes (or refused, naming the holder), renewed every TTL/4 while the run lives, released
 * however it ends. `rollback` waits for a live holder to renew (then refuses) or let its lease
 * expire (then takes it over); `--force` takes it over at once. A run whose lease another run
 * took over stops making changes and ends with exit 5 naming it. The decisions are
 * src/canary/lease.ts's; this file performs them.
 */
import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import type { AwsClientOptions } from '../aws/clients.js';
import { type EventSink, progressEvent } from '../canary/events.js';
import {
  ageText,
  judgeWait,
  type LeasePolicy,
  type LivenessContext,
  leaseRefusal,
  leaseTtlMs,
  leaseWaitMs,
  livenessOf,
  lostLease,
  onHeldLease,
  renewIntervalMs,
  seenRunning,
  waitPollMs,
} from '../canary/lease.js';
import type { DeployAttempt } from '../canary/phase.js';
import type { Clock } from '../canary/ports/clock.js';
import {
  describeHolder,
  type LeaseHolder,
  type LeaseState,
  type LeaseStore,
  type Liveness,
  type StoredLease,
} from '../canary/ports/lease.js';
import { StackLockedError } from '../errors.js';
import { besideState } from '../stack/backend.js';
import { fileLeaseStore, leaseDir } from '../stack/lease.js';
import { systemClock } from './clock.js';

/** A lease this run took over: whose, how it stood, and how long since its last renewal. */
export interface TakenOver extends LeaseState {
  ageMs: number;
}

export interface Lease {
  /** The lease of another run that this one took over (`rollback`, `promote`, `--force`). */
  takenOver?: TakenOver;
  /** Aborts, with the `StackLockedError` naming it, when another run took this lease over. */
  lost: AbortSignal;
  release(): Promise<void>;
}

export interface LeaseOptions extends LeasePolicy {
  /** What a `deploy` sets out to do: kept in the lease, so a run killed before its first update is still known. */
  attempt?: DeployAttempt;
  /** Where the waits, take-overs and a lost lease are told. */
  reporter?: EventSink | undefined;
  /** For `rollback`'s wait; default real time. */
  clock?: Clock;
}

/**
 * The lease store of a backend: a folder beside a `file://` state, objects beside an `s3://`
 * one (the S3 SDK loaded on first use); undefined for Pulumi Cloud, which keeps no object.
 */
export function leaseStoreFor(backendUrl: string, aws: AwsClientOptions): LeaseStore | undefined {
  const dir = leaseDir(backendUrl);
  if (dir) return fileLeaseStore(dir);
  if (!backendUrl.startsWith('s3://')) return undefined;
  let loaded: Promise<LeaseStore> | undefined;
  const store = () => {
    loaded ??= import('../aws/lease-s3.js').then(({ s3LeaseStore }) => s3LeaseStore(backendUrl, aws));
    return loaded;
  };
  return {
    location: besideState(backendUrl, 'leases'),
    checksPids: false,
    read: async (stack) => (await store()).read(stack),
    create: async (stack, holder) => (await store()).create(stack, holder),
    replace: async (stack, holder, version) => (await store()).replace(stack, holder, version),
    remove: async (stack, version) => (await store()).remove(stack, version),
    control: (stack) => ({
      send: async (request) => (await store()).control(stack).send(request),
      take: async (deploymentId) => (await store()).control(stack).take(deploymentId),
    }),
  };
}

/** What liveness is judged against here: `ECS_CRD_LEASE_TTL`, this host, its processes. */
export function livenessContext(store: Pick<LeaseStore, 'checksPids'>, env = process.env): LivenessContext {
  return {
    ttlMs: leaseTtlMs(env.ECS_CRD_LEASE_TTL),
    host: hostname(),
    checksPids: store.checksPids,
    pidAlive,
  };
}

/** The current lease of a stack, with whether its holder still runs; undefined when free (or no store). */
export async function readLease(
  store: LeaseStore | undefined,
  stack: string,
): Promise<LeaseState | undefined> {
  if (!store) return undefined;
  const stored = await store.read(stack);
  return stored ? { holder: stored.holder, liveness: livenessOf(stored, livenessContext(store)) } : undefined;
}

/** Runs `work` holding the lease, releasing it however `work` ends; exit 5 if another run took it meanwhile. */
export async function withLease<T>(
  store: LeaseStore | undefined,
  stack: string,
  command: string,
  options: LeaseOptions,
  work: (lease: Lease) => Promise<T>,
): Promise<T> {
  const lease = await acquireLease(store, stack, command, options);
  let result: T;
  try {
    result = await work(lease);
  } catch (error) {
    // What went wrong after the lease was lost is a consequence: the loss is the story.
    if (lease.lost.aborted) throw lease.lost.reason;
    throw error;
  } finally {
    await lease.release();
  }
  if (lease.lost.aborted) throw lease.lost.reason;
  return result;
}

/** How many times the lease may change hands under this run before it gives up. */
const ROUNDS = 4;

/** Takes the lease, or throws `StackLockedError` naming the holder (see `onHeldLease`). */
export async function acquireLease(
  store: LeaseStore | undefined,
  stack: string,
  command: string,
  options: LeaseOptions = {},
): Promise<Lease> {
  if (!store) return { lost: new AbortController().signal, release: async () => {} };
  const at = livenessContext(store);
  const holder: LeaseHolder & { deployment?: DeployAttempt } = {
    host: hostname(),
    pid: process.pid,
    user: safeUser(),
    command,
    since: new Date().toISOString(),
    run: randomUUID(),
    ttl: at.ttlMs / 1000,
    ...(options.attempt ? { deployment: options.attempt } : {}),
  };
  for (let round = 0; round < ROUNDS; round++) {
    const created = await store.create(stack, holder);
    if (created) return holding(store, stack, holder, created, at.ttlMs, options);
    let current = await store.read(stack);
    if (!current) continue; // released between our two calls
    // Our own create, whose answer was lost and whose retry was refused: ours all the same.
    if (sameRun(current.holder, holder))
      return holding(store, stack, holder, current.version, at.ttlMs, options);
    let liveness = livenessOf(current, at);
    const move = onHeldLease(liveness, options, seenRunning(current, at), current.holder);
    if (move === 'refuse') throw leaseRefusal(current, liveness);
    if (move === 'wait') {
      const waited = await waitForLease(store, stack, current, at, options);
      if (!waited) continue;
      ({ lease: current, liveness } = waited);
    }
    const version = await store.replace(stack, holder, current.version);
    if (!version) continue; // another run wrote it first: look again
    const takenOver = { holder: current.holder, liveness, ageMs: current.ageMs };
    options.reporter?.(takeOverEvent(takenOver));
    return { ...holding(store, stack, holder, version, at.ttlMs, options), takenOver };
  }
  throw new StackLockedError(
    `The lease of ${stack} changed hands ${ROUNDS} times while this run tried to take it.`,
    {
      hint: 'Other runs are starting on this service right now: `ecs-crd status` shows who holds it; try again.',
    },
  );
}

/** What a lease this run took over was: told before anything is done under it. */
function takeOverEvent(taken: TakenOver) {
  const who = describeHolder(taken.holder);
  const text = takeOverText(taken);
  const kind = taken.liveness === 'alive' ? 'broken' : 'taken-over';
  return progressEvent('lease.notice', 'warn', `${text.charAt(0).toUpperCase()}${text.slice(1)}`, {
    kind,
    holder: who,
    seconds: null,
  });
}

/** `took the stack over from deploy by …, whose lease was last renewed 75 s ago`: for events and the rollback's actions. */
export function takeOverText(taken: TakenOver): string {
  const who = describeHolder(taken.holder);
  const how: Record<Liveness, string> = {
    dead: 'which no longer runs',
    expired: `whose lease was last renewed ${ageText(taken.ageMs)} ago`,
    alive: 'which still held it (--force broke its lease)',
  };
  return `took the stack over from ${who}, ${how[taken.liveness]}`;
}

/**
 * `rollback` on a live lease: reads it until it is renewed (refused, naming the holder),
 * released (undefined: take it), or gone (expired, or its process ended: returned, to be taken
 * over), for at most as long as it has left to live.
 */
async function waitForLease(
  store: LeaseStore,
  stack: string,
  first: StoredLease,
  at: LivenessContext,
  options: LeaseOptions,
): Promise<{ lease: StoredLease; liveness: Liveness } | undefined> {
  const clock = options.clock ?? systemClock;
  const who = describeHolder(first.holder);
  const maxMs = leaseWaitMs(first, at.ttlMs);
  const seconds = Math.ceil(maxMs / 1000);
  const endsAt = clock.now() + maxMs;
  options.reporter?.(
    progressEvent(
      'lease.notice',
      'warn',
      `The stack is held by ${who}; waiting up to ${seconds} s: if it renews its lease, this rollback stops (exit 5); if the lease expires, this rollback takes the stack over`,
      { kind: 'waiting', holder: who, seconds },
    ),
  );
  for (;;) {
    await clock.sleep(Math.min(waitPollMs(at.ttlMs), Math.max(0, endsAt - clock.now())));
    const now = await store.read(stack);
    const liveness = now ? livenessOf(now, at) : undefined;
    const verdict = judgeWait(first, now, liveness);
    if (verdict === 'released') return undefined;
    if (now && liveness && verdict === 'renewed') throw leaseRefusal(now, liveness, true);
    if (now && liveness && verdict === 'gone') return { lease: now, liveness };
    if (clock.now() >= endsAt) {
      throw new StackLockedError(
        `The stack is still held by ${who}: its lease was neither renewed nor expired within ${seconds} s.`,
        { hint: 'Run `ecs-crd rollback` again, or with --force if that run is gone.' },
      );
    }
  }
}

/** A lease this run holds: renewed every TTL/4 (a timer that never keeps the process alive). */
function holding(
  store: LeaseStore,
  stack: string,
  holder: LeaseHolder,
  first: string,
  ttlMs: number,
  options: LeaseOptions,
): Lease {
  const lost = new AbortController();
  let version = first;
  let released = false;
  let busy: Promise<void> = Promise.resolve();
  const renew = async () => {
    if (released || lost.signal.aborted) return;
    let next: string | undefined;
    try {
      next = await store.replace(stack, { ...holder, renewed: new Date().toISOString() }, version);
    } catch {
      return; // S3 unreachable a moment: the next tick tries again, well within the TTL
    }
    if (next) {
      version = next;
      return;
    }
    if (released) return;
    const taker = await store.read(stack).catch(() => undefined);
    // Our own renewal, whose answer was lost and whose retry was refused: still ours.
    if (taker && sameRun(taker.holder, holder)) {
      version = taker.version;
      return;
    }
    clearInterval(timer);
    const error = lostLease(taker?.holder);
    options.reporter?.(
      progressEvent('lease.notice', 'error', error.message, {
        kind: 'lost',
        holder: taker ? describeHolder(taker.holder) : null,
        seconds: null,
      }),
    );
    lost.abort(error);
  };
  const timer = setInterval(() => {
    busy = busy.then(renew);
  }, renewIntervalMs(ttlMs));
  timer.unref();
  return {
    lost: lost.signal,
    async release() {
      released = true;
      clearInterval(timer);
      await busy;
      if (lost.signal.aborted) return;
      // Only our own version: a lease another run took over is theirs to release.
      await store.remove(stack, version).catch(() => false);
    },
  };
}

/** The same acquisition: its random id (two in one process may start within a millisecond). */
function sameRun(a: LeaseHolder, b: LeaseHolder): boolean {
  return a.run !== undefined && a.run === b.run;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
