import type { RolloutResult } from '../../src/canary/rollout/types.js';

/** A `deploy` result: 2.0.0 to green over 1.0.0 on blue, three steps passed. */
export function result(overrides: Partial<RolloutResult> = {}): RolloutResult {
  return {
    outcome: 'deployed',
    deploymentId: 'd-0001',
    version: '2.0.0',
    slot: 'green',
    previous: { slot: 'blue', version: '1.0.0' },
    steps: [
      { weight: 10, wait: 60, outcome: 'passed', observedShare: null },
      { weight: 50, wait: 120, outcome: 'passed', observedShare: null },
      { weight: 100, wait: 60, outcome: 'passed', observedShare: null },
    ],
    reason: null,
    durationS: 312.4,
    instructions: [],
    ...overrides,
  };
}

/** The same run, rolled back at its second step. */
export const rolledBack = result({
  outcome: 'rolled_back',
  steps: [
    { weight: 10, wait: 60, outcome: 'passed', observedShare: null },
    { weight: 50, wait: 120, outcome: 'failed', observedShare: null },
    { weight: 100, wait: 60, outcome: 'not_run', observedShare: null },
  ],
  reason: 'Step 4/6: 1 unhealthy target(s) in orders-green after the candidate had been healthy',
  durationS: 95,
});
