/**
 * `canary.hooks`, resolved: the commands and webhooks a deployment runs at the points people
 * and pipelines need (smoke tests before any traffic, a check after each step, a message
 * once deployed). Absent from `CanaryConfig` when the file has no `hooks` section.
 */

/** Where a hook runs. `before_*` and `after_step` gate the rollout; the other `after_*` only report. */
export const HOOK_POINTS = [
  /** The candidate is healthy at weight 0, before the first shift: a failure rolls back (it never had traffic). */
  'before_traffic',
  /** Each shift step passed its wait and health gate, before the next step (or a pause): a failure rolls back. */
  'after_step',
  /** The candidate holds 100 % and the drain is over, before the old release is removed: a failure rolls back. */
  'before_finalize',
  /** The deployment ended `deployed`: reports only. */
  'after_deploy',
  /** A rollback ended (the deployment's own, or `ecs-crd rollback`): reports only. */
  'after_rollback',
] as const;
export type HookPoint = (typeof HOOK_POINTS)[number];

/** Hook points whose failure rolls the deployment back. */
export const GATING_HOOK_POINTS: ReadonlySet<HookPoint> = new Set([
  'before_traffic',
  'after_step',
  'before_finalize',
]);

/** Seconds a command hook may run when the file says nothing. */
export const DEFAULT_COMMAND_TIMEOUT_S = 300;
/** Seconds a webhook has to answer 2xx, per attempt, when the file says nothing. */
export const DEFAULT_WEBHOOK_TIMEOUT_S = 10;
/** Attempts after the first, when the file says nothing. */
export const DEFAULT_WEBHOOK_RETRIES = 2;

export type HookSpec =
  /**
   * YAML `{command: [argv…], timeout}`: run with no shell (argv[0] looked up on PATH), in the
   * folder of the deployment file, with the environment of `hookEnvironment`.
   */
  | { kind: 'command'; command: string[]; timeout: number }
  /**
   * YAML `{webhook: URL, headers, timeout, retries}`: a POST of the JSON `HookEvent`; passes on
   * a 2xx within `timeout` seconds; a timeout, a network error or a 5xx/429 is retried
   * `retries` times (1 s, 2 s, 4 s… apart); another 4xx fails at once.
   */
  | { kind: 'webhook'; url: string; headers: Record<string, string>; timeout: number; retries: number };

/** Per point, the hooks in the file's order (a point absent has none). */
export type HooksConfig = Partial<Record<HookPoint, HookSpec[]>>;
