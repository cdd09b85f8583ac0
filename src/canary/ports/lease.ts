/**
 * The deployment lease as the domain reads it: who holds a service's stack for a whole run
 * (the engine's own lock only covers each update), and whether that holder still runs.
 * `src/stack/lease.ts` keeps it beside the state.
 */

export interface LeaseHolder {
  host: string;
  pid: number;
  user: string;
  /** What the holder is doing: `deploy`, `rollback`, `undeploy`. */
  command: string;
  since: string;
}

/** Whether a holder still runs: known only on the same host. */
export type Liveness = 'alive' | 'dead' | 'unknown';

export interface LeaseState {
  holder: LeaseHolder;
  liveness: Liveness;
}

/**
 * The lease as `status` sees it: held (with whether its holder still runs), `free`, or
 * `untracked` for backends that keep no lease (S3, Pulumi Cloud).
 */
export type LeaseView = LeaseState | 'free' | 'untracked';

/** `deploy by ana@build-7 (pid 4242) since 2025-01-01T12:00:00.000Z`. */
export function describeHolder(h: LeaseHolder): string {
  return `${h.command} by ${h.user}@${h.host} (pid ${h.pid}) since ${h.since}`;
}
