import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
  type MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { createAwsClients } from '../../src/aws/clients.js';
import { createMetricsSource, renderTemplates } from '../../src/aws/metrics.js';
import type { WindowQuery } from '../../src/canary/ports/analysis.js';
import { EcsCrdError } from '../../src/errors.js';
import { REGION } from './fixtures.js';

const START = Date.UTC(2025, 0, 1, 10, 31, 20);
const CANDIDATE = {
  loadBalancer: 'app/orders-green/aaaa',
  targetGroups: ['targetgroup/orders-green-80/1111'],
};
const STABLE = {
  loadBalancer: 'app/orders-blue/bbbb',
  targetGroups: ['targetgroup/orders-blue-80/2222', 'targetgroup/orders-blue-81/3333'],
};

function windowQuery(overrides: Partial<WindowQuery> = {}): WindowQuery {
  return {
    start: START,
    end: START + 10_000,
    candidate: CANDIDATE,
    stable: STABLE,
    metrics: [],
    elb5xx: true,
    ...overrides,
  };
}

/** An SDK service error as the SDK raises it. */
function awsFailure(name: string, message = `${name} from AWS`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

const result = (id: string, values: number[]): MetricDataResult => ({
  Id: id,
  Values: values,
  Timestamps: values.map(() => new Date(START)),
  StatusCode: 'Complete',
});

describe('aws/metrics: the MetricsSource over CloudWatch', () => {
  let cloudwatch: AwsClientStub<CloudWatchClient>;
  before(() => {
    cloudwatch = mockClient(CloudWatchClient);
  });
  beforeEach(() => cloudwatch.reset());
  after(() => cloudwatch.restore());

  const source = () =>
    createMetricsSource(createAwsClients({ region: REGION, retry: { maxAttempts: 1, backoffMs: () => 0 } }));
  const inputs = (): GetMetricDataCommandInput[] =>
    cloudwatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);

  describe('measure', () => {
    it('asks for one period of exactly the window, per target group and load balancer, with valid ids', async () => {
      cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
      await source().measure(windowQuery());
      const [input] = inputs();
      expect(input?.StartTime).to.deep.equal(new Date(START));
      expect(input?.EndTime).to.deep.equal(new Date(START + 10_000));
      const queries = input?.MetricDataQueries ?? [];
      for (const query of queries) {
        expect(query.Id).to.match(/^[a-z][a-zA-Z0-9_]*$/);
        expect(query.MetricStat?.Period).to.equal(10);
      }
      expect(new Set(queries.map((q) => q.Id)).size).to.equal(queries.length);
      const described = queries.map((q) => {
        const stat = q.MetricStat;
        const dims = (stat?.Metric?.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(',');
        return `${stat?.Metric?.Namespace} ${stat?.Metric?.MetricName} ${stat?.Stat} ${dims}`;
      });
      const lb = 'LoadBalancer=app/orders-green/aaaa';
      const tg = 'TargetGroup=targetgroup/orders-green-80/1111';
      expect(described.slice(0, 4)).to.deep.equal([
        `AWS/ApplicationELB RequestCount Sum ${lb},${tg}`,
        `AWS/ApplicationELB HTTPCode_Target_5XX_Count Sum ${lb},${tg}`,
        `AWS/ApplicationELB TargetResponseTime p99 ${lb},${tg}`,
        `AWS/ApplicationELB HTTPCode_ELB_5XX_Count Sum ${lb}`,
      ]);
      // The stable release: three per target group, and its ALB's own 5xx.
      expect(queries).to.have.length(4 + 3 * 2 + 1);
    });

    it('sums the counts over target groups, takes the slowest p99 in ms, and reads no data as 0 / null', async () => {
      cloudwatch.on(GetMetricDataCommand).resolves({
        MetricDataResults: [
          result('c0_req', [400]),
          result('c0_t5xx', [80]),
          result('c0_p99', [0.25]),
          result('c_elb5xx', [3]),
          result('s0_req', [500]),
          result('s1_req', [100]),
          result('s0_t5xx', [1]),
          result('s1_t5xx', []),
          result('s0_p99', [0.12]),
          result('s1_p99', [0.3]),
        ],
      });
      const measured = await source().measure(windowQuery());
      expect(measured).to.deep.equal({
        start: START,
        end: START + 10_000,
        candidate: { requests: 400, target5xx: 80, elb5xx: 3, p99Ms: 250 },
        stable: { requests: 600, target5xx: 1, elb5xx: 0, p99Ms: 300 },
        custom: {},
      });
    });

    it('leaves out the ELB 5xx when not counted, and the stable release on a first deployment', async () => {
      cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [result('c0_req', [7])] });
      const measured = await source().measure(windowQuery({ stable: null, elb5xx: false }));
      expect(inputs()[0]?.MetricDataQueries?.map((q) => q.Id)).to.deep.equal(['c0_req', 'c0_t5xx', 'c0_p99']);
      expect(measured.stable).to.equal(null);
      expect(measured.candidate).to.deep.equal({ requests: 7, target5xx: 0, elb5xx: 0, p99Ms: null });
    });

    it('renders the candidate’s dimensions into custom metrics, a metric stat or a Metrics Insights query', async () => {
      cloudwatch.on(GetMetricDataCommand).resolves({
        MetricDataResults: [result('m0', [2]), result('m1', [])],
      });
      const measured = await source().measure(
        windowQuery({
          metrics: [
            {
              name: 'checkout-failures',
              query: {
                namespace: 'Shop',
                metric_name: 'CheckoutFailures',
                dimensions: { TargetGroup: '{{target_group}}', Service: 'orders' },
                stat: 'Sum',
              },
              max: 0,
            },
            {
              name: 'slow',
              query: {
                expression: `SELECT MAX(TargetResponseTime) FROM "AWS/ApplicationELB" WHERE LoadBalancer = '{{ load_balancer }}'`,
              },
              max: 1,
            },
          ],
        }),
      );
      const queries = inputs()[0]?.MetricDataQueries ?? [];
      const [custom, insights] = queries.slice(-2);
      expect(custom).to.deep.equal({
        Id: 'm0',
        MetricStat: {
          Metric: {
            Namespace: 'Shop',
            MetricName: 'CheckoutFailures',
            Dimensions: [
              { Name: 'TargetGroup', Value: 'targetgroup/orders-green-80/1111' },
              { Name: 'Service', Value: 'orders' },
            ],
          },
          Period: 10,
          Stat: 'Sum',
        },
        ReturnData: true,
      });
      expect(insights).to.deep.equal({
        Id: 'm1',
        Expression: `SELECT MAX(TargetResponseTime) FROM "AWS/ApplicationELB" WHERE LoadBalancer = 'app/orders-green/aaaa'`,
        Period: 10,
        ReturnData: true,
      });
      expect(measured.custom).to.deep.equal({ 'checkout-failures': 2, slow: null });
    });

    it('follows NextToken, adding up a query’s values across pages', async () => {
      cloudwatch
        .on(GetMetricDataCommand)
        .resolvesOnce({
          MetricDataResults: [{ ...result('c0_req', [10]), StatusCode: 'PartialData' }],
          NextToken: 't1',
        })
        .resolvesOnce({ MetricDataResults: [result('c0_req', [5])] });
      const measured = await source().measure(windowQuery({ stable: null }));
      expect(inputs().map((input) => input.NextToken)).to.deep.equal([undefined, 't1']);
      expect(measured.candidate.requests).to.equal(15);
    });

    it('splits more than 500 queries into several calls', async () => {
      cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
      const targetGroups = Array.from({ length: 200 }, (_, index) => `targetgroup/tg-${index}/0`);
      await source().measure(windowQuery({ candidate: { ...CANDIDATE, targetGroups }, stable: null }));
      expect(inputs().map((input) => input.MetricDataQueries?.length)).to.deep.equal([500, 101]);
    });

    it('fails on a query CloudWatch could not answer, and on a failed call, naming the call', async () => {
      cloudwatch.on(GetMetricDataCommand).resolves({
        MetricDataResults: [
          {
            Id: 'c0_req',
            StatusCode: 'Forbidden',
            Messages: [{ Code: 'Forbidden', Value: 'no access to Shop' }],
          },
        ],
      });
      const forbidden = await source()
        .measure(windowQuery())
        .catch((e: unknown) => e);
      expect(forbidden).to.be.instanceOf(EcsCrdError);
      expect((forbidden as Error).message).to.equal(
        'AWS CloudWatch GetMetricData could not answer query c0_req: Forbidden: no access to Shop',
      );
      cloudwatch.reset();
      cloudwatch.on(GetMetricDataCommand).rejects(awsFailure('AccessDenied', 'not authorized'));
      const denied = await source()
        .measure(windowQuery())
        .catch((e: unknown) => e);
      expect((denied as EcsCrdError).message).to.equal(
        'AWS CloudWatch GetMetricData failed: AccessDenied: not authorized',
      );
      expect((denied as EcsCrdError).hint).to.equal(
        'The identity needs the IAM permission cloudwatch:GetMetricData.',
      );
    });
  });

  describe('alarmStates', () => {
    it('gives each name its state, null for one CloudWatch does not know, composite alarms included', async () => {
      cloudwatch.on(DescribeAlarmsCommand).resolves({
        MetricAlarms: [{ AlarmName: 'orders-5xx', StateValue: 'ALARM' }],
        CompositeAlarms: [{ AlarmName: 'orders-health', StateValue: 'OK' }],
      });
      const states = await source().alarmStates(['orders-5xx', 'orders-health', 'gone']);
      expect(states).to.deep.equal({ 'orders-5xx': 'ALARM', 'orders-health': 'OK', gone: null });
      const [input] = cloudwatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input);
      expect(input).to.deep.equal({
        AlarmNames: ['orders-5xx', 'orders-health', 'gone'],
        AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
        MaxRecords: 100,
      });
    });

    it('asks 100 names at a time and follows NextToken', async () => {
      cloudwatch
        .on(DescribeAlarmsCommand)
        .resolvesOnce({
          MetricAlarms: [{ AlarmName: 'a0', StateValue: 'INSUFFICIENT_DATA' }],
          NextToken: 'n',
        })
        .resolves({ MetricAlarms: [{ AlarmName: 'a150', StateValue: 'OK' }] });
      const names = Array.from({ length: 150 }, (_, index) => `a${index}`);
      const states = await source().alarmStates(names);
      const calls = cloudwatch.commandCalls(DescribeAlarmsCommand).map((call) => call.args[0].input);
      expect(calls.map((input) => [input.AlarmNames?.length, input.NextToken])).to.deep.equal([
        [100, undefined],
        [100, 'n'],
        [50, undefined],
      ]);
      expect(states.a0).to.equal('INSUFFICIENT_DATA');
      expect(states.a1).to.equal(null);
      expect(Object.keys(states)).to.have.length(150);
    });

    it('asks nothing for no names', async () => {
      expect(await source().alarmStates([])).to.deep.equal({});
      expect(cloudwatch.commandCalls(DescribeAlarmsCommand)).to.have.length(0);
    });
  });

  it('renders both templates, with or without spaces, and leaves other braces alone', () => {
    expect(renderTemplates('{{load_balancer}} {{ target_group }} {{.State}}', CANDIDATE)).to.equal(
      'app/orders-green/aaaa targetgroup/orders-green-80/1111 {{.State}}',
    );
  });
});
