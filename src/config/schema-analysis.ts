/**
 * The schema of `canary.analysis`: how the candidate is judged on CloudWatch, window after
 * window, next to the stable release. The bounds are CloudWatch's (GetMetricData periods and
 * statistics, alarm names), so `validate` refuses what the API would refuse mid-deployment.
 * Defaults that depend on `canary.health` (interval, timeout) are applied by `normalise`.
 */
import { z } from 'zod';
import { type Context, itemsOf, type Path, report, validParts, whenShaped } from './rule-context.js';
import { int, nameMap, text } from './schema-blocks.js';
import { didYouMean } from './suggest.js';
import type { MetricQuery } from './types.js';

/**
 * GetMetricData periods: 1, 5, 10, 20, 30 or any multiple of 60 for high-resolution metrics,
 * a multiple of 60 for the others; ecs-crd's windows start at 10 s (a shorter one would hold
 * a handful of requests).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_MetricStat.html
 */
export const isAnalysisPeriod = (seconds: number): boolean =>
  seconds === 10 || seconds === 20 || seconds === 30 || (seconds > 0 && seconds % 60 === 0);

/** `health.interval` rounded up to a period: 7 → 10, 25 → 30, 45 → 60, 61 → 120. */
export function defaultAnalysisInterval(healthInterval: number): number {
  for (const period of [10, 20, 30]) if (healthInterval <= period) return period;
  return Math.ceil(healthInterval / 60) * 60;
}

const PERIOD_MESSAGE =
  'must be a CloudWatch period: 10, 20, 30 or a multiple of 60 (seconds; GetMetricData takes no other)';

const STATISTICS = ['Sum', 'Average', 'Minimum', 'Maximum', 'SampleCount', 'IQM'] as const;

/**
 * CloudWatch's statistics: the five basic ones, and the percentile family (`p99`, `p99.9`,
 * `tm90`, `wm99`, `tc90`, `ts90`, and ranges such as `TM(10%:90%)` or `PR(:300)`).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html
 */
const SHORTHAND = /^(p|tm|wm|tc|ts)(100|\d{1,2}(\.\d{1,10})?)$/;
const RANGE = /^(TM|WM|TC|TS|PR)\((\d+(\.\d+)?%?)?:(\d+(\.\d+)?%?)?\)$/;

/** The three as one pattern, for editors (the JSON Schema's `pattern`). */
const STAT_PATTERN = `^(${STATISTICS.join('|')}|${SHORTHAND.source.slice(1, -1)}|${RANGE.source.slice(1, -1)})$`;

export const isStatistic = (stat: string): boolean =>
  (STATISTICS as readonly string[]).includes(stat) || SHORTHAND.test(stat) || RANGE.test(stat);

/** What people write for a statistic elsewhere (SQL, Prometheus, Datadog). */
const STAT_ALIASES: Record<string, string> = {
  avg: 'Average',
  mean: 'Average',
  min: 'Minimum',
  max: 'Maximum',
  count: 'SampleCount',
  total: 'Sum',
};

function statMessage(stat: string): string {
  const alias = STAT_ALIASES[stat.toLowerCase()];
  const hint = alias === undefined ? didYouMean(stat, STATISTICS) : `did you mean \`${alias}\`?`;
  return `is not a CloudWatch statistic${hint ? ` (${hint})` : ''}: write Sum, Average, Minimum, Maximum, SampleCount, a percentile such as p99 or p99.9, or tm90, wm99, tc90, ts90, TM(10%:90%)`;
}

/** A share 0–1: `max: 5` meaning 5 % is the likely mistake, so the message says how to write it. */
const share = (description: string) =>
  z
    .number({ error: 'must be a number' })
    .min(0, 'must be between 0 and 1 (a share: 0.01 is 1 %)')
    .max(1, 'must be between 0 and 1 (a share: 0.01 is 1 %)')
    .optional()
    .meta({ description });

const errorRate = z
  .strictObject({
    max: share('The most 5xx the candidate may answer, as a share of its requests (0.01 = 1 %).'),
    max_increase: share(
      'The most the candidate’s rate may exceed the stable release’s in the same window (0.005 = half a point).',
    ),
    elb_5xx: z.boolean().default(true).meta({
      description:
        'Count the ALB’s own 5xx (HTTPCode_ELB_5XX_Count). CloudWatch has it per load balancer only: on an ALB shared by several services it includes theirs.',
    }),
  })
  .superRefine((value, ctx) => needsALimit(value, ['max', 'max_increase'], ctx), whenShaped)
  .meta({ description: '5xx share of the candidate’s requests: (target 5xx + ELB 5xx) / requests.' });

