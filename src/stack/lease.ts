/**
 * A deployment holds its service for its whole run, not only during each `up`: between two
 * steps the engine's own lock is released, and a second `deploy` (or a `rollback`) must not
 * slip in while the first one waits. The lease is a file beside a `file://` backend's state,
 * created exclusively; it names its holder so the refusal can say who. Other backends (S3,
 * Pulumi Cloud) rely on the engine's lock during updates and the phase saved in the outputs.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { type DeployAttempt, interruptedRun } from '../canary/phase.js';
import { describeHolder, type LeaseHolder, type LeaseState, type Liveness } from '../canary/ports/lease.js';
import { StackLockedError } from '../errors.js';

export interface Lease {
  release(): void;
  /** The lease of a run that no longer runs, which this one took over (`rollback`). */
  takenOver?: LeaseState;
}

export interface LeaseOptions {
  /** Take over the lease of a run known to be dead (`rollback`). */
  takeOverDead?: boolean;
  /** Take it over whoever holds it. */
  force?: boolean;
  /** What a `deploy` sets out to do: kept in the lease, so a run killed before its first update is still known. */
  attempt?: DeployAttempt;
}

/** The folder of leases for a backend URL; undefined for backends without one. */
export function leaseDir(backendUrl: string): string | undefined {
  return backendUrl.startsWith('file://')
    ? join(backendUrl.slice('file://'.length), '.ecs-crd', 'leases')
    : undefined;
}

export function livenessOf(holder: LeaseHolder, isAlive: (pid: number) => boolean = pidAlive): Liveness {
  if (holder.host !== hostname()) return 'unknown';
  return isAlive(holder.pid) ? 'alive' : 'dead';
}

/** The current lease of a stack, if any. */
export function readLease(dir: string | undefined, stack: string): LeaseState | undefined {
  if (!dir) return undefined;
  let holder: LeaseHolder;
  try {
    holder = JSON.parse(readFileSync(join(dir, `${stack}.json`), 'utf8')) as LeaseHolder;
  } catch {
    return undefined;
  }
  return { holder, liveness: livenessOf(holder) };
}

/**
 * Takes the lease, or throws `StackLockedError` naming the holder. A holder known to be dead
 * (same host, no such process) is taken over only with `takeOverDead` (what `rollback` does):
 * `deploy` must refuse and point to `rollback` instead.
 */
export function acquireLease(
  dir: string | undefined,
  stack: string,
  command: string,
  options: LeaseOptions = {},
): Lease {
  if (!dir) return { release: () => {} };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${stack}.json`);
  const holder: LeaseHolder & { deployment?: DeployAttempt } = {
    host: hostname(),
    pid: process.pid,
    user: safeUser(),
    command,
    since: new Date().toISOString(),
    ...(options.attempt ? { deployment: options.attempt } : {}),
  };
  let takenOver: LeaseState | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(holder));
      closeSync(fd);
      return { release: () => releaseIfOurs(file), ...(takenOver ? { takenOver } : {}) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const current = readLease(dir, stack);
    if (!current) continue; // released between our two calls: try once more
    const takeOver = options.force || (options.takeOverDead && current.liveness === 'dead');
    if (!takeOver) throw lockedBy(current);
    takenOver = current;
    rmSync(file, { force: true });
  }
  throw new StackLockedError('The stack lease changed hands twice while being taken; try again.');
}

/** Runs `work` holding the lease, releasing it however `work` ends. */
export async function withLease<T>(
  dir: string | undefined,
  stack: string,
  command: string,
  options: LeaseOptions,
  work: (lease: Lease) => Promise<T>,
): Promise<T> {
  const lease = acquireLease(dir, stack, command, options);
  try {
    return await work(lease);
  } finally {
    lease.release();
  }
}

function lockedBy(current: LeaseState): StackLockedError {
  if (current.liveness === 'dead') return interruptedRun(current.holder);
  const who = describeHolder(current.holder);
  return new StackLockedError(`The stack is held by another run: ${who}.`, {
    hint:
      current.liveness === 'unknown'
        ? 'Wait for it to end. If that machine or process is gone, `ecs-crd rollback --force` takes the stack over.'
        : 'Wait for it to end.',
  });
}

function releaseIfOurs(file: string): void {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as LeaseHolder;
    if (holder.pid === process.pid && holder.host === hostname()) rmSync(file, { force: true });
  } catch {
    // Already gone: nothing to release.
  }
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
