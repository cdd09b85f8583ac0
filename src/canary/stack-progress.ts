/**
 * One engine operation (an `up`, a preview, a destroy) on the event stream: a started event,
 * the engine's own events and output lines, then a finished event with what it changed or why
 * it failed. Every command that drives the engine goes through here, so a rollback's updates
 * show exactly as a deployment's do.
 */
import { assertNever } from '../errors.js';
import {
  type EventLevel,
  type EventSink,
  type ProgressEvent,
  progressEvent,
  type StackOperation,
} from './events.js';
import { type ChangeSummary, type EngineEvent, formatChanges, type RunOptions } from './ports/stack.js';

export interface ReportedRunOptions {
  /** Epoch milliseconds, for durations; the rollout passes its clock. */
  now: () => number;
  /** Passed to the engine: aborting it cancels the operation cleanly. */
  signal?: AbortSignal | undefined;
  /** Each resource the engine changes is worth a line (`undeploy`, `rollback`); else only with --verbose. */
  resources?: boolean;
}

/**
 * Runs `call` with engine callbacks that report, and reports its start and end. Rethrows the
 * call's error after reporting it.
 */
export async function reportedRun<T>(
  report: EventSink,
  purpose: StackOperation,
  call: (options: RunOptions) => Promise<T>,
  changesOf: (result: T) => ChangeSummary['changes'],
  options: ReportedRunOptions,
): Promise<T> {
  const { now } = options;
  const text = texts(purpose);
  const startedAt = now();
  report(progressEvent('stack.update.started', 'info', text.started, { purpose }));
  // The engine repeats some diagnostics within one operation (once per plugin load): one line each.
  const said = new Set<string>();
  const once = (event: ProgressEvent): ProgressEvent => {
    if (event.level === 'debug' || !said.has(event.text)) {
      said.add(event.text);
      return event;
    }
    return { ...event, level: 'debug' };
  };
  try {
    const result = await call({
      onEvent: (event) => report(once(engineProgress(event, options.resources ?? false))),
      onOutput: (line) => report(progressEvent('engine.output', 'debug', line, { line })),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const durationMs = now() - startedAt;
    const changes = changesOf(result);
    report(
      progressEvent(
        'stack.update.finished',
        'info',
        `${text.finished} in ${durationMs} ms: ${formatChanges({ changes })}`,
        { purpose, durationMs, error: null, changes },
      ),
    );
    return result;
  } catch (error) {
    const reason = messageOf(error);
    report(
      progressEvent('stack.update.finished', 'error', `${text.failed}: ${reason}`, {
        purpose,
        durationMs: now() - startedAt,
        error: reason,
        changes: null,
      }),
    );
    throw error;
  }
}

/** How each stage of an operation is told: every `up` alike, a preview and a destroy in their own words. */
function texts(purpose: StackOperation): { started: string; finished: string; failed: string } {
  switch (purpose) {
    case 'preview':
      return { started: 'Previewing the first update', finished: 'Preview done', failed: 'Preview failed' };
    case 'destroy':
      return { started: 'Destroying the stack', finished: 'Stack destroyed', failed: 'Destroy failed' };
    default:
      return {
        started: `Updating the stack (${purpose})`,
        finished: `Stack updated (${purpose})`,
        failed: `Stack update failed (${purpose})`,
      };
  }
}

const STACK_TYPE = 'pulumi:pulumi:Stack';

/**
 * An engine event on the stream. The engine's warnings and errors, and a failed resource, are
 * always worth a line; a changed resource when `resources` asks for it; the rest (starts,
 * unchanged resources, informational diagnostics, the summary) only with --verbose.
 */
export function engineProgress(event: EngineEvent, resources: boolean): ProgressEvent {
  return progressEvent('engine.event', engineLevel(event, resources), engineText(event), event);
}

function engineLevel(event: EngineEvent, resources: boolean): EventLevel {
  switch (event.kind) {
    case 'diagnostic':
      return event.severity === 'error' ? 'error' : event.severity === 'warning' ? 'warn' : 'debug';
    case 'resource-failed':
      return 'error';
    case 'resource-done': {
      // The stack itself is not a resource anyone asked for.
      const changed =
        event.operation !== undefined && event.operation !== 'same' && event.type !== STACK_TYPE;
      return resources && changed ? 'info' : 'debug';
    }
    case 'resource-start':
    case 'summary':
      return 'debug';
    default:
      return assertNever(event.kind);
  }
}

function engineText(event: EngineEvent): string {
  const what = [event.operation, event.type, event.name].filter(Boolean).join(' ');
  switch (event.kind) {
    case 'diagnostic': {
      const where = event.name ? `${event.name}: ` : '';
      return `${event.severity ?? 'info'}: ${where}${event.message ?? ''}`;
    }
    case 'resource-failed':
      return `failed: ${what}`;
    case 'resource-done':
      return event.durationMs === undefined ? what : `${what} (${(event.durationMs / 1000).toFixed(1)} s)`;
    case 'resource-start':
      return `${what}…`;
    case 'summary':
      return event.message ?? 'summary';
    default:
      return assertNever(event.kind);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
