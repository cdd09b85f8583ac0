/**
 * `deploy`: prepare (file, account, discovery, stack state), then hand over to the rollout.
 * Everything that can refuse does so before the first change.
 */
import { randomUUID } from 'node:crypto';
import { systemClock } from '../canary/clock.js';
import { findDrift } from '../canary/drift.js';
import type { RolloutEvent } from '../canary/events.js';
import { type RolloutResult, runRollout } from '../canary/rollout.js';
import { UsageError } from '../errors.js';
import { withLease } from '../stack/lease.js';
import { discoverFor, openInAccount, refuseUnfinished, type ServiceOptions } from './service.js';

export interface DeployOptions {
  service: ServiceOptions;
  reporter: (event: RolloutEvent) => void;
  /** First Ctrl-C: finish the running `up`, then roll back. */
  signal?: AbortSignal;
  /** Second Ctrl-C: stop at once. */
  hardStop?: AbortSignal;
  /** Overwrite weights changed outside ecs-crd. */
  force?: boolean;
}

export async function deployService(options: DeployOptions): Promise<RolloutResult> {
  const { aws, ctx } = await openInAccount(options.service);
  return withLease(ctx.leases, ctx.stack, 'deploy', {}, async () => {
    const environment = await discoverFor(aws, ctx);
    const previous = await ctx.runner.outputs();
    refuseUnfinished(
      ctx.stack,
      previous,
      'Run `ecs-crd rollback` with the same flags to restore the stable release, then deploy again.',
    );
    const drift = findDrift(previous, environment, await aws.lookup.liveWeights(environment.zones));
    if (drift.length > 0 && !options.force) {
      throw new UsageError(`The DNS weights were changed outside ecs-crd:\n  ${drift.join('\n  ')}`, {
        hint: 'Find out who changed them and why. `deploy --force` overwrites them with the stack’s.',
      });
    }
    return runRollout(
      {
        runner: ctx.runner,
        probe: aws.probe,
        clock: systemClock,
        reporter: options.reporter,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.hardStop ? { hardStop: options.hardStop } : {}),
      },
      { config: ctx.config, environment, identity: ctx.identity, previous, deploymentId: randomUUID() },
    );
  });
}
