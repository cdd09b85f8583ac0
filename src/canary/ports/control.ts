/**
 * The control port: how `ecs-crd promote` and `ecs-crd rollback` reach a `deploy` that is
 * still running at a pause (`deploy --wait`, or a timed `pause: SECONDS`) on another terminal or
 * machine. They cannot take the stack (the running deploy holds its lease), so they leave a
 * request beside the lease; the running deploy reads it at each observation, acts on it and
 * removes it. Implemented by `src/stack/control.ts` (file backends) and `src/aws/lease-s3.ts`
 * (S3), each reached through its `LeaseStore`.
 */

export type ControlAction = 'promote' | 'abort';

export interface ControlRequest {
  action: ControlAction;
  /** `promote --full`: straight to 100 %. */
  full: boolean;
  /** The deployment the request is for: a request left for another one is ignored (and removed). */
  deploymentId: string;
  /** Who asked: `promote by ana@laptop (pid 4242)`. */
  by: string;
  /** ISO-8601. */
  at: string;
}

export interface ControlChannel {
  /** Leaves a request for the running deployment (replacing an earlier one). */
  send(request: ControlRequest): Promise<void>;
  /** The request left for `deploymentId`, removed as it is read; null when there is none. */
  take(deploymentId: string): Promise<ControlRequest | null>;
}

/** A well-formed request, or null: a garbled one is dropped, not obeyed (read from a store: checked). */
export function parseRequest(text: string): ControlRequest | null {
  const value = JSON.parse(text) as Partial<ControlRequest> | null;
  if (typeof value !== 'object' || value === null) return null;
  const { action, full, deploymentId, by, at } = value;
  if (action !== 'promote' && action !== 'abort') return null;
  if (typeof full !== 'boolean' || typeof deploymentId !== 'string') return null;
  if (typeof by !== 'string' || typeof at !== 'string') return null;
  return { action, full, deploymentId, by, at };
}
