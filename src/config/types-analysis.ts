/**
 * `canary.analysis`, resolved: how the candidate is judged on its own ALB metrics next to the
 * stable release's, window after window, during every wait at a weight above 0. Absent from
 * `CanaryConfig` when the file has no `analysis` section: then only the health gate judges.
 */

/** One custom GetMetricData query: one number per window. */
export type MetricQuery =
  /** A metric and a statistic; dimension values may hold `{{load_balancer}}` / `{{target_group}}`. */
  | {
      namespace: string;
      metric_name: string;
      /** Dimension name → value, in the file's order. */
      dimensions: Record<string, string>;
      /** CloudWatch statistic: Sum, Average, Minimum, Maximum, SampleCount, IQM, pNN(.N), tmNN… (`isStatistic`). */
      stat: string;
    }
  /** A CloudWatch Metrics Insights query (`SELECT …`), with the same two templates. */
  | { expression: string };

export interface CustomMetric {
  /** Unique among `analysis.metrics`; names the check in events, reasons and the report. */
  name: string;
  query: MetricQuery;
  /** The window fails above this value. */
  max?: number;
  /** The window fails below this value. At least one of `max` / `min` is set. */
  min?: number;
}

export interface AnalysisConfig {
  /**
   * Seconds per evaluation window; a CloudWatch period of 10, 20, 30 or a multiple of 60.
   * Default: `health.interval` rounded up to the nearest such period (at least 10).
   */
  interval: number;
  /**
   * Seconds after a window ends before it is read: CloudWatch receives ALB metrics about a
   * minute late. Default 60.
   */
  delay: number;
  /** Fewer candidate requests in a window: inconclusive, no verdict. Default 50. */
  min_requests: number;
  /** Failing windows tolerated over the whole deployment before rollback. Default 0. */
  failure_limit: number;
  /**
   * What a step makes of windows with too few requests: `fail` (default) — a step advances only
   * on a window that passed, so little traffic never passes on its own; `pass` — they count as
   * passing.
   */
  inconclusive: 'fail' | 'pass';
  /**
   * Seconds past the end of a step's wait for it to get its passing window (and, with
   * `observed_share`, its share of traffic); then the step fails. Default `health.timeout`.
   */
  timeout: number;
  /** 5xx share of the candidate's requests: (target 5xx + ELB 5xx) / requests. */
  error_rate?: {
    /** Absolute limit, 0–1. */
    max?: number;
    /** Limit above the stable release's rate in the same window, 0–1. */
    max_increase?: number;
    /**
     * Count the ALB's own 5xx (`HTTPCode_ELB_5XX_Count`, which CloudWatch has per load balancer
     * only, so it includes every service on a shared ALB). Default true.
     */
    elb_5xx: boolean;
  };
  latency?: {
    /** Limit on the candidate's p99 `TargetResponseTime`, in milliseconds. */
    p99_max_ms?: number;
    /** Limit on the candidate's p99 relative to the stable's (0.25 = 25 % slower). */
    max_increase?: number;
  };
  /** CloudWatch alarms that must stay OK; one in ALARM at the start refuses the deploy. */
  alarms: string[];
  metrics: CustomMetric[];
  /**
   * A step advances only after a window in which the candidate received at least `min_ratio` of
   * its declared weight (0–1): DNS caches cannot make a canary pass without traffic.
   */
  observed_share?: { min_ratio: number };
}
