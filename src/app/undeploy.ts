/**
 * `undeploy`: destroy everything a service's stack created (both slots, the records, the log
 * group, the roles), then remove the stack. Holds the deployment lease throughout, so no
 * `deploy` or `rollback` can start on a stack being destroyed.
 */
import type { EventSink } from '../canary/events.js';
import { refuseUnfinished } from '../canary/phase.js';
import type { LeaseStore } from '../canary/ports/lease.js';
import type { StackIdentity, StackRunner } from '../canary/ports/stack.js';
import { reportedRun } from '../canary/stack-progress.js';
import { liveRelease } from '../canary/status.js';
import type { DeploymentConfig } from '../config/types.js';
import { stackName } from '../stack/naming.js';
import { serviceFields, type UndeployDocument, undeployDocument } from '../ui/documents.js';
import { withLease } from './lease.js';
import { openInAccount, type ServiceOptions } from './service.js';

export interface UndeployRequest {
  identity: StackIdentity;
  /** The deployment file: the live release's id where the outputs do not record them. */
  config: Pick<DeploymentConfig, 'canary'>;
  runner: StackRunner;
  /** The lease store of the backend (undefined: the backend keeps none). */
  leases: LeaseStore | undefined;
  /**
   * Go on while a deployment holds the stack or did not finish: take the lease over and
   * remove a stale engine lock.
   */
  force: boolean;
  /** Asked once, after the checks and before any change; false leaves everything as it is. */
  confirm: (question: string) => Promise<boolean>;
  reporter?: EventSink | undefined;
}

const UNDEPLOY_UNFINISHED =
  'Run `ecs-crd rollback` first, or `ecs-crd undeploy --force` to destroy the stack as it is.';

/**
 * Destroys and removes the stack of `identity`.
 *
 * @throws StackLockedError when another run holds the stack, or its last deployment did not
 *   finish, unless `force`.
 */
export async function undeployStack(request: UndeployRequest): Promise<UndeployDocument> {
  const { identity, runner, force } = request;
  const fields = serviceFields(identity, stackName(identity));
  // A killed undeploy is finished by the next one: the user's intent is the same.
  const lock = { force, resumes: 'undeploy', reporter: request.reporter };
  return withLease(request.leases, fields.stack, 'undeploy', lock, async ({ lost, takenOver }) => {
    const outputs = await runner.outputs();
    if (!force) refuseUnfinished(identity, outputs, UNDEPLOY_UNFINISHED);
    const live = liveRelease(outputs, request.config);
    const serving = live ? ` (live: ${live.version ?? 'a release'} on ${live.slot})` : '';
    const question = `Destroy every resource of ${fields.project}/${fields.service} in ${fields.environment} (${fields.region})${serving} and remove stack ${fields.stack}?`;
    if (!(await request.confirm(question))) {
      return undeployDocument(fields, live, { destroyed: false, changes: {} });
    }
    // With the lease ours, an engine lock left behind is stale (or `force` said to break it),
    // and so are the operations a killed run left pending.
    if (force || takenOver) {
      await runner.cancel().catch(() => undefined);
      await runner.clearPending();
    }
    const summary = await reportedRun(
      request.reporter ?? (() => {}),
      'destroy',
      (options) => runner.destroy(options),
      (s) => s.changes,
      // Another run took the stack over (`rollback --force`): the engine cancels the destroy.
      { now: Date.now, resources: true, signal: lost },
    );
    await runner.remove();
    return undeployDocument(fields, live, { destroyed: true, changes: summary.changes });
  });
}

/** Opens the service's stack (the account id renders the file as `deploy` did), then undeploys it. */
export async function undeployService(
  options: { service: ServiceOptions } & Pick<UndeployRequest, 'force' | 'confirm' | 'reporter'>,
): Promise<UndeployDocument> {
  const { ctx } = await openInAccount(options.service);
  return undeployStack({
    identity: ctx.identity,
    config: ctx.config,
    runner: ctx.runner,
    leases: ctx.leases,
    force: options.force,
    confirm: options.confirm,
    reporter: options.reporter,
  });
}
