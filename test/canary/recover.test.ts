import assert from 'node:assert/strict';
import fc from 'fast-check';
import { otherSlot } from '../../src/canary/ports.js';
import { planRecovery, type RecoveryPlan } from '../../src/canary/recover.js';
import { EcsCrdError } from '../../src/errors.js';
import type { StackOutputs } from '../../src/stack/types.js';
import { buildEnvironment, buildIdentity } from '../helpers/builders.js';
import { healthPhasesArbitrary, strategyArbitrary } from '../helpers/canary-arbitraries.js';
import { healthTimeline, outputsOf } from '../helpers/fakes.js';
import { runScenario, STABLE_VERSION, stableOutputs } from '../helpers/rollout-harness.js';

const plan = (outputs: StackOutputs | null, dirty = false): RecoveryPlan =>
  planRecovery({ outputs, identity: buildIdentity(), environment: buildEnvironment(), dirty });

/** What the stack says after the `up`s of the plan ran. */
function apply(outputs: StackOutputs | null, recovery: RecoveryPlan): StackOutputs | null {
  return recovery.steps.reduce((_current, step) => outputsOf(step.desired), outputs);
}

/** The outputs of a canary to green killed after its `count` first updates. */
async function killedAfter(count: number, firstDeployment = false): Promise<StackOutputs> {
  const { runner } = await runScenario({ firstDeployment });
  const desired = runner.applied[count - 1];
  assert.ok(desired, `the scenario made fewer than ${count} updates`);
  return outputsOf(desired);
}

describe('canary recovery', () => {
  it('has nothing to do without a stack', () => {
    assert.deepEqual(plan(null), {
      needed: false,
      reason: 'the stack does not exist: nothing to recover',
      liveSlot: null,
      liveVersion: null,
      steps: [],
    });
  });

  it('has nothing to do on a stable stack', () => {
    const recovery = plan(stableOutputs());
    assert.equal(recovery.needed, false);
    assert.match(recovery.reason, new RegExp(`stable and ${STABLE_VERSION} on blue serves 100 %`));
  });

  it('restores traffic, then removes the candidate of a deployment killed during a step', async () => {
    const killed = await killedAfter(2);
    assert.equal(killed.weights.green, 10);
    const recovery = plan(killed);
    assert.equal(recovery.needed, true);
    assert.match(recovery.reason, /did not finish: the stack is deploying/);
    assert.deepEqual(
      recovery.steps.map((step) => step.purpose),
      ['restore-traffic', 'remove-candidate'],
    );
    const [restore, remove] = recovery.steps.map((step) => step.desired);
    assert.deepEqual(restore?.weights, { blue: 100, green: 0 });
    assert.deepEqual(restore?.releases, killed.releases);
    assert.equal(restore?.meta.phase, 'rolling_back');
    assert.deepEqual(remove?.releases, { blue: killed.releases.blue });
    assert.deepEqual(remove?.weights, { blue: 100, green: 0 });
    assert.equal(remove?.meta.phase, 'rolled_back');
    assert.equal(remove?.meta.outcome, 'interrupted');
    assert.match(remove?.meta.reason ?? '', /recovered by `ecs-crd rollback`/);
  });

  it('declares both releases on the slot discovery they were created with', async () => {
    const killed = await killedAfter(2);
    for (const step of plan(killed).steps) {
      assert.equal(step.desired.environment.slots.blue, killed.slots?.blue);
      assert.equal(step.desired.environment.slots.green, killed.slots?.green);
    }
    assert.equal(killed.slots?.blue?.listeners[0]?.priority, 7);
  });

  it('restores traffic even when the outputs say 0 %: the killed update may have shifted it', async () => {
    const killed = await killedAfter(1);
    assert.equal(killed.weights.green, 0);
    assert.deepEqual(
      plan(killed).steps.map((step) => step.purpose),
      ['restore-traffic', 'remove-candidate'],
    );
  });

  it('leaves no live release after a first deployment killed at 100 %', async () => {
    const killed = await killedAfter(2, true);
    assert.equal(killed.weights.blue, 100);
    const recovery = plan(killed);
    assert.equal(recovery.liveSlot, null);
    const last = recovery.steps.at(-1)?.desired;
    assert.deepEqual(last?.releases, {});
    assert.deepEqual(last?.weights, { blue: 0, green: 100 });
  });

  it('cleans up after an update that died without saving anything when the stack was locked', () => {
    const recovery = plan(stableOutputs(), true);
    assert.equal(recovery.needed, true);
    assert.deepEqual(
      recovery.steps.map((step) => step.purpose),
      ['remove-candidate'],
    );
    assert.equal(recovery.steps[0]?.desired.meta.phase, 'stable');
  });

  it('removes a release left on the other slot of a settled stack', () => {
    const stable = stableOutputs();
    const leftover = { ...stable, releases: { ...stable.releases, green: stable.releases.blue } };
    const recovery = plan(leftover);
    assert.match(recovery.reason, /a release is left on green/);
    assert.deepEqual(
      recovery.steps.map((step) => step.purpose),
      ['remove-candidate'],
    );
  });

  it('refuses outputs that name a live slot without its release', () => {
    assert.throws(() => plan({ ...stableOutputs(), releases: {} }), EcsCrdError);
  });

  it('recovers a stack killed after any update of any rollout, and a second run has nothing to do', async () => {
    await fc.assert(
      fc.asyncProperty(
        strategyArbitrary(120),
        fc.boolean(),
        healthPhasesArbitrary(900_000),
        fc.nat(20),
        fc.boolean(),
        async (strategy, firstDeployment, phases, killAfter, dirty) => {
          const { runner, result, stableConfig } = await runScenario({
            canary: { strategy },
            firstDeployment,
            health: healthTimeline(2, phases),
          });
          const applied = runner.applied.slice(0, killAfter % (runner.applied.length + 1));
          const last = applied.at(-1);
          // Killed before its first update: the stack is as the previous deployment left it.
          const before = last ? outputsOf(last) : firstDeployment ? null : stableOutputs();
          const recovery = plan(before, dirty);
          const after = apply(before, recovery);
          if (after) {
            const stableSlot = otherSlot(result.slot);
            const deployed = after.meta.liveSlot === result.slot;
            const live = deployed ? result.slot : stableSlot;
            assert.equal(after.weights[live], 100);
            assert.equal(after.releases[otherSlot(live)], undefined);
            if (!deployed) assert.deepEqual(after.releases[stableSlot], stableConfig ?? undefined);
            assert.ok(['stable', 'rolled_back'].includes(after.meta.phase));
            if (recovery.steps.length === 2) assert.equal(recovery.steps[0]?.purpose, 'restore-traffic');
          }
          assert.equal(plan(after).needed, false, 'a second rollback has nothing to do');
        },
      ),
      { numRuns: 200 },
    );
  });
});
