/**
 * A stack runner over `FakeStackRunner` (for `up` and the outputs) that also answers `preview`, `destroy` and `history` from a script and
 * records every call in order, for the commands around the rollout (`preview`, `undeploy`,
 * `status`, `history`).
 */
import type {
  ChangeSummary,
  DesiredState,
  EngineEvent,
  HistoryEntry,
  PlannedChange,
  RunOptions,
  StackOutputs,
  StackRunner,
} from '../../src/canary/ports/stack.js';
import { FakeStackRunner, type FakeStackRunnerOptions } from './fakes.js';

export type RunnerCall =
  | 'preview'
  | 'up'
  | 'destroy'
  | 'outputs'
  | 'history'
  | 'cancel'
  | 'clearPending'
  | 'remove';

export interface RecordingRunnerOptions extends FakeStackRunnerOptions {
  /** What `preview` returns (after sending `events`). */
  planned?: PlannedChange[];
  /** What `destroy` returns. */
  destroyed?: ChangeSummary;
  /** Sent to `onEvent` by `preview`, `up` and `destroy`. */
  events?: EngineEvent[];
  history?: HistoryEntry[];
  /** Thrown by `destroy`. */
  destroyError?: Error;
  /** Called by `outputs` before it answers. */
  onOutputs?: () => void;
}

export class RecordingStackRunner implements StackRunner {
  readonly calls: RunnerCall[] = [];
  readonly previews: DesiredState[] = [];
  /** The stack as the `up`s, `destroy` and `remove` left it. */
  readonly stack: FakeStackRunner;
  readonly #script: RecordingRunnerOptions;

  constructor(script: RecordingRunnerOptions = {}) {
    this.stack = new FakeStackRunner(script);
    this.#script = script;
  }

  async preview(desired: DesiredState, options?: RunOptions): Promise<PlannedChange[]> {
    this.calls.push('preview');
    this.previews.push(desired);
    for (const event of this.#script.events ?? []) options?.onEvent?.(event);
    return this.#script.planned ?? [];
  }

  async up(desired: DesiredState, options?: RunOptions): Promise<ChangeSummary> {
    this.calls.push('up');
    for (const event of this.#script.events ?? []) options?.onEvent?.(event);
    return this.stack.up(desired, options);
  }

  async destroy(options?: RunOptions): Promise<ChangeSummary> {
    this.calls.push('destroy');
    for (const event of this.#script.events ?? []) options?.onEvent?.(event);
    if (this.#script.destroyError) throw this.#script.destroyError;
    await this.stack.destroy();
    return this.#script.destroyed ?? { changes: {} };
  }

  async outputs(): Promise<StackOutputs | null> {
    this.calls.push('outputs');
    this.#script.onOutputs?.();
    return this.stack.outputs();
  }

  async history(): Promise<HistoryEntry[]> {
    this.calls.push('history');
    return this.#script.history ?? [];
  }

  async cancel(): Promise<void> {
    this.calls.push('cancel');
  }

  async clearPending(): Promise<boolean> {
    this.calls.push('clearPending');
    return false;
  }

  async remove(): Promise<void> {
    this.calls.push('remove');
    await this.stack.remove();
  }
}
