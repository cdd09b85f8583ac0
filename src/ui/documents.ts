/**
 * Every `--json` document ecs-crd prints, in one place (`deploy`'s re-exported from
 * ./documents-deploy.ts): the shapes scripts and CI pipelines rely on (snake_case, typed,
 * snapshot-tested) and the projections that build them from the domain's results. The human
 * renderings read these same documents, so the two never disagree. Pure.
 */

import type { TimelineEntry } from '../canary/plan.js';
import type { Slot } from '../canary/ports/aws.js';
import type { LeaseHolder, Liveness } from '../canary/ports/lease.js';
import type { PlannedChange, ResourceOperation, StackIdentity } from '../canary/ports/stack.js';
import type { RecoveryPlan } from '../canary/recover.js';
import type { Release } from '../canary/rollout/types.js';
import type {
  DeploymentRecord as Deployment,
  DeploymentOutcome,
  LiveRelease as Live,
  ServiceStatus,
  StatusPhase,
} from '../canary/status.js';
import type { CheckResult } from '../config/check.js';
import { MAX_PROBLEMS_SHOWN } from '../config/problems.js';
import { withHookHeadersHidden } from '../config/redact.js';
import type { ConfigProblem, DeploymentConfig } from '../config/types.js';
import { redact } from './redact.js';

// ---------------------------------------------------------------- shared parts

/** Which service a document is about: the first fields of every document about a stack. */
export interface ServiceFields {
  /** The service name (`service.name`). */
  service: string;
  project: string;
  environment: string;
  region: string;
  /** The Pulumi stack. */
  stack: string;
}

export function serviceFields(identity: StackIdentity, stack: string): ServiceFields {
  return {
    service: identity.name,
    project: identity.project,
    environment: identity.environment,
    region: identity.region,
    stack,
  };
}

/** The release serving production traffic. */
export interface LiveReleaseDocument {
  slot: Slot;
  version: string | null;
  /** The slot ALB's `CanaryRelease` tag (the records' set identifier). */
  release_id: string;
}

function liveDocument(live: Live | null): LiveReleaseDocument | null {
  return live ? { slot: live.slot, version: live.version, release_id: live.releaseId } : null;
}

// ---------------------------------------------------------------- deploy

// In ./documents-deploy.ts (with the analysis windows), for size; the same kind of contract.
export {
  type AnalysisWindowDocument,
  type DeployDocument,
  deployDocument,
  type ReleaseMetricsDocument,
  type StepDocument,
} from './documents-deploy.js';

// ---------------------------------------------------------------- status and history

/** One deployment in `history --json` (and `status --json`'s `last_deployment`). */
export interface DeploymentDocument {
  version: string | null;
  outcome: DeploymentOutcome;
  /** ISO-8601 start of the run. */
  started_at: string;
  /** From the start of the run to the end of its last update, in whole seconds. */
  duration_s: number;
  deployment_id: string;
  slot: Slot | null;
  reason: string | null;
}

export function deploymentDocument(d: Deployment): DeploymentDocument {
  return {
    version: d.version,
    outcome: d.outcome,
    started_at: d.startedAt,
    duration_s: d.durationS,
    deployment_id: d.deploymentId,
    slot: d.slot,
    reason: d.reason,
  };
}

/** `history --json`: newest first. */
export type HistoryDocument = DeploymentDocument[];

export function historyDocument(deployments: readonly Deployment[]): HistoryDocument {
  return deployments.map(deploymentDocument);
}

/** `status --json`. */
export interface StatusDocument extends ServiceFields {
  phase: StatusPhase;
  live: LiveReleaseDocument | null;
  /** Per fqdn, per slot release id (the records' set identifiers), the percent of traffic. */
  weights: Record<string, Record<string, number>>;
  last_deployment: DeploymentDocument | null;
  /** Who holds the stack now; null when nobody does or the backend keeps no lease. */
  lease: (LeaseHolder & { liveness: Liveness }) | null;
  /** Where a paused deployment stopped (phase `paused`); null otherwise. */
  paused: PausedDocument | null;
}

