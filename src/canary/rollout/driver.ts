/**
 * The driver: the only code of the rollout that acts. It performs each action `decide` asks
 * for through the ports and feeds the outcome back as the next message, until `done`.
 */
import { assertNever, EcsCrdError, StackLockedError, UsageError } from '../../errors.js';
import type { ProgressEvent } from '../events.js';
import { hookOutputEvent } from '../hooks.js';
import type { AnalysisWindow, MetricsSource } from '../ports/analysis.js';
import type { ControlRequest } from '../ports/control.js';
import type { HookResult } from '../ports/hooks.js';
import type { EngineEvent } from '../ports/stack.js';
import { messageOf, reportedRun } from '../stack-progress.js';
import { decide } from './decide.js';
import { interruptEvent } from './narrate.js';
import { resumeState, startRollout } from './start.js';
import type {
  AnalysisReading,
  ResumeRequest,
  RolloutAction,
  RolloutDeps,
  RolloutMessage,
  RolloutRequest,
  RolloutResult,
  RolloutState,
} from './types.js';

type Report = (event: ProgressEvent) => void;

/**
 * Runs one canary release to its end. Never throws for a failed deployment (the result says
 * how it ended); throws only when the first update failed before it changed anything (a stack
 * locked by someone else: `StackLockedError`, exit 5; a wrong passphrase: `UsageError`, exit 2;
 * any other engine failure: exit 1; each saying nothing changed), a refused start, or an
 * internal error.
 *
 * Interruption: once `signal` aborts, the `up` under way finishes (it is never given that
 * signal), then the rollout rolls back and ends `interrupted`. Once `hardStop` aborts, the
 * rollout stops at once: the running `up` gets `hardStop` as its signal so the engine cancels
 * it cleanly, and no further `up` is started.
 */
export async function runRollout(deps: RolloutDeps, request: RolloutRequest): Promise<RolloutResult> {
  const state = startRollout(request, deps.clock.now());
  checkDeps(deps, state);
  return drive(deps, state);
}

/**
 * Goes on with a deployment saved `paused` (`ecs-crd promote`): the health gate first, then the
 * steps after the pause (with `full`, the final 100 % step), to the end, exactly as `runRollout`
 * would have. Same errors as `runRollout`, and a `UsageError` when the stack is not paused.
 */
export async function resumeRollout(deps: RolloutDeps, request: ResumeRequest): Promise<RolloutResult> {
  const state = resumeState(request, deps.clock.now());
  checkDeps(deps, state);
  return drive(deps, state);
}

/** A file that needs a port the caller did not give is a bug of the caller, not of the user. */
function checkDeps(deps: RolloutDeps, state: RolloutState): void {
  const { config } = state.ctx.candidate;
  if (config.canary.analysis && !deps.metrics) {
    throw new EcsCrdError(
      'internal error: canary.analysis is set but the rollout was given no CloudWatch client',
    );
  }
  const hooks = Object.values(config.canary.hooks ?? {}).some((specs) => specs.length > 0);
  if (hooks && !deps.hooks) {
    throw new EcsCrdError('internal error: canary.hooks is set but the rollout was given no hook runner');
  }
  // Waiting at `pause: true` with no way to be told to go on would watch forever.
  const untilPromoted = state.ctx.plan.steps.some((step) => step.kind === 'shift' && step.pause === true);
  if (state.ctx.waitForPromotion && untilPromoted && !deps.control) {
    throw new EcsCrdError(
      'internal error: --wait at a pause until promoted, but the rollout was given no control channel',
    );
  }
}

