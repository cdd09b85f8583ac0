/**
 * The schema of `service.auto_scaling`: Application Auto Scaling of each release's ECS
 * service. Two spellings: ecs-crd's (`target_tracking`, `step_scaling` with their `alarms`)
 * and the original tool's (`auto_scaling_policies[]` with `step_scaling_policy_configuration`
 * and `cloudwatch_alarms`); both resolve to one `AutoScalingConfig`. The bounds are AWS's, so
 * `validate` refuses what PutScalingPolicy, RegisterScalableTarget or PutMetricAlarm would.
 */
import { z } from 'zod';
import { type Context, itemsOf, type Path, report, validParts } from './rule-context.js';
import { formatted, int, nameMap, text } from './schema-blocks.js';
import type { AutoScalingConfig, StepScalingPolicy } from './types.js';

/**
 * ECS "Tasks per service" quota (5,000, not adjustable): a desired count above it is refused,
 * so a scalable target may never ask for more.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
 */
export const ECS_TASKS_PER_SERVICE = 5000;

/**
 * A policy name: Application Auto Scaling takes up to 256 printable characters; ecs-crd also
 * names each step policy's alarms `<service>-<slot>-<policy>-<n>`, and CloudWatch alarm names
 * stop at 255, so policies stop at 128.
 */
const policyName = () =>
  formatted(
    (value) => value.length <= 128 && [...value].every((c) => c >= ' ' && c !== '\u007f'),
    'must be at most 128 characters, without control characters',
  );

const cooldown = () => int(0);

// ------------------------------------------------------------------ target tracking

/** Percent metrics hold a target in (0, 100]; a request count per target is any positive rate. */
const TARGET_RANGE: Record<'cpu' | 'memory' | 'requests_per_target', { max: number }> = {
  cpu: { max: 100 },
  memory: { max: 100 },
  requests_per_target: { max: 1_000_000 },
};

const targetTracking = z
  .strictObject({
    name: policyName().meta({ description: 'The scaling policy’s name (unique in the service).' }),
    metric: z.enum(['cpu', 'memory', 'requests_per_target']).meta({
      description:
        'ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization, or ALBRequestCountPerTarget on the release’s first target group.',
    }),
    target: z.number({ error: 'must be a number' }).meta({
      description: 'The value to hold: a percent for cpu/memory (1–100), requests per target per minute.',
    }),
    scale_in_cooldown: cooldown()
      .optional()
      .meta({ description: 'Seconds after a scale-in before the next one.' }),
    scale_out_cooldown: cooldown()
      .optional()
      .meta({ description: 'Seconds after a scale-out before the next one.' }),
    disable_scale_in: z.boolean().optional().meta({ description: 'Never remove tasks (scale out only).' }),
  })
  .superRefine(targetInRange)
  .meta({ description: 'ECS adds and removes tasks to hold a metric at its target.' });

function targetInRange(policy: { metric: keyof typeof TARGET_RANGE; target: number }, ctx: Context): void {
  const valid = validParts(ctx);
  if (!valid(['metric']) || !valid(['target'])) return;
  const { max } = TARGET_RANGE[policy.metric];
  if (!(policy.target > 0 && policy.target <= max)) {
    const unit = policy.metric === 'requests_per_target' ? 'requests per target' : 'percent';
    report(ctx, ['target'], `must be above 0 and at most ${max} (${unit})`);
  }
}

// ------------------------------------------------------------------ step scaling

const stepAdjustment = z.strictObject({
  metric_interval_lower_bound: z.number({ error: 'must be a number' }).optional().meta({
    description: 'Lower bound, relative to the alarm threshold (inclusive). Absent: negative infinity.',
  }),
  metric_interval_upper_bound: z.number({ error: 'must be a number' }).optional().meta({
    description: 'Upper bound, relative to the alarm threshold (exclusive). Absent: infinity.',
  }),
  scaling_adjustment: z.int({ error: 'must be an integer' }).meta({
    description: 'Tasks to add (negative: remove), or the capacity / percent per adjustment_type.',
  }),
});

const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
] as const;

/** CloudWatch: a period of 10, 30 or a multiple of 60 seconds; periods × evaluations at most a day. */
const alarmFields = {
  metric_name: text().max(255).meta({ description: 'CloudWatch metric, e.g. CPUUtilization.' }),
  namespace: text().max(255).meta({ description: 'Its namespace, e.g. AWS/ECS.' }),
  statistic: z.enum(['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount']),
  period: int(10, 86400)
    .refine((value) => value === 10 || value === 30 || value % 60 === 0, 'must be 10, 30 or a multiple of 60')
    .meta({ description: 'Seconds per evaluated datapoint.' }),
  evaluation_periods: int(1, 8640),
  threshold: z.number({ error: 'must be a number' }),
  comparison_operator: z.enum(COMPARISONS),
  dimensions: nameMap(z.string().min(1).max(255), z.string().min(1).max(1024)).optional().meta({
    description: 'Metric dimensions. Default: the release’s own service (ClusterName, ServiceName).',
  }),
};

