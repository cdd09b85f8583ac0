/**
 * `deploy`: prepare (file, account, discovery, stack state), then hand over to the rollout.
 * Everything that can refuse does so before the first change.
 */
import { randomUUID } from 'node:crypto';
import { findDrift } from '../canary/drift.js';
import { progressEvent } from '../canary/events.js';
import { refuseUnfinished } from '../canary/phase.js';
import { ALARM_REFUSAL_HINT, alarmRefusal } from '../canary/preflight.js';
import { runRollout } from '../canary/rollout/driver.js';
import { UsageError } from '../errors.js';
import { withLease } from '../stack/lease.js';
import { type DeployDocument, deployDocument } from '../ui/documents.js';
import { publishOutcome } from './notify.js';
import { controlOf, mayPause, type RunPorts, refuseWaitWithoutControl, rolloutDeps } from './rollout-deps.js';
import {
  type AwsContext,
  discoverFor,
  openInAccount,
  refuseForeignNames,
  reportFileWarnings,
  type ServiceContext,
  type ServiceOptions,
} from './service.js';

export interface DeployOptions extends RunPorts {
  service: ServiceOptions;
  /** Overwrite weights changed outside ecs-crd. */
  force?: boolean;
  /** Take over records of the service's names that no ecs-crd stack owns. */
  adopt?: boolean;
  /** `--wait`: at a `pause: true` step, keep running and watching until promoted or aborted. */
  wait?: boolean;
}

export async function deployService(options: DeployOptions): Promise<DeployDocument> {
  return deployIn(await openInAccount(options.service), options);
}

/** The deployment, once the file is checked and the account and stack are open. */
export async function deployIn(
  { aws, ctx }: { aws: AwsContext; ctx: ServiceContext },
  options: DeployOptions,
): Promise<DeployDocument> {
  const warnings = reportFileWarnings(options.reporter, ctx.warnings);
  const wait = options.wait ?? false;
  const control = mayPause(ctx.config, wait) ? controlOf(ctx, options) : undefined;
  if (wait) refuseWaitWithoutControl(ctx, control);
  const deploymentId = randomUUID();
  // In the lease before anything else: a run killed before its first update is recorded is
  // still known to `status`, `history` and `rollback`.
  const attempt = { deploymentId, version: ctx.config.service.version, startedAt: new Date().toISOString() };
  const document = await withLease(ctx.leases, ctx.stack, 'deploy', { attempt }, async () => {
    const environment = await discoverFor(aws, ctx, options.reporter);
    const previous = await ctx.runner.outputs();
    // Before the drift check: an unfinished deployment leaves weights the stack did not settle on.
    refuseUnfinished(ctx.identity, previous);
    const records = await aws.lookup.liveWeights(environment.zones);
    const adopted = await refuseForeignNames(aws, ctx, environment, {
      previous,
      records,
      adopt: options.adopt ?? false,
    });
    if (adopted.length > 0) {
      options.reporter(
        progressEvent(
          'names.adopted',
          'warn',
          `Taking over the records of ${adopted.join(', ')} (--adopt): no ecs-crd stack owned them`,
          { fqdns: adopted },
        ),
      );
    }
    const drift = findDrift(previous, environment, records);
    if (drift.length > 0 && !options.force) {
      throw new UsageError(`The DNS weights were changed outside ecs-crd:\n  ${drift.join('\n  ')}`, {
        hint: 'Find out who changed them and why. `deploy --force` overwrites them with the stack’s.',
      });
    }
    await refuseAlarms(aws, ctx);
    const result = await runRollout(await rolloutDeps({ aws, ctx }, options, control), {
      config: ctx.config,
      environment,
      identity: ctx.identity,
      previous,
      deploymentId,
      ...(wait ? { waitForPromotion: true } : {}),
    });
    return deployDocument(result, warnings);
  });
  // Once the lease is released: a slow or failing SNS never holds the stack.
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
  return document;
}

/** Before any change: the alarms the deployment is judged on must be there, and not in ALARM. */
async function refuseAlarms(aws: AwsContext, ctx: ServiceContext): Promise<void> {
  const names = ctx.config.canary.analysis?.alarms ?? [];
  if (names.length === 0) return;
  const refusal = alarmRefusal(await aws.metrics.alarmStates(names));
  if (refusal !== null) throw new UsageError(`${ctx.file}: ${refusal}`, { hint: ALARM_REFUSAL_HINT });
}