async function drive(deps: RolloutDeps, first: RolloutState): Promise<RolloutResult> {
  const { clock } = deps;
  const report: Report = (event) => {
    try {
      deps.reporter(event);
    } catch {
      // A broken reporter must not leave a deployment half done.
    }
  };
  const eitherInterrupt = anySignal([deps.signal, deps.hardStop]);
  let state = first;
  let decision = decide(state, { type: 'start', at: clock.now() });
  for (const event of decision.events) report(event);
  while (decision.action.type !== 'done') {
    state = decision.state;
    // Once the first interrupt is handled, only the second may cut a wait short (the drain goes on).
    const wake = state.interrupted ? deps.hardStop : eitherInterrupt;
    const message =
      interruption(deps, state, clock.now()) ?? (await perform(deps, report, decision.action, state, wake));
    decision = decide(state, message);
    for (const event of decision.events) report(event);
  }
  if (deps.signal?.aborted && !decision.state.interrupted && decision.action.result.outcome === 'deployed') {
    report(interruptEvent('afterFinalize'));
  }
  return decision.action.result;
}

function interruption(deps: RolloutDeps, state: RolloutState, at: number): RolloutMessage | null {
  if (deps.hardStop?.aborted) return hardStopped(deps, at, false);
  if (deps.signal?.aborted && !state.interrupted) return { type: 'interrupt', at };
  return null;
}

/** The hard stop, saying why when it is the lease another run took over rather than a second Ctrl-C. */
function hardStopped(deps: RolloutDeps, at: number, upCancelled: boolean): RolloutMessage {
  const lost = deps.leaseLost?.aborted ? messageOf(deps.leaseLost.reason) : undefined;
  return { type: 'hard-stop', at, upCancelled, ...(lost === undefined ? {} : { lost }) };
}

async function perform(
  deps: RolloutDeps,
  report: Report,
  action: Exclude<RolloutAction, { type: 'done' }>,
  state: RolloutState,
  wake: AbortSignal | undefined,
): Promise<RolloutMessage> {
  const { clock, runner, probe } = deps;
  switch (action.type) {
    case 'up':
      return runUp(deps, report, action);
    case 'read-outputs':
      try {
        return { type: 'outputs-read', at: clock.now(), outputs: await runner.outputs() };
      } catch (error) {
        return { type: 'outputs-failed', at: clock.now(), error: messageOf(error) };
      }
    case 'observe': {
      // Health, CloudWatch and the control channel side by side: each answers, or fails, on its own.
      const [health, analysis, control] = await Promise.all([
        probe.observe(action.candidate).then(
          (observation) => ({ observation }),
          (error: unknown) => ({ error: messageOf(error) }),
        ),
        readAnalysis(deps.metrics, action),
        readControl(deps, action.control),
      ]);
      const read = { ...(analysis ? { analysis } : {}), ...(control === undefined ? {} : { control }) };
      return 'observation' in health
        ? { type: 'observed', at: clock.now(), observation: health.observation, ...read }
        : { type: 'observe-failed', at: clock.now(), error: health.error, ...read };
    }
    case 'sleep':
      try {
        await clock.sleep(action.ms, wake);
      } catch {
        // Woken early by an interrupt: it becomes the next message.
      }
      return interruption(deps, state, clock.now()) ?? { type: 'slept', at: clock.now() };
    case 'hook':
      return runHook(deps, report, action);
    default:
      return assertNever(action);
  }
}

/**
 * The request left for a waiting run; undefined when the observation does not ask. A channel
 * that cannot be read holds nothing this time: the next observation asks again.
 */
async function readControl(
  deps: RolloutDeps,
  deploymentId: string | undefined,
): Promise<ControlRequest | null | undefined> {
  if (deploymentId === undefined) return undefined;
  if (!deps.control) return null;
  try {
    return await deps.control.take(deploymentId);
  } catch {
    return null;
  }
}

/** One hook to its end; only the second interrupt stops it. */
async function runHook(
  deps: RolloutDeps,
  report: Report,
  action: Extract<RolloutAction, { type: 'hook' }>,
): Promise<RolloutMessage> {
  const { clock, hardStop } = deps;
  if (!deps.hooks) throw new EcsCrdError('internal error: a hook to run without a hook runner');
  const { point, spec, event } = action;
  const started = clock.now();
  let result: HookResult;
  try {
    result = await deps.hooks.run(spec, event, {
      onOutput: (line, stream) => report(hookOutputEvent(point, spec, stream, line)),
      ...(hardStop ? { signal: hardStop } : {}),
    });
  } catch (error) {
    // The runner never throws for a failing hook; one that does failed all the same.
    result = { ok: false, detail: messageOf(error), durationMs: clock.now() - started };
  }
  if (hardStop?.aborted) return hardStopped(deps, clock.now(), false);
  return { type: 'hook-finished', at: clock.now(), result };
}

