import { expect } from 'chai';
import type { DesiredState } from '../../src/canary/ports/stack.js';
import { decide } from '../../src/canary/rollout/decide.js';
import { resumeState } from '../../src/canary/rollout/start.js';
import { UsageError } from '../../src/errors.js';
import { buildEnvironment, buildIdentity } from '../helpers/builders.js';
import { alarmTimeline, buildAnalysis, FakeMetricsSource, trafficFrom } from '../helpers/fake-metrics.js';
import { CLOCK_START, healthTimeline, observationOf } from '../helpers/fakes.js';
import { runScenario, type ScenarioOptions, stableOutputs } from '../helpers/rollout-harness.js';

const s = (seconds: number) => seconds * 1000;
const iso = (elapsedS: number) => new Date(CLOCK_START + s(elapsedS)).toISOString();

/** Provision 0–5 s, scale wait to 65, shift to 10 % 65–70, watch to 140, then the pause's up 140–145. */
const PAUSED_CANARY = {
  scale: { desired: 2, wait: 60 },
  strategy: [
    { weight: 10, wait: 70, pause: true as const },
    { weight: 60, wait: 50 },
  ],
  health: { interval: 10, timeout: 300 },
};

/** Each up as `<phase>:<green weight>`. */
const story = (ups: { desired: DesiredState }[]) =>
  ups.map(({ desired }) => `${desired.meta.phase}:${desired.weights.green}`);

const BY = 'bob@ci (pid 7)';

