import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { GateVerdict } from '../../src/canary/gate.js';
import { otherSlot, type Slot } from '../../src/canary/ports.js';
import type { DesiredState } from '../../src/stack/types.js';
import { healthPhasesArbitrary, strategyArbitrary } from '../helpers/canary-arbitraries.js';
import { conditionScript, type HealthScript, healthTimeline } from '../helpers/fakes.js';
import { runScenario, type Scenario } from '../helpers/rollout-harness.js';

/** Long enough to cover any generated run: waits ≤ 200 s × 6 steps, timeouts ≤ 400 s. */
const HORIZON_MS = 1_800_000;

const knobsArbitrary = fc.record({
  strategy: strategyArbitrary(200),
  scale: fc.record({ desired: fc.integer({ min: 1, max: 3 }), wait: fc.nat(120) }),
  health: fc.record({ interval: fc.integer({ min: 1, max: 30 }), timeout: fc.integer({ min: 1, max: 400 }) }),
  firstDeployment: fc.boolean(),
  phases: healthPhasesArbitrary(HORIZON_MS),
  /** Every n-th observation throws, as an AWS outage would. */
  probeErrorEvery: fc.option(fc.integer({ min: 2, max: 6 }), { nil: undefined }),
  failUpAt: fc.option(fc.nat(8), { nil: undefined }),
  interruptAtMs: fc.option(fc.integer({ min: 1, max: HORIZON_MS }), { nil: undefined }),
  /** A second interrupt, this long after the first. */
  hardStopAfterMs: fc.option(fc.nat(20_000), { nil: undefined }),
  upDurationMs: fc.integer({ min: 0, max: 30_000 }),
});

type Knobs = typeof knobsArbitrary extends fc.Arbitrary<infer K> ? K : never;

function run(knobs: Knobs): Promise<Scenario> {
  const timeline = healthTimeline(knobs.scale.desired, knobs.phases);
  const every = knobs.probeErrorEvery;
  const health: HealthScript = every
    ? (context) => (context.call % every === every - 1 ? new Error('Rate exceeded') : timeline(context))
    : timeline;
  return runScenario({
    canary: { strategy: knobs.strategy, scale: knobs.scale, health: knobs.health },
    firstDeployment: knobs.firstDeployment,
    health,
    upDurationMs: knobs.upDurationMs,
    ...(knobs.failUpAt !== undefined
      ? {
          failUp: (_desired, index) => (index === knobs.failUpAt ? new Error('injected failure') : undefined),
        }
      : {}),
    ...(knobs.interruptAtMs !== undefined ? { interruptAtMs: knobs.interruptAtMs } : {}),
    ...(knobs.interruptAtMs !== undefined && knobs.hardStopAfterMs !== undefined
      ? { hardStopAtMs: knobs.interruptAtMs + knobs.hardStopAfterMs }
      : {}),
  });
}

const candidateOf = (scenario: Scenario): Slot => scenario.result.slot;
const ups = (scenario: Scenario): DesiredState[] => scenario.runner.ups.map((up) => up.desired);

/** fast-check runs each property this many times; all in virtual time, so a few hundred are cheap. */
const RUNS = { numRuns: 300 };