/** `status --json`'s `paused`. */
export interface PausedDocument {
  deployment_id: string;
  version: string | null;
  /** ISO-8601. */
  since: string;
  weight: number;
  /** 1-based shift step. */
  step: number;
  /** ISO-8601 end of a timed pause; null: until promoted. */
  until: string | null;
  /** The candidate's health when `status` looked (`unknown: <error>` when it could not); null: not looked. */
  health: string | null;
}

export function statusDocument(fields: ServiceFields, status: ServiceStatus): StatusDocument {
  return {
    ...fields,
    phase: status.phase,
    live: liveDocument(status.live),
    weights: status.weights,
    last_deployment: status.lastDeployment ? deploymentDocument(status.lastDeployment) : null,
    lease: status.lease ? { ...status.lease.holder, liveness: status.lease.liveness } : null,
    paused: status.pause
      ? {
          deployment_id: status.pause.deploymentId,
          version: status.pause.version,
          since: status.pause.since,
          weight: status.pause.weight,
          step: status.pause.step,
          until: status.pause.until,
          health: status.pause.health,
        }
      : null,
  };
}

// ---------------------------------------------------------------- preview

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
  /** After the wait: `true` until promoted, a number of seconds (watching), null none. */
  pause: true | number | null;
  /** The hook points that run at or right after the step, in order (only those the file gives hooks). */
  hooks: TimelineEntry['hooks'];
  /** Cumulative waiting before and after the step (a timed pause counted, one until promoted not). */
  start_s: number;
  end_s: number;
  /** An estimate of what AWS adds to the step's update (Route 53 propagation, the old release's drain). */
  aws_estimate_s: number;
  /** The step's estimated end on AWS: waits and estimates so far. */
  estimated_end_s: number;
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
  /** The deployment file's warnings (`FILE:LINE:COL PATH: warning: …`, as `validate` prints them). */
  warnings: string[];
}

/** What `preview` found: the releases of the next run, its plan, and the engine's planned changes. */
export interface PreviewResult {
  candidate: Release;
  stable: Release | null;
  timeline: TimelineEntry[];
  planned: readonly PlannedChange[];
  /** The deployment file's warnings, as the document carries them; default none. */
  warnings?: readonly string[];
}

export function previewDocument(fields: ServiceFields, preview: PreviewResult): PreviewDocument {
  const changes = previewChanges(preview.planned);
  return {
    ...fields,
    candidate: previewRelease(preview.candidate),
    stable: preview.stable ? previewRelease(preview.stable) : null,
    changes,
    summary: previewSummary(preview.planned),
    timeline: preview.timeline.map((entry) => ({
      number: entry.number,
      kind: entry.kind,
      label: entry.label,
      weights: { ...entry.weights },
      wait_s: entry.waitS,
      pause: entry.pause,
      hooks: [...entry.hooks],
      start_s: entry.startS,
      end_s: entry.endS,
      aws_estimate_s: entry.awsEstimateS,
      estimated_end_s: entry.estimatedEndS,
    })),
    warnings: [...(preview.warnings ?? [])],
  };
}

const SHOWN: ReadonlySet<ResourceOperation> = new Set<ResourceOperation>([
  'create',
  'update',
  'replace',
  'delete',
]);

/** How many resources the previewed update would change, per operation. */
export function previewSummary(planned: readonly PlannedChange[]): PreviewDocument['summary'] {
  const summary: PreviewDocument['summary'] = {};
  for (const { operation } of previewChanges(planned)) summary[operation] = (summary[operation] ?? 0) + 1;
  return summary;
}

/**
 * One entry per resource that changes: the engine reports a replacement as three steps
 * (create-replacement, replace, delete-replaced) of one URN.
 */
