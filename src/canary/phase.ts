/**
 * Whether a stack's last deployment ended, and the one refusal of a stack whose deployment did
 * not: every command that would start something on it (`deploy`, `preview`, `undeploy`)
 * refuses the same way, with the same exit code, and points to `rollback`.
 */
import { assertNever, StackLockedError } from '../errors.js';
import type { Phase, StackIdentity, StackOutputs } from './ports/stack.js';

/** A stack whose last deployment ended (deployed or rolled back): a new one may start. */
export function isSettled(phase: Phase): boolean {
  switch (phase) {
    case 'stable':
    case 'rolled_back':
      return true;
    case 'deploying':
    case 'rolling_back':
    case 'interrupted':
      return false;
    default:
      return assertNever(phase);
  }
}

/** What `deploy` and `preview` tell the user to do about an unfinished deployment. */
export const RECOVER_FIRST =
  'Run `ecs-crd rollback` with the same flags to restore the stable release, then deploy again.';

/**
 * Refuses a stack whose last deployment did not finish (interrupted, killed, its rollback
 * failed): it is held by a run that is gone, exactly as a locked stack is held by one that
 * runs (exit 5). `hint` says what to do; the refusal itself never differs.
 */
export function refuseUnfinished(
  identity: StackIdentity,
  outputs: StackOutputs | null,
  hint: string = RECOVER_FIRST,
): void {
  if (!outputs || isSettled(outputs.meta.phase)) return;
  const { meta } = outputs;
  const service = `${identity.name} in ${identity.environment} (${identity.region})`;
  throw new StackLockedError(
    `The last deployment of ${service} (version ${meta.candidateVersion ?? 'unknown'}, deployment ${meta.deploymentId}, started ${meta.startedAt}) did not finish: the stack is ${meta.phase}.`,
    { hint },
  );
}
