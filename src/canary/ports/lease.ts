/**
 * The deployment lease as the domain reads it: who holds a service's stack for a whole run
 * (the engine's own lock only covers each update), and whether that holder still runs. A run
 * renews its lease while it lives; one not renewed within the TTL has `expired`. The store
 * keeps it beside the state: `src/stack/lease.ts` (file backends), `src/aws/lease-s3.ts` (S3).
 */
import type { ControlChannel } from './control.js';

export interface LeaseHolder {
  host: string;
  pid: number;
  user: string;
  /** What the holder is doing: `deploy`, `rollback`, `undeploy`, `promote`. */
  command: string;
  /** ISO-8601, the holder's own clock: shown, never judged. */
  since: string;
  /** ISO-8601, the holder's own clock: its last renewal (absent until the first). */
  renewed?: string;
  /** A random id of this acquisition: a retried write that S3 had done is recognised as ours. */
  run?: string;
  /** Seconds the holder promises to renew within (its `ECS_CRD_LEASE_TTL`): what others judge it by. */
  ttl?: number;
}

/**
 * Whether a holder still runs. `dead`: on this host, and no such process (file backends
 * only). `expired`: not renewed within the TTL, judged by the store's own clock. Else `alive`.
 */
export type Liveness = 'alive' | 'dead' | 'expired';

export interface LeaseState {
  holder: LeaseHolder;
  liveness: Liveness;
}

/**
 * The lease as `status` sees it: held (with whether its holder still runs), `free`, or
 * `untracked` for backends that keep no lease (Pulumi Cloud).
 */
export type LeaseView = LeaseState | 'free' | 'untracked';

/** One version of a stack's lease, as its store holds it. */
export interface StoredLease {
  holder: LeaseHolder;
  /** Opaque, for a conditional replace or remove: S3's ETag, a digest of the file. */
  version: string;
  /**
   * Milliseconds since it was last written, by the store's own clock (S3: the response's Date
   * header against the object's LastModified; a file: now against its mtime), so that the
   * clocks of two machines never matter.
   */
  ageMs: number;
}

/**
 * Where a backend keeps its leases, one per stack, with conditional writes: of two runs that
 * create, or replace the same version, at once, exactly one succeeds.
 */
export interface LeaseStore {
  /** Where, for messages: `s3://bucket/prefix/.ecs-crd/leases`, or the folder. */
  readonly location: string;
  /**
   * Whether a holder on this host can be checked by its pid: a file backend's folder. Never on
   * S3, where containers on two machines share host names and pids.
   */
  readonly checksPids: boolean;
  /** The lease of `stack`; undefined when there is none. */
  read(stack: string): Promise<StoredLease | undefined>;
  /** Writes `holder` when there is no lease: its version, or undefined when one exists. */
  create(stack: string, holder: LeaseHolder): Promise<string | undefined>;
  /** Replaces version `version` with `holder`: the new version, or undefined when the lease is no longer that version (or gone). */
  replace(stack: string, holder: LeaseHolder, version: string): Promise<string | undefined>;
  /** Removes version `version`: false when the lease is no longer that version (or gone). */
  remove(stack: string, version: string): Promise<boolean>;
  /** The control channel beside the lease (`deploy --wait`, `promote`, `rollback` of a waiting run). */
  control(stack: string): ControlChannel;
}

/** `deploy by ana@build-7 (pid 4242) since 2025-01-01T12:00:00.000Z`. */
export function describeHolder(h: LeaseHolder): string {
  return `${h.command} by ${h.user}@${h.host} (pid ${h.pid}) since ${h.since}`;
}
