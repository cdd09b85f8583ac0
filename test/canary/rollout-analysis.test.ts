import { expect } from 'chai';
import fc from 'fast-check';
import type { AnalysisConfig, CanaryConfig } from '../../src/config/types.js';
import {
  alarmTimeline,
  buildAnalysis,
  FakeMetricsSource,
  type TrafficModel,
  trafficFrom,
} from '../helpers/fake-metrics.js';
import type { FakeStackRunner } from '../helpers/fakes.js';
import { runScenario, type Scenario, type ScenarioOptions } from '../helpers/rollout-harness.js';

/** Provision 0–5 s, scale wait 5–65 s, shift to 10 % lands at 70 s and is watched 70 s, … */
const CANARY: Partial<CanaryConfig> = {
  scale: { desired: 2, wait: 60 },
  strategy: [
    { weight: 10, wait: 70 },
    { weight: 60, wait: 50 },
  ],
  health: { interval: 10, timeout: 300 },
};
const FIRST_SHIFT_AT_MS = 70_000;

const s = (seconds: number) => seconds * 1000;
const green = (scenario: Scenario) => scenario.runner.ups.map((up) => up.desired.weights.green);

function analysed(
  analysis: Partial<AnalysisConfig>,
  traffic: TrafficModel | ((runner: FakeStackRunner) => FakeMetricsSource['measure']) = {},
  extra: ScenarioOptions = {},
): Promise<Scenario> {
  return runScenario({
    canary: { ...CANARY, analysis: buildAnalysis(analysis) },
    metrics: (runner, clock) =>
      new FakeMetricsSource(clock, {
        window: typeof traffic === 'function' ? undefined : trafficFrom(runner, traffic),
      }),
    ...extra,
  });
}

const ERROR_RATE = { error_rate: { max: 0.01, elb_5xx: true } };

