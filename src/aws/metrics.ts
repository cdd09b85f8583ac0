/**
 * The `MetricsSource` port over CloudWatch: one analysis window's ALB metrics of both releases
 * (GetMetricData, one period = the window), the custom queries of `canary.analysis.metrics`,
 * and the states of named alarms (DescribeAlarms). It reports numbers; the rollout judges.
 */
import type {
  DescribeAlarmsCommandInput,
  DescribeAlarmsCommandOutput,
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  MetricDataQuery,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import type {
  AlarmState,
  MetricsSource,
  ReleaseDimensions,
  ReleaseMetrics,
  WindowMeasurement,
  WindowQuery,
} from '../canary/ports/analysis.js';
import { renderRuntime } from '../config/templates.js';
import type { CustomMetric } from '../config/types.js';
import { EcsCrdError } from '../errors.js';
import { type AwsClients, type ConfigSource, caller, sdkClientConfig } from './clients.js';
import { allPages, chunk } from './util.js';

/** CloudWatch, as ecs-crd uses it. */
export interface CloudWatchApi {
  getMetricData(input: GetMetricDataCommandInput): Promise<GetMetricDataCommandOutput>;
  describeAlarms(input: DescribeAlarmsCommandInput): Promise<DescribeAlarmsCommandOutput>;
}

/** The CloudWatch client, built (and its SDK module loaded) on its first call. */
export function createCloudWatch(config: ConfigSource): CloudWatchApi {
  const call = caller('CloudWatch', async () => {
    const m = await import('@aws-sdk/client-cloudwatch');
    return { m, client: new m.CloudWatchClient(await sdkClientConfig(config)) };
  });
  return {
    getMetricData: (input) =>
      call('GetMetricData', ({ m, client }) => client.send(new m.GetMetricDataCommand(input))),
    describeAlarms: (input) =>
      call('DescribeAlarms', ({ m, client }) => client.send(new m.DescribeAlarmsCommand(input))),
  };
}

/** GetMetricData takes at most 500 queries per call (CloudWatch API Reference, GetMetricData). */
const QUERIES_PER_CALL = 500;
/** DescribeAlarms takes at most 100 alarm names per call (CloudWatch API Reference, DescribeAlarms). */
const ALARMS_PER_CALL = 100;

const ALB = 'AWS/ApplicationELB';

/** The port over CloudWatch; `cloudwatch` defaults to a real client sharing the other clients' configuration. */
export function createMetricsSource(
  clients: Pick<AwsClients, 'shared'>,
  cloudwatch: CloudWatchApi = createCloudWatch(clients.shared),
): MetricsSource {
  return {
    async measure(query) {
      const planned = planQueries(query);
      const values = await fetchValues(
        cloudwatch,
        query,
        planned.map((q) => q.query),
      );
      return measurementOf(query, planned, values);
    },
    alarmStates: (names) => readAlarmStates(cloudwatch, names),
  };
}

// ---------------------------------------------------------------- the queries

/** What a query's values become: a release's field, or a custom metric. */
type Target =
  | { release: 'candidate' | 'stable'; field: 'requests' | 'target5xx' | 'elb5xx' | 'p99' }
  | { custom: string };

interface PlannedQuery {
  query: MetricDataQuery;
  target: Target;
}

/** Every query of one window: the ALB metrics of each release, then the custom metrics. */
export function planQueries(query: WindowQuery): PlannedQuery[] {
  const period = Math.round((query.end - query.start) / 1000);
  const planned = releaseQueries('candidate', query.candidate, period, query.elb5xx);
  if (query.stable) planned.push(...releaseQueries('stable', query.stable, period, query.elb5xx));
  query.metrics.forEach((metric, index) => {
    planned.push({
      query: customQuery(metric, index, query.candidate, period),
      target: { custom: metric.name },
    });
  });
  return planned;
}

function releaseQueries(
  release: 'candidate' | 'stable',
  dims: ReleaseDimensions,
  period: number,
  elb5xx: boolean,
): PlannedQuery[] {
  // Query ids must match ^[a-z][a-zA-Z0-9_]*$ and be unique within the call.
  const prefix = release === 'candidate' ? 'c' : 's';
  const lb = { Name: 'LoadBalancer', Value: dims.loadBalancer };
  const planned: PlannedQuery[] = [];
  dims.targetGroups.forEach((targetGroup, index) => {
    const dimensions = [lb, { Name: 'TargetGroup', Value: targetGroup }];
    const stat = (id: string, metricName: string, statistic: string): MetricDataQuery => ({
      Id: `${prefix}${index}_${id}`,
      MetricStat: {
        Metric: { Namespace: ALB, MetricName: metricName, Dimensions: dimensions },
        Period: period,
        Stat: statistic,
      },
      ReturnData: true,
    });
    planned.push(
      { query: stat('req', 'RequestCount', 'Sum'), target: { release, field: 'requests' } },
      { query: stat('t5xx', 'HTTPCode_Target_5XX_Count', 'Sum'), target: { release, field: 'target5xx' } },
      { query: stat('p99', 'TargetResponseTime', 'p99'), target: { release, field: 'p99' } },
    );
  });
  if (elb5xx) {
    // CloudWatch has HTTPCode_ELB_5XX_Count per load balancer only (ALB User Guide, CloudWatch metrics).
    planned.push({
      query: {
        Id: `${prefix}_elb5xx`,
        MetricStat: {
          Metric: { Namespace: ALB, MetricName: 'HTTPCode_ELB_5XX_Count', Dimensions: [lb] },
          Period: period,
          Stat: 'Sum',
        },
        ReturnData: true,
      },
      target: { release, field: 'elb5xx' },
    });
  }
  return planned;
}

function customQuery(
  metric: CustomMetric,
  index: number,
  candidate: ReleaseDimensions,
  period: number,
): MetricDataQuery {
  const id = `m${index}`;
  const { query } = metric;
  if ('expression' in query) {
    // A Metrics Insights query needs its period on the query itself.
    return {
      Id: id,
      Expression: renderTemplates(query.expression, candidate),
      Period: period,
      ReturnData: true,
    };
  }
  return {
    Id: id,
    MetricStat: {
      Metric: {
        Namespace: query.namespace,
        MetricName: query.metric_name,
        Dimensions: Object.entries(query.dimensions).map(([name, value]) => ({
          Name: name,
          Value: renderTemplates(value, candidate),
        })),
      },
      Period: period,
      Stat: query.stat,
    },
    ReturnData: true,
  };
}

/** `{{load_balancer}}` and `{{target_group}}` (the candidate's first target group) in a custom query. */
export function renderTemplates(text: string, candidate: ReleaseDimensions): string {
  return renderRuntime(text, {
    load_balancer: candidate.loadBalancer,
    target_group: candidate.targetGroups[0] ?? '',
  });
}

// ---------------------------------------------------------------- the call

/** Every value of every query, by id, over every batch of 500 and every page. */
async function fetchValues(
  cloudwatch: CloudWatchApi,
  window: WindowQuery,
  queries: MetricDataQuery[],
): Promise<Map<string, number[]>> {
  const values = new Map<string, number[]>();
  for (const batch of chunk(queries, QUERIES_PER_CALL)) {
    const pages = await allPages(
      (token: string | undefined) =>
        cloudwatch.getMetricData({
          MetricDataQueries: batch,
          StartTime: new Date(window.start),
          EndTime: new Date(window.end),
          ...(token === undefined ? {} : { NextToken: token }),
        }),
      (page) => page.NextToken || undefined,
    );
    for (const result of pages.flatMap((page) => page.MetricDataResults ?? [])) {
      refuseFailed(result);
      const id = result.Id ?? '';
      values.set(id, [...(values.get(id) ?? []), ...(result.Values ?? [])]);
    }
  }
  return values;
}

/** A query CloudWatch could not answer is no measurement: the window is not judged on it. */
function refuseFailed(result: MetricDataResult): void {
  if (result.StatusCode !== 'Forbidden' && result.StatusCode !== 'InternalError') return;
  const why = (result.Messages ?? [])
    .map((message) => message.Value)
    .filter(Boolean)
    .join('; ');
  throw new EcsCrdError(
    `AWS CloudWatch GetMetricData could not answer query ${result.Id}: ${result.StatusCode}${why ? `: ${why}` : ''}`,
  );
}

function measurementOf(
  query: WindowQuery,
  planned: PlannedQuery[],
  values: Map<string, number[]>,
): WindowMeasurement {
  const releases = {
    candidate: emptyRelease(),
    stable: query.stable ? emptyRelease() : null,
  };
  const custom: Record<string, number | null> = {};
  for (const { query: q, target } of planned) {
    const found = values.get(q.Id ?? '') ?? [];
    if ('custom' in target) {
      // One period per window: one value; should CloudWatch split it, the newest (listed first) wins.
      custom[target.custom] = found[0] ?? null;
      continue;
    }
    const release = releases[target.release];
    if (!release) continue;
    if (target.field === 'p99') {
      // The slowest target group speaks for the release; no data point is no latency, not 0 ms.
      if (found.length > 0) release.p99Ms = Math.max(release.p99Ms ?? 0, ...found.map((s) => s * 1000));
    } else {
      // ALB counts are published only for periods with requests: no data point is 0.
      release[target.field] += found.reduce((sum, value) => sum + value, 0);
    }
  }
  return {
    start: query.start,
    end: query.end,
    candidate: releases.candidate,
    stable: releases.stable,
    custom,
  };
}

function emptyRelease(): ReleaseMetrics {
  return { requests: 0, target5xx: 0, elb5xx: 0, p99Ms: null };
}

// ---------------------------------------------------------------- alarms

const ALARM_STATES: ReadonlySet<string> = new Set<AlarmState>(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

async function readAlarmStates(
  cloudwatch: CloudWatchApi,
  names: string[],
): Promise<Record<string, AlarmState | null>> {
  const states: Record<string, AlarmState | null> = Object.fromEntries(names.map((name) => [name, null]));
  for (const batch of chunk([...new Set(names)], ALARMS_PER_CALL)) {
    const pages = await allPages(
      (token: string | undefined) =>
        cloudwatch.describeAlarms({
          AlarmNames: batch,
          // Without AlarmTypes, DescribeAlarms returns metric alarms only, never composite ones.
          AlarmTypes: ['MetricAlarm', 'CompositeAlarm'],
          MaxRecords: ALARMS_PER_CALL,
          ...(token === undefined ? {} : { NextToken: token }),
        }),
      (page) => page.NextToken || undefined,
    );
    for (const page of pages) {
      for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
        const { AlarmName: name, StateValue: state } = alarm;
        if (name === undefined || !(name in states)) continue;
        // A state this code does not know is not OK.
        states[name] = state !== undefined && ALARM_STATES.has(state) ? (state as AlarmState) : 'ALARM';
      }
    }
  }
  return states;
}