function previewChanges(planned: readonly PlannedChange[]): PreviewChange[] {
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

function previewRelease(release: Release): PreviewRelease {
  return { slot: release.slot, release_id: release.releaseId, version: release.version };
}

// ---------------------------------------------------------------- undeploy and rollback

/** `undeploy --json`. */
export interface UndeployDocument extends ServiceFields {
  /** False when the confirmation was declined: nothing was changed. */
  destroyed: boolean;
  /** The release that was live before, if any. */
  live: LiveReleaseDocument | null;
  /** Resources per operation, as the engine counted them (`delete` for a destroy). */
  changes: Partial<Record<ResourceOperation, number>>;
}

export function undeployDocument(
  fields: ServiceFields,
  live: Live | null,
  outcome: { destroyed: boolean; changes: UndeployDocument['changes'] },
): UndeployDocument {
  return {
    ...fields,
    destroyed: outcome.destroyed,
    live: liveDocument(live),
    changes: { ...outcome.changes },
  };
}

/** `rollback --json`. */
export interface RollbackDocument {
  /** Whether anything was changed (an update, or pending operations cleared). */
  changed: boolean;
  /** Why recovery was (not) needed. */
  reason: string;
  /** The release serving 100 % once recovered; null when none was ever finalized. */
  live: { slot: Slot; version: string | null } | null;
  /** What was done, in order. */
  actions: string[];
}

export function rollbackDocument(
  plan: Pick<RecoveryPlan, 'reason' | 'liveSlot' | 'liveVersion'>,
  actions: string[],
): RollbackDocument {
  return {
    changed: actions.length > 0,
    reason: plan.reason,
    live: plan.liveSlot ? { slot: plan.liveSlot, version: plan.liveVersion } : null,
    actions: [...actions],
  };
}

// ---------------------------------------------------------------- validate

/** `validate --json`. */
export interface ValidationDocument {
  valid: boolean;
  file: string;
  /** The first `MAX_PROBLEMS_SHOWN` problems, in reading order: a file can have thousands. */
  errors: ConfigProblem[];
  config: DeploymentConfig | null;
  /** How many problems there are in all (`errors` may hold fewer). */
  error_count: number;
  /** What is valid but probably a mistake (a secret in `environment`); they do not fail the file. */
  warnings: ConfigProblem[];
}

export function validationDocument(result: CheckResult): ValidationDocument {
  const warnings = result.warnings ?? [];
  return result.ok
    ? {
        valid: true,
        file: result.file,
        errors: [],
        // Webhook tokens from {{env.…}} are resolved by now; a CI log must not get them.
        config: withHookHeadersHidden(result.config),
        error_count: 0,
        warnings,
      }
    : {
        valid: false,
        file: result.file,
        errors: result.problems.slice(0, MAX_PROBLEMS_SHOWN),
        config: null,
        error_count: result.problems.length,
        warnings,
      };
}

/**
 * The document for a failure before any checking (an unreadable file, a bad flag): one error
 * with line and column 0, meaning "not at a place in the file". It has no count nor warnings:
 * nothing was checked.
 */
export type ValidationFailureDocument = Omit<ValidationDocument, 'error_count' | 'warnings'>;

export function validationFailureDocument(file: string, message: string): ValidationFailureDocument {
  return { valid: false, file, errors: [{ file, line: 0, column: 0, path: '', message }], config: null };
}

// ---------------------------------------------------------------- errors

/** What every command prints with `--json` when it fails (but `validate`, which keeps its own shape). */
export interface ErrorDocument {
  error: { exitCode: number; name: string; message: string; hint?: string };
}

export function errorDocument(error: {
  exitCode: number;
  name: string;
  message: string;
  hint: string | undefined;
}): ErrorDocument {
  const { exitCode, name, message, hint } = error;
  return { error: { exitCode, name, message: redact(message), ...(hint === undefined ? {} : { hint }) } };
}