describe('canary rollout: analysis on CloudWatch', () => {
  describe('windows', () => {
    it('reads each aligned window of a step with traffic once it is due, never during the scale wait', async () => {
      const scenario = await analysed(ERROR_RATE);
      expect(scenario.result.outcome).to.equal('deployed');
      const { windows } = scenario.metrics;
      const start = scenario.clock.start;
      const first = windows[0];
      // Aligned to 10 s from the shift's landing at 70 s, read 5 s (the delay) after its end.
      expect(first && [first.query.start - start, first.query.end - start, first.at - start]).to.deep.equal([
        s(70),
        s(80),
        s(85),
      ]);
      for (const { at, query } of windows) {
        expect(query.start).to.be.at.least(start + FIRST_SHIFT_AT_MS);
        expect(at).to.be.at.least(query.end + s(5));
        expect(query.end - query.start).to.equal(s(10));
      }
      // No gap, no window read twice.
      const starts = windows.map((w) => w.query.start);
      expect(new Set(starts).size).to.equal(starts.length);
    });

    it('names both releases as CloudWatch does: the ARN suffixes of their ALBs and target groups', async () => {
      const scenario = await analysed(ERROR_RATE);
      const query = scenario.metrics.windows[0]?.query;
      expect(query?.candidate.loadBalancer).to.match(/^app\/[^/]+\/[^/]+$/);
      expect(query?.candidate.targetGroups[0]).to.match(/^targetgroup\/orders-api-green-\d+\/[0-9a-f]+$/);
      expect(query?.stable?.targetGroups[0]).to.match(/^targetgroup\/orders-api-blue-\d+\/[0-9a-f]+$/);
      expect(query?.stable?.loadBalancer).to.not.equal(query?.candidate.loadBalancer);
    });

    it('reports each window with both releases’ numbers, and carries them in the result', async () => {
      const { result, reports } = await analysed(ERROR_RATE);
      const events = reports.of('analysis.window');
      expect(events.length).to.be.above(2);
      const first = events[0];
      expect(first?.level).to.equal('info');
      expect(first?.data).to.include({ verdict: 'pass', declaredWeight: 10, observedShare: 10, failures: 0 });
      expect(first?.data.candidate).to.deep.equal({ requests: 100, target5xx: 0, elb5xx: 0, p99Ms: 100 });
      expect(first?.data.stable?.requests).to.equal(900);
      expect(result.analysis?.windows).to.deep.equal(events.map((event) => event.data));
      expect(result.steps.map((step) => step.observedShare)).to.deep.equal([10, 60, 100]);
      for (const step of result.steps) {
        expect(step.analysis?.passed).to.be.above(0);
        expect(step.analysis).to.include({ failed: 0, inconclusive: 0 });
      }
    });
  });

  describe('verdicts', () => {
    it('rolls a candidate answering 20 % 5xx back at its first step, with error_rate in the reason', async () => {
      const { result, reports, clock } = await analysed(ERROR_RATE, { candidateErrorRate: 0.2 });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason).to.match(/^Step 3\/6: analysis failed: error_rate 20 % > max 1 %/);
      expect(result.reason).to.include('in window 12:01:10–12:01:20');
      expect(result.steps.map((step) => step.outcome)).to.deep.equal(['failed', 'not_run', 'not_run']);
      expect(result.steps[0]?.analysis).to.deep.equal({ passed: 0, failed: 1, inconclusive: 0 });
      const [window] = reports.of('analysis.window');
      expect(window?.level).to.equal('warn');
      expect(window?.data).to.include({ verdict: 'fail', failures: 1, failureLimit: 0 });
      expect(window?.text).to.equal(
        'Analysis fail: error_rate 20 % > max 1 % (stable 0.2 %) in window 12:01:10–12:01:20 · ' +
          'candidate 100 req, 5xx 20 %, p99 100 ms · stable 900 req, 5xx 0.2 %, p99 100 ms · share 10 % of 10 % declared',
      );
      // Rolled back when the first window was read, 15 s after the shift landed.
      const rollback = reports.of('rollback.started')[0];
      expect(rollback?.data.reason).to.equal(result.reason);
      expect(clock.elapsed()).to.be.below(FIRST_SHIFT_AT_MS + s(30));
    });

    it('puts traffic back first: the candidate had 10 %', async () => {
      const scenario = await analysed(ERROR_RATE, { candidateErrorRate: 0.2 });
      expect(green(scenario)).to.deep.equal([0, 10, 0, 0]);
    });

    it('rolls a candidate three times slower than the stable release back on latency', async () => {
      const { result } = await analysed(
        { latency: { max_increase: 0.5 } },
        { candidateP99Ms: 300, stableP99Ms: 100 },
      );
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason).to.match(/^Step 3\/6: analysis failed: latency p99 300 ms > stable \+ 50 %/);
    });

    it('tolerates failure_limit failing windows over the deployment, and rolls back on the next', async () => {
      // The candidate answers 5xx in the first window only.
      const once: TrafficModel = { candidateErrorRate: 0 };
      const script = (limit: number) =>
        runScenario({
          canary: { ...CANARY, analysis: buildAnalysis({ ...ERROR_RATE, failure_limit: limit }) },
          metrics: (runner, clock) => {
            const healthy = trafficFrom(runner, once);
            const sick = trafficFrom(runner, { candidateErrorRate: 0.3 });
            return new FakeMetricsSource(clock, {
              window: (query, context) => (context.call === 0 ? sick : healthy)(query, context),
            });
          },
        });
      const tolerated = await script(1);
      expect(tolerated.result.outcome).to.equal('deployed');
      const windows = tolerated.reports.of('analysis.window');
      expect(windows[0]?.data).to.include({ verdict: 'fail', failures: 1, failureLimit: 1 });
      expect(windows[0]?.level).to.equal('warn');
      expect(windows[0]?.text).to.include('failing window 1 of 1 tolerated');
      expect(tolerated.result.steps[0]?.analysis?.failed).to.equal(1);
      const strict = await script(0);
      expect(strict.result.outcome).to.equal('rolled_back');
    });
  });

  describe('alarms', () => {
    const alarmed = (phases: Parameters<typeof alarmTimeline>[0]) =>
      runScenario({
        canary: { ...CANARY, analysis: buildAnalysis({ alarms: ['orders-5xx', 'orders-latency'] }) },
        metrics: (runner, clock) =>
          new FakeMetricsSource(clock, { window: trafficFrom(runner), alarms: alarmTimeline(phases) }),
      });

    it('reads them with every observation, from the scale wait on', async () => {
      const { metrics, probe, result } = await alarmed([]);
      expect(result.outcome).to.equal('deployed');
      expect(metrics.alarmReads.map((read) => read.at)).to.deep.equal(probe.calls.map((call) => call.at));
      expect(metrics.alarmReads[0]?.names).to.deep.equal(['orders-5xx', 'orders-latency']);
    });

    it('rolls back at once when one goes to ALARM during a wait, naming it', async () => {
      const at = FIRST_SHIFT_AT_MS + s(23);
      const { result, reports, runner, clock } = await alarmed([
        { fromMs: at, states: { 'orders-5xx': 'ALARM' } },
      ]);
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason).to.equal('Step 3/6: alarm orders-5xx is in ALARM (canary.analysis.alarms)');
      const [alarm] = reports.of('analysis.alarm');
      expect(alarm?.data).to.deep.equal({ name: 'orders-5xx', state: 'ALARM', previous: 'OK' });
      expect(alarm?.level).to.equal('warn');
      // Seen at the next observation (every 10 s): traffic goes back then, without waiting for a window.
      const restore = runner.ups[2];
      expect(restore?.desired.meta.phase).to.equal('rolling_back');
      expect((restore?.at ?? 0) - clock.start).to.be.within(at, at + s(10));
    });

    it('tolerates INSUFFICIENT_DATA, saying so once, and again when it is OK', async () => {
      const { result, reports } = await alarmed([
        { fromMs: s(20), states: { 'orders-latency': 'INSUFFICIENT_DATA' } },
        { fromMs: s(100), states: { 'orders-latency': 'OK' } },
      ]);
      expect(result.outcome).to.equal('deployed');
      expect(reports.of('analysis.alarm').map((event) => [event.data, event.level])).to.deep.equal([
        [{ name: 'orders-latency', state: 'INSUFFICIENT_DATA', previous: 'OK' }, 'warn'],
        [{ name: 'orders-latency', state: 'OK', previous: 'INSUFFICIENT_DATA' }, 'info'],
      ]);
    });
  });

  describe('holding a step', () => {
    it('never passes on too little traffic by default: the step fails analysis.timeout after its wait', async () => {
      const { result, reports, clock } = await analysed(
        { ...ERROR_RATE, timeout: 60 },
        { requestsPerWindow: 100 },
      );
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason).to.match(
        /^Step 3\/6: no analysis window passed within canary\.analysis\.timeout \(60 s\) after the wait: 10 candidate requests < min_requests 50 in window/,
      );
      expect(reports.of('analysis.window').every((e) => e.data.code === 'too-few-requests')).to.equal(true);
      expect(result.steps[0]?.analysis?.passed).to.equal(0);
      // Failed at the end of the wait (70 s after the shift) plus the timeout, not before.
      const failedAt = FIRST_SHIFT_AT_MS + s(70) + s(60);
      expect(clock.elapsed()).to.be.at.least(failedAt);
      expect(clock.elapsed()).to.be.below(failedAt + s(3 * 5) + 1);
    });

    it('lets too little traffic pass with inconclusive: pass', async () => {
      const { result } = await analysed(
        { ...ERROR_RATE, inconclusive: 'pass', timeout: 60 },
        { requestsPerWindow: 100 },
      );
      expect(result.outcome).to.equal('deployed');
      expect(result.steps[0]?.analysis).to.include({ passed: 0, failed: 0 });
    });

    it('holds a step past its wait until the candidate gets its share of traffic', async () => {
      // DNS caches keep the candidate at a fifth of its weight until 200 s, then it gets all of it.
      const { result, reports, runner, clock } = await analysed(
        { observed_share: { min_ratio: 0.5 }, timeout: 120 },
        { shareFactor: ({ elapsedMs }) => (elapsedMs < s(200) ? 0.2 : 1), requestsPerWindow: 5000 },
      );
      expect(result.outcome).to.equal('deployed');
      // The next step's up starts once the step passed: past its wait (140 s), after the share came.
      const nextUpAt = (runner.ups[2]?.at ?? 0) - clock.start;
      expect(nextUpAt).to.be.above(FIRST_SHIFT_AT_MS + s(70));
      expect(nextUpAt).to.be.at.least(s(200));
      expect(nextUpAt).to.be.at.most(s(200) + s(10 + 5 + 10));
      const held = reports.of('analysis.window').filter((event) => event.data.code === 'share-below-ratio');
      expect(held.length).to.be.above(0);
      expect(held[0]?.data.reason).to.match(/^observed share 2 % < 5 % \(min_ratio 0.5 × weight 10 %\)/);
      expect(result.steps[0]?.observedShare).to.equal(10);
      expect(result.steps[0]?.analysis?.inconclusive).to.equal(held.length);
    });

    it('fails the step at analysis.timeout when the share never comes', async () => {
      const { result } = await analysed(
        { observed_share: { min_ratio: 0.5 }, timeout: 30 },
        { shareFactor: 0.2, requestsPerWindow: 5000 },
      );
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason).to.match(/timeout \(30 s\) after the wait: observed share 2 % < 5 %/);
      expect(result.steps[0]?.observedShare).to.equal(2);
    });
  });

  describe('CloudWatch errors', () => {
    it('are no verdict: probe-failed, the window inconclusive, and the run goes on', async () => {
      const { result, reports } = await runScenario({
        canary: { ...CANARY, analysis: buildAnalysis(ERROR_RATE) },
        metrics: (runner, clock) => {
          const traffic = trafficFrom(runner, { candidateErrorRate: 0 });
          return new FakeMetricsSource(clock, {
            window: (query, context) =>
              context.call < 2 ? new Error('Rate exceeded') : traffic(query, context),
          });
        },
      });
      expect(result.outcome).to.equal('deployed');
      const failed = reports.of('analysis.probe-failed');
      expect(failed.map((event) => event.data.error)).to.deep.equal(['Rate exceeded', 'Rate exceeded']);
      expect(failed[0]?.level).to.equal('warn');
      const [first] = failed;
      expect(first && first.data.end - first.data.start).to.equal(s(10));
      expect(result.steps[0]?.analysis).to.include({ inconclusive: 2 });
    });

    it('fail the step at the timeout when CloudWatch never answers', async () => {
      const { result } = await runScenario({
        canary: { ...CANARY, analysis: buildAnalysis({ ...ERROR_RATE, timeout: 20 }) },
        metrics: (_runner, clock) =>
          new FakeMetricsSource(clock, { window: () => new Error('AccessDenied') }),
      });
      expect(result.outcome).to.equal('rolled_back');
      expect(result.reason).to.match(
        /after the wait: CloudWatch could not be read \(AccessDenied\) in window \d\d:\d\d:\d\d–\d\d:\d\d:\d\d$/,
      );
    });

    it('an unreadable alarm is no verdict either', async () => {
      const { result, reports } = await runScenario({
        canary: { ...CANARY, analysis: buildAnalysis({ alarms: ['orders-5xx'] }) },
        metrics: (runner, clock) =>
          new FakeMetricsSource(clock, {
            window: trafficFrom(runner),
            alarms: (names, { call }) =>
              call === 1 ? new Error('Throttling') : Object.fromEntries(names.map((n) => [n, 'OK'])),
          }),
      });
      expect(result.outcome).to.equal('deployed');
      expect(reports.of('analysis.probe-failed')[0]?.data.error).to.equal(
        'the alarms could not be read: Throttling',
      );
    });
  });

  describe('without canary.analysis', () => {
    it('reads nothing from CloudWatch and reports no analysis', async () => {
      const { metrics, result, reports } = await runScenario({ canary: CANARY });
      expect(metrics.windows).to.deep.equal([]);
      expect(metrics.alarmReads).to.deep.equal([]);
      expect(result.analysis).to.equal(undefined);
      expect(result.steps.map((step) => [step.observedShare, step.analysis])).to.deep.equal([
        [null, undefined],
        [null, undefined],
        [null, undefined],
      ]);
      expect(reports.events.filter((event) => event.code.startsWith('analysis.'))).to.deep.equal([]);
    });
  });
});

