/**
 * `rollback`: recover a stack left by an interrupted or failed deployment — take the lease
 * over from a dead holder, remove the engine's stale lock, drop pending operations, then run
 * the recovery's `up`s (traffic to the stable release, candidate removed). Safe to run twice.
 */
import { planRecovery, type RecoveryPlan } from '../canary/recover.js';
import { EcsCrdError, RollbackFailedError } from '../errors.js';
import { withLease } from '../stack/lease.js';
import type { RunOptions } from '../stack/types.js';
import { type AwsContext, openInAccount, type ServiceContext, type ServiceOptions } from './service.js';

export interface RollbackOptions {
  service: ServiceOptions;
  /** Take the stack over even from a holder that may still run (another host). */
  force?: boolean;
  /** Progress lines, for the reporters. */
  onProgress?: (line: string) => void;
  run?: RunOptions;
}

export interface RollbackResult {
  changed: boolean;
  reason: string;
  live: { slot: string; version: string | null } | null;
  /** What was done, in order. */
  actions: string[];
}

export async function rollbackService(options: RollbackOptions): Promise<RollbackResult> {
  const { aws, ctx } = await openInAccount(options.service);
  const lease = { takeOverDead: true, force: options.force ?? false };
  return withLease(ctx.leases, ctx.stack, 'rollback', lease, () => recover(aws, ctx, options));
}

async function recover(
  aws: AwsContext,
  ctx: ServiceContext,
  options: RollbackOptions,
): Promise<RollbackResult> {
  const progress = options.onProgress ?? (() => {});
  const actions: string[] = [];
  try {
    const environment = await aws.lookup.discover(ctx.config);
    // We hold the lease, so no live ecs-crd run holds the engine's lock: any lock left is stale.
    await ctx.runner.cancel().catch(() => undefined);
    const dirty = await ctx.runner.clearPending();
    if (dirty) actions.push('cleared the operations an interrupted update left pending');
    const plan: RecoveryPlan = planRecovery({
      outputs: await ctx.runner.outputs(),
      identity: ctx.identity,
      environment,
      dirty,
    });
    const live = plan.liveSlot ? { slot: plan.liveSlot, version: plan.liveVersion } : null;
    if (!plan.needed) return { changed: actions.length > 0, reason: plan.reason, live, actions };
    progress(plan.reason);
    for (const step of plan.steps) {
      progress(step.description);
      try {
        await ctx.runner.up(step.desired, options.run);
      } catch (cause) {
        throw new RollbackFailedError(`Recovery failed while it ${step.description}.`, {
          cause,
          hint: `The stack ${ctx.stack} is unchanged beyond the steps already done (${actions.join('; ') || 'none'}). Check the error above, fix its cause (permissions, quotas), then run \`ecs-crd rollback\` again; it resumes where it stopped.`,
        });
      }
      actions.push(step.description);
    }
    return { changed: true, reason: plan.reason, live, actions };
  } catch (err) {
    if (err instanceof EcsCrdError) throw err;
    throw new RollbackFailedError('Recovery failed.', { cause: err });
  }
}