describe('canary rollout properties', () => {
  it('declares two weights summing to 100 for every fqdn at every up', async () => {
    await fc.assert(
      fc.asyncProperty(knobsArbitrary, async (knobs) => {
        const scenario = await run(knobs);
        for (const desired of ups(scenario)) {
          // One weight pair per slot is declared for every fqdn's two records.
          assert.ok(desired.environment.zones.length > 0);
          for (const _zone of desired.environment.zones) {
            assert.equal(desired.weights.blue + desired.weights.green, 100);
            assert.ok(desired.weights.blue >= 0 && desired.weights.green >= 0);
          }
        }
      }),
      RUNS,
    );
  });

  it('never gives the candidate more traffic before it passed a gate', async () => {
    await fc.assert(
      fc.asyncProperty(knobsArbitrary, async (knobs) => {
        const scenario = await run(knobs);
        const candidate = candidateOf(scenario);
        let lastVerdict: GateVerdict | null = null;
        let highest = 0;
        for (const entry of scenario.log) {
          if (entry.kind === 'event') {
            if (entry.event.code === 'health.observed') lastVerdict = entry.event.data.verdict;
            continue;
          }
          const weight = entry.desired.weights[candidate];
          if (weight > highest) {
            assert.equal(
              lastVerdict,
              'pass',
              `up #${entry.index} raises the candidate to ${weight} % without a passed gate`,
            );
            highest = weight;
          }
        }
      }),
      RUNS,
    );
  });

  it('ends every failure with the stable release at 100 % and the candidate removed', async () => {
    await fc.assert(
      fc.asyncProperty(knobsArbitrary, async (knobs) => {
        const scenario = await run(knobs);
        const { result, runner, stableConfig, config } = scenario;
        const candidate = candidateOf(scenario);
        const stableSlot = otherSlot(candidate);
        const last = runner.current;
        switch (result.outcome) {
          case 'deployed':
            assert.deepEqual(last?.releases, { [candidate]: config });
            assert.equal(last?.weights[candidate], 100);
            assert.deepEqual([last?.meta.phase, last?.meta.liveSlot], ['stable', candidate]);
            return;
          case 'rollback_failed':
            assert.ok(knobs.failUpAt !== undefined, 'only an injected failure fails a rollback');
            assert.equal(runner.ups.at(-1)?.ok, false);
            assert.notDeepEqual(result.instructions, []);
            return;
          case 'interrupted':
            assert.ok(knobs.interruptAtMs !== undefined);
            // A second interrupt may stop the rollback itself: the result then says what to do.
            if (result.instructions.length > 0) {
              assert.ok(knobs.hardStopAfterMs !== undefined);
              return;
            }
            if (runner.ups.length === 0) return;
            break;
          case 'rolled_back':
            break;
        }
        assert.equal(runner.ups.at(-1)?.ok, true);
        assert.equal(last?.weights[stableSlot], 100);
        assert.equal(last?.releases[candidate], undefined);
        assert.equal(last?.releases[stableSlot], stableConfig ?? undefined);
        assert.equal(last?.meta.phase, 'rolled_back');
        assert.equal(last?.meta.outcome, result.outcome);
      }),
      RUNS,
    );
  });

  it('only moves the step index forward', async () => {
    await fc.assert(
      fc.asyncProperty(knobsArbitrary, async (knobs) => {
        const scenario = await run(knobs);
        const started = scenario.reports.of('step.started').map((event) => event.data.number);
        started.forEach((number, index) => {
          assert.equal(number, (started[index - 1] ?? 0) + 1, 'steps start one after the other');
        });
        const saved = ups(scenario).map((desired) => desired.meta.step);
        saved.forEach((step, index) => {
          assert.ok(
            step >= (saved[index - 1] ?? -1),
            `meta.step went back from ${saved[index - 1]} to ${step}`,
          );
        });
        // The passed steps of the result are a prefix.
        const outcomes = scenario.result.steps.map((step) => step.outcome);
        const firstNotPassed = outcomes.findIndex((outcome) => outcome !== 'passed');
        if (firstNotPassed >= 0)
          assert.ok(outcomes.slice(firstNotPassed + 1).every((outcome) => outcome === 'not_run'));
      }),
      RUNS,
    );
  });

  it('never changes the stable release before the candidate holds 100 %', async () => {
    await fc.assert(
      fc.asyncProperty(knobsArbitrary, async (knobs) => {
        const scenario = await run(knobs);
        const { stableConfig, config, softSignal } = scenario;
        const candidate = candidateOf(scenario);
        const stableSlot = otherSlot(candidate);
        const stableSlotInfo = stableConfig ? scenario.previous?.slots?.[stableSlot] : undefined;
        let candidateHeldAll = false;
        for (const { desired, ok, signal } of scenario.runner.ups) {
          if (stableSlotInfo) assert.equal(desired.environment.slots[stableSlot], stableSlotInfo);
          assert.notEqual(signal, softSignal, 'the first interrupt never cancels an up');
          const candidateRelease = desired.releases[candidate];
          assert.ok(candidateRelease === undefined || candidateRelease === config);
          if (stableConfig) {
            const declared = desired.releases[stableSlot];
            if (declared === undefined) {
              assert.ok(candidateHeldAll, 'the stable release was removed before the candidate held 100 %');
              assert.equal(desired.weights[candidate], 100);
            } else {
              assert.equal(declared, stableConfig, 'the stable release spec passes through unchanged');
            }
          } else {
            assert.equal(desired.releases[stableSlot], undefined);
          }
          if (ok && desired.weights[candidate] === 100) candidateHeldAll = true;
        }
      }),
      RUNS,
    );
  });

  it('fails within health.timeout of the scale-up when the candidate never runs', async () => {
    await fc.assert(
      fc.asyncProperty(
        strategyArbitrary(200),
        fc.record({ desired: fc.integer({ min: 1, max: 3 }), wait: fc.nat(600) }),
        fc.record({ interval: fc.integer({ min: 1, max: 60 }), timeout: fc.integer({ min: 1, max: 600 }) }),
        async (strategy, scale, health) => {
          const { result, runner } = await runScenario({
            canary: { strategy, scale, health },
            health: conditionScript(scale.desired, () => 'not-running'),
            upDurationMs: 1_000,
          });
          assert.equal(result.outcome, 'rolled_back');
          assert.equal(result.durationS, 1 + health.timeout + 1);
          assert.equal(runner.ups.length, 2);
        },
      ),
      { numRuns: 100 },
    );
  });
});
