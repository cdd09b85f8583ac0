import { expect } from 'chai';
import fc from 'fast-check';
import { otherSlot } from '../../src/canary/ports/aws.js';
import type { StackOutputs } from '../../src/canary/ports/stack.js';
import { planRecovery, type RecoveryPlan } from '../../src/canary/recover.js';
import { EcsCrdError } from '../../src/errors.js';
import { buildEnvironment, buildIdentity } from '../helpers/builders.js';
import { healthPhasesArbitrary, pausingStrategyArbitrary } from '../helpers/canary-arbitraries.js';
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
  if (!desired) expect.fail(`the scenario made fewer than ${count} updates`);
  return outputsOf(desired);
}

describe('canary recovery', () => {
  it('has nothing to do without a stack', () => {
    expect(plan(null)).to.deep.equal({
      needed: false,
      reason: 'the stack does not exist: nothing to recover',
      liveSlot: null,
      liveVersion: null,
      steps: [],
    });
  });

  describe('a deploy killed before its first update was recorded (its lease names it)', () => {
    const attempt = { deploymentId: 'd-killed', version: '2.0.0', startedAt: '2025-01-01T12:05:00.000Z' };
    const planFor = (outputs: StackOutputs | null) =>
      planRecovery({
        outputs,
        identity: buildIdentity(),
        environment: buildEnvironment(),
        dirty: true,
        attempt,
      });

    it('has no update to make on a first deployment: nothing of it is in the stack to put back', () => {
      const recovery = planFor(null);
      expect(recovery.needed).to.equal(false);
      expect(recovery.reason).to.match(
        /d-killed \(version 2\.0\.0\) stopped before its first update was recorded/,
      );
    });

    it('declares the live release alone, under the killed run’s id, so history keeps it as interrupted', () => {
      const before = stableOutputs();
      const recovery = planFor({
        ...before,
        meta: { ...before.meta, phase: 'rolled_back', outcome: 'rolled_back' },
      });
      expect(recovery.needed).to.equal(true);
      expect(recovery.reason).to.match(/d-killed \(version 2\.0\.0\) did not finish/);
      expect(recovery.steps.map((step) => step.purpose)).to.deep.equal(['remove-candidate']);
      const [remove] = recovery.steps.map((step) => step.desired);
      expect(remove?.releases).to.deep.equal({ blue: before.releases.blue });
      expect(remove?.weights).to.deep.equal({ blue: 100, green: 0 });
      expect(remove?.meta).to.deep.include({
        deploymentId: 'd-killed',
        candidateVersion: '2.0.0',
        candidateSlot: 'green',
        phase: 'rolled_back',
        outcome: 'interrupted',
        liveSlot: 'blue',
      });
    });
  });

  it('has nothing to do on a stable stack', () => {
    const recovery = plan(stableOutputs());
    expect(recovery.needed).to.equal(false);
    expect(recovery.reason).to.match(new RegExp(`stable and ${STABLE_VERSION} on blue serves 100 %`));
  });

  it('restores traffic, then removes the candidate of a deployment killed during a step', async () => {
    const killed = await killedAfter(2);
    expect(killed.weights.green).to.equal(10);
    const recovery = plan(killed);
    expect(recovery.needed).to.equal(true);
    expect(recovery.reason).to.match(/did not finish: the stack is deploying/);
    expect(recovery.steps.map((step) => step.purpose)).to.deep.equal(['restore-traffic', 'remove-candidate']);
    const [restore, remove] = recovery.steps.map((step) => step.desired);
    expect(restore?.weights).to.deep.equal({ blue: 100, green: 0 });
    expect(restore?.releases).to.deep.equal(killed.releases);
    expect(restore?.meta.phase).to.equal('rolling_back');
    expect(remove?.releases).to.deep.equal({ blue: killed.releases.blue });
    expect(remove?.weights).to.deep.equal({ blue: 100, green: 0 });
    expect(remove?.meta.phase).to.equal('rolled_back');
    expect(remove?.meta.outcome).to.equal('interrupted');
    expect(remove?.meta.reason ?? '').to.match(/recovered by `ecs-crd rollback`/);
  });

  it('aborts a paused deployment as a deploying one: traffic back, drain, the candidate removed', async () => {
    const { runner } = await runScenario({
      canary: { strategy: [{ weight: 10, wait: 70, pause: true }], drain: 30 },
    });
    const paused = runner.current;
    expect(paused?.meta.phase).to.equal('paused');
    const recovery = plan(paused);
    expect(recovery.needed).to.equal(true);
    expect(recovery.reason).to.equal(`deployment d-test-0001 (version 2.0.0) is paused: aborting it`);
    expect(recovery.steps.map((step) => [step.purpose, step.drainAfterS])).to.deep.equal([
      ['restore-traffic', 30],
      ['remove-candidate', 0],
    ]);
    const [restore, remove] = recovery.steps.map((step) => step.desired);
    expect(restore?.weights).to.deep.equal({ blue: 100, green: 0 });
    expect(restore?.releases).to.deep.equal(paused?.releases);
    expect([restore?.meta.phase, restore?.meta.outcome, restore?.meta.pause]).to.deep.equal([
      'rolling_back',
      null,
      null,
    ]);
    expect(remove?.releases).to.deep.equal({ blue: paused?.releases.blue });
    expect([remove?.meta.phase, remove?.meta.outcome, remove?.meta.pause]).to.deep.equal([
      'rolled_back',
      'rolled_back',
      null,
    ]);
    expect(plan(apply(paused ?? null, recovery)).needed).to.equal(false);
  });

  it('declares both releases on the slot discovery they were created with', async () => {
    const killed = await killedAfter(2);
    for (const step of plan(killed).steps) {
      expect(step.desired.environment.slots.blue).to.equal(killed.slots?.blue);
      expect(step.desired.environment.slots.green).to.equal(killed.slots?.green);
    }
    expect(killed.slots?.blue?.listeners[0]?.priority).to.equal(7);
  });

  it('restores traffic even when the outputs say 0 %: the killed update may have shifted it', async () => {
    const killed = await killedAfter(1);
    expect(killed.weights.green).to.equal(0);
    expect(plan(killed).steps.map((step) => step.purpose)).to.deep.equal([
      'restore-traffic',
      'remove-candidate',
    ]);
  });

  it('leaves no live release after a first deployment killed at 100 %', async () => {
    const killed = await killedAfter(2, true);
    expect(killed.weights.blue).to.equal(100);
    const recovery = plan(killed);
    expect(recovery.liveSlot).to.equal(null);
    const last = recovery.steps.at(-1)?.desired;
    expect(last?.releases).to.deep.equal({});
    expect(last?.weights).to.deep.equal({ blue: 0, green: 100 });
  });

  it('cleans up after an update that died without saving anything when the stack was locked', () => {
    const recovery = plan(stableOutputs(), true);
    expect(recovery.needed).to.equal(true);
    expect(recovery.steps.map((step) => step.purpose)).to.deep.equal(['remove-candidate']);
    expect(recovery.steps[0]?.desired.meta.phase).to.equal('stable');
  });

  it('removes a release left on the other slot of a settled stack', () => {
    const stable = stableOutputs();
    const leftover = { ...stable, releases: { ...stable.releases, green: stable.releases.blue } };
    const recovery = plan(leftover);
    expect(recovery.reason).to.match(/a release is left on green/);
    expect(recovery.steps.map((step) => step.purpose)).to.deep.equal(['remove-candidate']);
  });

  it('refuses outputs that name a live slot without its release', () => {
    expect(() => plan({ ...stableOutputs(), releases: {} })).to.throw(EcsCrdError);
  });

  it('recovers a stack killed after any update of any rollout, and a second run has nothing to do', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Pauses too: a paused stack (the run ended there, or was killed waiting) is recovered alike.
        pausingStrategyArbitrary(120),
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
            expect(after.weights[live]).to.equal(100);
            expect(after.releases[otherSlot(live)]).to.equal(undefined);
            if (!deployed) expect(after.releases[stableSlot]).to.deep.equal(stableConfig ?? undefined);
            expect(after.meta.phase).to.be.oneOf(['stable', 'rolled_back']);
            if (recovery.steps.length === 2) expect(recovery.steps[0]?.purpose).to.equal('restore-traffic');
          }
          if (after) expect(after.meta.pause ?? null).to.equal(null);
          expect(plan(after).needed, 'a second rollback has nothing to do').to.equal(false);
        },
      ),
      { numRuns: 200 },
    );
  });
});
