/**
 * (b) Rollback latency, read off real rollouts' events: from the `health.observed` event whose
 * verdict fails the gate to the `stack.update.finished` of the `up` that puts the stable release
 * back at 100 % (`restore-traffic`), and on to the candidate's removal (the end of the rollback).
 *
 * Two ways a candidate fails, both through the real probe:
 * - after taking traffic: a healthy candidate reaches 10 %, then its target group turns
 *   unhealthy (the sandbox's `sandbox:health` tag, set just before the next observation), so
 *   the gate fails at once and traffic must come back — the latency the bar is about;
 * - before taking traffic: `SANDBOX_HEALTH=unhealthy` in the container environment, so the
 *   candidate never passes the scale-wait gate and fails at `health.timeout`; stable never left
 *   100 %, so the rollback is only the candidate's removal.
 */
import { AddTagsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { FAKE_CREDENTIALS } from '../../sandbox/harness.js';
import { awsPorts, type BenchEnv } from './env.js';
import {
  firstAt,
  isFailingObservation,
  isUpFinished,
  isUpStarted,
  type RolloutHooks,
  type RolloutRun,
  serviceRollouts,
} from './rollout.js';
import { type Summary, summarize } from './stats.js';

export interface RollbackCase {
  /** Failing observation → restore-traffic `up` finished (stable at 100 %); null when none was needed. */
  toStable: Summary | null;
  /** Failing observation → restore-traffic `up` started: deciding, building the state. */
  toRestoreStart: Summary | null;
  /** Engine time of the restore-traffic `up` (started → finished events). */
  restoreUp: Summary | null;
  /** Failing observation → candidate removed (the rollback's last `up` finished). */
  toRemoved: Summary;
}

export interface RollbackResult {
  afterTraffic: RollbackCase;
  beforeTraffic: RollbackCase;
}

/**
 * `health.timeout` of the candidate that is unhealthy from the start: its failing observation
 * comes at this deadline, so the smallest value the schema allows keeps the run short.
 */
const UNHEALTHY_TIMEOUT_S = 1;

export async function measureRollback(env: BenchEnv, runs: number): Promise<RollbackResult> {
  const service = env.service('bench-rollback');
  const rollouts = await serviceRollouts(env, service);
  const first = await rollouts.run({ version: '1.0.0', scaleWait: 0, strategy: [{ weight: 100, wait: 0 }] });
  expectOutcome(first, 'deployed');

  const { lookup } = await awsPorts(env);
  const { zones } = await service.discover();
  // The figures are only worth something if traffic really is back: read Route 53 itself.
  const rolledBack = async (run: RolloutRun): Promise<RolloutRun> => {
    expectOutcome(run, 'rolled_back');
    const live = (await lookup.liveWeights(zones))[service.fqdn];
    if (live?.blue !== 100 || live.green !== 0) {
      throw new Error(
        `after rolling back ${run.result.version}, ${service.fqdn} is at ${JSON.stringify(live)}`,
      );
    }
    return run;
  };

  const elbv2 = new ElasticLoadBalancingV2Client({
    endpoint: env.sandbox.endpoint,
    region: env.sandbox.region,
    credentials: FAKE_CREDENTIALS,
  });
  try {
    const after: RolloutRun[] = [];
    const before: RolloutRun[] = [];
    for (let i = 0; i < runs; i++) {
      after.push(
        await rolledBack(
          await rollouts.run(
            {
              version: `2.0.${i}`,
              scaleWait: 0,
              // The wait only has to outlast the failure: it is cut short by the failing gate.
              strategy: [
                { weight: 10, wait: 30 },
                { weight: 100, wait: 0 },
              ],
              healthTimeout: 5,
            },
            breakAfterTraffic(elbv2),
          ),
        ),
      );
      before.push(
        await rolledBack(
          await rollouts.run({
            version: `3.0.${i}`,
            health: 'unhealthy',
            scaleWait: 0,
            strategy: [{ weight: 100, wait: 0 }],
            healthTimeout: UNHEALTHY_TIMEOUT_S,
          }),
        ),
      );
    }
    return { afterTraffic: latencies(after, true), beforeTraffic: latencies(before, false) };
  } finally {
    elbv2.destroy();
  }
}

/**
 * The real probe, except that once the candidate holds traffic (the rollout reported its
 * weights above 0) its target groups are marked unhealthy just before the next look: a
 * candidate breaking under load, deterministically.
 */
function breakAfterTraffic(elbv2: ElasticLoadBalancingV2Client): RolloutHooks {
  let holdsTraffic = false;
  let broken = false;
  return {
    onEvent(event) {
      if (event.code === 'weights.changed' && event.data.candidateWeight > 0) holdsTraffic = true;
    },
    probe: (real) => ({
      async observe(candidate) {
        if (holdsTraffic && !broken) {
          broken = true;
          await elbv2.send(
            new AddTagsCommand({
              ResourceArns: candidate.targetGroupArns,
              Tags: [{ Key: 'sandbox:health', Value: 'unhealthy' }],
            }),
          );
        }
        return real.observe(candidate);
      },
    }),
  };
}

function latencies(runs: RolloutRun[], restores: boolean): RollbackCase {
  const toStable: number[] = [];
  const toRestoreStart: number[] = [];
  const restoreUp: number[] = [];
  const toRemoved: number[] = [];
  for (const { events } of runs) {
    const failed = firstAt(events, isFailingObservation);
    const restoreStarted = firstAt(events, isUpStarted('restore-traffic'));
    const restored = firstAt(events, isUpFinished('restore-traffic'));
    const removed = firstAt(events, isUpFinished('remove-candidate'));
    if (failed === undefined || removed === undefined) {
      throw new Error('a rollback run lacks its failing observation or the removal of the candidate');
    }
    if (restores !== (restored !== undefined)) {
      throw new Error(`expected ${restores ? 'a' : 'no'} restore-traffic update in this rollback`);
    }
    toRemoved.push(removed - failed);
    if (restored !== undefined && restoreStarted !== undefined) {
      toStable.push(restored - failed);
      toRestoreStart.push(restoreStarted - failed);
      restoreUp.push(restored - restoreStarted);
    }
  }
  return {
    toStable: restores ? summarize(toStable) : null,
    toRestoreStart: restores ? summarize(toRestoreStart) : null,
    restoreUp: restores ? summarize(restoreUp) : null,
    toRemoved: summarize(toRemoved),
  };
}

function expectOutcome(run: RolloutRun, outcome: string): void {
  if (run.result.outcome !== outcome) {
    throw new Error(
      `rollout of ${run.result.version}: expected ${outcome}, got ${run.result.outcome} (${run.result.reason})`,
    );
  }
}