const alarmWithinADay = (alarm: { period: number; evaluation_periods: number }, ctx: Context): void => {
  const valid = validParts(ctx);
  if (valid(['period']) && valid(['evaluation_periods']) && alarm.period * alarm.evaluation_periods > 86400) {
    report(ctx, ['evaluation_periods'], `times period (${alarm.period} s) must not exceed 86400 s (one day)`);
  }
};

const alarm = z
  .strictObject({
    ...alarmFields,
    description: z.string().max(1024).optional(),
  })
  .superRefine(alarmWithinADay)
  .meta({ description: 'A CloudWatch alarm that triggers the step policy.' });

/** The original's alarm: `alarm_description`. */
const originalAlarm = z
  .strictObject({
    ...alarmFields,
    alarm_description: z.string().max(1024).optional(),
  })
  .superRefine(alarmWithinADay)
  .transform(({ alarm_description, ...rest }) => ({
    ...rest,
    ...(alarm_description === undefined ? {} : { description: alarm_description }),
  }));

const stepConfigurationFields = {
  adjustment_type: z.enum(['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity']),
  cooldown: cooldown().optional().meta({ description: 'Seconds after a scaling activity before the next.' }),
  metric_aggregation_type: z.enum(['Average', 'Minimum', 'Maximum']).optional(),
  step_adjustments: z
    .array(stepAdjustment)
    .min(1, 'must list at least one step adjustment')
    .superRefine(stepsAsAwsRequires),
};

const ALARMS_NEEDED = 'must list at least one alarm: a step policy acts only when an alarm calls it';

const stepScaling = z
  .strictObject({
    name: policyName().meta({ description: 'The scaling policy’s name (unique in the service).' }),
    ...stepConfigurationFields,
    alarms: z.array(alarm).min(1, ALARMS_NEEDED),
  })
  .meta({ description: 'A step scaling policy and the CloudWatch alarms that trigger it.' });

/** The original tool's step policy (`auto_scaling_policies[]`). */
const originalPolicy = z
  .strictObject({
    policy_name: policyName(),
    // A refinement, not an enum: the message says what to write instead.
    policy_type: z
      .string()
      .refine(
        (value) => value === 'StepScaling',
        'must be StepScaling: the original form carries step policies only; write target tracking under auto_scaling.target_tracking',
      )
      .default('StepScaling')
      .meta({ description: 'StepScaling (the only type of the original form).' }),
    step_scaling_policy_configuration: z.strictObject(stepConfigurationFields),
    cloudwatch_alarms: z.array(originalAlarm).min(1, ALARMS_NEEDED),
  })
  .transform(
    (policy): StepScalingPolicy => ({
      name: policy.policy_name,
      ...policy.step_scaling_policy_configuration,
      alarms: policy.cloudwatch_alarms,
    }),
  );

type Step = StepScalingPolicy['step_adjustments'][number];

/**
 * Application Auto Scaling's rules for step adjustments (StepAdjustment, API reference): each
 * has a bound, its lower bound below its upper; the ranges neither overlap nor leave a gap; at
 * most one has no lower bound and one no upper bound; a negative lower bound needs a step
 * without one below it, and a positive upper bound one without one above it.
 * https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepAdjustment.html
 */
export function stepAdjustmentProblems(steps: readonly Step[]): { index: number; message: string }[] {
  const problems: { index: number; message: string }[] = [];
  const lower = (s: Step) => s.metric_interval_lower_bound ?? Number.NEGATIVE_INFINITY;
  const upper = (s: Step) => s.metric_interval_upper_bound ?? Number.POSITIVE_INFINITY;
  steps.forEach((step, index) => {
    if (step.metric_interval_lower_bound === undefined && step.metric_interval_upper_bound === undefined) {
      problems.push({
        index,
        message: 'must have a metric_interval_lower_bound or an upper bound (or both)',
      });
    } else if (lower(step) >= upper(step)) {
      problems.push({
        index,
        message: 'metric_interval_lower_bound must be below metric_interval_upper_bound',
      });
    }
  });
  if (problems.length > 0) return problems;
  const noLower = steps.flatMap((s, i) => (s.metric_interval_lower_bound === undefined ? [i] : []));
  const noUpper = steps.flatMap((s, i) => (s.metric_interval_upper_bound === undefined ? [i] : []));
  for (const index of noLower.slice(1))
    problems.push({ index, message: 'only one step adjustment may leave out metric_interval_lower_bound' });
  for (const index of noUpper.slice(1))
    problems.push({ index, message: 'only one step adjustment may leave out metric_interval_upper_bound' });
  if (problems.length > 0) return problems;
  const order = steps.map((step, index) => ({ step, index })).sort((a, b) => lower(a.step) - lower(b.step));
  order.forEach(({ step, index }, position) => {
    const next = order[position + 1];
    if (position === 0 && lower(step) < 0 && step.metric_interval_lower_bound !== undefined) {
      problems.push({
        index,
        message:
          'a negative lower bound needs a step adjustment without metric_interval_lower_bound below it',
      });
    }
    if (!next) {
      if (upper(step) > 0 && step.metric_interval_upper_bound !== undefined) {
        problems.push({
          index,
          message:
            'a positive upper bound needs a step adjustment without metric_interval_upper_bound above it',
        });
      }
      return;
    }
    if (upper(step) > lower(next.step)) {
      problems.push({ index: next.index, message: `overlaps step_adjustments[${index}]` });
    } else if (upper(step) < lower(next.step)) {
      problems.push({ index: next.index, message: `leaves a gap after step_adjustments[${index}]` });
    }
  });
  return problems;
}

