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
import { describeHolder, type LeaseHolder, type LeaseState, type Liveness } from '../canary/ports/lease.js';
import { StackLockedError } from '../errors.js';

export interface Lease {
  release(): void;
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
  options: { takeOverDead?: boolean; force?: boolean } = {},
): Lease {
  if (!dir) return { release: () => {} };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${stack}.json`);
  const holder: LeaseHolder = {
    host: hostname(),
    pid: process.pid,
    user: safeUser(),
    command,
    since: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, JSON.stringify(holder));
      closeSync(fd);
      return { release: () => releaseIfOurs(file) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const current = readLease(dir, stack);
    if (!current) continue; // released between our two calls: try once more
    const takeOver = options.force || (options.takeOverDead && current.liveness === 'dead');
    if (!takeOver) throw lockedBy(current);
    rmSync(file, { force: true });
  }
  throw new StackLockedError('The stack lease changed hands twice while being taken; try again.');
}

/** Runs `work` holding the lease, releasing it however `work` ends. */
export async function withLease<T>(
  dir: string | undefined,
  stack: string,
  command: string,
  options: { takeOverDead?: boolean; force?: boolean },
  work: () => Promise<T>,
): Promise<T> {
  const lease = acquireLease(dir, stack, command, options);
  try {
    return await work();
  } finally {
    lease.release();
  }
}

function lockedBy(current: LeaseState): StackLockedError {
  const who = describeHolder(current.holder);
  if (current.liveness === 'dead') {
    return new StackLockedError(`A deployment of this service was interrupted: ${who} no longer runs.`, {
      hint: 'Run `ecs-crd rollback` to restore the stable release and release the stack.',
    });
  }
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
