import assert from 'node:assert/strict';
import {
  decide,
  exitCodeFor,
  type RolloutState,
  runRollout,
  startRollout,
} from '../../src/canary/rollout.js';
import { EcsCrdError, StackLockedError, UsageError } from '../../src/errors.js';
import type { DesiredState } from '../../src/stack/types.js';
import { buildConfig, buildEnvironment, buildIdentity } from '../helpers/builders.js';
import {
  conditionScript,
  FakeClock,
  FakeHealthProbe,
  FakeStackRunner,
  healthTimeline,
} from '../helpers/fakes.js';
import { CANDIDATE_VERSION, runScenario, STABLE_VERSION, stableOutputs } from '../helpers/rollout-harness.js';

const SEED_CANARY = {
  scale: { desired: 2, wait: 60 },
  strategy: [
    { weight: 10, wait: 70 },
    { weight: 60, wait: 50 },
  ],
  health: { interval: 10, timeout: 300 },
};

const s = (seconds: number) => seconds * 1000;
/** Each up as `<phase>:<candidate weight>`. */
const purposes = (ups: { desired: DesiredState }[]) =>
  ups.map(
    ({ desired: { meta, weights } }) =>
      `${meta.phase}:${meta.candidateSlot ? weights[meta.candidateSlot] : '?'}`,
  );
const green = (desired: DesiredState | undefined) => desired?.weights.green;