function stepsAsAwsRequires(steps: readonly Step[], ctx: Context): void {
  const valid = validParts(ctx);
  if (!steps.every((_, i) => valid([i]))) return;
  for (const { index, message } of stepAdjustmentProblems(steps)) report(ctx, [index], message);
}

// ------------------------------------------------------------------ auto_scaling

export const autoScalingSchema = z
  .strictObject({
    min_capacity: int(0, ECS_TASKS_PER_SERVICE).meta({
      description:
        'The fewest tasks. A new release never runs fewer than canary.scale.desired until it takes all the traffic.',
    }),
    max_capacity: int(0, ECS_TASKS_PER_SERVICE).meta({
      description: `The most tasks (ECS allows ${ECS_TASKS_PER_SERVICE} per service).`,
    }),
    role_arn: formatted((value) => /^arn:[^:]+:iam::\d{12}:role\/.+/.test(value), 'must be an IAM role ARN')
      .optional()
      .meta({ description: 'Default: the ECS service-linked role Application Auto Scaling uses.' }),
    target_tracking: z.array(targetTracking).default([]),
    step_scaling: z.array(stepScaling).default([]),
    auto_scaling_policies: z.array(originalPolicy).optional().meta({
      description:
        'The original tool’s spelling of step_scaling (policy_name, step_scaling_policy_configuration, cloudwatch_alarms).',
    }),
  })
  .superRefine(capacitiesInOrder)
  .superRefine(policyNamesUnique)
  .transform(
    ({ auto_scaling_policies, ...rest }): AutoScalingConfig => ({
      ...rest,
      step_scaling: [...rest.step_scaling, ...(auto_scaling_policies ?? [])],
    }),
  )
  .meta({
    description:
      'Application Auto Scaling of each release’s service: both releases scale by their own file; a removed release’s scaling goes with it.',
  });

function capacitiesInOrder(value: { min_capacity: number; max_capacity: number }, ctx: Context): void {
  const valid = validParts(ctx);
  if (valid(['min_capacity']) && valid(['max_capacity']) && value.min_capacity > value.max_capacity) {
    report(ctx, ['max_capacity'], `must be at least min_capacity (${value.min_capacity})`);
  }
}

/** PutScalingPolicy with a name the target already has overwrites that policy: names must differ. */
function policyNamesUnique(
  value: { target_tracking: unknown; step_scaling: unknown; auto_scaling_policies?: unknown },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  const seen = new Map<string, string>();
  const visit = (list: string, key: 'name' | 'policy_name', items: unknown) => {
    itemsOf(items).forEach((item, i) => {
      const path: Path = [list, i, key];
      const name = (item as Record<string, unknown>)?.[key];
      if (!valid(path) || typeof name !== 'string') return;
      const first = seen.get(name);
      if (first !== undefined) report(ctx, path, `must differ from ${first} (both are "${name}")`);
      else seen.set(name, `${list}[${i}].${key}`);
    });
  };
  visit('target_tracking', 'name', value.target_tracking);
  visit('step_scaling', 'name', value.step_scaling);
  visit('auto_scaling_policies', 'policy_name', value.auto_scaling_policies);
}

/**
 * What auto scaling needs of the service: Application Auto Scaling scales a service's desired
 * count, which a DAEMON service does not have; and a requests-per-target policy measures a
 * target group, which needs a container port.
 */
export function autoScalingFitsTheService(
  service: {
    scheduling_strategy: 'REPLICA' | 'DAEMON';
    containers: readonly { port_mappings: readonly unknown[] }[];
    auto_scaling?: unknown;
  },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  if (service.auto_scaling === undefined || !valid(['auto_scaling'])) return;
  if (valid(['scheduling_strategy']) && service.scheduling_strategy === 'DAEMON') {
    report(ctx, ['auto_scaling'], 'is not supported with scheduling_strategy DAEMON (one task per instance)');
    return;
  }
  const scaling = service.auto_scaling as AutoScalingConfig;
  const hasPort = itemsOf(service.containers).some(
    (c) => itemsOf((c as { port_mappings?: unknown })?.port_mappings).length > 0,
  );
  scaling.target_tracking.forEach((policy, i) => {
    if (policy.metric === 'requests_per_target' && !hasPort) {
      report(
        ctx,
        ['auto_scaling', 'target_tracking', i, 'metric'],
        'requests_per_target needs a target group: give a container a port mapping',
      );
    }
  });
}
