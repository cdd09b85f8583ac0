/**
 * The CloudWatch port the rollout judges the candidate through (`canary.analysis`): one
 * window's ALB metrics of both releases, custom queries, and alarm states. Plain data in and
 * out; `src/aws/metrics.ts` implements it, tests use a fake.
 */
import type { CustomMetric } from '../../config/types.js';

/** A release as CloudWatch names it: the dimension values of its ALB and target groups. */
export interface ReleaseDimensions {
  /** `app/<name>/<id>`: the part of the ALB's ARN after `loadbalancer/`. */
  loadBalancer: string;
  /** `targetgroup/<name>/<id>` of each of the release's target groups. */
  targetGroups: string[];
}

/** One evaluation window, [start, end) in epoch milliseconds, aligned to its period. */
export interface AnalysisWindow {
  start: number;
  end: number;
}

export interface WindowQuery extends AnalysisWindow {
  candidate: ReleaseDimensions;
  /** null on a first deployment (no stable release to compare with). */
  stable: ReleaseDimensions | null;
  /** `analysis.metrics`; their templates are rendered with the candidate's dimensions. */
  metrics: CustomMetric[];
  /** Count the ALB's own 5xx (`analysis.error_rate.elb_5xx`). */
  elb5xx: boolean;
}

/** A release's ALB metrics over one window. */
export interface ReleaseMetrics {
  /** `RequestCount` summed over its target groups. */
  requests: number;
  /** `HTTPCode_Target_5XX_Count` summed over its target groups. */
  target5xx: number;
  /** `HTTPCode_ELB_5XX_Count` of its ALB (per load balancer only in CloudWatch); 0 when not counted. */
  elb5xx: number;
  /** p99 `TargetResponseTime` in milliseconds, the highest of its target groups; null without data. */
  p99Ms: number | null;
}

export interface WindowMeasurement extends AnalysisWindow {
  candidate: ReleaseMetrics;
  stable: ReleaseMetrics | null;
  /** One value per custom metric name; null when CloudWatch returned no data point. */
  custom: Record<string, number | null>;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export interface MetricsSource {
  measure(query: WindowQuery): Promise<WindowMeasurement>;
  /** The state of each named alarm; null for a name CloudWatch does not know. */
  alarmStates(names: string[]): Promise<Record<string, AlarmState | null>>;
}
