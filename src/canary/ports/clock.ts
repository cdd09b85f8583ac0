/** Time, as the rollout sees it: the real clock in `src/app`, a virtual one in tests. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects early with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