/** The alarms and the window an observation reads; undefined when it reads neither. */
async function readAnalysis(
  metrics: MetricsSource | undefined,
  action: Extract<RolloutAction, { type: 'observe' }>,
): Promise<AnalysisReading | undefined> {
  const { alarms: names, window: query } = action;
  if (!names && !query) return undefined;
  if (!metrics) throw new EcsCrdError('internal error: canary.analysis without a CloudWatch client');
  const [alarms, window] = await Promise.all([
    names
      ? metrics.alarmStates(names).then(
          (states) => ({ states }),
          (error: unknown) => ({ error: messageOf(error) }),
        )
      : undefined,
    query
      ? metrics.measure(query).then(
          (measurement) => ({ window: windowOf(query), measurement }),
          (error: unknown) => ({ window: windowOf(query), error: messageOf(error) }),
        )
      : undefined,
  ]);
  return { ...(alarms ? { alarms } : {}), ...(window ? { window } : {}) };
}

const windowOf = ({ start, end }: AnalysisWindow): AnalysisWindow => ({ start, end });

async function runUp(
  deps: RolloutDeps,
  report: Report,
  action: Extract<RolloutAction, { type: 'up' }>,
): Promise<RolloutMessage> {
  const { clock, runner, hardStop } = deps;
  const { purpose } = action;
  // Whether the engine began changing a resource: until it does, a failed update changed nothing.
  let changing = false;
  try {
    const summary = await reportedRun(
      report,
      purpose,
      (options) =>
        runner.up(action.desired, {
          ...options,
          onEvent: (event) => {
            changing ||= startsChange(event);
            options.onEvent?.(event);
          },
        }),
      (s) => s.changes,
      {
        now: () => clock.now(),
        signal: hardStop,
      },
    );
    return {
      type: 'up-succeeded',
      at: clock.now(),
      ...(summary.endedAt === undefined ? {} : { endedAt: summary.endedAt }),
    };
  } catch (error) {
    if (hardStop?.aborted) return hardStopped(deps, clock.now(), true);
    // A first update that failed before it changed anything is not a failed deployment: there
    // is nothing to roll back, and a rollback's update would only fail the same way.
    if (purpose === 'provision' && (!changing || error instanceof StackLockedError)) {
      throw nothingChanged(error);
    }
    return { type: 'up-failed', at: clock.now(), error: messageOf(error) };
  }
}

/** The engine's resource operations that change something in the cloud. */
const CHANGES: ReadonlySet<EngineEvent['operation']> = new Set(['create', 'update', 'replace', 'delete']);

/** The engine starts changing a resource (its own stack and provider records are not resources). */
function startsChange(event: EngineEvent): boolean {
  return (
    event.kind === 'resource-start' && CHANGES.has(event.operation) && !event.type?.startsWith('pulumi:')
  );
}

/** The error a deployment whose first update changed nothing ends with: the engine's reason, and that. */
function nothingChanged(error: unknown): EcsCrdError {
  // Someone else's lock: exit 5, as it was.
  if (error instanceof StackLockedError) return error;
  const reason = messageOf(error);
  const hint =
    (error instanceof EcsCrdError ? error.hint : undefined) ??
    'Fix the cause the engine gives, then deploy again: there is nothing to roll back.';
  if (error instanceof UsageError)
    return new UsageError(`Nothing was changed: ${reason}`, { cause: error, hint });
  return new EcsCrdError(`Nothing was changed: the first update failed before changing anything: ${reason}`, {
    cause: error,
    hint,
  });
}

function anySignal(signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  return present.length > 1 ? AbortSignal.any(present) : present[0];
}