describe('canary rollout: analysis properties', () => {
  const windowKnobs = fc.record({
    requests: fc.integer({ min: 0, max: 2000 }),
    errorRate: fc.constantFrom(0, 0.001, 0.05, 0.3),
    shareFactor: fc.constantFrom(0.1, 0.5, 1),
    unreadable: fc.boolean(),
  });
  const knobs = fc.record({
    windows: fc.array(windowKnobs, { minLength: 1, maxLength: 12 }),
    failureLimit: fc.integer({ min: 0, max: 2 }),
    inconclusive: fc.constantFrom('fail' as const, 'pass' as const),
    minRatio: fc.option(fc.constantFrom(0.3, 0.8), { nil: undefined }),
    firstDeployment: fc.boolean(),
  });

  it('never passes a step with traffic without a window that let it, nor tolerates more failures than the limit', async () => {
    await fc.assert(
      fc.asyncProperty(knobs, async (k) => {
        const analysis = buildAnalysis({
          ...ERROR_RATE,
          failure_limit: k.failureLimit,
          inconclusive: k.inconclusive,
          timeout: 40,
          ...(k.minRatio === undefined ? {} : { observed_share: { min_ratio: k.minRatio } }),
        });
        const { result, reports } = await runScenario({
          canary: { ...CANARY, analysis },
          firstDeployment: k.firstDeployment,
          metrics: (runner, clock) =>
            new FakeMetricsSource(clock, {
              window: (query, context) => {
                const w = k.windows[context.call % k.windows.length] ?? {
                  requests: 0,
                  errorRate: 0,
                  shareFactor: 1,
                  unreadable: false,
                };
                if (w.unreadable) return new Error('Throttling');
                return trafficFrom(runner, {
                  requestsPerWindow: w.requests,
                  candidateErrorRate: w.errorRate,
                  shareFactor: w.shareFactor,
                })(query, context);
              },
            }),
        });
        const windows = reports.of('analysis.window');
        // Every window of a step with traffic, in order, no window twice.
        const starts = windows.map((event) => event.data.start);
        expect([...starts].sort((a, b) => a - b)).to.deep.equal(starts);
        expect(new Set(starts).size).to.equal(starts.length);
        const failures = windows.filter((event) => event.data.verdict === 'fail').length;
        if (failures > k.failureLimit) expect(result.outcome).to.equal('rolled_back');
        for (const step of result.steps) {
          if (step.outcome !== 'passed') continue;
          const counts = step.analysis;
          expect(counts, 'an analysed step carries its counts').to.not.equal(undefined);
          // A step passed on a passing window, or (inconclusive: pass) on a quiet one.
          if (k.inconclusive === 'fail') expect(counts?.passed).to.be.above(0);
          else expect((counts?.passed ?? 0) + (counts?.inconclusive ?? 0)).to.be.above(0);
        }
        expect(result.analysis?.windows).to.deep.equal(windows.map((event) => event.data));
      }),
      { numRuns: 150 },
    );
  });

  it('judges a first deployment on the candidate alone', async () => {
    const { result, metrics } = await analysed(ERROR_RATE, {}, { firstDeployment: true });
    expect(result.outcome).to.equal('deployed');
    expect(metrics.windows.every((w) => w.query.stable === null)).to.equal(true);
    expect(result.steps.map((step) => step.observedShare)).to.deep.equal([100]);
  });
});