describe('canary rollout', () => {
  describe('a canary that stays healthy', () => {
    it('provisions at weight 0, shifts only the weights step by step, then removes the old release', async () => {
      const { result, runner, stableConfig, config } = await runScenario({ canary: SEED_CANARY });
      assert.equal(result.outcome, 'deployed');
      assert.deepEqual(
        runner.ups.map(({ desired }) => green(desired)),
        [0, 10, 60, 100, 100],
      );
      const [provision, ...rest] = runner.applied;
      assert.deepEqual(provision?.releases, { blue: stableConfig, green: config });
      for (const shift of rest.slice(0, 3)) {
        // Only the weights (and the saved progress) change between the provision and the last shift.
        assert.equal(shift.releases.blue, stableConfig);
        assert.equal(shift.releases.green, config);
        assert.equal(shift.weights.blue + shift.weights.green, 100);
      }
      const finalize = runner.applied.at(-1);
      assert.deepEqual(finalize?.releases, { green: config });
      assert.deepEqual(finalize?.meta, {
        ...finalize?.meta,
        phase: 'stable',
        liveSlot: 'green',
        liveVersion: CANDIDATE_VERSION,
        outcome: 'deployed',
        step: 2,
      });
    });

    it('declares the live release on the slot discovery it was created with, not a fresh one', async () => {
      const { runner, previous } = await runScenario({ canary: SEED_CANARY });
      const recorded = previous?.slots?.blue;
      assert.equal(recorded?.listeners[0]?.priority, 7);
      for (const { desired } of runner.ups) {
        assert.equal(desired.environment.slots.blue, recorded);
        assert.equal(desired.environment.slots.green.listeners[0]?.priority, 10);
      }
    });

    it('saves the phase and the last passed step with every up', async () => {
      const { runner } = await runScenario({ canary: SEED_CANARY });
      assert.deepEqual(
        runner.ups.map(({ desired: { meta } }) => [meta.phase, meta.step, meta.liveSlot, meta.candidateSlot]),
        [
          ['deploying', -1, 'blue', 'green'],
          ['deploying', -1, 'blue', 'green'],
          ['deploying', 0, 'blue', 'green'],
          ['deploying', 1, 'blue', 'green'],
          ['stable', 2, 'green', 'green'],
        ],
      );
    });

    it('watches every health.interval during each wait and takes the waits it was given', async () => {
      const { result, probe, clock } = await runScenario({ canary: SEED_CANARY });
      const at = probe.calls.map((call) => (call.at - clock.start) / 1000);
      // Scale wait from 5 s (after a 5 s up) to 65 s: a look at once, then every 10 s.
      assert.deepEqual(at.slice(0, 7), [5, 15, 25, 35, 45, 55, 65]);
      // 5 ups of 5 s + 60 + 70 + 50 + 60 s of waits.
      assert.equal(result.durationS, 265);
      assert.deepEqual(result.steps, [
        { weight: 10, wait: 70, outcome: 'passed' },
        { weight: 60, wait: 50, outcome: 'passed' },
        { weight: 100, wait: 60, outcome: 'passed' },
      ]);
    });

    it('reports a stable stream of events', async () => {
      const { reports } = await runScenario({
        canary: { ...SEED_CANARY, strategy: [{ weight: 50, wait: 20 }] },
      });
      const step = ['step.started', 'stack.update.started', 'stack.update.finished'];
      assert.deepEqual(reports.codes(), [
        'rollout.started',
        ...step,
        'step.finished',
        'step.started',
        'wait.started',
        'health.observed',
        'step.finished',
        ...step,
        'weights.changed',
        'wait.started',
        'step.finished',
        ...step,
        'weights.changed',
        'wait.started',
        'step.finished',
        ...step,
        'step.finished',
        'rollout.finished',
      ]);
      const observed = reports.of('health.observed');
      assert.ok(observed.length > 1);
      assert.ok(
        observed.slice(1).every((event) => event.level === 'debug'),
        'repeated observations go to --verbose',
      );
      assert.deepEqual(
        reports.of('weights.changed').map((event) => event.text),
        ['Traffic: green 50 % / blue 50 %', 'Traffic: green 100 % / blue 0 %'],
      );
      assert.deepEqual(reports.of('rollout.finished')[0]?.data, {
        outcome: 'deployed',
        reason: null,
        durationS: 160,
      });
    });

    it('lets a candidate be unhealthy while it boots, before it was ever healthy', async () => {
      const { result } = await runScenario({
        canary: SEED_CANARY,
        health: healthTimeline(2, [
          { fromMs: 0, condition: 'unhealthy' },
          { fromMs: s(30), condition: 'healthy' },
        ]),
      });
      assert.equal(result.outcome, 'deployed');
    });

    it('gives a candidate not yet healthy at the end of a wait up to health.timeout more', async () => {
      const { result } = await runScenario({
        canary: SEED_CANARY,
        health: healthTimeline(2, [
          { fromMs: 0, condition: 'healthy' },
          { fromMs: s(135), condition: 'starting' },
          { fromMs: s(150), condition: 'healthy' },
        ]),
      });
      assert.equal(result.outcome, 'deployed');
      assert.equal(result.durationS, 275);
    });

    it('keeps looking through transient probe errors', async () => {
      const healthy = conditionScript(2, () => 'healthy');
      const { result, reports } = await runScenario({
        canary: SEED_CANARY,
        health: (context) =>
          context.call >= 1 && context.call <= 3 ? new Error('Rate exceeded') : healthy(context),
      });
      assert.equal(result.outcome, 'deployed');
      assert.equal(reports.of('health.probe-failed').length, 3);
    });
  });

  describe('a first deployment', () => {
    it('goes straight to 100 % after the scale wait, with the final step’s wait', async () => {
      const { result, runner, config } = await runScenario({ firstDeployment: true });
      assert.equal(result.outcome, 'deployed');
      assert.equal(result.slot, 'blue');
      assert.equal(result.previous, null);
      assert.deepEqual(result.steps, [{ weight: 100, wait: 60, outcome: 'passed' }]);
      assert.deepEqual(
        runner.ups.map(({ desired }) => [
          desired.weights,
          Object.keys(desired.releases),
          desired.meta.phase,
          desired.meta.liveSlot,
        ]),
        [
          [{ blue: 0, green: 100 }, ['blue'], 'deploying', null],
          [{ blue: 100, green: 0 }, ['blue'], 'deploying', null],
          [{ blue: 100, green: 0 }, ['blue'], 'stable', 'blue'],
        ],
      );
      assert.equal(runner.current?.releases.blue, config);
    });

    it('rolls back by removing the candidate, leaving no live release', async () => {
      const { result, runner } = await runScenario({
        firstDeployment: true,
        healthFrom: (stack) =>
          conditionScript(2, () => (stack.current?.weights.blue === 100 ? 'unhealthy' : 'healthy')),
      });
      assert.equal(result.outcome, 'rolled_back');
      assert.deepEqual(purposes(runner.ups), [
        'deploying:0',
        'deploying:100',
        'rolling_back:0',
        'rolled_back:0',
      ]);
      const last = runner.applied.at(-1);
      assert.deepEqual(last?.releases, {});
      assert.deepEqual(last?.weights, { blue: 0, green: 100 });
      assert.equal(last?.meta.liveSlot, null);
    });
  });

  describe('a failing candidate', () => {
    it('is rolled back as soon as a target turns unhealthy at step 2, stable untouched', async () => {
      const { result, runner, stableConfig, config, reports } = await runScenario({
        canary: SEED_CANARY,
        healthFrom: (stack) =>
          conditionScript(2, () => ((stack.current?.weights.green ?? 0) >= 60 ? 'unhealthy' : 'healthy')),
      });
      assert.equal(result.outcome, 'rolled_back');
      assert.equal(exitCodeFor(result.outcome), 3);
      assert.match(
        result.reason ?? '',
        /Step 4\/6: 2 unhealthy target\(s\) in orders-api-green-8080 after the candidate had been healthy/,
      );
      assert.deepEqual(
        result.steps.map((step) => step.outcome),
        ['passed', 'failed', 'not_run'],
      );
      // Failed at the first look after the shift (145 s), not at the end of the 50 s wait.
      assert.equal(result.durationS, 155);
      const [restore, remove] = runner.ups.slice(-2).map((up) => up.desired);
      assert.deepEqual(restore?.weights, { blue: 100, green: 0 });
      assert.deepEqual(restore?.releases, { blue: stableConfig, green: config });
      assert.equal(restore?.meta.phase, 'rolling_back');
      assert.deepEqual(remove?.releases, { blue: stableConfig });
      assert.deepEqual(remove?.weights, { blue: 100, green: 0 });
      assert.deepEqual(
        [remove?.meta.phase, remove?.meta.outcome, remove?.meta.liveSlot],
        ['rolled_back', 'rolled_back', 'blue'],
      );
      assert.deepEqual(
        reports.of('rollback.started').map((event) => event.data.restoreTraffic),
        [true],
      );
    });

    it('fails within health.timeout when its tasks never run, without ever getting traffic', async () => {
      const { result, runner } = await runScenario({
        canary: SEED_CANARY,
        health: conditionScript(2, () => 'not-running'),
      });
      assert.equal(result.outcome, 'rolled_back');
      assert.match(
        result.reason ?? '',
        /Step 2\/6: not healthy in time: 0\/2 tasks running, 2 pending \(canary.health.timeout: 300 s\)/,
      );
      // Provisioned at 5 s, failed at 5 + 300 s, one removal up of 5 s.
      assert.equal(result.durationS, 310);
      assert.deepEqual(purposes(runner.ups), ['deploying:0', 'rolled_back:0']);
    });

    it('fails before the end of a scale wait longer than health.timeout', async () => {
      const { result } = await runScenario({
        canary: { ...SEED_CANARY, scale: { desired: 2, wait: 600 }, health: { interval: 10, timeout: 120 } },
        health: conditionScript(2, () => 'starting'),
      });
      assert.equal(result.outcome, 'rolled_back');
      assert.equal(result.durationS, 130);
    });

    it('fails at once when a task of the deployment crashes', async () => {
      const { result, probe } = await runScenario({
        canary: SEED_CANARY,
        health: conditionScript(2, () => 'crashed'),
      });
      assert.equal(result.outcome, 'rolled_back');
      assert.match(result.reason ?? '', /stopped: Essential container in task exited/);
      assert.equal(probe.calls.length, 1);
    });

    it('fails when the candidate cannot be observed until the deadline', async () => {
      const { result } = await runScenario({ canary: SEED_CANARY, health: () => new Error('AccessDenied') });
      assert.equal(result.outcome, 'rolled_back');
      assert.match(result.reason ?? '', /could not be observed before the deadline: AccessDenied/);
    });

    it('removes a candidate whose provision failed, without touching traffic', async () => {
      const { result, runner } = await runScenario({
        canary: SEED_CANARY,
        failUp: (_desired, index) => (index === 0 ? new Error('ResourceInUse') : undefined),
      });
      assert.equal(result.outcome, 'rolled_back');
      assert.match(result.reason ?? '', /Step 1\/6: the stack update failed: ResourceInUse/);
      assert.deepEqual(purposes(runner.ups), ['deploying:0', 'rolled_back:0']);
    });

    it('restores traffic first when a shift failed part-way', async () => {
      const { result, runner } = await runScenario({
        canary: SEED_CANARY,
        failUp: (_desired, index) => (index === 2 ? new Error('Throttling') : undefined),
      });
      assert.equal(result.outcome, 'rolled_back');
      assert.deepEqual(purposes(runner.ups), [
        'deploying:0',
        'deploying:10',
        'deploying:60',
        'rolling_back:0',
        'rolled_back:0',
      ]);
    });

    it('rolls back a failed finalize, the stable release declared as it was', async () => {
      const { result, runner, stableConfig } = await runScenario({
        canary: SEED_CANARY,
        failUp: (desired) => (desired.meta.phase === 'stable' ? new Error('DependencyViolation') : undefined),
      });
      assert.equal(result.outcome, 'rolled_back');
      assert.deepEqual(
        result.steps.map((step) => step.outcome),
        ['passed', 'passed', 'passed'],
      );
      assert.equal(runner.current?.releases.blue, stableConfig);
      assert.deepEqual(purposes(runner.ups).slice(-2), ['rolling_back:0', 'rolled_back:0']);
    });
  });

  describe('a failing rollback', () => {
    const unhealthyAtSixty = (stack: FakeStackRunner) =>
      conditionScript(2, () => ((stack.current?.weights.green ?? 0) >= 60 ? 'unhealthy' : 'healthy'));

    it('ends rollback_failed with instructions when restoring traffic fails', async () => {
      const { result, runner } = await runScenario({
        canary: SEED_CANARY,
        healthFrom: unhealthyAtSixty,
        failUp: (desired) =>
          desired.meta.phase === 'rolling_back' ? new Error('Throttling: Rate exceeded') : undefined,
      });
      assert.equal(result.outcome, 'rollback_failed');
      assert.equal(exitCodeFor(result.outcome), 4);
      assert.match(
        result.reason ?? '',
        /then the rollback failed \(restore-traffic\): Throttling: Rate exceeded/,
      );
      assert.equal(runner.ups.length, 4, 'no removal after a failed restore');
      const text = result.instructions.join('\n');
      assert.match(text, /ecs-crd rollback/);
      assert.match(
        text,
        /orders\.example\.com to 100 for set identifier "orders-blue" and 0 for "orders-green"/,
      );
      assert.match(text, /orders\.shop\.example\.org/);
      assert.match(text, /ECS service orders-api-green in cluster main/);
    });

    it('ends rollback_failed when removing the candidate fails', async () => {
      const { result } = await runScenario({
        canary: SEED_CANARY,
        healthFrom: unhealthyAtSixty,
        failUp: (desired) => (desired.meta.phase === 'rolled_back' ? new Error('boom') : undefined),
      });
      assert.equal(result.outcome, 'rollback_failed');
      assert.match(result.reason ?? '', /\(remove-candidate\): boom/);
      assert.notDeepEqual(result.instructions, []);
    });
  });

  describe('interruption', () => {
    it('rolls back after an interrupt during a wait and ends interrupted', async () => {
      const { result, runner, stableConfig, softSignal } = await runScenario({
        canary: SEED_CANARY,
        interruptAtMs: s(100),
      });
      assert.equal(result.outcome, 'interrupted');
      assert.equal(exitCodeFor(result.outcome), 130);
      assert.deepEqual(
        result.steps.map((step) => step.outcome),
        ['interrupted', 'not_run', 'not_run'],
      );
      assert.deepEqual(purposes(runner.ups), [
        'deploying:0',
        'deploying:10',
        'interrupted:0',
        'rolled_back:0',
      ]);
      const last = runner.applied.at(-1);
      assert.deepEqual(last?.releases, { blue: stableConfig });
      assert.equal(last?.meta.outcome, 'interrupted');
      assert.deepEqual(result.instructions, []);
      assert.ok(
        runner.ups.every((up) => up.signal !== softSignal),
        'the first interrupt never reaches an up',
      );
      // Interrupted at 100 s, two rollback ups of 5 s: nothing waited for the end of the step.
      assert.equal(result.durationS, 110);
    });

    it('lets the running up finish, then rolls back without another look', async () => {
      const { result, runner, probe, clock } = await runScenario({
        canary: SEED_CANARY,
        interruptAtMs: s(67),
      });
      assert.equal(result.outcome, 'interrupted');
      assert.deepEqual(
        runner.ups.map((up) => up.ok),
        [true, true, true, true],
      );
      assert.deepEqual(purposes(runner.ups), [
        'deploying:0',
        'deploying:10',
        'interrupted:0',
        'rolled_back:0',
      ]);
      assert.ok(probe.calls.every((call) => call.at - clock.start <= s(65)));
    });

    it('stops at once on a second interrupt, leaving the stack for `rollback`', async () => {
      const { result, runner, reports } = await runScenario({
        canary: SEED_CANARY,
        interruptAtMs: s(100),
        hardStopAtMs: s(102),
      });
      assert.equal(result.outcome, 'interrupted');
      assert.match(result.reason ?? '', /second interrupt/);
      assert.deepEqual(
        runner.ups.map((up) => [up.desired.meta.phase, up.ok]),
        [
          ['deploying', true],
          ['deploying', true],
          ['interrupted', false],
        ],
      );
      assert.match(result.instructions.join('\n'), /ecs-crd rollback/);
      assert.deepEqual(
        reports.of('interrupt.received').map((event) => event.data.hard),
        [false, true],
      );
    });

    it('stops during a wait on two quick interrupts without another up', async () => {
      const { result, runner } = await runScenario({ canary: SEED_CANARY, hardStopAtMs: s(100) });
      assert.equal(result.outcome, 'interrupted');
      assert.equal(runner.ups.length, 2);
    });

    it('changes nothing when interrupted before the first up', async () => {
      const { result, runner } = await runScenario({ canary: SEED_CANARY, interruptAtMs: 0 });
      assert.equal(result.outcome, 'interrupted');
      assert.equal(result.reason, 'interrupted before any change was made');
      assert.equal(runner.ups.length, 0);
    });

    it('finishes a release whose finalize was under way when the interrupt came', async () => {
      const { result, reports } = await runScenario({ canary: SEED_CANARY, interruptAtMs: s(262) });
      assert.equal(result.outcome, 'deployed');
      assert.match(reports.of('interrupt.received')[0]?.text ?? '', /nothing to undo/);
    });

    it('goes on with a rollback under way when interrupted once', async () => {
      const { result, runner } = await runScenario({
        canary: SEED_CANARY,
        health: conditionScript(2, () => 'crashed'),
        interruptAtMs: s(7),
      });
      assert.equal(result.outcome, 'rolled_back');
      assert.equal(runner.applied.at(-1)?.meta.phase, 'rolled_back');
    });
  });

  describe('start', () => {
    it('refuses to start over a deployment that did not finish, pointing to rollback', async () => {
      const previous = stableOutputs();
      previous.meta = {
        ...previous.meta,
        phase: 'deploying',
        deploymentId: 'd-killed',
        candidateVersion: '1.5.0',
      };
      await assert.rejects(runScenario({ previous }), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.match(
          error.message,
          /deployment d-killed \(version 1\.5\.0\) did not finish: the stack is deploying/,
        );
        assert.match(error.hint ?? '', /ecs-crd rollback/);
        return true;
      });
    });

    it('refuses outputs that name a live slot without its release', async () => {
      const previous = { ...stableOutputs(), releases: {} };
      await assert.rejects(runScenario({ previous }), EcsCrdError);
    });

    it('lets a stack lock held by someone else through untouched (exit 5)', async () => {
      await assert.rejects(
        runScenario({ failUp: () => new StackLockedError('the stack is locked by alice@build-7') }),
        StackLockedError,
      );
    });

    it('deploys again after a rolled-back deployment, to the same candidate slot', async () => {
      const previous = stableOutputs();
      previous.meta = { ...previous.meta, phase: 'rolled_back', outcome: 'rolled_back' };
      const { result } = await runScenario({ previous });
      assert.deepEqual(
        [result.outcome, result.slot, result.previous],
        ['deployed', 'green', { slot: 'blue', version: STABLE_VERSION }],
      );
    });
  });

  describe('decide', () => {
    const state = (): RolloutState =>
      startRollout(
        {
          config: buildConfig({ canary: SEED_CANARY }),
          environment: buildEnvironment(),
          identity: buildIdentity(),
          previous: stableOutputs(),
          deploymentId: 'd-1',
        },
        0,
      );

    it('starts by provisioning the candidate at weight 0', () => {
      const { action, state: next } = decide(state(), { type: 'start', at: 0 });
      assert.equal(action.type, 'up');
      assert.equal(action.type === 'up' && action.purpose, 'provision');
      assert.equal(next.stepIndex, 0);
    });

    it('leaves the state it is given alone and keeps it serialisable', () => {
      const before = state();
      const frozen = structuredClone(before);
      const { state: after } = decide(before, { type: 'start', at: 0 });
      assert.deepEqual(before, frozen);
      assert.deepEqual(JSON.parse(JSON.stringify(after)), after);
    });

    it('refuses a message the stage does not expect: a bug in the driver, not a user error', () => {
      assert.throws(() => decide(state(), { type: 'slept', at: 0 }), /internal error/);
    });

    it('ignores anything after the end', () => {
      const { state: started } = decide(state(), { type: 'start', at: 0 });
      const { state: ended } = decide(started, { type: 'interrupt', at: 1 });
      assert.equal(ended.stage.kind, 'done');
      const again = decide(ended, { type: 'up-succeeded', at: 2 });
      assert.equal(again.state.stage, ended.stage);
      assert.deepEqual(again.events, []);
      assert.equal(again.action.type, 'done');
    });
  });

  it('reports through a broken reporter without breaking the deployment', async () => {
    const clock = new FakeClock();
    const runner = new FakeStackRunner({ clock, outputs: stableOutputs() });
    const result = await runRollout(
      {
        runner,
        probe: new FakeHealthProbe(
          clock,
          conditionScript(2, () => 'healthy'),
        ),
        clock,
        reporter: () => {
          throw new Error('EPIPE');
        },
      },
      {
        config: buildConfig({ canary: SEED_CANARY }),
        environment: buildEnvironment(),
        identity: buildIdentity(),
        previous: stableOutputs(),
        deploymentId: 'd-2',
      },
    );
    assert.equal(result.outcome, 'deployed');
  });
});
