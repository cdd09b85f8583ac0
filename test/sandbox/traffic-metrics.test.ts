import type { MetricDatum } from '@aws-sdk/client-cloudwatch';
import { expect } from 'chai';
import fc from 'fast-check';
import { batches, countAnswer, emptyCounts, metricData } from '../../sandbox/traffic/metrics.js';
import {
  type Answer,
  answer,
  DEFAULT_LATENCY_MS,
  type Outcome,
  responseTime,
  seededRandom,
  type World,
} from '../../sandbox/traffic/model.js';
import { delta, type TrafficReport, TrafficRun } from '../../sandbox/traffic/run.js';
import { dimensionOf, releaseKnobs } from '../../sandbox/traffic/world.js';

const ALB = 'app/sandbox-blue/1';
const TG = 'targetgroup/api-blue/1';

function world(errorRate: number, latencyMs = DEFAULT_LATENCY_MS): World {
  return {
    records: {},
    albs: [],
    targetGroups: {
      arn: {
        arn: 'arn',
        dimension: TG,
        release: 'api 1.0.0 (blue)',
        targets: ['healthy'],
        errorRate,
        latencyMs,
      },
    },
  };
}

const served: Outcome = { served: 'api 1.0.0 (blue)', alb: ALB, targetGroup: TG };

function nearestRank(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1] as number;
}

function sum(data: MetricDatum[], name: string, dimensions: number): number {
  return data
    .filter((d) => d.MetricName === name && d.Dimensions?.length === dimensions)
    .reduce((total, d) => total + (d.Value ?? d.Counts?.reduce((a, b) => a + b, 0) ?? 0), 0);
}

describe('sandbox traffic: what a request adds to the ALB metrics', () => {
  it('a healthy target answers 5xx with its release’s error rate, counted as target 5xx and failed as target-5xx', () => {
    const random = seededRandom(3);
    const answered = Array.from({ length: 10_000 }, () => answer(world(0.2), served, random));
    const errors = answered.filter((a) => a.target5xx);
    expect(errors.length / 10_000).to.be.within(0.18, 0.22);
    for (const a of errors) {
      expect(a.outcome).to.deep.equal({ failed: 'target-5xx', alb: ALB, targetGroup: TG });
      expect(a.counted).to.equal(true);
      expect(a.elb5xx).to.equal(false);
    }
    expect(answered.every((a) => a.latencyMs !== null && a.counted)).to.equal(true);
    expect(answer(world(0), served, seededRandom(1)).outcome).to.deep.equal(served);
  });

  it('draws response times around the mean, with a tail: p99 above the mean, p50 near it', () => {
    for (const mean of [20, 300]) {
      const random = seededRandom(mean);
      const times = Array.from({ length: 20_000 }, () => responseTime(mean, random));
      const average = times.reduce((a, b) => a + b, 0) / times.length;
      expect(average, `mean of ${mean}`).to.be.within(mean * 0.97, mean * 1.03);
      expect(nearestRank(times, 50)).to.be.within(mean * 0.9, mean * 1.05);
      expect(nearestRank(times, 99)).to.be.within(mean * 1.5, mean * 2);
      expect(Math.min(...times)).to.be.above(0);
    }
  });

  it('counts the ALB’s own 5xx: 503 without a target (not in RequestCount), 502 failing open to unhealthy targets', () => {
    const random = seededRandom(1);
    const table: [Outcome, Pick<Answer, 'counted' | 'target5xx' | 'elb5xx' | 'latencyMs'>][] = [
      [
        { failed: 'no-target', alb: ALB, targetGroup: TG },
        { counted: false, target5xx: false, elb5xx: true, latencyMs: null },
      ],
      [
        { failed: 'target-unhealthy', alb: ALB, targetGroup: TG },
        { counted: true, target5xx: false, elb5xx: true, latencyMs: null },
      ],
      [
        { failed: 'no-rule', alb: ALB },
        { counted: false, target5xx: false, elb5xx: false, latencyMs: null },
      ],
      [{ failed: 'no-record' }, { counted: false, target5xx: false, elb5xx: false, latencyMs: null }],
    ];
    for (const [outcome, expected] of table) {
      const { outcome: same, ...rest } = answer(world(0.5), outcome, random);
      expect(rest, JSON.stringify(outcome)).to.deep.equal(expected);
      expect(same).to.deep.equal(outcome);
    }
  });
});

