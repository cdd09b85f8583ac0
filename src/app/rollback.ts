/**
 * `rollback`: recover a stack left by an interrupted or failed deployment — take the lease
 * over from a dead holder, remove the engine's stale lock, drop pending operations, then run
 * the recovery's `up`s (traffic to the stable release, candidate removed). Safe to run twice.
 */
import type { EventSink } from '../canary/events.js';
import { progressEvent } from '../canary/events.js';
import { planRecovery } from '../canary/recover.js';
import { reportedRun } from '../canary/stack-progress.js';
import { EcsCrdError, RollbackFailedError } from '../errors.js';
import { withLease } from '../stack/lease.js';
import { type RollbackDocument, rollbackDocument } from '../ui/documents.js';
import { type AwsContext, openInAccount, type ServiceContext, type ServiceOptions } from './service.js';

export interface RollbackOptions {
  service: ServiceOptions;
  /** Take the stack over even from a holder that may still run (another host). */
  force?: boolean;
  reporter?: EventSink;
}

export async function rollbackService(options: RollbackOptions): Promise<RollbackDocument> {
  const { aws, ctx } = await openInAccount(options.service);
  const lease = { takeOverDead: true, force: options.force ?? false };
  return withLease(ctx.leases, ctx.stack, 'rollback', lease, () =>
    recover(aws, ctx, options.reporter ?? (() => {})),
  );
}

async function recover(aws: AwsContext, ctx: ServiceContext, report: EventSink): Promise<RollbackDocument> {
  const actions: string[] = [];
  try {
    const environment = await aws.lookup.discover(ctx.config);
    // We hold the lease, so no live ecs-crd run holds the engine's lock: any lock left is stale.
    await ctx.runner.cancel().catch(() => undefined);
    const dirty = await ctx.runner.clearPending();
    if (dirty) actions.push('cleared the operations an interrupted update left pending');
    const plan = planRecovery({
      outputs: await ctx.runner.outputs(),
      identity: ctx.identity,
      environment,
      dirty,
    });
    if (!plan.needed) return rollbackDocument(plan, actions);
    const steps = plan.steps.map((step) => step.description);
    report(
      progressEvent('recovery.started', 'info', `Recovering: ${plan.reason}`, { reason: plan.reason, steps }),
    );
    for (const [index, step] of plan.steps.entries()) {
      report(
        progressEvent('recovery.step', 'info', `Step ${index + 1}/${steps.length}: ${step.description}`, {
          number: index + 1,
          total: steps.length,
          description: step.description,
        }),
      );
      try {
        await reportedRun(
          report,
          step.purpose,
          (run) => ctx.runner.up(step.desired, run),
          (s) => s.changes,
          {
            now: Date.now,
            resources: true,
          },
        );
      } catch (cause) {
        throw new RollbackFailedError(
          `Recovery failed at step ${index + 1}/${steps.length} (${step.description}).`,
          {
            cause,
            hint: `The stack ${ctx.stack} is unchanged beyond the steps already done (${actions.join('; ') || 'none'}). Check the error above, fix its cause (permissions, quotas), then run \`ecs-crd rollback\` again; it resumes where it stopped.`,
          },
        );
      }
      actions.push(step.description);
    }
    return rollbackDocument(plan, actions);
  } catch (err) {
    if (err instanceof EcsCrdError) throw err;
    throw new RollbackFailedError('Recovery failed.', { cause: err });
  }
}
