/**
 * `deploy`: prepare (file, account, discovery, stack state), then hand over to the rollout.
 * Everything that can refuse does so before the first change.
 */
import { randomUUID } from 'node:crypto';
import { findDrift } from '../canary/drift.js';
import { progressEvent } from '../canary/events.js';
import { refuseUnfinished } from '../canary/phase.js';
import type { ControlChannel } from '../canary/ports/control.js';
import { ALARM_REFUSAL_HINT, alarmRefusal } from '../canary/preflight.js';
import { runRollout } from '../canary/rollout/driver.js';
import type { RolloutResult } from '../canary/rollout/types.js';
import { UsageError } from '../errors.js';
import { type DeployDocument, deployDocument } from '../ui/documents.js';
import { withLease } from './lease.js';
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
  const lock = { attempt, reporter: options.reporter };
  const document = await withLease(ctx.leases, ctx.stack, 'deploy', lock, async ({ lost }) => {
    for (let round = 1; ; round++) {
      const run = { deploymentId, wait, control, round, lost };
      const result = await prepareAndRoll({ aws, ctx }, options, run);
      if (round >= PRIORITY_ROUNDS || lost.aborted || !lostPriorityRace(result)) {
        return deployDocument(result, warnings);
      }
      options.reporter(
        progressEvent(
          'rollout.retried',
          'warn',
          `Another deployment took the listener rule priority this one had chosen, on an ALB the services share: nothing had traffic, the candidate was removed; looking the priorities up again (attempt ${round + 1} of ${PRIORITY_ROUNDS})`,
          { attempt: round + 1, of: PRIORITY_ROUNDS, reason: result.reason ?? '' },
        ),
      );
    }
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

/**
 * How many times a deployment is started when another one, on the ALBs the services share,
 * took the listener rule priority it had chosen between its lookup and its first update (ELBv2
 * answers PriorityInUse): a fresh lookup then finds another free one.
 */
export const PRIORITY_ROUNDS = 3;

/**
 * The run lost the race for a rule priority: its first update was refused with PriorityInUse,
 * and its rollback only removed a candidate that never had traffic.
 */
export function lostPriorityRace(result: RolloutResult): boolean {
  return (
    result.outcome === 'rolled_back' &&
    result.steps.every((step) => step.outcome === 'not_run') &&
    /the stack update failed: .*(?:PriorityInUse|priority is in use)/is.test(result.reason ?? '')
  );
}

/** Everything that can refuse, checked before the first change, then the rollout. */
async function prepareAndRoll(
  { aws, ctx }: { aws: AwsContext; ctx: ServiceContext },
  options: DeployOptions,
  run: {
    deploymentId: string;
    wait: boolean;
    control: ControlChannel | undefined;
    round: number;
    lost: AbortSignal;
  },
): Promise<RolloutResult> {
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
  // A later round starts from what this run's own rollback left a moment ago, records half made
  // by the refused update included: only the first is checked against changes made outside.
  const drift = run.round === 1 ? findDrift(previous, environment, records) : [];
  if (drift.length > 0 && !options.force) {
    throw new UsageError(`The DNS weights were changed outside ecs-crd:\n  ${drift.join('\n  ')}`, {
      hint: 'Find out who changed them and why. `deploy --force` overwrites them with the stack’s.',
    });
  }
  await refuseAlarms(aws, ctx);
  return runRollout(await rolloutDeps({ aws, ctx }, options, run.control, run.lost), {
    config: ctx.config,
    environment,
    identity: ctx.identity,
    previous,
    deploymentId: run.deploymentId,
    ...(run.wait ? { waitForPromotion: true } : {}),
  });
}

/** Before any change: the alarms the deployment is judged on must be there, and not in ALARM. */
async function refuseAlarms(aws: AwsContext, ctx: ServiceContext): Promise<void> {
  const names = ctx.config.canary.analysis?.alarms ?? [];
  if (names.length === 0) return;
  const refusal = alarmRefusal(await aws.metrics.alarmStates(names));
  if (refusal !== null) throw new UsageError(`${ctx.file}: ${refusal}`, { hint: ALARM_REFUSAL_HINT });
}
