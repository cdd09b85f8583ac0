/**
 * `rollback`: recover a stack left by an interrupted or failed deployment — take the lease
 * over from a dead holder, remove the engine's stale lock, drop pending operations, then run
 * the recovery's `up`s (traffic to the stable release, candidate removed). Safe to run twice.
 */

import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { type EventSink, progressEvent } from '../canary/events.js';
import { attemptOf, isSettled } from '../canary/phase.js';
import type { Environment } from '../canary/ports/aws.js';
import type { Clock } from '../canary/ports/clock.js';
import type { LeaseStore } from '../canary/ports/lease.js';
import type { StackIdentity, StackOutputs, StackRunner } from '../canary/ports/stack.js';
import { planRecovery } from '../canary/recover.js';
import { reportedRun } from '../canary/stack-progress.js';
import { EcsCrdError, RollbackFailedError } from '../errors.js';
import { stackName } from '../stack/naming.js';
import { type RollbackDocument, rollbackDocument } from '../ui/documents.js';
import { abortRunning, pausedHolder } from './abort.js';
import { runAfterRollbackHooks } from './after-rollback.js';
import { systemClock } from './clock.js';
import { readLease, type TakenOver, takeOverText, withLease } from './lease.js';
import { publishOutcome } from './notify.js';
import { controlOf, loadHookRunner, type RunPorts, whoAmI } from './rollout-deps.js';
import { type AwsContext, openInAccount, type ServiceContext, type ServiceOptions } from './service.js';

export interface RecoverRequest {
  identity: StackIdentity;
  runner: StackRunner;
  /** The lease store of the backend (undefined: the backend keeps none). */
  leases: LeaseStore | undefined;
  /** What discovery finds for the deployment file, as for `deploy`. */
  discover: () => Promise<Environment>;
  /** Take the stack over at once, even from a holder that still renews its lease. */
  force: boolean;
  reporter?: EventSink | undefined;
  /** For the drain between restoring traffic and removing the candidate; tests pass a fake one. */
  clock?: Clock;
}

export interface RollbackOptions
  extends Pick<RecoverRequest, 'force' | 'reporter' | 'clock'>,
    Pick<RunPorts, 'hookRunner' | 'openControl' | 'toolVersion'> {
  /** Who asks a running deploy to abort; default this user, host and process. */
  by?: string;
}

export async function rollbackService(
  options: { service: ServiceOptions } & RollbackOptions,
): Promise<RollbackDocument> {
  // A release whose cluster is gone must still be undone: no cluster check here.
  return rollbackIn(await openInAccount(options.service, { requireCluster: false }), options);
}

/**
 * The recovery, once the file is checked and the account and stack are open; then its
 * notification and the file's `after_rollback` hooks. A paused deployment whose run still
 * holds the stack is asked to roll back itself (it notifies and runs its hooks).
 */
export async function rollbackIn(
  { aws, ctx }: { aws: AwsContext; ctx: ServiceContext },
  options: RollbackOptions,
): Promise<RollbackDocument> {
  const reporter = options.reporter ?? (() => {});
  const clock = options.clock ?? systemClock;
  // The lease before the outputs, as `status` reads them. The outputs also say which version
  // the unfinished deployment was releasing, for the notification and the hooks.
  const lease = await readLease(ctx.leases, ctx.stack);
  const before = await ctx.runner.outputs();
  const holder = pausedHolder(lease, before, options.force);
  const control = holder && before ? controlOf(ctx, options) : undefined;
  if (holder && before && control && ctx.leases) {
    const { leases, stack, runner } = ctx;
    const by = options.by ?? whoAmI();
    const aborted = await abortRunning({
      leases,
      stack,
      runner,
      control,
      holder,
      outputs: before,
      by,
      clock,
      reporter,
    });
    // Settled by the run itself (its notification and hooks are its own): done. Else recover what it left.
    if (!aborted.outputs || isSettled(aborted.outputs.meta.phase)) return aborted.document;
  }
  let environment: Promise<Environment> | undefined;
  const discover = () => {
    environment ??= aws.lookup.discover(ctx.config);
    return environment;
  };
  const document = await recoverStack({
    identity: ctx.identity,
    runner: ctx.runner,
    leases: ctx.leases,
    discover,
    force: options.force,
    reporter: options.reporter,
    clock,
  });
  // A stack that needed nothing was no unfinished deployment: nobody is told.
  if (!document.changed) return document;
  if (ctx.config.canary.sns_topic_notifications?.on_fail) {
    await publishOutcome({
      notifier: aws.notifier,
      config: ctx.config,
      identity: ctx.identity,
      outcome: 'recovered',
      version: before?.meta.candidateVersion ?? ctx.config.service.version,
      runId: randomUUID(),
      document,
      reporter: options.reporter,
    });
  }
  await afterRollback({ ctx, before, document, discover, reporter, options });
  return document;
}