describe('canary rollout: pauses', () => {
  describe('pause: true without --wait', () => {
    it('saves the pause with one up that changes only the outputs, then ends paused', async () => {
      const { result, runner, reports } = await runScenario({ canary: PAUSED_CANARY });
      expect(result.outcome).to.equal('paused');
      expect(result.paused).to.deep.equal({ weight: 10, step: 1, since: iso(140) });
      expect(story(runner.ups)).to.deep.equal(['deploying:0', 'deploying:10', 'paused:10']);
      const [, shift, pause] = runner.applied;
      expect(pause?.weights).to.deep.equal(shift?.weights);
      expect(pause?.releases).to.deep.equal(shift?.releases);
      expect(pause?.environment).to.equal(shift?.environment);
      expect(pause?.meta).to.deep.equal({
        ...shift?.meta,
        phase: 'paused',
        step: 0,
        // A pause is how this run ended: history tells it from a run that died.
        outcome: 'paused',
        pause: { since: iso(140), weight: 10, until: null },
      });
      expect(runner.current?.meta.phase).to.equal('paused');
      expect(result.steps.map((step) => step.outcome)).to.deep.equal(['passed', 'not_run', 'not_run']);
      const [paused] = reports.of('rollout.paused');
      expect(paused?.data).to.deep.equal({ weight: 10, step: 1, until: null, waiting: false });
      const [finished] = reports.of('rollout.finished');
      expect(finished?.level).to.equal('info');
      expect(finished?.text).to.contain('ecs-crd promote');
      expect(reports.codes().slice(-3)).to.deep.equal([
        'stack.update.finished',
        'rollout.paused',
        'rollout.finished',
      ]);
    });

    it('never pauses a first deployment, and says so', async () => {
      const { result, runner, reports } = await runScenario({
        canary: PAUSED_CANARY,
        firstDeployment: true,
      });
      expect(result.outcome).to.equal('deployed');
      expect(runner.ups.every(({ desired }) => desired.meta.phase !== 'paused')).to.equal(true);
      expect(reports.of('rollout.started')[0]?.text).to.contain('pauses are skipped');
    });
  });

  describe('watching at a pause (--wait, or a timed pause)', () => {
    const waiting = (options: ScenarioOptions) =>
      runScenario({ canary: PAUSED_CANARY, waitForPromotion: true, ...options });

    it('keeps watching until promoted, then goes on through a health gate to the next step', async () => {
      const { result, runner, probe, clock, reports, control } = await waiting({
        control: (channel) =>
          channel.at(s(200), { action: 'promote', full: false, deploymentId: 'd-test-0001', by: BY }),
      });
      expect(result.outcome).to.equal('deployed');
      expect(story(runner.ups)).to.deep.equal([
        'deploying:0',
        'deploying:10',
        'paused:10',
        'deploying:60',
        'deploying:100',
        'stable:100',
      ]);
      expect(runner.ups[2]?.desired.meta.pause).to.deep.equal({ since: iso(140), weight: 10, until: null });
      expect(runner.ups[3]?.desired.meta.pause).to.equal(null);
      expect(control.taken.map((request) => request.action)).to.deep.equal(['promote']);
      // Watched every health.interval during the pause; the request taken at the first look after it.
      const looks = probe.calls.map((call) => (call.at - clock.start) / 1000);
      expect(looks.filter((at) => at >= 145 && at <= 205)).to.deep.equal([
        145, 155, 165, 175, 185, 195, 205, 205,
      ]);
      expect(runner.ups[3]?.at).to.equal(CLOCK_START + s(205));
      const [resumed] = reports.of('rollout.resumed');
      expect(resumed?.data).to.deep.equal({ action: 'promote', full: false, by: BY });
      expect(reports.of('rollout.paused')[0]?.data.waiting).to.equal(true);
      expect(result.steps.map((step) => step.outcome)).to.deep.equal(['passed', 'passed', 'passed']);
    });

    it('promote --full goes straight to the final 100 % step', async () => {
      const { result, runner } = await waiting({
        control: (channel) =>
          channel.at(s(160), { action: 'promote', full: true, deploymentId: 'd-test-0001', by: BY }),
      });
      expect(result.outcome).to.equal('deployed');
      expect(story(runner.ups)).to.deep.equal([
        'deploying:0',
        'deploying:10',
        'paused:10',
        'deploying:100',
        'stable:100',
      ]);
      expect(result.steps.map((step) => step.outcome)).to.deep.equal(['passed', 'not_run', 'passed']);
    });

    it('abort rolls back, traffic first, with who aborted as the reason', async () => {
      const { result, runner, reports } = await waiting({
        control: (channel) =>
          channel.at(s(170), { action: 'abort', full: false, deploymentId: 'd-test-0001', by: BY }),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason).to.equal(`aborted by ${BY}`);
      expect(story(runner.ups)).to.deep.equal([
        'deploying:0',
        'deploying:10',
        'paused:10',
        'rolling_back:0',
        'rolled_back:0',
      ]);
      expect(runner.current?.meta.pause).to.equal(null);
      expect(reports.of('rollout.resumed')[0]?.data).to.deep.equal({ action: 'abort', full: false, by: BY });
    });

    it('is an internal error to wait until promoted without a control channel', async () => {
      let error: unknown;
      try {
        await waiting({ noControl: true });
      } catch (caught) {
        error = caught;
      }
      expect((error as Error).message).to.contain('internal error: --wait at a pause until promoted');
    });

    it('ignores a request left for another deployment', async () => {
      const { result, control } = await runScenario({
        canary: { ...PAUSED_CANARY, strategy: [{ weight: 10, wait: 70, pause: 60 }] },
        control: (channel) =>
          channel.at(s(150), { action: 'abort', full: false, deploymentId: 'd-other', by: BY }),
      });
      expect(result.outcome).to.equal('deployed');
      expect(control.taken).to.deep.equal([]);
    });

    it('rolls back when the candidate turns unhealthy during the pause', async () => {
      const { result, runner } = await waiting({
        health: healthTimeline(2, [
          { fromMs: 0, condition: 'healthy' },
          { fromMs: s(180), condition: 'unhealthy' },
        ]),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason).to.match(/^Step 3\/6: 2 unhealthy target\(s\)/);
      expect(story(runner.ups).slice(-3)).to.deep.equal(['paused:10', 'rolling_back:0', 'rolled_back:0']);
      expect(runner.ups.at(-2)?.at).to.equal(CLOCK_START + s(185));
    });

    it('goes on reading the analysis during the pause: an alarm in ALARM rolls back', async () => {
      const { result, runner, metrics } = await waiting({
        canary: {
          ...PAUSED_CANARY,
          analysis: buildAnalysis({ error_rate: { max: 0.01, elb_5xx: true }, alarms: ['orders-5xx'] }),
        },
        metrics: (stack, clock) =>
          new FakeMetricsSource(clock, {
            window: trafficFrom(stack, {}),
            alarms: alarmTimeline([{ fromMs: s(300), states: { 'orders-5xx': 'ALARM' } }]),
          }),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason).to.equal('Step 3/6: alarm orders-5xx is in ALARM (canary.analysis.alarms)');
      expect(runner.ups.at(-2)?.at).to.equal(CLOCK_START + s(305));
      // Windows of the paused weight were judged during the pause too.
      const during = metrics.windows.filter(({ query }) => query.start >= CLOCK_START + s(145));
      expect(during.length).to.be.above(5);
    });

    it('rolls back on an interrupt during the pause', async () => {
      const { result, runner, reports } = await waiting({ interruptAtMs: s(170) });
      expect(result.outcome).to.equal('interrupted');
      expect(story(runner.ups).slice(-3)).to.deep.equal(['paused:10', 'interrupted:0', 'rolled_back:0']);
      expect(reports.of('interrupt.received')[0]?.text).to.contain('rolling back');
    });
  });

  describe('pause: SECONDS', () => {
    const TIMED = {
      ...PAUSED_CANARY,
      strategy: [
        { weight: 10, wait: 70, pause: 100 },
        { weight: 60, wait: 50 },
      ],
    };

    it('holds the step that long, watching, then goes on by itself', async () => {
      const { result, runner, reports } = await runScenario({ canary: TIMED });
      expect(result.outcome).to.equal('deployed');
      expect(runner.ups[2]?.desired.meta.pause).to.deep.equal({
        since: iso(140),
        weight: 10,
        until: iso(240),
      });
      expect(runner.ups[3]?.at).to.equal(CLOCK_START + s(240));
      expect(reports.of('rollout.paused')[0]?.data).to.deep.equal({
        weight: 10,
        step: 1,
        until: CLOCK_START + s(240),
        waiting: true,
      });
      expect(reports.of('rollout.resumed')[0]?.data).to.deep.equal({
        action: 'timer',
        full: false,
        by: null,
      });
    });

    it('can be promoted before its end', async () => {
      const { result, runner, reports } = await runScenario({
        canary: TIMED,
        control: (channel) =>
          channel.at(s(160), { action: 'promote', full: false, deploymentId: 'd-test-0001', by: BY }),
      });
      expect(result.outcome).to.equal('deployed');
      expect(runner.ups[3]?.at).to.equal(CLOCK_START + s(165));
      expect(reports.of('rollout.resumed').map((event) => event.data.action)).to.deep.equal(['promote']);
    });
  });

  describe('resumeRollout (ecs-crd promote)', () => {
    async function pausedStack() {
      const { runner } = await runScenario({ canary: PAUSED_CANARY });
      const outputs = runner.current;
      if (!outputs) throw new Error('no outputs');
      return outputs;
    }

    it('starts with the health gate, then the step after the pause, as the same deployment', async () => {
      const previous = await pausedStack();
      const { result, runner, log, reports } = await runScenario({
        canary: PAUSED_CANARY,
        previous,
        resume: { by: BY },
      });
      expect(result.outcome).to.equal('deployed');
      expect(result.deploymentId).to.equal('d-test-0001');
      const firstUp = log.findIndex((entry) => entry.kind === 'up');
      const firstLook = log.findIndex(
        (entry) => entry.kind === 'event' && entry.event.code === 'health.observed',
      );
      expect(firstLook).to.be.within(0, firstUp);
      expect(story(runner.ups)).to.deep.equal(['deploying:60', 'deploying:100', 'stable:100']);
      for (const { desired } of runner.ups) {
        expect(desired.meta.deploymentId).to.equal('d-test-0001');
        expect(desired.meta.startedAt).to.equal(previous.meta.startedAt);
        // The stable release passes through unchanged until finalize removes it.
        if (desired.meta.phase !== 'stable') expect(desired.releases.blue).to.equal(previous.releases.blue);
        expect(desired.environment.slots.blue).to.equal(previous.slots?.blue);
        expect(desired.environment.slots.green).to.equal(previous.slots?.green);
      }
      expect(runner.ups[0]?.desired.meta.pause).to.equal(null);
      expect(result.steps.map((step) => step.outcome)).to.deep.equal(['passed', 'passed', 'passed']);
      expect(reports.codes().slice(0, 3)).to.deep.equal([
        'rollout.started',
        'rollout.resumed',
        'weights.changed',
      ]);
      expect(reports.of('rollout.resumed')[0]?.data).to.deep.equal({
        action: 'promote',
        full: false,
        by: BY,
      });
      expect(reports.of('weights.changed')[0]?.data.candidateWeight).to.equal(10);
    });

    it('runs the hooks of the file promote read for the steps after the pause, not the ones before', async () => {
      const previous = await pausedStack();
      const check = { kind: 'command' as const, command: ['./check.sh'], timeout: 60 };
      const { result, hooks } = await runScenario({
        canary: { ...PAUSED_CANARY, hooks: { before_traffic: [check], after_step: [check] } },
        previous,
        resume: {},
      });
      expect(result.outcome).to.equal('deployed');
      expect(
        hooks.calls.map(({ event }) => [event.hook, event.step, event.weight, event.deploymentId]),
      ).to.deep.equal([
        ['after_step', 2, 60, 'd-test-0001'],
        ['after_step', 3, 100, 'd-test-0001'],
      ]);
    });

    it('with full, goes straight to 100 %', async () => {
      const previous = await pausedStack();
      const { result, runner } = await runScenario({
        canary: PAUSED_CANARY,
        previous,
        resume: { full: true },
      });
      expect(result.outcome).to.equal('deployed');
      expect(story(runner.ups)).to.deep.equal(['deploying:100', 'stable:100']);
    });

    it('rolls back, traffic first, when the candidate is not healthy within health.timeout', async () => {
      const previous = await pausedStack();
      const { result, runner } = await runScenario({
        canary: PAUSED_CANARY,
        previous,
        resume: {},
        health: healthTimeline(2, [{ fromMs: 0, condition: 'not-running' }]),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason).to.contain('canary.health.timeout: 300 s');
      expect(story(runner.ups)).to.deep.equal(['rolling_back:0', 'rolled_back:0']);
      expect(runner.ups[0]?.at).to.equal(CLOCK_START + s(300));
    });

    it('is plain data and pure decisions: gate first, then the next shift’s up', async () => {
      const outputs = await pausedStack();
      const now = CLOCK_START + s(1_000);
      const state = resumeState(
        { environment: buildEnvironment(), identity: buildIdentity(), outputs, full: false, by: BY },
        now,
      );
      expect(JSON.parse(JSON.stringify(state))).to.deep.equal(state);
      expect([state.stepIndex, state.candidateWeight, state.stage.kind]).to.deep.equal([2, 10, 'watch']);
      const first = decide(state, { type: 'start', at: now });
      expect(first.action.type).to.equal('observe');
      if (first.action.type !== 'observe') return;
      const healthy = observationOf(first.action.candidate, 'healthy', 2, now);
      const next = decide(first.state, { type: 'observed', at: now, observation: healthy });
      expect(
        next.action.type === 'up' && [next.action.purpose, next.action.desired.weights.green],
      ).to.deep.equal(['shift', 60]);
      expect(next.events.map((event) => event.code)).to.include('step.started');
    });

    it('refuses a stack that is not paused', async () => {
      let error: unknown;
      try {
        await runScenario({ canary: PAUSED_CANARY, previous: stableOutputs(), resume: {} });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(UsageError);
      expect((error as Error).message).to.contain('not paused: the stack is stable');
    });
  });
});