describe('sandbox traffic: one second’s data points', () => {
  const at = 1_800_000_000;

  it('publishes RequestCount per ALB and per target group, the 5xx counts and TargetResponseTime in seconds, no zeros', () => {
    const counts = emptyCounts();
    const ok = { outcome: served, counted: true, target5xx: false, elb5xx: false, latencyMs: 20.4 };
    countAnswer(counts, ok);
    countAnswer(counts, ok);
    countAnswer(counts, {
      ...ok,
      outcome: { failed: 'target-5xx', alb: ALB, targetGroup: TG },
      target5xx: true,
      latencyMs: 300,
    });
    countAnswer(counts, {
      outcome: { failed: 'no-target', alb: ALB, targetGroup: TG },
      counted: false,
      target5xx: false,
      elb5xx: true,
      latencyMs: null,
    });
    const data = metricData(counts, at);
    const timestamp = new Date(at * 1000);
    const base = { Timestamp: timestamp, StorageResolution: 1 };
    const alb = [{ Name: 'LoadBalancer', Value: ALB }];
    const both = [...alb, { Name: 'TargetGroup', Value: TG }];
    expect(data).to.deep.equal([
      { ...base, MetricName: 'RequestCount', Dimensions: alb, Value: 3, Unit: 'Count' },
      { ...base, MetricName: 'HTTPCode_ELB_5XX_Count', Dimensions: alb, Value: 1, Unit: 'Count' },
      { ...base, MetricName: 'RequestCount', Dimensions: both, Value: 3, Unit: 'Count' },
      { ...base, MetricName: 'HTTPCode_Target_5XX_Count', Dimensions: both, Value: 1, Unit: 'Count' },
      {
        ...base,
        MetricName: 'TargetResponseTime',
        Dimensions: both,
        Unit: 'Seconds',
        Values: [0.02, 0.3],
        Counts: [2, 1],
      },
    ]);
    expect(metricData(emptyCounts(), at), 'a second without requests').to.deep.equal([]);
  });

  it('adds up, whatever the requests: per target group to the requests counted, per ALB to its groups, ≤ 150 values a metric', () => {
    const outcomes: Outcome[] = [
      served,
      { served: 'web', alb: ALB, targetGroup: 'targetgroup/web/2' },
      { served: 'api 2', alb: 'app/sandbox-green/2', targetGroup: 'targetgroup/api-green/3' },
      { failed: 'target-unhealthy', alb: ALB, targetGroup: TG },
      { failed: 'no-target', alb: ALB, targetGroup: TG },
    ];
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.nat(outcomes.length - 1),
            fc.boolean(),
            fc.double({ min: 0.1, max: 2000, noNaN: true }),
          ),
          {
            maxLength: 400,
          },
        ),
        (requests) => {
          const counts = emptyCounts();
          const answered: Answer[] = requests.map(([index, error, latency]) => {
            const outcome = outcomes[index] as Outcome;
            const reached = 'served' in outcome;
            return {
              outcome,
              counted: reached || ('failed' in outcome && outcome.failed === 'target-unhealthy'),
              target5xx: reached && error,
              elb5xx: !reached,
              latencyMs: reached ? latency : null,
            };
          });
          for (const a of answered) countAnswer(counts, a);
          const data = metricData(counts, at);
          const counted = answered.filter((a) => a.counted).length;
          expect(sum(data, 'RequestCount', 2)).to.equal(counted);
          expect(sum(data, 'RequestCount', 1)).to.equal(counted);
          expect(sum(data, 'HTTPCode_Target_5XX_Count', 2)).to.equal(
            answered.filter((a) => a.target5xx).length,
          );
          expect(sum(data, 'HTTPCode_ELB_5XX_Count', 1)).to.equal(answered.filter((a) => a.elb5xx).length);
          expect(sum(data, 'TargetResponseTime', 2)).to.equal(
            answered.filter((a) => a.latencyMs !== null).length,
          );
          for (const datum of data) {
            expect(datum.Values?.length ?? 0).to.be.at.most(150);
            expect(datum.Value ?? 1).to.be.above(0);
          }
          expect(batches(data).flat()).to.deep.equal(data);
        },
      ),
    );
  });

  it('batches at most 1,000 metrics per PutMetricData', () => {
    const data = Array.from({ length: 2_345 }, (_, i) => ({ MetricName: `m${i}`, Value: 1 }));
    expect(batches(data).map((batch) => batch.length)).to.deep.equal([1000, 1000, 345]);
    expect(batches([])).to.deep.equal([]);
  });
});

