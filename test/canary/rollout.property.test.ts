import { expect } from 'chai';
import fc from 'fast-check';
import type { GateVerdict } from '../../src/canary/gate.js';
import { otherSlot, type Slot } from '../../src/canary/ports/aws.js';
import type { DesiredState } from '../../src/canary/ports/stack.js';
import type { HooksConfig } from '../../src/config/types.js';
import { HOOK_POINTS } from '../../src/config/types-hooks.js';
import {
  healthPhasesArbitrary,
  pausingStrategyArbitrary,
  strategyArbitrary,
} from '../helpers/canary-arbitraries.js';
import { commandHook } from '../helpers/fake-hooks.js';
import { conditionScript, type HealthScript, healthTimeline } from '../helpers/fakes.js';
import { runScenario, type Scenario } from '../helpers/rollout-harness.js';

/** Long enough to cover any generated run: waits ≤ 200 s × 6 steps, timeouts ≤ 400 s. */
const HORIZON_MS = 1_800_000;

/** A hook at every point; the one named by `failingHook` fails. */
const HOOKS: HooksConfig = Object.fromEntries(
  HOOK_POINTS.map((point) => [point, [commandHook(`./${point}.sh`)]]),
);

const knobsArbitrary = fc.record({
  strategy: pausingStrategyArbitrary(200),
  hooks: fc.boolean(),
  failingHook: fc.option(fc.constantFrom(...HOOK_POINTS), { nil: undefined }),
  /** `deploy --wait`, and when a promote (maybe --full) arrives. */
  waitForPromotion: fc.boolean(),
  promote: fc.record({ atMs: fc.nat(HORIZON_MS), full: fc.boolean() }),
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
    canary: {
      strategy: knobs.strategy,
      scale: knobs.scale,
      health: knobs.health,
      ...(knobs.hooks ? { hooks: HOOKS } : {}),
    },
    hookAnswer: (call) => ({ ok: call.point !== knobs.failingHook, durationMs: 2_000 }),
    // A run waiting at a pause ends only when told: a promote always comes.
    waitForPromotion: knobs.waitForPromotion,
    control: (channel) => {
      // One per step that may pause (a request left unused changes nothing).
      for (const _step of knobs.strategy) {
        channel.at(knobs.promote.atMs, {
          action: 'promote',
          full: knobs.promote.full,
          deploymentId: 'd-test-0001',
          by: 'property',
        });
      }
    },
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
          expect(desired.environment.zones.length).to.be.above(0);
          for (const _zone of desired.environment.zones) {
            expect(desired.weights.blue + desired.weights.green).to.equal(100);
            expect(desired.weights.blue).to.be.at.least(0);
            expect(desired.weights.green).to.be.at.least(0);
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
            expect(
              lastVerdict,
              `up #${entry.index} raises the candidate to ${weight} % without a passed gate`,
            ).to.equal('pass');
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
            expect(last?.releases).to.deep.equal({ [candidate]: config });
            expect(last?.weights[candidate]).to.equal(100);
            expect([last?.meta.phase, last?.meta.liveSlot]).to.deep.equal(['stable', candidate]);
            return;
          case 'paused':
            // Stopped at a `pause: true` step, both releases up, the weights of that step saved.
            expect(knobs.waitForPromotion).to.equal(false);
            expect(last?.meta.phase).to.equal('paused');
            expect(last?.weights[candidate]).to.equal(result.paused?.weight);
            expect(last?.meta.pause?.weight).to.equal(result.paused?.weight);
            expect(last?.releases[candidate]).to.equal(config);
            if (stableConfig) expect(last?.releases[stableSlot]).to.equal(stableConfig);
            return;
          case 'rollback_failed':
            expect(knobs.failUpAt, 'only an injected failure fails a rollback').to.not.equal(undefined);
            expect(runner.ups.at(-1)?.ok).to.equal(false);
            expect(result.instructions).to.not.deep.equal([]);
            return;
          case 'interrupted':
            expect(knobs.interruptAtMs).to.not.equal(undefined);
            // A second interrupt may stop the rollback itself: the result then says what to do.
            if (result.instructions.length > 0) {
              expect(knobs.hardStopAfterMs).to.not.equal(undefined);
              return;
            }
            if (runner.ups.length === 0) return;
            break;
          case 'rolled_back':
            break;
        }
        expect(runner.ups.at(-1)?.ok).to.equal(true);
        expect(last?.weights[stableSlot]).to.equal(100);
        expect(last?.releases[candidate]).to.equal(undefined);
        expect(last?.releases[stableSlot]).to.equal(stableConfig ?? undefined);
        expect(last?.meta.phase).to.equal('rolled_back');
        expect(last?.meta.outcome).to.equal(result.outcome);
      }),
      RUNS,
    );
  });

  it('only moves the step index forward', async () => {
    await fc.assert(
      fc.asyncProperty(knobsArbitrary, async (knobs) => {
        const scenario = await run(knobs);
        const started = scenario.reports.of('step.started').map((event) => event.data.number);
        // `promote --full` skips to the final shift: the one jump allowed, and only there.
        const total = scenario.reports.of('step.started')[0]?.data.total ?? 0;
        const shifts = scenario.result.steps.length;
        // These knobs have no drain: the final shift comes right before finalize.
        const finalShift = total - 1;
        const full = scenario.control.taken.some((request) => request.full);
        started.forEach((number, index) => {
          const previous = started[index - 1] ?? 0;
          if (full && number > previous + 1) {
            expect(shifts).to.be.above(1);
            expect(number, 'a full promote lands on the final shift').to.be.within(previous + 2, finalShift);
            return;
          }
          expect(number, 'steps start one after the other').to.equal(previous + 1);
        });
        const saved = ups(scenario).map((desired) => desired.meta.step);
        saved.forEach((step, index) => {
          expect(step, `meta.step went back from ${saved[index - 1]} to ${step}`).to.be.at.least(
            saved[index - 1] ?? -1,
          );
        });
        // The passed steps of the result are a prefix (unless a full promote skipped some).
        const outcomes = scenario.result.steps.map((step) => step.outcome);
        const firstNotPassed = outcomes.findIndex((outcome) => outcome !== 'passed');
        if (firstNotPassed >= 0 && !full)
          expect(outcomes.slice(firstNotPassed + 1).every((outcome) => outcome === 'not_run')).to.equal(true);
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
          if (stableSlotInfo) expect(desired.environment.slots[stableSlot]).to.equal(stableSlotInfo);
          expect(signal, 'the first interrupt never cancels an up').to.not.equal(softSignal);
          const candidateRelease = desired.releases[candidate];
          expect(candidateRelease).to.be.oneOf([undefined, config]);
          if (stableConfig) {
            const declared = desired.releases[stableSlot];
            if (declared === undefined) {
              expect(
                candidateHeldAll,
                'the stable release was removed before the candidate held 100 %',
              ).to.equal(true);
              expect(desired.weights[candidate]).to.equal(100);
            } else {
              expect(declared, 'the stable release spec passes through unchanged').to.equal(stableConfig);
            }
          } else {
            expect(desired.releases[stableSlot]).to.equal(undefined);
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
          expect(result.outcome).to.equal('rolled_back');
          expect(result.durationS).to.equal(1 + health.timeout + 1);
          expect(runner.ups.length).to.equal(2);
        },
      ),
      { numRuns: 100 },
    );
  });
});
