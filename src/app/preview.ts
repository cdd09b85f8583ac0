/**
 * `preview`: what the next `deploy` would do, changing nothing and taking no lock. The resource
 * changes are the engine's preview of the rollout's own first update (provision: the candidate
 * at weight 0), built by the same `startRollout`/`decide` the deployment runs; the timeline is
 * that rollout's plan.
 */
import { type TimelineEntry, timeline } from '../canary/plan.js';
import type { Environment, Slot } from '../canary/ports.js';
import { decide, type Release, startRollout } from '../canary/rollout.js';
import { type ServiceFields, serviceFields } from '../canary/status.js';
import type { DeploymentConfig } from '../config/types.js';
import { EcsCrdError } from '../errors.js';
import type {
  EngineEvent,
  PlannedChange,
  ResourceOperation,
  StackIdentity,
  StackRunner,
} from '../stack/types.js';
import { discoverFor, openInAccount, type ServiceOptions } from './service.js';

/** One resource the update would change (`same`, `read` and `refresh` are left out). */
export interface PreviewChange {
  type: string;
  name: string;
  operation: Extract<ResourceOperation, 'create' | 'update' | 'replace' | 'delete'>;
  /** The properties that change (empty for creates and deletes). */
  diffs: string[];
}

/** One step of the planned timeline; seconds of waiting, `up` durations not counted. */
export interface PreviewStep {
  number: number;
  kind: TimelineEntry['kind'];
  label: string;
  /** Percent of traffic once the step's update has landed. */
  weights: { candidate: number; stable: number };
  wait_s: number;
  /** Cumulative waiting before and after the step. */
  start_s: number;
  end_s: number;
}

export interface PreviewRelease {
  slot: Slot;
  /** The slot ALB's `CanaryRelease` tag. */
  release_id: string;
  version: string;
}

/** `preview --json`. */
export interface PreviewDocument extends ServiceFields {
  candidate: PreviewRelease;
  /** The live release, kept unchanged; null on a first deployment. */
  stable: PreviewRelease | null;
  changes: PreviewChange[];
  /** How many resources per operation. */
  summary: Partial<Record<PreviewChange['operation'], number>>;
  timeline: PreviewStep[];
}

export interface PreviewRequest {
  config: DeploymentConfig;
  identity: StackIdentity;
  environment: Environment;
  runner: StackRunner;
  onEvent?: ((event: EngineEvent) => void) | undefined;
  /** Epoch milliseconds the previewed run would start at (tests pin it). */
  now?: number;
}

/** The deployment id the previewed run records; never written, the preview changes nothing. */
const PREVIEW_ID = 'preview';

const SHOWN: ReadonlySet<ResourceOperation> = new Set<ResourceOperation>([
  'create',
  'update',
  'replace',
  'delete',
]);

/**
 * Previews the first update of the next deployment against the stack's current outputs.
 *
 * @throws UsageError when the last deployment did not finish (as `deploy` would refuse).
 */
export async function previewRelease(request: PreviewRequest): Promise<PreviewDocument> {
  const { config, identity, environment, runner } = request;
  const now = request.now ?? Date.now();
  const previous = await runner.outputs();
  const state = startRollout({ config, environment, identity, previous, deploymentId: PREVIEW_ID }, now);
  const { action } = decide(state, { type: 'start', at: now });
  if (action.type !== 'up' || action.purpose !== 'provision') {
    throw new EcsCrdError(`internal error: a rollout starts with ${action.type}, not the provision update`);
  }
  const planned = await runner.preview(action.desired, request.onEvent ? { onEvent: request.onEvent } : {});
  const changes = changesOf(planned);
  const summary: PreviewDocument['summary'] = {};
  for (const { operation } of changes) summary[operation] = (summary[operation] ?? 0) + 1;
  const { candidate, stable, plan } = state.ctx;
  return {
    ...serviceFields(identity),
    candidate: releaseOf(candidate),
    stable: stable ? releaseOf(stable) : null,
    changes,
    summary,
    timeline: timelineOf(timeline(plan)),
  };
}

/** Looks up the account and the slots, then previews: the AWS calls `deploy` makes before its first change. */
export async function previewService(options: {
  service: ServiceOptions;
  onEvent?: (event: EngineEvent) => void;
}): Promise<PreviewDocument> {
  const { aws, ctx } = await openInAccount(options.service);
  const environment = await discoverFor(aws, ctx);
  return previewRelease({
    config: ctx.config,
    identity: ctx.identity,
    environment,
    runner: ctx.runner,
    onEvent: options.onEvent,
  });
}

/**
 * One entry per resource that changes: the engine reports a replacement as three steps
 * (create-replacement, replace, delete-replaced) of one URN.
 */
function changesOf(planned: readonly PlannedChange[]): PreviewChange[] {
  const byUrn = new Map<string, PreviewChange>();
  for (const change of planned) {
    if (!isShown(change.operation) || byUrn.has(change.urn)) continue;
    byUrn.set(change.urn, {
      type: change.type,
      name: change.name,
      operation: change.operation,
      diffs: [...change.diffs],
    });
  }
  return [...byUrn.values()];
}

function isShown(operation: ResourceOperation): operation is PreviewChange['operation'] {
  return SHOWN.has(operation);
}

function releaseOf(release: Release): PreviewRelease {
  return { slot: release.slot, release_id: release.releaseId, version: release.version };
}

function timelineOf(entries: readonly TimelineEntry[]): PreviewStep[] {
  return entries.map((entry) => ({
    number: entry.number,
    kind: entry.kind,
    label: entry.label,
    weights: { ...entry.weights },
    wait_s: entry.waitS,
    start_s: entry.startS,
    end_s: entry.endS,
  }));
}
