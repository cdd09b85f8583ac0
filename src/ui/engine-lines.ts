/**
 * Engine events (`EngineEvent`, from the stack runner) as plain lines, for the commands that
 * drive the engine outside a rollout (`preview`, `undeploy`) until the reporters take them
 * over. Redacted: diagnostics are free text from Pulumi and the AWS provider.
 */
import { assertNever } from '../canary/plan.js';
import { nameOfUrn } from '../stack/events.js';
import type { EngineEvent } from '../stack/types.js';
import { formatDuration } from './format.js';
import { redact } from './redact.js';

const STACK_TYPE = 'pulumi:pulumi:Stack';

/**
 * The line of one event, or undefined for what is not worth a line: unchanged resources,
 * resource starts, the engine's own summary, informational diagnostics. With `resources`
 * false (a preview, whose changes are printed as its result) only warnings and errors.
 */
export function engineEventLine(event: EngineEvent, options: { resources: boolean }): string | undefined {
  switch (event.kind) {
    case 'diagnostic':
      if (event.severity !== 'warning' && event.severity !== 'error') return undefined;
      return redact(
        `${event.severity}: ${event.urn ? `${nameOfUrn(event.urn)}: ` : ''}${event.message ?? ''}`,
      );
    case 'resource-done': {
      if (!options.resources || !event.operation || event.operation === 'same') return undefined;
      // The stack itself is not a resource anyone asked for.
      if (event.type === STACK_TYPE) return undefined;
      const took = event.durationMs === undefined ? '' : ` (${formatDuration(event.durationMs / 1000)})`;
      return redact(`${event.operation} ${event.type ?? ''} ${event.name ?? ''}${took}`);
    }
    case 'resource-failed':
      return redact(`failed: ${event.operation ?? ''} ${event.type ?? ''} ${event.name ?? ''}`);
    case 'resource-start':
    case 'summary':
      return undefined;
    default:
      return assertNever(event.kind);
  }
}

/** An `onEvent` callback writing each event's line, if it has one. */
export function engineEventPrinter(
  write: (line: string) => void,
  options: { resources: boolean },
): (event: EngineEvent) => void {
  return (event) => {
    const line = engineEventLine(event, options);
    if (line !== undefined) write(line);
  };
}
