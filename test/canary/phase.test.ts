import { expect } from 'chai';
import { attemptOf, isSettled, refuseUnfinished } from '../../src/canary/phase.js';
import type { LeaseHolder, LeaseState } from '../../src/canary/ports/lease.js';
import { StackLockedError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { buildIdentity } from '../helpers/builders.js';
import { pausedOutputs, stableOutputs } from '../helpers/rollout-harness.js';

const HOLDER: LeaseHolder = {
  host: 'ci-3',
  pid: 4242,
  user: 'ci',
  command: 'deploy',
  since: '2025-01-01T12:00:00Z',
};
const attempt = { deploymentId: 'd-9', version: '2.0.0', startedAt: '2025-01-01T12:00:00Z' };
const lease = (liveness: LeaseState['liveness'], holder: object = HOLDER): LeaseState => ({
  holder: holder as LeaseHolder,
  liveness,
});

describe('canary/phase: one reading of an unfinished deployment', () => {
  it('refuses a stack whose lease holder no longer runs, even when the outputs look settled (exit 5)', () => {
    let error: unknown;
    try {
      refuseUnfinished(
        buildIdentity(),
        stableOutputs(),
        undefined,
        lease('dead', { ...HOLDER, deployment: attempt }),
      );
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(StackLockedError);
    expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
    expect((error as StackLockedError).message).to.match(
      /version 2\.0\.0 \(deployment d-9.*\) was interrupted/,
    );
    expect((error as StackLockedError).hint).to.match(/ecs-crd rollback/);
  });

  it('refuses a stack whose lease expired as it refuses a dead holder, saying so (exit 5)', () => {
    const expired = lease('expired', { ...HOLDER, deployment: attempt });
    expect(() => refuseUnfinished(buildIdentity(), stableOutputs(), undefined, expired))
      .to.throw(StackLockedError, /version 2\.0\.0 .*was interrupted: .* no longer runs: its lease expired/)
      .with.property('hint')
      .that.matches(/ecs-crd rollback/);
  });

  it('lets a settled stack through when the lease is free or not kept', () => {
    for (const view of ['free', 'untracked'] as const) {
      expect(() => refuseUnfinished(buildIdentity(), stableOutputs(), undefined, view)).to.not.throw();
    }
  });

  it('refuses a stack a live run holds as deploy would (exit 5), naming it, never suggesting a rollback first', () => {
    // Before: settled outputs went through, and `deploying` ones said "did not finish: run rollback".
    for (const outputs of [
      stableOutputs(),
      { ...stableOutputs(), meta: { ...stableOutputs().meta, phase: 'deploying' as const } },
    ]) {
      expect(() => refuseUnfinished(buildIdentity(), outputs, undefined, lease('alive')))
        .to.throw(StackLockedError, /^The stack is held by another run: deploy by ci@ci-3 \(pid 4242\)/)
        .with.property('hint')
        .that.matches(/^Wait for it to end/);
    }
  });

  it('reads the attempt a lease recorded, and nothing from one that recorded none or garbage', () => {
    expect(attemptOf({ ...HOLDER, deployment: attempt } as LeaseHolder)).to.deep.equal(attempt);
    expect(attemptOf(HOLDER)).to.equal(undefined);
    expect(attemptOf({ ...HOLDER, deployment: { deploymentId: 7 } } as unknown as LeaseHolder)).to.equal(
      undefined,
    );
  });

  it('refuses a paused stack (exit 5), naming the deployment, its weight and since when, and what to do', () => {
    for (const view of ['free', lease('alive'), lease('dead', { ...HOLDER, deployment: attempt })] as const) {
      let error: unknown;
      try {
        refuseUnfinished(buildIdentity(), pausedOutputs(), undefined, view);
      } catch (caught) {
        error = caught;
      }
      expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
      expect((error as Error).message).to.equal(
        'The deployment of version 2.0.0 of orders-api in prod (eu-west-1) (deployment d-paused) is paused at 10 % ' +
          'since 2025-01-01T12:02:20.000Z: run `ecs-crd promote` to go on or `ecs-crd rollback` to abort.',
      );
    }
    expect(isSettled('paused')).to.equal(false);
  });
});
