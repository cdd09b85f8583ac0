/**
 * Turns what the Pulumi engine reports into ecs-crd's own vocabulary: engine events into
 * `EngineEvent`s for the reporters, and engine failures into the error hierarchy. Pure, so
 * it is tested without an engine.
 */
import {
  type ChangeSummary,
  type EngineEvent,
  formatChanges,
  type PlannedChange,
  type ResourceOperation,
} from '../canary/ports/stack.js';

/** The parts of the Automation API's engine event that we read (a structural subset). */
export interface RawStepMetadata {
  op: string;
  urn: string;
  type: string;
  diffs?: string[];
}
export interface RawEngineEvent {
  timestamp?: number;
  resourcePreEvent?: { metadata: RawStepMetadata; planning?: boolean };
  resOutputsEvent?: { metadata: RawStepMetadata; planning?: boolean };
  resOpFailedEvent?: { metadata: RawStepMetadata };
  diagnosticEvent?: { urn?: string; message: string; severity: string; ephemeral?: boolean };
  summaryEvent?: { resourceChanges: Record<string, number | undefined> };
}

/** Collapses the engine's many step kinds onto the operations a user cares about. */
export function operationOf(op: string): ResourceOperation {
  switch (op) {
    case 'create':
    case 'import':
      return 'create';
    case 'update':
      return 'update';
    case 'delete':
    case 'discard':
      return 'delete';
    case 'replace':
    case 'create-replacement':
    case 'delete-replaced':
    case 'import-replacement':
    case 'discard-replaced':
      return 'replace';
    case 'read':
    case 'read-replacement':
      return 'read';
    case 'refresh':
      return 'refresh';
    default:
      return 'same';
  }
}

/** The logical name is the URN's last `::` segment. */
export function nameOfUrn(urn: string): string {
  return urn.slice(urn.lastIndexOf('::') + 2);
}

/** Keeps per-URN start times so `resource-done` events carry a duration. */
export class EngineEventTranslator {
  private readonly started = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  translate(raw: RawEngineEvent): EngineEvent | undefined {
    if (raw.resourcePreEvent) {
      const m = raw.resourcePreEvent.metadata;
      this.started.set(m.urn, this.now());
      return { kind: 'resource-start', ...this.describe(m) };
    }
    if (raw.resOutputsEvent) {
      const m = raw.resOutputsEvent.metadata;
      const start = this.started.get(m.urn);
      return {
        kind: 'resource-done',
        ...this.describe(m),
        ...(start === undefined ? {} : { durationMs: this.now() - start }),
      };
    }
    if (raw.resOpFailedEvent) {
      return { kind: 'resource-failed', ...this.describe(raw.resOpFailedEvent.metadata) };
    }
    // Debug diagnostics are the SDK's own tracing: they print each resource's response as it
    // is, secret values included (an OIDC client secret), and say nothing a user acts on.
    if (raw.diagnosticEvent && !raw.diagnosticEvent.ephemeral && raw.diagnosticEvent.severity !== 'debug') {
      const d = raw.diagnosticEvent;
      const severity = d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'info';
      const where = d.urn ? { urn: d.urn, name: nameOfUrn(d.urn) } : {};
      return { kind: 'diagnostic', severity, message: d.message.trim(), ...where };
    }
    if (raw.summaryEvent) {
      return { kind: 'summary', message: formatChanges(summaryOf(raw.summaryEvent.resourceChanges)) };
    }
    return undefined;
  }

  private describe(m: RawStepMetadata): Pick<EngineEvent, 'urn' | 'type' | 'name' | 'operation' | 'diffs'> {
    return {
      urn: m.urn,
      type: m.type,
      name: nameOfUrn(m.urn),
      operation: operationOf(m.op),
      diffs: m.diffs ?? [],
    };
  }
}

/** A planned change for each resource step of a preview, in the engine's order; the stack itself is left out. */
export function plannedChanges(events: RawEngineEvent[]): PlannedChange[] {
  return events.flatMap((e) => {
    const m = e.resourcePreEvent?.metadata;
    if (!m || m.type === 'pulumi:pulumi:Stack') return [];
    return [
      {
        urn: m.urn,
        type: m.type,
        name: nameOfUrn(m.urn),
        operation: operationOf(m.op),
        diffs: m.diffs ?? [],
      },
    ];
  });
}

/** The engine's change counts, folded onto our operations. */
export function summaryOf(resourceChanges: Record<string, number | undefined> | undefined): ChangeSummary {
  const changes: ChangeSummary['changes'] = {};
  for (const [op, count] of Object.entries(resourceChanges ?? {})) {
    if (!count) continue;
    // A replacement is reported as 'replace' plus its create/delete halves: count it once.
    if (op === 'create-replacement' || op === 'delete-replaced') continue;
    const ours = operationOf(op);
    changes[ours] = (changes[ours] ?? 0) + count;
  }
  return { changes };
}
