/**
 * Seconds from one epoch-millisecond instant to another, to the tenth: the one measure of a
 * deployment's duration, in the run's summary and in `history` alike (which then agree).
 */
export function secondsBetween(fromMs: number, toMs: number): number {
  return Math.max(0, Math.round((toMs - fromMs) / 100) / 10);
}

/** Time, as the rollout sees it: the real clock in `src/app`, a virtual one in tests. */
export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects early with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
