/**
 * (e) How fast a release that goes wrong is taken out of traffic, by what notices it: from the
 * moment the candidate, holding 50 %, starts answering 20 % of its requests with 5xx while its
 * targets stay healthy (`canary.analysis.error_rate`, judged on the ALB metrics the traffic model
 * publishes into the emulator's CloudWatch) to the stable release back at 100 %; next to the
 * same for a candidate whose targets turn unhealthy (the health gate), in the same run.
 *
 * The analysis side is bounded by its windows: the break lands somewhere in a window (half an
 * interval on average), the window is read `delay` after it ends, then one weights-only `up`.
 */
import { AddTagsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { FAKE_CREDENTIALS } from '../../sandbox/harness.js';
import { cloudWatchSink } from '../../sandbox/traffic/metrics.js';
import { TrafficRun } from '../../sandbox/traffic/run.js';
import { emulatorWorld } from '../../sandbox/traffic/world.js';
import type { BenchEnv, ReleaseFile } from './env.js';
import { firstAt, isUpFinished, type RolloutHooks, serviceRollouts } from './rollout.js';
import { type Summary, summarize } from './stats.js';

/** The analysis of the bench: 10 s windows read 1 s after they end (the sandbox's time scale). */
export const ANALYSIS = {
  interval: 10,
  delay: 1,
  min_requests: 10,
  timeout: 60,
  error_rate: { max: 0.05 },
};

export interface DetectionResult {
  /** Error rate turned bad → stable at 100 %. */
  metric: Summary;
  /** Of which: until the failing window was judged. */
  metricJudged: Summary;
  /** Targets turned unhealthy → stable at 100 %. */
  health: Summary;
}

type Break = 'metric' | 'health';

export async function measureDetection(env: BenchEnv, runs: number): Promise<DetectionResult> {
  const service = env.service('bench-analysis');
  const rollouts = await serviceRollouts(env, service);
  const release = (version: string): ReleaseFile => ({
    version,
    scaleWait: 0,
    // The wait only has to outlast the detection: a failure cuts it short.
    strategy: [
      { weight: 50, wait: 120 },
      { weight: 100, wait: 0 },
    ],
    healthTimeout: 30,
    analysis: ANALYSIS,
  });
  // The first release has nothing to be compared with, and no traffic before its records exist.
  const first = await rollouts.run({ version: '1.0.0', scaleWait: 0, strategy: [{ weight: 100, wait: 0 }] });
  if (first.result.outcome !== 'deployed') throw new Error(`first release: ${first.result.reason}`);

  const elbv2 = new ElasticLoadBalancingV2Client({
    endpoint: env.sandbox.endpoint,
    region: env.sandbox.region,
    credentials: FAKE_CREDENTIALS,
  });
  const traffic = new TrafficRun({
    world: emulatorWorld(env.sandbox.endpoint, env.sandbox.region),
    metrics: cloudWatchSink(env.sandbox.endpoint, env.sandbox.region),
    names: [service.fqdn],
    seed: 5,
  });
  await traffic.start();
  try {
    const metric: number[] = [];
    const judged: number[] = [];
    const health: number[] = [];
    for (let i = 0; i < runs; i++) {
      for (const kind of ['metric', 'health'] as const) {
        const hooks = breakOnTraffic(elbv2, kind);
        const run = await rollouts.run(release(`2.${kind === 'metric' ? 0 : 1}.${i}`), hooks);
        const brokeAt = hooks.brokeAt();
        const restored = firstAt(run.events, isUpFinished('restore-traffic'));
        if (run.result.outcome !== 'rolled_back' || brokeAt === undefined || restored === undefined) {
          throw new Error(`a ${kind} break ended ${run.result.outcome}: ${run.result.reason}`);
        }
        const expected = kind === 'metric' ? /error_rate/ : /unhealthy/;
        if (!expected.test(run.result.reason ?? '')) {
          throw new Error(`a ${kind} break was rolled back for another reason: ${run.result.reason}`);
        }
        (kind === 'metric' ? metric : health).push(restored - brokeAt);
        if (kind === 'metric') {
          const failedWindow = firstAt(
            run.events,
            (e) => e.code === 'analysis.window' && e.data.verdict === 'fail',
          );
          if (failedWindow !== undefined) judged.push(failedWindow - brokeAt);
        }
      }
    }
    return { metric: summarize(metric), metricJudged: summarize(judged), health: summarize(health) };
  } finally {
    traffic.stop();
    elbv2.destroy();
  }
}

/**
 * Once the candidate holds traffic and has passed one window (so the break is what fails it, not
 * a first window), its target groups are tagged: `sandbox:error-rate=0.2` (healthy targets
 * answering 5xx) or `sandbox:health=unhealthy`.
 */
function breakOnTraffic(
  elbv2: ElasticLoadBalancingV2Client,
  kind: Break,
): RolloutHooks & { brokeAt(): number | undefined } {
  let holdsTraffic = false;
  let passedWindow = false;
  let brokeAt: number | undefined;
  let breaking = false;
  return {
    brokeAt: () => brokeAt,
    onEvent(event) {
      if (event.code === 'weights.changed' && event.data.candidateWeight > 0) holdsTraffic = true;
      if (event.code === 'analysis.window' && event.data.verdict === 'pass' && holdsTraffic)
        passedWindow = true;
    },
    probe: (real) => ({
      async observe(candidate) {
        if (holdsTraffic && passedWindow && !breaking) {
          breaking = true;
          const tag =
            kind === 'metric'
              ? { Key: 'sandbox:error-rate', Value: '0.2' }
              : { Key: 'sandbox:health', Value: 'unhealthy' };
          await elbv2.send(new AddTagsCommand({ ResourceArns: candidate.targetGroupArns, Tags: [tag] }));
          brokeAt = performance.now();
        }
        return real.observe(candidate);
      },
    }),
  };
}
