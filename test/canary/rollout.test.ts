import { expect } from 'chai';
import { secondsBetween } from '../../src/canary/ports/clock.js';
import type { DesiredState } from '../../src/canary/ports/stack.js';
import { decide } from '../../src/canary/rollout/decide.js';
import { runRollout } from '../../src/canary/rollout/driver.js';
import { startRollout } from '../../src/canary/rollout/start.js';
import type { RolloutState } from '../../src/canary/rollout/types.js';
import { EcsCrdError, StackLockedError, UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf, exitCodeOfOutcome } from '../../src/exit-codes.js';
import { rejection } from '../aws/fixtures.js';
import { buildConfig, buildEnvironment, buildIdentity } from '../helpers/builders.js';
import {
  CLOCK_START,
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
      expect(result.outcome).to.equal('deployed');
      expect(runner.ups.map(({ desired }) => green(desired))).to.deep.equal([0, 10, 60, 100, 100]);
      const [provision, ...rest] = runner.applied;
      expect(provision?.releases).to.deep.equal({ blue: stableConfig, green: config });
      for (const shift of rest.slice(0, 3)) {
        // Only the weights (and the saved progress) change between the provision and the last shift.
        expect(shift.releases.blue).to.equal(stableConfig);
        expect(shift.releases.green).to.equal(config);
        expect(shift.weights.blue + shift.weights.green).to.equal(100);
      }
      const finalize = runner.applied.at(-1);
      expect(finalize?.releases).to.deep.equal({ green: config });
      expect(finalize?.meta).to.deep.equal({
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
      expect(recorded?.listeners[0]?.priority).to.equal(7);
      for (const { desired } of runner.ups) {
        expect(desired.environment.slots.blue).to.equal(recorded);
        expect(desired.environment.slots.green.listeners[0]?.priority).to.equal(10);
      }
    });

    it('saves the phase and the last passed step with every up', async () => {
      const { runner } = await runScenario({ canary: SEED_CANARY });
      expect(
        runner.ups.map(({ desired: { meta } }) => [meta.phase, meta.step, meta.liveSlot, meta.candidateSlot]),
      ).to.deep.equal([
        ['deploying', -1, 'blue', 'green'],
        ['deploying', -1, 'blue', 'green'],
        ['deploying', 0, 'blue', 'green'],
        ['deploying', 1, 'blue', 'green'],
        ['stable', 2, 'green', 'green'],
      ]);
    });

    it('watches every health.interval during each wait and takes the waits it was given', async () => {
      const { result, probe, clock } = await runScenario({ canary: SEED_CANARY });
      const at = probe.calls.map((call) => (call.at - clock.start) / 1000);
      // Scale wait from 5 s (after a 5 s up) to 65 s: a look at once, then every 10 s.
      expect(at.slice(0, 7)).to.deep.equal([5, 15, 25, 35, 45, 55, 65]);
      // 5 ups of 5 s + 60 + 70 + 50 + 60 s of waits.
      expect(result.durationS).to.equal(265);
      expect(result.steps).to.deep.equal([
        { weight: 10, wait: 70, outcome: 'passed', observedShare: null },
        { weight: 60, wait: 50, outcome: 'passed', observedShare: null },
        { weight: 100, wait: 60, outcome: 'passed', observedShare: null },
      ]);
    });

    it('reports a stable stream of events', async () => {
      const { reports } = await runScenario({
        canary: { ...SEED_CANARY, strategy: [{ weight: 50, wait: 20 }] },
      });
      const step = ['step.started', 'stack.update.started', 'stack.update.finished'];
      expect(reports.codes()).to.deep.equal([
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
      expect(observed.length).to.be.above(1);
      expect(
        observed.slice(1).every((event) => event.level === 'debug'),
        'repeated observations go to --verbose',
      ).to.equal(true);
      expect(reports.of('weights.changed').map((event) => event.text)).to.deep.equal([
        'Traffic: green 50 % / blue 50 %',
        'Traffic: green 100 % / blue 0 %',
      ]);
      expect(reports.of('rollout.finished')[0]?.data).to.deep.equal({
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
      expect(result.outcome).to.equal('deployed');
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
      expect(result.outcome).to.equal('deployed');
      expect(result.durationS).to.equal(275);
    });

    it('keeps looking through transient probe errors', async () => {
      const healthy = conditionScript(2, () => 'healthy');
      const { result, reports } = await runScenario({
        canary: SEED_CANARY,
        health: (context) =>
          context.call >= 1 && context.call <= 3 ? new Error('Rate exceeded') : healthy(context),
      });
      expect(result.outcome).to.equal('deployed');
      expect(reports.of('health.probe-failed').length).to.equal(3);
    });
  });

  describe('a first deployment', () => {
    it('goes straight to 100 % after the scale wait, with the final step’s wait', async () => {
      const { result, runner, config } = await runScenario({ firstDeployment: true });
      expect(result.outcome).to.equal('deployed');
      expect(result.slot).to.equal('blue');
      expect(result.previous).to.equal(null);
      expect(result.steps).to.deep.equal([{ weight: 100, wait: 60, outcome: 'passed', observedShare: null }]);
      expect(
        runner.ups.map(({ desired }) => [
          desired.weights,
          Object.keys(desired.releases),
          desired.meta.phase,
          desired.meta.liveSlot,
        ]),
      ).to.deep.equal([
        [{ blue: 0, green: 100 }, ['blue'], 'deploying', null],
        [{ blue: 100, green: 0 }, ['blue'], 'deploying', null],
        [{ blue: 100, green: 0 }, ['blue'], 'stable', 'blue'],
      ]);
      expect(runner.current?.releases.blue).to.equal(config);
    });

    it('rolls back by removing the candidate, leaving no live release', async () => {
      const { result, runner } = await runScenario({
        firstDeployment: true,
        healthFrom: (stack) =>
          conditionScript(2, () => (stack.current?.weights.blue === 100 ? 'unhealthy' : 'healthy')),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(purposes(runner.ups)).to.deep.equal([
        'deploying:0',
        'deploying:100',
        'rolling_back:0',
        'rolled_back:0',
      ]);
      const last = runner.applied.at(-1);
      expect(last?.releases).to.deep.equal({});
      expect(last?.weights).to.deep.equal({ blue: 0, green: 100 });
      expect(last?.meta.liveSlot).to.equal(null);
    });
  });

  describe('a failing candidate', () => {
    it('is rolled back as soon as a target turns unhealthy at step 2, stable untouched', async () => {
      const { result, runner, stableConfig, config, reports } = await runScenario({
        canary: SEED_CANARY,
        healthFrom: (stack) =>
          conditionScript(2, () => ((stack.current?.weights.green ?? 0) >= 60 ? 'unhealthy' : 'healthy')),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(exitCodeOfOutcome(result.outcome)).to.equal(3);
      expect(result.reason ?? '').to.match(
        /Step 4\/6: 2 unhealthy target\(s\) in orders-api-green-8080 after the candidate had been healthy/,
      );
      expect(result.steps.map((step) => step.outcome)).to.deep.equal(['passed', 'failed', 'not_run']);
      // Failed at the first look after the shift (145 s), not at the end of the 50 s wait.
      expect(result.durationS).to.equal(155);
      const [restore, remove] = runner.ups.slice(-2).map((up) => up.desired);
      expect(restore?.weights).to.deep.equal({ blue: 100, green: 0 });
      expect(restore?.releases).to.deep.equal({ blue: stableConfig, green: config });
      expect(restore?.meta.phase).to.equal('rolling_back');
      expect(remove?.releases).to.deep.equal({ blue: stableConfig });
      expect(remove?.weights).to.deep.equal({ blue: 100, green: 0 });
      expect([remove?.meta.phase, remove?.meta.outcome, remove?.meta.liveSlot]).to.deep.equal([
        'rolled_back',
        'rolled_back',
        'blue',
      ]);
      expect(reports.of('rollback.started').map((event) => event.data.restoreTraffic)).to.deep.equal([true]);
    });

    it('fails within health.timeout when its tasks never run, without ever getting traffic', async () => {
      const { result, runner } = await runScenario({
        canary: SEED_CANARY,
        health: conditionScript(2, () => 'not-running'),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason ?? '').to.match(
        /Step 2\/6: not healthy in time: 0\/2 tasks running, 2 pending \(canary.health.timeout: 300 s\)/,
      );
      // Provisioned at 5 s, failed at 5 + 300 s, one removal up of 5 s.
      expect(result.durationS).to.equal(310);
      expect(purposes(runner.ups)).to.deep.equal(['deploying:0', 'rolled_back:0']);
    });

    it('fails before the end of a scale wait longer than health.timeout', async () => {
      const { result } = await runScenario({
        canary: { ...SEED_CANARY, scale: { desired: 2, wait: 600 }, health: { interval: 10, timeout: 120 } },
        health: conditionScript(2, () => 'starting'),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.durationS).to.equal(130);
    });

    it('measures the run to the end of its last update as the engine recorded it, as history does', async () => {
      // The engine records whole seconds, and the Automation API returns a little after.
      const recorded: number[] = [];
      const { result, clock } = await runScenario({
        canary: SEED_CANARY,
        engineEndedAt: (now) => {
          const at = Math.floor((now - 1_700) / 1000) * 1000;
          recorded.push(at);
          return at;
        },
      });
      expect(result.outcome).to.equal('deployed');
      const last = recorded.at(-1) ?? 0;
      expect(last).to.be.below(clock.now());
      expect(result.durationS).to.equal(secondsBetween(CLOCK_START, last));
    });

    it('judges a DAEMON service by the tasks ECS runs, one per container instance, not scale.desired', async () => {
      const { result } = await runScenario({
        canary: { ...SEED_CANARY, scale: { desired: 5, wait: 60 } },
        service: { scheduling_strategy: 'DAEMON', launch_type: 'EC2' },
        // Two container instances: two tasks, two healthy targets.
        health: conditionScript(2, () => 'healthy'),
      });
      expect(result.outcome, result.reason ?? undefined).to.equal('deployed');
    });

    it('never passes a DAEMON service without a single target (a cluster with no instance)', async () => {
      const { result } = await runScenario({
        canary: { ...SEED_CANARY, health: { interval: 10, timeout: 60 } },
        service: { scheduling_strategy: 'DAEMON', launch_type: 'EC2' },
        health: conditionScript(0, () => 'healthy'),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason ?? '').to.match(/0 target\(s\) registered, 1 wanted/);
    });

    it('fails at once when as many tasks of the deployment crashed as the circuit breaker allows', async () => {
      const { result, probe } = await runScenario({
        canary: SEED_CANARY,
        health: conditionScript(2, () => 'crashed'),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason ?? '').to.match(/3 tasks stopped: .*: Essential container in task exited/);
      expect(probe.calls.length).to.equal(1);
    });

    it('fails when the candidate cannot be observed until the deadline', async () => {
      const { result } = await runScenario({ canary: SEED_CANARY, health: () => new Error('AccessDenied') });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason ?? '').to.match(/could not be observed before the deadline: AccessDenied/);
    });

    it('removes a candidate whose provision failed, without touching traffic', async () => {
      const { result, runner } = await runScenario({
        canary: SEED_CANARY,
        failUp: (_desired, index) => (index === 0 ? new Error('ResourceInUse') : undefined),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason ?? '').to.match(/Step 1\/6: the stack update failed: ResourceInUse/);
      expect(purposes(runner.ups)).to.deep.equal(['deploying:0', 'rolled_back:0']);
    });

    it('restores traffic first when a shift failed part-way', async () => {
      const { result, runner } = await runScenario({
        canary: SEED_CANARY,
        failUp: (_desired, index) => (index === 2 ? new Error('Throttling') : undefined),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(purposes(runner.ups)).to.deep.equal([
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
      expect(result.outcome).to.equal('rolled_back');
      expect(result.steps.map((step) => step.outcome)).to.deep.equal(['passed', 'passed', 'passed']);
      expect(runner.current?.releases.blue).to.equal(stableConfig);
      expect(purposes(runner.ups).slice(-2)).to.deep.equal(['rolling_back:0', 'rolled_back:0']);
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
      expect(result.outcome).to.equal('rollback_failed');
      expect(exitCodeOfOutcome(result.outcome)).to.equal(4);
      expect(result.reason ?? '').to.match(
        /then the rollback failed \(restore-traffic\): Throttling: Rate exceeded/,
      );
      expect(runner.ups.length, 'no removal after a failed restore').to.equal(4);
      const text = result.instructions.join('\n');
      expect(text).to.match(/ecs-crd rollback/);
      expect(text).to.match(
        /orders\.example\.com to 100 for set identifier "orders-blue" and 0 for "orders-green"/,
      );
      expect(text).to.match(/orders\.shop\.example\.org/);
      expect(text).to.match(/ECS service orders-api-green in cluster main/);
    });

    it('ends rollback_failed when removing the candidate fails', async () => {
      const { result } = await runScenario({
        canary: SEED_CANARY,
        healthFrom: unhealthyAtSixty,
        failUp: (desired) => (desired.meta.phase === 'rolled_back' ? new Error('boom') : undefined),
      });
      expect(result.outcome).to.equal('rollback_failed');
      expect(result.reason ?? '').to.match(/\(remove-candidate\): boom/);
      expect(result.instructions).to.not.deep.equal([]);
    });
  });

  describe('interruption', () => {
    it('rolls back after an interrupt during a wait and ends interrupted', async () => {
      const { result, runner, stableConfig, softSignal } = await runScenario({
        canary: SEED_CANARY,
        interruptAtMs: s(100),
      });
      expect(result.outcome).to.equal('interrupted');
      expect(exitCodeOfOutcome(result.outcome)).to.equal(130);
      expect(result.steps.map((step) => step.outcome)).to.deep.equal(['interrupted', 'not_run', 'not_run']);
      expect(purposes(runner.ups)).to.deep.equal([
        'deploying:0',
        'deploying:10',
        'interrupted:0',
        'rolled_back:0',
      ]);
      const last = runner.applied.at(-1);
      expect(last?.releases).to.deep.equal({ blue: stableConfig });
      expect(last?.meta.outcome).to.equal('interrupted');
      expect(result.instructions).to.deep.equal([]);
      expect(
        runner.ups.every((up) => up.signal !== softSignal),
        'the first interrupt never reaches an up',
      ).to.equal(true);
      // Interrupted at 100 s, two rollback ups of 5 s: nothing waited for the end of the step.
      expect(result.durationS).to.equal(110);
    });

    it('lets the running up finish, then rolls back without another look', async () => {
      const { result, runner, probe, clock } = await runScenario({
        canary: SEED_CANARY,
        interruptAtMs: s(67),
      });
      expect(result.outcome).to.equal('interrupted');
      expect(runner.ups.map((up) => up.ok)).to.deep.equal([true, true, true, true]);
      expect(purposes(runner.ups)).to.deep.equal([
        'deploying:0',
        'deploying:10',
        'interrupted:0',
        'rolled_back:0',
      ]);
      expect(probe.calls.every((call) => call.at - clock.start <= s(65))).to.equal(true);
    });

    it('stops at once on a second interrupt, leaving the stack for `rollback`', async () => {
      const { result, runner, reports } = await runScenario({
        canary: SEED_CANARY,
        interruptAtMs: s(100),
        hardStopAtMs: s(102),
      });
      expect(result.outcome).to.equal('interrupted');
      expect(result.reason ?? '').to.match(/second interrupt/);
      expect(runner.ups.map((up) => [up.desired.meta.phase, up.ok])).to.deep.equal([
        ['deploying', true],
        ['deploying', true],
        ['interrupted', false],
      ]);
      expect(result.instructions.join('\n')).to.match(/ecs-crd rollback/);
      expect(reports.of('interrupt.received').map((event) => event.data.hard)).to.deep.equal([false, true]);
    });

    it('stops during a wait on two quick interrupts without another up', async () => {
      const { result, runner } = await runScenario({ canary: SEED_CANARY, hardStopAtMs: s(100) });
      expect(result.outcome).to.equal('interrupted');
      expect(runner.ups.length).to.equal(2);
    });

    it('stops during a wait without another up when another run takes its lease over, saying so', async () => {
      const { result, runner, reports } = await runScenario({ canary: SEED_CANARY, leaseLostAtMs: s(100) });
      expect(result.outcome).to.equal('interrupted');
      expect(result.reason).to.equal('Another run took the stack over');
      expect(runner.ups.length).to.equal(2);
      expect(reports.of('interrupt.received')).to.deep.equal([]);
    });

    it('changes nothing when interrupted before the first up', async () => {
      const { result, runner } = await runScenario({ canary: SEED_CANARY, interruptAtMs: 0 });
      expect(result.outcome).to.equal('interrupted');
      expect(result.reason).to.equal('interrupted before any change was made');
      expect(runner.ups.length).to.equal(0);
    });

    it('finishes a release whose finalize was under way when the interrupt came', async () => {
      const { result, reports } = await runScenario({ canary: SEED_CANARY, interruptAtMs: s(262) });
      expect(result.outcome).to.equal('deployed');
      expect(reports.of('interrupt.received')[0]?.text ?? '').to.match(/nothing to undo/);
    });

    it('goes on with a rollback under way when interrupted once', async () => {
      const { result, runner } = await runScenario({
        canary: SEED_CANARY,
        health: conditionScript(2, () => 'crashed'),
        interruptAtMs: s(7),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(runner.applied.at(-1)?.meta.phase).to.equal('rolled_back');
    });
  });

  describe('the drain: a release keeps serving cached DNS answers after its weight reaches 0', () => {
    const DRAINED = { ...SEED_CANARY, drain: 90 };

    it('keeps the old release for canary.drain after the 100 % shift, watching the candidate, then finalizes', async () => {
      const { result, runner, probe, clock, reports } = await runScenario({ canary: DRAINED });
      expect(result.outcome).to.equal('deployed');
      const at = (index: number) => (runner.ups[index]?.at ?? 0) - clock.start;
      // provision 0 s, shifts 65 / 140 / 195 s (5 s ups), the 100 % shift lands at 200 s:
      // the 60 s bake counts toward the 90 s drain, so finalize starts 90 s after it landed.
      expect(at(3)).to.equal(s(195));
      expect(at(4)).to.equal(s(290));
      expect(runner.ups[4]?.desired.releases.blue).to.equal(undefined);
      expect(reports.of('step.started').map((e) => e.data.kind)).to.include('drain');
      // Watched through the drain, not only until the bake ended.
      expect(probe.calls.some((call) => call.at - clock.start > s(265))).to.equal(true);
    });

    it('rolls back a candidate that fails during the drain, the old release still there to take traffic', async () => {
      const { result, runner, stableConfig, config } = await runScenario({
        canary: DRAINED,
        health: healthTimeline(2, [
          { fromMs: 0, condition: 'healthy' },
          { fromMs: s(270), condition: 'unhealthy' },
        ]),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason ?? '').to.match(/^Step 6\/7: /);
      const restore = runner.ups.at(-2)?.desired;
      expect(restore?.weights).to.deep.equal({ blue: 100, green: 0 });
      expect(restore?.releases).to.deep.equal({ blue: stableConfig, green: config });
    });

    it('waits canary.drain after restoring traffic before removing a candidate that had traffic', async () => {
      const { result, runner, clock, reports } = await runScenario({
        canary: DRAINED,
        healthFrom: (stack) =>
          conditionScript(2, () => ((stack.current?.weights.green ?? 0) >= 60 ? 'unhealthy' : 'healthy')),
      });
      expect(result.outcome).to.equal('rolled_back');
      const [restore, remove] = runner.ups.slice(-2);
      expect(restore?.desired.weights).to.deep.equal({ blue: 100, green: 0 });
      expect((remove?.at ?? 0) - (restore?.at ?? 0)).to.equal(s(5) + s(90));
      expect(reports.of('wait.started').at(-1)?.text).to.match(/Draining the candidate for 90 s/);
      expect(result.durationS).to.equal(155 + 90);
      expect(clock.elapsed()).to.equal(s(155 + 90));
    });

    it('removes a candidate that never had traffic at once: nobody holds its DNS answer', async () => {
      const { result, runner } = await runScenario({
        canary: DRAINED,
        health: conditionScript(2, () => 'crashed'),
      });
      expect(result.outcome).to.equal('rolled_back');
      // Provisioned at 0 s, crashed at the first look as the provision landed (5 s): removed then, not 90 s later.
      expect(runner.ups.map((up) => up.at - (runner.ups[0]?.at ?? 0))).to.deep.equal([0, s(5)]);
    });

    it('does not skip the drain on an interrupt; a second interrupt stops at once, leaving it to `rollback`', async () => {
      const once = await runScenario({ canary: DRAINED, interruptAtMs: s(100) });
      expect(once.result.outcome).to.equal('interrupted');
      const [restore, remove] = once.runner.ups.slice(-2);
      expect((remove?.at ?? 0) - (restore?.at ?? 0)).to.equal(s(5) + s(90));

      const twice = await runScenario({ canary: DRAINED, interruptAtMs: s(100), hardStopAtMs: s(130) });
      expect(twice.result.outcome).to.equal('interrupted');
      expect(twice.result.reason ?? '').to.match(/second interrupt/);
      expect(purposes(twice.runner.ups)).to.deep.equal(['deploying:0', 'deploying:10', 'interrupted:0']);
      expect(twice.result.instructions.join('\n')).to.match(/ecs-crd rollback/);
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
      const error = await rejection(runScenario({ previous }));
      // The same refusal, with the same exit code, as `deploy`, `preview` and `undeploy` give.
      expect(error).to.be.instanceOf(StackLockedError);
      expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
      expect(error.message).to.match(
        /\(version 1\.5\.0, deployment d-killed, started .*\) did not finish: the stack is deploying/,
      );
      expect((error as StackLockedError).hint ?? '').to.match(/ecs-crd rollback/);
    });

    it('refuses outputs that name a live slot without its release', async () => {
      const previous = { ...stableOutputs(), releases: {} };
      expect(await rejection(runScenario({ previous }))).to.be.instanceOf(EcsCrdError);
    });

    it('lets a stack lock held by someone else through untouched (exit 5)', async () => {
      const error = await rejection(
        runScenario({ failUp: () => new StackLockedError('the stack is locked by alice@build-7') }),
      );
      expect(error).to.be.instanceOf(StackLockedError);
    });

    it('a first update that fails before changing anything is not rolled back: it says nothing changed, exit 1', async () => {
      const ups: string[] = [];
      const error = await rejection(
        runScenario({
          failBeforeChange: (desired) => {
            ups.push(desired.meta.phase);
            return new EcsCrdError('The Pulumi engine failed: could not load the plugin');
          },
        }),
      );
      expect(ups, 'no rollback update after it').to.deep.equal(['deploying']);
      expect(error.message).to.match(/^Nothing was changed: .*could not load the plugin/);
      expect(exitCodeOf(error)).to.equal(ExitCode.Unexpected);
    });

    it('a wrong passphrase at the first update is the user’s input: exit 2, nothing changed, no rollback', async () => {
      const error = await rejection(
        runScenario({
          firstDeployment: true,
          failBeforeChange: () =>
            new UsageError('The secrets passphrase is not the one this stack was created with.', {
              hint: 'Set PULUMI_CONFIG_PASSPHRASE',
            }),
        }),
      );
      expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
      expect(error.message).to.match(/^Nothing was changed: The secrets passphrase/);
      expect((error as UsageError).hint).to.equal('Set PULUMI_CONFIG_PASSPHRASE');
    });

    it('a first update that failed after it began changing resources is rolled back as before (exit 3)', async () => {
      const { result } = await runScenario({
        failUp: (_desired, index) => (index === 0 ? new Error('ResourceInUse') : undefined),
      });
      expect(exitCodeOfOutcome(result.outcome)).to.equal(ExitCode.RolledBack);
    });

    it('deploys again after a rolled-back deployment, to the same candidate slot', async () => {
      const previous = stableOutputs();
      previous.meta = { ...previous.meta, phase: 'rolled_back', outcome: 'rolled_back' };
      const { result } = await runScenario({ previous });
      expect([result.outcome, result.slot, result.previous]).to.deep.equal([
        'deployed',
        'green',
        { slot: 'blue', version: STABLE_VERSION },
      ]);
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
      expect(action.type).to.equal('up');
      expect(action.type === 'up' && action.purpose).to.equal('provision');
      expect(next.stepIndex).to.equal(0);
    });

    it('leaves the state it is given alone and keeps it serialisable', () => {
      const before = state();
      const frozen = structuredClone(before);
      const { state: after } = decide(before, { type: 'start', at: 0 });
      expect(before).to.deep.equal(frozen);
      expect(JSON.parse(JSON.stringify(after))).to.deep.equal(after);
    });

    it('refuses a message the stage does not expect: a bug in the driver, not a user error', () => {
      expect(() => decide(state(), { type: 'slept', at: 0 })).to.throw(/internal error/);
    });

    it('ignores anything after the end', () => {
      const { state: started } = decide(state(), { type: 'start', at: 0 });
      const { state: ended } = decide(started, { type: 'interrupt', at: 1 });
      expect(ended.stage.kind).to.equal('done');
      const again = decide(ended, { type: 'up-succeeded', at: 2 });
      expect(again.state.stage).to.equal(ended.stage);
      expect(again.events).to.deep.equal([]);
      expect(again.action.type).to.equal('done');
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
    expect(result.outcome).to.equal('deployed');
  });
});
