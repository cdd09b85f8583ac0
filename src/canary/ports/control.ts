/**
 * The control port: how `ecs-crd promote` and `ecs-crd rollback` reach a `deploy` that is
 * still running at a pause (`deploy --wait`, or a timed `pause: SECONDS`) on another terminal or
 * machine. They cannot take the stack (the running deploy holds its lease), so they leave a
 * request beside the lease; the running deploy reads it at each observation, acts on it and
 * removes it. Implemented by `src/stack/control.ts`.
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