const latency = z
  .strictObject({
    p99_max_ms: z
      .number({ error: 'must be a number' })
      .gt(0, 'must be above 0 (milliseconds)')
      .optional()
      .meta({ description: 'The most the candidate’s p99 TargetResponseTime may be, in milliseconds.' }),
    max_increase: z
      .number({ error: 'must be a number' })
      .min(0, 'must be at least 0 (0.25 = 25 % slower than the stable release)')
      .optional()
      .meta({
        description:
          'The most the candidate’s p99 may exceed the stable release’s, relatively (0.25 = 25 % slower).',
      }),
  })
  .superRefine((value, ctx) => needsALimit(value, ['p99_max_ms', 'max_increase'], ctx), whenShaped)
  .meta({ description: 'The candidate’s p99 response time (the highest of its target groups).' });

/** A block with no limit judges nothing: almost certainly a limit left out, not a wish. */
function needsALimit(value: Record<string, unknown>, keys: string[], ctx: Context): void {
  if (keys.some((key) => value[key] !== undefined)) return;
  const names = keys.map((key) => `\`${key}\``).join(' or ');
  report(ctx, [], `sets no limit: write ${names} (or leave the block out)`);
}

const QUERY_KEYS = ['namespace', 'metric_name', 'stat'] as const;

const metricQuery = z
  .strictObject({
    namespace: text().max(255).optional().meta({ description: 'The metric’s namespace, e.g. MyApp.' }),
    metric_name: text().max(255).optional().meta({ description: 'The metric, e.g. CheckoutFailures.' }),
    dimensions: nameMap(text().max(255), text().max(1024)).optional().meta({
      description:
        'Dimension name → value; values may use {{load_balancer}} (app/<name>/<id>) and {{target_group}} (targetgroup/<name>/<id>) of the candidate.',
    }),
    stat: z
      .string({ error: 'must be a string' })
      .superRefine((stat, ctx) => {
        if (!isStatistic(stat)) ctx.addIssue({ code: 'custom', message: statMessage(stat), input: stat });
      })
      .optional()
      .meta({
        pattern: STAT_PATTERN,
        description: 'Sum, Average, Minimum, Maximum, SampleCount, or a percentile such as p99.',
      }),
    expression: text()
      .max(2048)
      .refine(
        (value) => /^\s*SELECT\s/i.test(value),
        'must be a CloudWatch Metrics Insights query (SELECT …) returning one series',
      )
      .optional()
      .meta({
        description:
          'Instead of the four keys above: a Metrics Insights query (SELECT …), with the same two templates.',
      }),
  })
  .superRefine(oneKindOfQuery, whenShaped)
  .transform(
    ({ namespace, metric_name, dimensions, stat, expression }): MetricQuery =>
      expression !== undefined
        ? { expression }
        : {
            namespace: namespace ?? '',
            metric_name: metric_name ?? '',
            dimensions: dimensions ?? {},
            stat: stat ?? '',
          },
  )
  .meta({
    description:
      'One GetMetricData query giving one number per window: {namespace, metric_name, dimensions, stat} or {expression}.',
  });

function oneKindOfQuery(value: Record<string, unknown>, ctx: Context): void {
  const written = [...QUERY_KEYS, 'dimensions'].filter((key) => value[key] !== undefined);
  if (value.expression !== undefined) {
    for (const key of written) {
      report(
        ctx,
        [key],
        'goes with a metric query, not with `expression` (a Metrics Insights query names its own metric): write one or the other',
      );
    }
    return;
  }
  if (written.length === 0) {
    report(
      ctx,
      [],
      'must be a metric {namespace, metric_name, dimensions, stat} or a Metrics Insights {expression}',
    );
    return;
  }
  for (const key of QUERY_KEYS) {
    if (value[key] === undefined)
      report(
        ctx,
        [key],
        `is required: a metric query names its namespace, metric_name and stat (or write it as one \`expression\`)`,
      );
  }
}

const customMetric = z
  .strictObject({
    name: text()
      .max(255)
      .refine(
        (value) => ![...value].some((c) => c < ' ' || c === '\u007f'),
        'must not contain control characters',
      )
      .meta({ description: 'Names the check (`metric:<name>`) in events, reasons and the report; unique.' }),
    query: metricQuery,
    max: z
      .number({ error: 'must be a number' })
      .optional()
      .meta({ description: 'The window fails above this value.' }),
    min: z
      .number({ error: 'must be a number' })
      .optional()
      .meta({ description: 'The window fails below this value.' }),
  })
  .superRefine(limitsInOrder, whenShaped)
  .meta({ description: 'A custom CloudWatch query, one number per window, with `max` and/or `min`.' });

