/**
 * `promote`: go on with a deployment saved at a pause. When the run that paused still runs
 * (`deploy --wait`, a timed pause) it holds the stack: it is handed a request through the
 * control channel and goes on itself. Otherwise this run takes the stack and resumes the
 * rollout from the outputs (health gate first, then the steps after the pause), as the same
 * deployment; it ends as `deploy` does, with the same document and exit codes.
 */
import { describeHolder, type LeaseState } from '../canary/ports/lease.js';
import type { StackOutputs } from '../canary/ports/stack.js';
import { resumeRollout } from '../canary/rollout/driver.js';
import { UsageError } from '../errors.js';
import type { ServiceFields } from '../ui/documents.js';
import { type DeployDocument, deployDocument } from '../ui/documents-deploy.js';
import { pausedHolder } from './abort.js';
import { readLease, withLease } from './lease.js';
import { publishOutcome } from './notify.js';
import { controlOf, type RunPorts, refuseWaitWithoutControl, rolloutDeps, whoAmI } from './rollout-deps.js';
import {
  type AwsContext,
  discoverFor,
  fieldsOf,
  reportFileWarnings,
  type ServiceContext,
  type ServiceOptions,
} from './service.js';

export interface PromoteOptions extends RunPorts {
  service: ServiceOptions;
  /** `--full`: from the pause straight to 100 %. */
  full?: boolean;
  /** `--wait`: at a later `pause: true` step, keep running until promoted again. */
  wait?: boolean;
  /** Take the stack over even from a holder on another machine that may still run. */
  force?: boolean;
  /** Who promotes; default this user, host and process. */
  by?: string;
  /** Resumes the rollout (tests: a fake); default `resumeRollout`. */
  resume?: typeof resumeRollout;
}

/** `promote --json` when a running deploy was asked to go on: who will. */
export interface HandoffDocument extends ServiceFields {
  action: 'promote';
  full: boolean;
  deployment_id: string;
  version: string | null;
  /** The run that goes on: `deploy by ana@build-7 (pid 4242) since …`. */
  handed_to: string;
}

/** What `promote` did: resumed the rollout here, or asked the run that holds the stack. */
export type PromoteResult =
  | { kind: 'resumed'; document: DeployDocument }
  | { kind: 'handed'; document: HandoffDocument };

/** The promotion, once the file is checked and the account and stack are open. */
export async function promoteIn(
  { aws, ctx }: { aws: AwsContext; ctx: ServiceContext },
  options: PromoteOptions,
): Promise<PromoteResult> {
  const warnings = reportFileWarnings(options.reporter, ctx.warnings);
  const by = options.by ?? whoAmI();
  const full = options.full ?? false;
  // The lease before the outputs: a run that ends in between must not look gone.
  const lease = await readLease(ctx.leases, ctx.stack);
  const outputs = refuseUnpaused(ctx, await ctx.runner.outputs(), lease);
  const control = controlOf(ctx, options);
  const holder = pausedHolder(lease, outputs, options.force ?? false);
  if (holder && control) {
    const { deploymentId, candidateVersion } = outputs.meta;
    await control.send({ action: 'promote', full, deploymentId, by, at: new Date().toISOString() });
    const handedTo = describeHolder(holder);
    return {
      kind: 'handed',
      document: {
        ...fieldsOf(ctx),
        action: 'promote',
        full,
        deployment_id: deploymentId,
        version: candidateVersion,
        handed_to: handedTo,
      },
    };
  }
  if (options.wait) refuseWaitWithoutControl(ctx, control);
  const { deploymentId, candidateVersion, startedAt } = outputs.meta;
  const attempt = { deploymentId, version: candidateVersion ?? ctx.config.service.version, startedAt };
  const lock = { takeOverGone: true, force: options.force ?? false, attempt, reporter: options.reporter };
  const document = await withLease(ctx.leases, ctx.stack, 'promote', lock, async ({ lost }) => {
    // Again under the lease: another promote or a rollback may have gone first.
    const paused = refuseUnpaused(ctx, await ctx.runner.outputs(), undefined);
    const environment = await discoverFor(aws, ctx, options.reporter);
    const { hooks } = ctx.config.canary;
    const resume = options.resume ?? resumeRollout;
    const result = await resume(await rolloutDeps({ aws, ctx }, options, control, lost), {
      environment,
      identity: ctx.identity,
      outputs: paused,
      full,
      by,
      ...(hooks ? { hooks } : {}),
      ...(options.wait ? { waitForPromotion: true } : {}),
    });
    return deployDocument(result, warnings);
  });
  await publishOutcome({
    notifier: aws.notifier,
    config: ctx.config,
    identity: ctx.identity,
    outcome: document.outcome,
    version: document.version,
    runId: deploymentId,
    document,
    reporter: options.reporter,
  });
  return { kind: 'resumed', document };
}

/**
 * The outputs of a paused deployment of the file's version; else `UsageError` (exit 2,
 * nothing changed) saying what the stack is and what to run instead.
 */
export function refuseUnpaused(
  ctx: Pick<ServiceContext, 'identity' | 'file' | 'config'>,
  outputs: StackOutputs | null,
  lease: LeaseState | undefined,
): StackOutputs {
  const service = `${ctx.identity.name} in ${ctx.identity.environment} (${ctx.identity.region})`;
  if (!outputs) {
    throw new UsageError(`Nothing to promote: ${service} was never deployed.`, {
      hint: '`ecs-crd deploy` starts a deployment; one that reaches a `pause` step can then be promoted.',
    });
  }
  const { meta } = outputs;
  if (meta.phase !== 'paused') {
    const running = meta.phase === 'deploying' && lease?.liveness === 'alive';
    throw new UsageError(
      `Nothing to promote: the stack of ${service} is ${meta.phase}, not paused (deployment ${meta.deploymentId}, version ${meta.candidateVersion ?? meta.liveVersion ?? 'unknown'}).`,
      { hint: unpausedHint(meta.phase, running) },
    );
  }
  const fileVersion = ctx.config.service.version;
  if (meta.candidateVersion !== fileVersion) {
    throw new UsageError(
      `${ctx.file}: service.version is ${fileVersion}, but the paused deployment ${meta.deploymentId} is releasing ${meta.candidateVersion ?? 'an unknown version'}.`,
      {
        hint: `Promote with the file (and --var values) the paused deployment was started with. To release ${fileVersion} instead, run \`ecs-crd rollback\`, then deploy it.`,
      },
    );
  }
  return outputs;
}

function unpausedHint(phase: StackOutputs['meta']['phase'], running: boolean): string {
  switch (phase) {
    case 'stable':
    case 'rolled_back':
      return 'No deployment is under way: `ecs-crd deploy` starts one.';
    case 'deploying':
      return running
        ? 'The deployment is running: `ecs-crd status` shows where it stands. It stops at a step with `pause` in canary.strategy.'
        : 'Its run stopped before it finished: `ecs-crd rollback` restores the stable release.';
    default:
      return 'It did not finish: `ecs-crd rollback` restores the stable release.';
  }
}
