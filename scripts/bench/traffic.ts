/**
 * (d) What zero downtime costs and what a failure costs, with the sandbox's traffic model
 * running: the wall time `canary.drain` adds to a zero-wait canary, and the blast radius of a
 * candidate whose targets turn unhealthy at 20 % (failed requests / requests, and how long
 * requests failed).
 */
import { AddTagsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { FAKE_CREDENTIALS } from '../../sandbox/harness.js';
import { type TrafficReport, TrafficRun } from '../../sandbox/traffic/run.js';
import { emulatorWorld } from '../../sandbox/traffic/world.js';
import { deployService } from '../../src/app/deploy.js';
import { CANARY, deploy } from './canary.js';
import { type BenchEnv, ENVIRONMENT } from './env.js';
import { type Summary, summarize } from './stats.js';

/** The drain the bench adds, in seconds: the sandbox's scale (AWS: 60 s by default). */
export const DRAIN_S = 3;

export interface DrainResult {
  without: Summary;
  with: Summary;
}

/** The same zero-wait canary, without and with a drain, alternately. */
export async function measureDrain(env: BenchEnv, runs: number): Promise<DrainResult> {
  const service = env.service('bench-drain');
  await deploy(env, service, { version: '1.0.0', ...CANARY });
  const without: number[] = [];
  const withDrain: number[] = [];
  for (let i = 0; i < runs; i++) {
    without.push((await deploy(env, service, { version: `2.0.${i}`, ...CANARY })).total);
    withDrain.push((await deploy(env, service, { version: `3.0.${i}`, ...CANARY, drain: DRAIN_S })).total);
  }
  return { without: summarize(without), with: summarize(withDrain) };
}

export interface BlastRadius {
  outcome: string;
  traffic: TrafficReport;
  /** From the first failed request to the last. */
  failingMs: number;
}

/** One canary whose candidate breaks 1 s after it got 20 %, with clients sending requests throughout. */
export async function measureBlastRadius(env: BenchEnv): Promise<BlastRadius> {
  const service = env.service('bench-blast');
  await deploy(env, service, { version: '1.0.0', ...CANARY });
  const world = emulatorWorld(env.sandbox.endpoint, env.sandbox.region);
  const elb = new ElasticLoadBalancingV2Client({
    endpoint: env.sandbox.endpoint,
    region: env.sandbox.region,
    credentials: FAKE_CREDENTIALS,
  });
  const run = new TrafficRun({ world, names: [service.fqdn], ttlMs: 1000, seed: 20 });
  await run.start();
  let breaking: Promise<void> | undefined;
  let broken: unknown;
  const breakCandidate = async (): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const groups = Object.values((await world.read()).targetGroups);
    const candidate = groups.find((group) => group.release.startsWith(`${service.name} 2.0.0 `));
    if (!candidate) throw new Error('the candidate’s target group is not in the emulator');
    await elb.send(
      new AddTagsCommand({
        ResourceArns: [candidate.arn],
        Tags: [{ Key: 'sandbox:health', Value: 'unhealthy' }],
      }),
    );
  };
  try {
    const result = await deployService({
      hardStop: env.signal,
      service: {
        environment: ENVIRONMENT,
        region: env.sandbox.region,
        file: service.file({
          version: '2.0.0',
          ...CANARY,
          strategy: [{ weight: 20, wait: 60 }],
          drain: DRAIN_S,
        }),
        endpointUrl: env.sandbox.endpoint,
        pulumiVersion: env.pulumiVersion,
      },
      reporter: (event) => {
        // Caught at once: a rejection left unhandled during an `up` would fail that update.
        if (event.code === 'weights.changed' && event.data.candidateWeight === 20) {
          breaking ??= breakCandidate().catch((error: unknown) => {
            broken = error;
          });
        }
      },
    });
    await breaking;
    if (broken !== undefined) throw broken;
    const traffic = run.stop();
    const first = traffic.firstFailures[0]?.at;
    const failingMs =
      first && traffic.lastFailureAt ? Date.parse(traffic.lastFailureAt) - Date.parse(first) : 0;
    return { outcome: result.outcome, traffic, failingMs };
  } finally {
    run.stop();
  }
}
