/**
 * fast-check arbitraries for the canary properties: valid strategies (as the config layer
 * guarantees them) and random health timelines of a candidate.
 */
import fc from 'fast-check';
import type { StrategyStep } from '../../src/config/types.js';
import type { HealthCondition } from './fakes.js';

/** Strictly increasing weights 1–100, each with a wait in seconds. */
export const strategyArbitrary = (maxWait = 600): fc.Arbitrary<StrategyStep[]> =>
  fc
    .uniqueArray(fc.integer({ min: 1, max: 100 }), { maxLength: 5 })
    .chain((weights) =>
      fc.tuple(
        ...weights
          .sort((a, b) => a - b)
          .map((weight) => fc.record({ weight: fc.constant(weight), wait: fc.nat(maxWait) })),
      ),
    );

/** As `strategyArbitrary`, some steps pausing: until promoted, or 1–300 s. */
export const pausingStrategyArbitrary = (maxWait = 600): fc.Arbitrary<StrategyStep[]> =>
  strategyArbitrary(maxWait).chain((steps) =>
    fc.tuple(
      ...steps.map((step) =>
        fc
          .option(fc.oneof(fc.constant(true as const), fc.integer({ min: 1, max: 300 })), { nil: undefined })
          .map((pause): StrategyStep => (pause === undefined ? step : { ...step, pause })),
      ),
    ),
  );

export const healthConditionArbitrary: fc.Arbitrary<HealthCondition> = fc.constantFrom(
  'missing',
  'not-running',
  'starting',
  'healthy',
  'healthy',
  'healthy',
  'unhealthy',
  'crashed',
);

type HealthPhase = { fromMs: number; condition: HealthCondition };

/**
 * Phases of a candidate's life, each from a virtual time on (ms since the start), in order.
 * Mostly a candidate healthy from the start that may break down later (so runs reach the
 * later steps), else any sequence at all.
 */
export const healthPhasesArbitrary = (horizonMs: number): fc.Arbitrary<HealthPhase[]> =>
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc
        .array(fc.record({ fromMs: fc.nat(horizonMs), condition: healthConditionArbitrary }), {
          maxLength: 2,
        })
        .map((later) => [{ fromMs: 0, condition: 'healthy' as const }, ...sortedByTime(later)]),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.record({ fromMs: fc.nat(horizonMs), condition: healthConditionArbitrary }), {
          maxLength: 4,
        })
        .map(sortedByTime),
    },
  );

function sortedByTime(phases: HealthPhase[]): HealthPhase[] {
  return [...phases].sort((a, b) => a.fromMs - b.fromMs);
}
