/**
 * `rollback` of a deployment whose run still waits at a pause (`deploy --wait`, a timed pause):
 * that run holds the stack, so it is asked to abort through the control channel and rolls
 * back itself; `rollback` waits for it to release the stack, then says how it ended.
 */
import { type EventSink, progressEvent } from '../canary/events.js';
import type { Clock } from '../canary/ports/clock.js';
import type { ControlChannel } from '../canary/ports/control.js';
import { describeHolder, type LeaseHolder, type LeaseState, type LeaseStore } from '../canary/ports/lease.js';
import type { StackOutputs, StackRunner } from '../canary/ports/stack.js';
import { StackLockedError } from '../errors.js';
import type { RollbackDocument } from '../ui/documents.js';
import { readLease } from './lease.js';

/** How long `rollback` waits for the running deploy to roll back and release the stack. */
export const ABORT_WAIT_MS = 10 * 60 * 1000;
/** How often the lease is read meanwhile. */
export const ABORT_POLL_MS = 1000;

/** The commands whose run may wait at a pause (and read the control channel). */
const WAITERS = new Set(['deploy', 'promote']);

/**
 * The run that holds a paused stack and will take a request: one whose lease is alive (its
 * process runs on this host, or it renews its lease), unless `force` says to break it.
 */
export function pausedHolder(
  lease: LeaseState | undefined,
  outputs: StackOutputs | null,
  force: boolean,
): LeaseHolder | undefined {
  if (!lease || outputs?.meta.phase !== 'paused' || !WAITERS.has(lease.holder.command)) return undefined;
  return lease.liveness === 'alive' && !force ? lease.holder : undefined;
}

export interface AbortRequest {
  leases: LeaseStore;
  stack: string;
  runner: StackRunner;
  control: ControlChannel;
  holder: LeaseHolder;
  /** The paused deployment's outputs. */
  outputs: StackOutputs;
  by: string;
  clock: Clock;
  reporter: EventSink;
}

/**
 * Sends the abort, then polls the lease until `holder` no longer holds it (up to
 * `ABORT_WAIT_MS`); returns what the stack says then. A run that died meanwhile counts as gone:
 * the caller recovers what it left.
 */
export async function abortRunning(
  request: AbortRequest,
): Promise<{ document: RollbackDocument; outputs: StackOutputs | null }> {
  const { clock, holder, outputs } = request;
  const who = describeHolder(holder);
  const { deploymentId, candidateVersion } = outputs.meta;
  await request.control.send({
    action: 'abort',
    full: false,
    deploymentId,
    by: request.by,
    at: new Date(clock.now()).toISOString(),
  });
  const endsAt = clock.now() + ABORT_WAIT_MS;
  request.reporter(
    progressEvent(
      'wait.started',
      'info',
      `Asked the running deployment (${who}) to roll back; waiting up to ${ABORT_WAIT_MS / 60_000} min for it`,
      { seconds: ABORT_WAIT_MS / 1000, endsAt },
    ),
  );
  while (holds(await readLease(request.leases, request.stack), holder)) {
    if (clock.now() >= endsAt) {
      throw new StackLockedError(
        `The running deployment ${deploymentId} (${who}) was asked to roll back but still holds the stack after ${ABORT_WAIT_MS / 60_000} minutes.`,
        {
          hint: 'The request stays until it reads it. `ecs-crd status` shows where it stands; run `ecs-crd rollback` again later, or with --force if that machine is gone.',
        },
      );
    }
    await clock.sleep(ABORT_POLL_MS);
  }
  const after = await request.runner.outputs();
  const ended = after?.meta.deploymentId === deploymentId ? after.meta : null;
  const how = ended?.outcome
    ? `it ended ${ended.outcome.replace('_', ' ')}${ended.reason ? `: ${ended.reason}` : ''}`
    : `it released the stack (${after?.meta.phase ?? 'no stack'})`;
  return {
    outputs: after,
    document: {
      changed: true,
      reason: `deployment ${deploymentId} (version ${candidateVersion ?? 'unknown'}) was paused, its run still holding the stack`,
      live: after?.meta.liveSlot ? { slot: after.meta.liveSlot, version: after.meta.liveVersion } : null,
      actions: [`asked the running deployment (${who}) to roll back`, how],
    },
  };
}

/** Whether `lease` is still `holder`'s, held by a run that may run. */
function holds(lease: LeaseState | undefined, holder: LeaseHolder): boolean {
  if (lease?.liveness !== 'alive') return false;
  const h = lease.holder;
  return h.host === holder.host && h.pid === holder.pid && h.since === holder.since;
}
