/**
 * `undeploy`: destroy everything a service's stack created (both slots, the records, the log
 * group, the roles), then remove the stack. Holds the deployment lease throughout, so no
 * `deploy` or `rollback` can start on a stack being destroyed.
 */
import { type LiveRelease, liveRelease, type ServiceFields, serviceFields } from '../canary/status.js';
import type { DeploymentConfig } from '../config/types.js';
import { withLease } from '../stack/lease.js';
import type { EngineEvent, ResourceOperation, StackIdentity, StackRunner } from '../stack/types.js';
import { openInAccount, refuseUnfinished, type ServiceOptions } from './service.js';

/** `undeploy --json`. */
export interface UndeployDocument extends ServiceFields {
  /** False when the confirmation was declined: nothing was changed. */
  destroyed: boolean;
  /** The release that was live before, if any. */
  live: LiveRelease | null;
  /** Resources per operation, as the engine counted them (`delete` for a destroy). */
  changes: Partial<Record<ResourceOperation, number>>;
}

export interface UndeployRequest {
  identity: StackIdentity;
  /** The deployment file: the live release's id where the outputs do not record it. */
  config: Pick<DeploymentConfig, 'canary'>;
  runner: StackRunner;
  /** The lease folder of the backend (undefined: the backend keeps none). */
  leases: string | undefined;
  /**
   * Go on while a deployment holds the stack or did not finish: take the lease over and
   * remove a stale engine lock.
   */
  force: boolean;
  /** Asked once, after the checks and before any change; false leaves everything as it is. */
  confirm: (question: string) => Promise<boolean>;
  onEvent?: ((event: EngineEvent) => void) | undefined;
}

/**
 * Destroys and removes the stack of `identity`.
 *
 * @throws StackLockedError when another run holds the stack, or its last deployment did not
 *   finish, unless `force`.
 */
export async function undeployStack(request: UndeployRequest): Promise<UndeployDocument> {
  const { identity, runner, force } = request;
  const fields = serviceFields(identity);
  return withLease(request.leases, fields.stack, 'undeploy', { force }, async () => {
    const outputs = await runner.outputs();
    if (!force) {
      refuseUnfinished(
        fields.stack,
        outputs,
        'Run `ecs-crd rollback` first, or `ecs-crd undeploy --force` to destroy the stack as it is.',
      );
    }
    const document = { ...fields, live: liveRelease(outputs, request.config) };
    if (!(await request.confirm(question(document)))) {
      return { ...document, destroyed: false, changes: {} };
    }
    // With the lease ours, an engine lock left behind is stale (or `force` said to break it).
    if (force) await runner.cancel().catch(() => undefined);
    const summary = await runner.destroy(request.onEvent ? { onEvent: request.onEvent } : {});
    await runner.remove();
    return { ...document, destroyed: true, changes: summary.changes };
  });
}

/** Opens the service's stack (the account id renders the file as `deploy` did), then undeploys it. */
export async function undeployService(
  options: { service: ServiceOptions } & Pick<UndeployRequest, 'force' | 'confirm' | 'onEvent'>,
): Promise<UndeployDocument> {
  const { ctx } = await openInAccount(options.service);
  return undeployStack({
    identity: ctx.identity,
    config: ctx.config,
    runner: ctx.runner,
    leases: ctx.leases,
    force: options.force,
    confirm: options.confirm,
    onEvent: options.onEvent,
  });
}

function question(doc: Pick<UndeployDocument, keyof ServiceFields | 'live'>): string {
  const serving = doc.live ? ` (live: ${doc.live.version ?? 'a release'} on ${doc.live.slot})` : '';
  return `Destroy every resource of ${doc.project}/${doc.service} in ${doc.environment} (${doc.region})${serving} and remove stack ${doc.stack}?`;
}
