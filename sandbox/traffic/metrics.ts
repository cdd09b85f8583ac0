/**
 * What an Application Load Balancer publishes to CloudWatch, from the requests the traffic
 * model sent: one second's counts per (ALB, target group) and per ALB, turned into the
 * `AWS/ApplicationELB` data points AWS would put (pure), and the sink that puts them into the
 * emulator's CloudWatch.
 *
 * Source: Elastic Load Balancing, "CloudWatch metrics for your Application Load Balancer"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html):
 * - RequestCount has the dimensions {LoadBalancer} and {LoadBalancer, TargetGroup} (among
 *   others); HTTPCode_Target_5XX_Count and TargetResponseTime {LoadBalancer, TargetGroup};
 *   HTTPCode_ELB_5XX_Count {LoadBalancer} only (the ALB's own errors belong to no target group);
 * - TargetResponseTime is in seconds, one sample per request a target answered;
 * - "If there are no requests flowing through the load balancer or no data for a metric, the
 *   metric is not reported": a second without requests publishes nothing, and a count with a
 *   zero value is left out as the "reporting criteria: there is a nonzero value" say.
 * AWS publishes per minute, about a minute late; the sandbox publishes per second, a second late
 * (its time runs 60 times faster, as its drains and TTLs do: SANDBOX_TIME_SCALE).
 */
import { CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { Answer } from './model.js';

export const NAMESPACE = 'AWS/ApplicationELB';
/** PutMetricData takes at most 1,000 metrics per call and 150 distinct values per metric (CloudWatch API Reference). */
const DATUMS_PER_CALL = 1000;
const VALUES_PER_DATUM = 150;

interface GroupCounts {
  alb: string;
  targetGroup: string;
  requests: number;
  target5xx: number;
  /** Response time in whole milliseconds → how many requests took it. */
  latencies: Map<number, number>;
}

/** One second's counts. */
export interface SecondCounts {
  loadBalancers: Map<string, { requests: number; elb5xx: number }>;
  targetGroups: Map<string, GroupCounts>;
}

export function emptyCounts(): SecondCounts {
  return { loadBalancers: new Map(), targetGroups: new Map() };
}

/** Adds one request's answer to the second's counts. */
export function countAnswer(
  counts: SecondCounts,
  { outcome, counted, target5xx, elb5xx, latencyMs }: Answer,
): void {
  const alb = outcome.alb;
  if (!alb || (!counted && !elb5xx)) return;
  const perAlb = counts.loadBalancers.get(alb) ?? { requests: 0, elb5xx: 0 };
  perAlb.requests += counted ? 1 : 0;
  perAlb.elb5xx += elb5xx ? 1 : 0;
  counts.loadBalancers.set(alb, perAlb);
  const targetGroup = outcome.targetGroup;
  if (!targetGroup || !counted) return;
  const key = `${alb} ${targetGroup}`;
  const group = counts.targetGroups.get(key) ?? {
    alb,
    targetGroup,
    requests: 0,
    target5xx: 0,
    latencies: new Map(),
  };
  group.requests += 1;
  group.target5xx += target5xx ? 1 : 0;
  if (latencyMs !== null) {
    const ms = Math.max(1, Math.round(latencyMs));
    group.latencies.set(ms, (group.latencies.get(ms) ?? 0) + 1);
  }
  counts.targetGroups.set(key, group);
}

/** The data points of one second (`second`: epoch seconds), as the ALB would publish them. */
export function metricData(counts: SecondCounts, second: number): MetricDatum[] {
  const Timestamp = new Date(second * 1000);
  // High resolution: the sandbox's seconds are AWS's minutes, and periods of 10 s must be readable.
  const base = { Timestamp, StorageResolution: 1 };
  const data: MetricDatum[] = [];
  const count = (MetricName: string, Dimensions: MetricDatum['Dimensions'], Value: number) => {
    if (Value > 0) data.push({ ...base, MetricName, Dimensions, Value, Unit: 'Count' });
  };
  for (const [alb, perAlb] of counts.loadBalancers) {
    const Dimensions = [{ Name: 'LoadBalancer', Value: alb }];
    count('RequestCount', Dimensions, perAlb.requests);
    count('HTTPCode_ELB_5XX_Count', Dimensions, perAlb.elb5xx);
  }
  for (const group of counts.targetGroups.values()) {
    const Dimensions = [
      { Name: 'LoadBalancer', Value: group.alb },
      { Name: 'TargetGroup', Value: group.targetGroup },
    ];
    count('RequestCount', Dimensions, group.requests);
    count('HTTPCode_Target_5XX_Count', Dimensions, group.target5xx);
    const samples = [...group.latencies].sort(([a], [b]) => a - b);
    for (let i = 0; i < samples.length; i += VALUES_PER_DATUM) {
      const chunk = samples.slice(i, i + VALUES_PER_DATUM);
      data.push({
        ...base,
        MetricName: 'TargetResponseTime',
        Dimensions,
        Unit: 'Seconds',
        Values: chunk.map(([ms]) => ms / 1000),
        Counts: chunk.map(([, n]) => n),
      });
    }
  }
  return data;
}

/** Groups data points into as few PutMetricData calls as CloudWatch allows. */
export function batches(data: MetricDatum[]): MetricDatum[][] {
  const out: MetricDatum[][] = [];
  for (let i = 0; i < data.length; i += DATUMS_PER_CALL) out.push(data.slice(i, i + DATUMS_PER_CALL));
  return out;
}

/** Where the data points go. */
export interface MetricsSink {
  put(data: MetricDatum[]): Promise<void>;
}

/** The emulator's CloudWatch at `endpoint`. */
export function cloudWatchSink(endpoint: string, region: string): MetricsSink {
  const client = new CloudWatchClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  });
  return {
    async put(data) {
      for (const batch of batches(data)) {
        await client.send(new PutMetricDataCommand({ Namespace: NAMESPACE, MetricData: batch }));
      }
    },
  };
}