describe('sandbox traffic: the world reader’s pure parts and the report’s deltas', () => {
  it('names the CloudWatch dimensions from the ARNs', () => {
    expect(
      dimensionOf(
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/sandbox-blue/50dc6c495c0c9188',
      ),
    ).to.equal('app/sandbox-blue/50dc6c495c0c9188');
    expect(
      dimensionOf(
        'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-blue/73e2d6bc24d8a067',
      ),
    ).to.equal('targetgroup/api-blue/73e2d6bc24d8a067');
  });

  it('reads the knobs of the load-balanced container, with defaults for what is missing or wrong', () => {
    const definition = (environment: Record<string, string>, name = 'app') => ({
      containerDefinitions: [
        { name: 'sidecar', environment: [{ name: 'SANDBOX_ERROR_RATE', value: '0.9' }] },
        { name, environment: Object.entries(environment).map(([key, value]) => ({ name: key, value })) },
      ],
    });
    const table: [Record<string, string>, { errorRate: number; latencyMs: number }][] = [
      [{}, { errorRate: 0, latencyMs: 20 }],
      [
        { SANDBOX_ERROR_RATE: '0.2', SANDBOX_LATENCY_MS: '300' },
        { errorRate: 0.2, latencyMs: 300 },
      ],
      [
        { SANDBOX_ERROR_RATE: '1.5', SANDBOX_LATENCY_MS: '-3' },
        { errorRate: 0, latencyMs: 20 },
      ],
      [
        { SANDBOX_ERROR_RATE: 'lots', SANDBOX_LATENCY_MS: '' },
        { errorRate: 0, latencyMs: 20 },
      ],
    ];
    for (const [environment, expected] of table) {
      expect(releaseKnobs(definition(environment), 'app'), JSON.stringify(environment)).to.deep.equal(
        expected,
      );
    }
    // No container named: the first one.
    expect(releaseKnobs(definition({}), undefined)).to.deep.equal({ errorRate: 0.9, latencyMs: 20 });
  });

  it('measures what happened between two marks', () => {
    const report = (over: Partial<TrafficReport>): TrafficReport => ({
      requests: 0,
      served: {},
      failed: {},
      failedTotal: 0,
      firstFailures: [],
      lastFailureAt: null,
      targetGroups: {},
      loadBalancers: {},
      worldReads: 0,
      worldReadErrors: 0,
      metricErrors: 0,
      durationS: 0,
      ...over,
    });
    const early = '2027-01-15T08:00:00.500Z';
    const late = '2027-01-15T08:00:05.000Z';
    const from = {
      at: Date.parse('2027-01-15T08:00:01.000Z'),
      report: report({
        requests: 40,
        served: { a: 39 },
        failed: { 'no-rule': 1 },
        failedTotal: 1,
        firstFailures: [{ at: early, name: 'x', reason: 'no-rule' }],
        lastFailureAt: early,
        targetGroups: { [TG]: { requests: 39, target5xx: 0 } },
        worldReads: 2,
      }),
    };
    const to = {
      at: Date.parse('2027-01-15T08:00:11.000Z'),
      report: report({
        requests: 440,
        served: { a: 139, b: 299 },
        failed: { 'no-rule': 1, 'target-5xx': 1 },
        failedTotal: 2,
        firstFailures: [
          { at: early, name: 'x', reason: 'no-rule' },
          { at: late, name: 'y', reason: 'target-5xx' },
        ],
        lastFailureAt: late,
        targetGroups: { [TG]: { requests: 140, target5xx: 1 }, other: { requests: 299, target5xx: 0 } },
        worldReads: 22,
      }),
    };
    expect(delta(from, to)).to.deep.equal(
      report({
        requests: 400,
        served: { a: 100, b: 299 },
        failed: { 'target-5xx': 1 },
        failedTotal: 1,
        firstFailures: [{ at: late, name: 'y', reason: 'target-5xx' }],
        lastFailureAt: late,
        targetGroups: { [TG]: { requests: 101, target5xx: 1 }, other: { requests: 299, target5xx: 0 } },
        worldReads: 20,
        durationS: 10,
      }),
    );
    expect(delta(from, from).failedTotal).to.equal(0);
    expect(delta(from, from).lastFailureAt).to.equal(null);
  });
});

describe('sandbox traffic: a run publishes every second what it counted', function () {
  this.timeout(20_000);

  it('puts each second’s data points once, stamped with that second; between two marks they add up to the counts', async () => {
    const BLUE = 'blue.elb.example.com';
    const staticWorld: World = {
      records: {
        'api.example.com': [
          { setIdentifier: 'blue', weight: 100, aliasDnsName: BLUE, evaluateTargetHealth: false },
        ],
      },
      albs: [
        {
          dnsName: BLUE,
          dimension: ALB,
          listeners: [{ port: 80, rules: [], defaultAction: { kind: 'forward', targetGroupArn: 'arn' } }],
        },
      ],
      targetGroups: world(0.3).targetGroups,
    };
    const put: MetricDatum[][] = [];
    const run = new TrafficRun({
      world: { read: async () => staticWorld },
      metrics: { put: async (data) => void put.push(data) },
      ratePerSecond: 100,
    });
    await run.start();
    try {
      const a = await run.mark();
      await new Promise((resolve) => setTimeout(resolve, 1_200));
      const b = await run.mark();
      const counted = run.since(a, b);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await run.settled();
      const within = put
        .flat()
        .filter((d) => (d.Timestamp?.getTime() ?? 0) >= a.at && (d.Timestamp?.getTime() ?? 0) < b.at);
      expect(counted.requests).to.be.above(50);
      expect(sum(within, 'RequestCount', 2)).to.equal(counted.targetGroups[TG]?.requests);
      expect(sum(within, 'HTTPCode_Target_5XX_Count', 2)).to.equal(counted.targetGroups[TG]?.target5xx);
      expect(counted.failed['target-5xx']).to.equal(counted.targetGroups[TG]?.target5xx);
      // One publication per second, each stamped with a whole second, never twice the same one.
      const seconds = put.map((data) => data[0]?.Timestamp?.getTime() ?? 0);
      expect(seconds.every((t) => t % 1000 === 0)).to.equal(true);
      expect(new Set(seconds).size).to.equal(seconds.length);
    } finally {
      run.stop();
    }
  });
});