/** The file's `after_rollback` hooks: a failure (even to start them) is a warning, never the outcome. */
async function afterRollback(input: {
  ctx: ServiceContext;
  before: StackOutputs | null;
  document: RollbackDocument;
  discover: () => Promise<Environment>;
  reporter: EventSink;
  options: RollbackOptions;
}): Promise<void> {
  const { ctx, reporter, options } = input;
  if ((ctx.config.canary.hooks?.after_rollback ?? []).length === 0) return;
  try {
    const runner = await (options.hookRunner ?? loadHookRunner)(
      dirname(ctx.file),
      options.toolVersion ?? 'unknown',
    );
    await runAfterRollbackHooks(runner, {
      config: ctx.config,
      identity: ctx.identity,
      before: input.before,
      environment: await input.discover(),
      reason: input.document.reason,
      reporter,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    reporter(
      progressEvent('hook.finished', 'warn', `Hooks after_rollback not run: ${message}`, {
        point: 'after_rollback',
        kind: 'command',
        target: '',
        ok: false,
        detail: message,
        durationMs: 0,
      }),
    );
  }
}

/**
 * Recovers the stack of `identity`, holding its lease: taken over from a run that is gone (its
 * process ended, or its lease expired, waited for up to the TTL), or at once with `force`.
 */
export async function recoverStack(request: RecoverRequest): Promise<RollbackDocument> {
  const stack = stackName(request.identity);
  const lease = {
    takeOverGone: true,
    waitForExpiry: true,
    force: request.force,
    reporter: request.reporter,
    ...(request.clock ? { clock: request.clock } : {}),
  };
  return withLease(request.leases, stack, 'rollback', lease, async ({ takenOver, lost }) => {
    try {
      return await recover(request, stack, request.reporter ?? (() => {}), takenOver, lost);
    } catch (err) {
      if (err instanceof EcsCrdError) throw err;
      throw new RollbackFailedError('Recovery failed.', { cause: err });
    }
  });
}

/**
 * `takenOver`: the lease this run took over, of a run that no longer runs (or that `--force`
 * broke). It did not end, whatever the outputs say (killed before its first update was
 * recorded, it left nothing else): the stack is recovered as one an update died on. `lost`:
 * another run took this one's lease over; no further step is started.
 */
async function recover(
  request: RecoverRequest,
  stack: string,
  report: EventSink,
  takenOver: TakenOver | undefined,
  lost: AbortSignal,
): Promise<RollbackDocument> {
  const { runner, identity } = request;
  const actions: string[] = [];
  const dead = takenOver?.holder;
  if (takenOver) actions.push(takeOverText(takenOver));
  const environment = await request.discover();
  // We hold the lease, so no live ecs-crd run holds the engine's lock: any lock left is stale.
  await runner.cancel().catch(() => undefined);
  const pending = await runner.clearPending();
  if (pending) actions.push('cleared the operations an interrupted update left pending');
  const attempt = dead ? attemptOf(dead) : undefined;
  const plan = planRecovery({
    outputs: await runner.outputs(),
    identity,
    environment,
    dirty: pending || dead !== undefined,
    ...(attempt ? { attempt } : {}),
  });
  if (!plan.needed) return rollbackDocument(plan, actions);
  const steps = plan.steps.map((step) => step.description);
  report(
    progressEvent('recovery.started', 'info', `Recovering: ${plan.reason}`, { reason: plan.reason, steps }),
  );
  for (const [index, step] of plan.steps.entries()) {
    const number = index + 1;
    report(
      progressEvent('recovery.step', 'info', `Step ${number}/${steps.length}: ${step.description}`, {
        number,
        total: steps.length,
        description: step.description,
      }),
    );
    if (lost.aborted) throw lost.reason;
    try {
      await reportedRun(
        report,
        step.purpose,
        (run) => runner.up(step.desired, run),
        (s) => s.changes,
        {
          now: Date.now,
          resources: true,
          signal: lost,
        },
      );
    } catch (cause) {
      throw new RollbackFailedError(
        `Recovery failed at step ${number}/${steps.length} (${step.description}).`,
        {
          cause,
          hint: `The stack ${stack} is unchanged beyond the steps already done (${actions.join('; ') || 'none'}). Check the error above, fix its cause (permissions, quotas), then run \`ecs-crd rollback\` again; it resumes where it stopped.`,
        },
      );
    }
    actions.push(step.description);
    if (step.drainAfterS > 0 && number < steps.length)
      await drain(step.drainAfterS, request.clock ?? systemClock, report);
  }
  return rollbackDocument(plan, actions);
}

/** The release that just lost its traffic keeps serving cached DNS answers for `seconds`. */
async function drain(seconds: number, clock: Clock, report: EventSink): Promise<void> {
  const endsAt = clock.now() + seconds * 1000;
  report(
    progressEvent('wait.started', 'info', `Draining for ${seconds} s (canary.drain) before the removal`, {
      seconds,
      endsAt,
    }),
  );
  await clock.sleep(seconds * 1000);
}
