/**
 * The sandbox publishes the metrics a real ALB would (issue 13): two services deployed through
 * the CLI, one of them answering 20 % 5xx and slowly with healthy targets, the sandbox's own
 * traffic flowing, and what the emulator's CloudWatch then holds — the same numbers the traffic
 * report counted, and what the canary analysis will read (Sum, pNN, the periods CloudWatch takes).
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  type MetricDataQuery,
  PutMetricAlarmCommand,
} from '@aws-sdk/client-cloudwatch';
import { expect } from 'chai';
import { SandboxCli } from '../../sandbox/ecs-crd.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { describeTraffic, type TrafficMark, type TrafficReport } from '../../sandbox/traffic/run.js';
import { dimensionOf, emulatorWorld } from '../../sandbox/traffic/world.js';

const NAMESPACE = 'AWS/ApplicationELB';
const SLOW = { name: 'slow', fqdn: 'slow.sandbox.example.com' };

describe('sandbox: the ALB metrics in the emulator’s CloudWatch, from the traffic that flows by itself', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;
  let cloudwatch: CloudWatchClient;
  /** Target group dimension of each release. */
  const groups: Record<'api' | 'slow', string> = { api: '', slow: '' };
  let alb: string;
  let from: TrafficMark;
  let to: TrafficMark;
  let counted: TrafficReport;

  before(async () => {
    sandbox = await startSandbox({ traffic: { seed: 13 } });
    cli = new SandboxCli(sandbox);
    cloudwatch = new CloudWatchClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: FAKE_CREDENTIALS,
    });
    for (const file of [
      cli.release({ version: '1.0.0' }),
      cli.release({ version: '1.0.0', service: SLOW, errorRate: 0.2, latencyMs: 300 }),
    ]) {
      const result = await cli.run(['deploy', ...cli.flags(file)]);
      expect(result.code, result.stderr).to.equal(0);
    }
    const world = await emulatorWorld(sandbox.endpoint, sandbox.region).read();
    for (const group of Object.values(world.targetGroups)) {
      if (group.release === 'api 1.0.0 (blue)') groups.api = group.dimension;
      if (group.release === 'slow 1.0.0 (blue)') groups.slow = group.dimension;
    }
    expect(groups.api && groups.slow, JSON.stringify(world.targetGroups))
      .to.be.a('string')
      .and.not.equal('');
    alb = dimensionOf(sandbox.fixtures.loadBalancers.blue.arn);
    // Some seconds of traffic between two marks: the report's counts are then exactly those
    // of the whole seconds [from, to), which CloudWatch has once they are published.
    from = await sandbox.traffic.mark();
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    to = await sandbox.traffic.mark();
    counted = sandbox.traffic.since(from, to);
    console.log(`      traffic: ${describeTraffic(counted)}`);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await sandbox.traffic.settled();
  });

  after(async () => {
    cloudwatch?.destroy();
    cli?.cleanup();
    await sandbox?.stop();
  });

  function query(
    id: string,
    metric: string,
    stat: string,
    dimensions: Record<string, string>,
    period: number,
  ) {
    return {
      Id: id,
      MetricStat: {
        Metric: {
          Namespace: NAMESPACE,
          MetricName: metric,
          Dimensions: Object.entries(dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: period,
        Stat: stat,
      },
    } satisfies MetricDataQuery;
  }

  /** Each query's values over [from, to). */
  async function read(queries: MetricDataQuery[]): Promise<Record<string, number[]>> {
    const out = await cloudwatch.send(
      new GetMetricDataCommand({
        StartTime: new Date(from.at),
        EndTime: new Date(to.at),
        MetricDataQueries: queries,
      }),
    );
    return Object.fromEntries((out.MetricDataResults ?? []).map((r) => [r.Id ?? '', r.Values ?? []]));
  }

  const total = (values: number[] | undefined) => (values ?? []).reduce((a, b) => a + b, 0);

  it('holds, per target group and per ALB, exactly the requests and 5xx the traffic counted', async () => {
    const perGroup = (release: 'api' | 'slow') => ({ LoadBalancer: alb, TargetGroup: groups[release] });
    const values = await read([
      query('apiRequests', 'RequestCount', 'Sum', perGroup('api'), 1),
      query('apiErrors', 'HTTPCode_Target_5XX_Count', 'Sum', perGroup('api'), 1),
      query('slowRequests', 'RequestCount', 'Sum', perGroup('slow'), 1),
      query('slowErrors', 'HTTPCode_Target_5XX_Count', 'Sum', perGroup('slow'), 1),
      query('albRequests', 'RequestCount', 'Sum', { LoadBalancer: alb }, 1),
      query('albErrors', 'HTTPCode_ELB_5XX_Count', 'Sum', { LoadBalancer: alb }, 1),
    ]);
    const api = counted.targetGroups[groups.api];
    const slow = counted.targetGroups[groups.slow];
    expect(api?.requests, 'api requests').to.be.above(50);
    expect(slow?.requests, 'slow requests').to.be.above(50);
    expect(total(values.apiRequests)).to.equal(api?.requests);
    expect(total(values.slowRequests)).to.equal(slow?.requests);
    expect(total(values.apiErrors)).to.equal(0);
    expect(total(values.slowErrors)).to.equal(slow?.target5xx);
    expect(total(values.albRequests)).to.equal((api?.requests ?? 0) + (slow?.requests ?? 0));
    // Healthy targets everywhere: the ALB itself answered no 5xx, and published no such metric.
    expect(values.albErrors).to.deep.equal([]);
    // One data point a second, as the sandbox publishes them.
    expect(values.slowRequests?.length).to.be.within(7, 9);
    // The 20 % of 5xx, with targets healthy: failures of their own kind in the traffic report.
    const share = (slow?.target5xx ?? 0) / (slow?.requests ?? 1);
    expect(share, describeTraffic(counted)).to.be.within(0.1, 0.3);
    expect(counted.failed).to.deep.equal({ 'target-5xx': slow?.target5xx });
  });

  it('answers p99 of TargetResponseTime, in seconds: above the slow release’s 300 ms mean, far below for the other', async () => {
    const perGroup = (release: 'api' | 'slow') => ({ LoadBalancer: alb, TargetGroup: groups[release] });
    const values = await read([
      query('slow', 'TargetResponseTime', 'p99', perGroup('slow'), 60),
      query('api', 'TargetResponseTime', 'p99', perGroup('api'), 60),
      query('slowMedian', 'TargetResponseTime', 'p50', perGroup('slow'), 60),
    ]);
    expect(values.slow?.[0]).to.be.above(0.3).and.below(1);
    expect(values.slowMedian?.[0]).to.be.within(0.24, 0.33);
    expect(values.api?.[0]).to.be.below(0.06);
    const statistics = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: NAMESPACE,
        MetricName: 'TargetResponseTime',
        Dimensions: Object.entries(perGroup('slow')).map(([Name, Value]) => ({ Name, Value })),
        StartTime: new Date(from.at),
        EndTime: new Date(to.at),
        Period: 60,
        ExtendedStatistics: ['p99'],
      }),
    );
    expect(statistics.Datapoints?.map((point) => point.ExtendedStatistics?.p99)).to.deep.equal([
      values.slow?.[0],
    ]);
  });

  it('matches a metric by its namespace and exact dimensions, and refuses a period CloudWatch refuses', async () => {
    const values = await read([
      query('groupOnly', 'RequestCount', 'Sum', { TargetGroup: groups.slow }, 1),
      query('none', 'RequestCount', 'Sum', {}, 1),
      {
        Id: 'otherNamespace',
        MetricStat: {
          Metric: {
            Namespace: 'Other',
            MetricName: 'RequestCount',
            Dimensions: [{ Name: 'LoadBalancer', Value: alb }],
          },
          Period: 1,
          Stat: 'Sum',
        },
      },
    ]);
    expect(values).to.deep.equal({ groupOnly: [], none: [], otherNamespace: [] });
    const refused = await read([query('odd', 'RequestCount', 'Sum', { LoadBalancer: alb }, 7)]).catch(
      (error: Error) => error,
    );
    expect(refused).to.be.instanceOf(Error);
    expect((refused as Error).message).to.match(/Period must be 1, 5, 10, 20, 30 or a multiple of 60/);
    for (const period of [10, 20, 30, 120]) {
      const ok = await read([query('ok', 'RequestCount', 'Sum', { LoadBalancer: alb }, period)]);
      expect(total(ok.ok), `period ${period}`).to.equal(counted.loadBalancers[alb]?.requests);
    }
  });

  it('alarms: a new one starts INSUFFICIENT_DATA as on AWS; putAlarm and setAlarmState move them', async () => {
    const state = async (name: string) =>
      (await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name] }))).MetricAlarms?.[0]
        ?.StateValue;
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'raw',
        Namespace: NAMESPACE,
        MetricName: 'RequestCount',
        Dimensions: [{ Name: 'LoadBalancer', Value: alb }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
      }),
    );
    expect(await state('raw')).to.equal('INSUFFICIENT_DATA');
    await sandbox.putAlarm('orders-5xx');
    expect(await state('orders-5xx')).to.equal('OK');
    await sandbox.setAlarmState('orders-5xx', 'ALARM');
    expect(await state('orders-5xx')).to.equal('ALARM');
    // Updating an alarm keeps its state (PutMetricAlarm on AWS).
    await sandbox.putAlarm('orders-5xx', 'INSUFFICIENT_DATA');
    expect(await state('orders-5xx')).to.equal('ALARM');
  });

  it('reset() clears the traffic’s counts with the emulator', async () => {
    await sandbox.reset();
    const report = sandbox.traffic.report();
    expect(report.requests).to.be.below(40);
    expect(report.targetGroups).to.deep.equal({});
  });
});
