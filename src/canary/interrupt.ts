/**
 * The two-stage interrupt as two abort signals, for `runRollout`'s `signal` and `hardStop`:
 * the first Ctrl-C lets the running `up` finish and rolls back, the second stops at once. The
 * command wires process signals to `interrupt()`; nothing here touches `process`.
 */

export interface InterruptController {
  /** Aborts on the first interrupt: finish the running `up`, then roll back. */
  readonly signal: AbortSignal;
  /** Aborts on the second: stop at once. */
  readonly hardStop: AbortSignal;
  /** Escalates one stage; says which stage this call reached. */
  interrupt(): 'soft' | 'hard' | 'ignored';
}

/** A controller whose first `interrupt()` aborts `signal` and whose second aborts `hardStop`. */
export function createInterruptController(): InterruptController {
  const soft = new AbortController();
  const hard = new AbortController();
  return {
    signal: soft.signal,
    hardStop: hard.signal,
    interrupt() {
      if (!soft.signal.aborted) {
        soft.abort(new Error('interrupted'));
        return 'soft';
      }
      if (!hard.signal.aborted) {
        hard.abort(new Error('stopped at once'));
        return 'hard';
      }
      return 'ignored';
    },
  };
}