function limitsInOrder(value: { max?: unknown; min?: unknown }, ctx: Context): void {
  const valid = validParts(ctx);
  if (value.max === undefined && value.min === undefined) {
    report(ctx, [], 'sets no limit: write `max` (fails above it) and/or `min` (fails below it)');
  } else if (
    valid(['max']) &&
    valid(['min']) &&
    typeof value.max === 'number' &&
    typeof value.min === 'number' &&
    value.min > value.max
  ) {
    report(ctx, ['max'], `must be at least min (${value.min}): no value could pass`);
  }
}

/**
 * CloudWatch alarm names: 1–255 characters, no control characters.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
const alarmName = z
  .string({ error: 'must be a string: the alarm’s name' })
  .min(1, 'must not be empty: a CloudWatch alarm name is 1 to 255 characters')
  .max(255, 'is too long: a CloudWatch alarm name is at most 255 characters')
  .refine(
    (value) => ![...value].some((c) => c < ' ' || c === '\u007f'),
    'must not contain control characters',
  );

/** A name written twice: reported at the second, naming the first. */
function unique(label: string, nameOf: (item: unknown) => unknown, at: (i: number) => Path) {
  return (items: unknown, ctx: Context): void => {
    const valid = validParts(ctx);
    const seen = new Map<string, number>();
    itemsOf(items).forEach((item, i) => {
      const name = nameOf(item);
      if (typeof name !== 'string' || !valid(at(i))) return;
      const first = seen.get(name);
      if (first === undefined) seen.set(name, i);
      else report(ctx, at(i), `${label} \`${name}\` is already listed (item ${first + 1}): list each once`);
    });
  };
}

export const analysisSchema = z
  .strictObject({
    interval: int(1, 86400)
      .refine(isAnalysisPeriod, PERIOD_MESSAGE)
      .optional()
      .meta({
        // For editors: zod's JSON Schema cannot say what the refine checks.
        anyOf: [{ enum: [10, 20, 30] }, { multipleOf: 60 }],
        description:
          'Seconds per evaluation window: 10, 20, 30 or a multiple of 60. Default: canary.health.interval rounded up to one. ALB metrics are per minute on AWS: 60 or more there.',
      }),
    delay: int(0, 3600).default(60).meta({
      description:
        'Seconds after a window ends before it is read: CloudWatch receives ALB metrics about a minute late.',
    }),
    min_requests: int(1)
      .default(50)
      .meta({ description: 'Fewer candidate requests in a window: inconclusive, no verdict.' }),
    failure_limit: int(0)
      .default(0)
      .meta({ description: 'Failing windows tolerated over the whole deployment; one more rolls back.' }),
    inconclusive: z.enum(['fail', 'pass']).default('fail').meta({
      description:
        '`fail`: a step advances only on a window that passed, so too little traffic never passes; `pass`: too-few-requests windows count as passing.',
    }),
    timeout: int(1, 86400).optional().meta({
      description:
        'Seconds past a step’s wait for it to get its passing window (and its observed share); then the step fails. Default: canary.health.timeout.',
    }),
    error_rate: errorRate.optional(),
    latency: latency.optional(),
    alarms: z
      .array(alarmName)
      .default([])
      .superRefine(
        unique(
          'alarm',
          (name) => name,
          (i) => [i],
        ),
        whenShaped,
      )
      .meta({
        description:
          'CloudWatch alarms that must stay OK: one in ALARM rolls back at once; one in ALARM (or missing) at the start refuses the deploy.',
      }),
    metrics: z
      .array(customMetric)
      .default([])
      .superRefine(
        unique(
          'a metric named',
          (item) => (item as { name?: unknown } | null)?.name,
          (i) => [i, 'name'],
        ),
        whenShaped,
      )
      .meta({ description: 'Custom CloudWatch queries, one number per window, each with its limits.' }),
    observed_share: z
      .strictObject({
        min_ratio: z
          .number({ error: 'must be a number' })
          .gt(0, 'must be above 0 and at most 1 (a share of the declared weight: 0.5 = half)')
          .max(1, 'must be above 0 and at most 1 (a share of the declared weight: 0.5 = half)')
          .meta({
            description:
              'The fraction of its declared weight the candidate must have received in one window before its step advances (0.5: at 20 %, 10 % of the requests).',
          }),
      })
      .optional()
      .meta({
        description:
          'Hold each step until DNS has really moved traffic: the candidate’s share of both releases’ requests, measured.',
      }),
  })
  .meta({
    description:
      'Judge the candidate on CloudWatch during every wait at a weight above 0, window after window, next to the stable release: error rate, latency, alarms, custom metrics and the observed traffic share.',
  });

export type AnalysisFile = z.output<typeof analysisSchema>;
