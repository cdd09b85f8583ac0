/**
 * `preview`: what the next `deploy` would do, changing nothing and taking no lock. The resource
 * changes are the engine's preview of the rollout's own first update (provision: the candidate
 * at weight 0), built by the same `startRollout`/`decide` the deployment runs; the timeline is
 * that rollout's plan.
 */
import type { EventSink } from '../canary/events.js';
import { RECOVER_FIRST, refuseUnfinished } from '../canary/phase.js';
import { deregistrationDelayOf, timeline } from '../canary/plan.js';
import type { Environment } from '../canary/ports/aws.js';
import type { LeaseView } from '../canary/ports/lease.js';
import type { StackIdentity, StackRunner } from '../canary/ports/stack.js';
import { decide } from '../canary/rollout/decide.js';
import { startRollout } from '../canary/rollout/start.js';
import { reportedRun } from '../canary/stack-progress.js';
import type { DeploymentConfig } from '../config/types.js';
import { EcsCrdError } from '../errors.js';
import { stackName } from '../stack/naming.js';
import { type PreviewDocument, previewDocument, previewSummary, serviceFields } from '../ui/documents.js';
import {
  type AwsContext,
  discoverFor,
  openInAccount,
  refuseForeignNames,
  reportFileWarnings,
  type ServiceContext,
  type ServiceOptions,
} from './service.js';
import { leaseView } from './status.js';

export interface PreviewRequest {
  config: DeploymentConfig;
  identity: StackIdentity;
  environment: Environment;
  runner: StackRunner;
  reporter?: EventSink | undefined;
  /** The stack's lease: a run that died holding it did not finish (default: none kept). */
  lease?: LeaseView;
  /** Epoch milliseconds the previewed run would start at (tests pin it). */
  now?: number;
  /** The deployment file's warnings, already reported, for the document. */
  warnings?: readonly string[];
}

/** The deployment id the previewed run records; never written, the preview changes nothing. */
const PREVIEW_ID = 'preview';

/**
 * Previews the first update of the next deployment against the stack's current outputs.
 *
 * @throws StackLockedError when the last deployment did not finish (as `deploy` would refuse).
 */
export async function previewRelease(request: PreviewRequest): Promise<PreviewDocument> {
  const { config, identity, environment, runner } = request;
  const now = request.now ?? Date.now();
  const previous = await runner.outputs();
  refuseUnfinished(identity, previous, RECOVER_FIRST, request.lease);
  const state = startRollout({ config, environment, identity, previous, deploymentId: PREVIEW_ID }, now);
  const { action } = decide(state, { type: 'start', at: now });
  if (action.type !== 'up' || action.purpose !== 'provision') {
    throw new EcsCrdError(`internal error: a rollout starts with ${action.type}, not the provision update`);
  }
  const planned = await reportedRun(
    request.reporter ?? (() => {}),
    'preview',
    (options) => runner.preview(action.desired, options),
    previewSummary,
    { now: Date.now },
  );
  const { candidate, stable, plan } = state.ctx;
  return previewDocument(serviceFields(identity, stackName(identity)), {
    candidate,
    stable,
    timeline: timeline(plan, { deregistrationDelayS: deregistrationDelayOf(state.ctx.candidate.config) }),
    planned,
    warnings: request.warnings ?? [],
  });
}

export interface PreviewOptions {
  service: ServiceOptions;
  reporter?: EventSink;
  /** As `deploy --adopt`: records no ecs-crd stack owns are not refused. */
  adopt?: boolean;
}

/** Looks up the account and the slots, then previews: the AWS calls `deploy` makes before its first change. */
export async function previewService(options: PreviewOptions): Promise<PreviewDocument> {
  return previewIn(await openInAccount(options.service), options);
}

/** The preview, once the file is checked and the account and stack are open. */
export async function previewIn(
  { aws, ctx }: { aws: AwsContext; ctx: ServiceContext },
  options: Pick<PreviewOptions, 'reporter' | 'adopt'>,
): Promise<PreviewDocument> {
  const warnings = reportFileWarnings(options.reporter, ctx.warnings);
  const lease = await leaseView(ctx.leases, ctx.stack);
  const previous = await ctx.runner.outputs();
  // Before any look at the account: beside a run under way, that look would see its half-made
  // resources and call them foreign (exit 2) instead of naming the run.
  refuseUnfinished(ctx.identity, previous, RECOVER_FIRST, lease);
  const environment = await discoverFor(aws, ctx, options.reporter);
  await refuseForeignNames(aws, ctx, environment, {
    previous,
    records: await aws.lookup.liveWeights(environment.zones),
    adopt: options.adopt ?? false,
  });
  return previewRelease({
    config: ctx.config,
    identity: ctx.identity,
    environment,
    runner: ctx.runner,
    reporter: options.reporter,
    lease,
    warnings,
  });
}
