/**
 * Fakes of the hook runner and the control channel, on the virtual clock: a hook takes
 * `durationMs` of virtual time and answers from a script; a control request is left at a
 * virtual time and taken once by the deployment it is for.
 */

import type { ControlChannel, ControlRequest } from '../../src/canary/ports/control.js';
import type { HookEvent, HookResult, HookRunner, HookRunOptions } from '../../src/canary/ports/hooks.js';
import type { HookPoint, HookSpec } from '../../src/config/types.js';
import type { FakeClock } from './fakes.js';

export interface RecordedHook {
  point: HookPoint;
  spec: HookSpec;
  event: HookEvent;
  /** Virtual time the hook started. */
  at: number;
  signal: AbortSignal | undefined;
}

/** What a scripted hook answers; `output` lines are printed before it ends. */
export type HookAnswer = Partial<HookResult> & { output?: string[] };

export class FakeHookRunner implements HookRunner {
  readonly calls: RecordedHook[] = [];
  readonly #clock: FakeClock;
  readonly #answer: (call: RecordedHook, index: number) => HookAnswer;

  /** Every hook passes with `exit code 0` after 1 s unless `answer` says otherwise. */
  constructor(clock: FakeClock, answer: (call: RecordedHook, index: number) => HookAnswer = () => ({})) {
    this.#clock = clock;
    this.#answer = answer;
  }

  async run(spec: HookSpec, event: HookEvent, options: HookRunOptions = {}): Promise<HookResult> {
    const call: RecordedHook = {
      point: event.hook,
      spec,
      event,
      at: this.#clock.now(),
      signal: options.signal,
    };
    this.calls.push(call);
    const answer = this.#answer(call, this.calls.length - 1);
    for (const line of answer.output ?? []) options.onOutput?.(line, 'stdout');
    const durationMs = answer.durationMs ?? 1_000;
    this.#clock.advance(durationMs);
    const ok = answer.ok ?? true;
    return { ok, detail: answer.detail ?? (ok ? 'exit code 0' : 'exit code 1'), durationMs };
  }
}

/** A control channel whose requests appear at virtual times. */
export class FakeControlChannel implements ControlChannel {
  readonly taken: ControlRequest[] = [];
  readonly #clock: FakeClock;
  #pending: { atMs: number; request: ControlRequest }[] = [];

  constructor(clock: FakeClock) {
    this.#clock = clock;
  }

  /** Leaves `request` for the deployment `elapsedMs` after the clock's start. */
  at(elapsedMs: number, request: Omit<ControlRequest, 'at'>): this {
    const at = new Date(this.#clock.start + elapsedMs).toISOString();
    this.#pending.push({ atMs: elapsedMs, request: { ...request, at } });
    return this;
  }

  async send(request: ControlRequest): Promise<void> {
    this.#pending.push({ atMs: this.#clock.elapsed(), request });
  }

  async take(deploymentId: string): Promise<ControlRequest | null> {
    const due = this.#pending.find(
      (p) => p.atMs <= this.#clock.elapsed() && p.request.deploymentId === deploymentId,
    );
    if (!due) return null;
    this.#pending = this.#pending.filter((p) => p !== due);
    this.taken.push(due.request);
    return due.request;
  }
}

/** A command hook running `argv`. */
export function commandHook(...command: string[]): HookSpec {
  return { kind: 'command', command, timeout: 300 };
}
