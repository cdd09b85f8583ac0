/**
 * Application Auto Scaling and CloudWatch alarms: `aws:appautoscaling/target:Target`,
 * `aws:appautoscaling/policy:Policy` and `aws:cloudwatch/metricAlarm:MetricAlarm`, against
 * moto. Replace rules are terraform-provider-aws's ForceNew attributes
 * (internal/service/appautoscaling/target.go, policy.go; internal/service/cloudwatch/metric_alarm.go).
 * Where moto accepts what AWS refuses, the stand-in refuses it with AWS's words.
 */
import {
  type ApplicationAutoScalingClient,
  DeleteScalingPolicyCommand,
  DeregisterScalableTargetCommand,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type ScalableDimension,
  type ServiceNamespace,
} from '@aws-sdk/client-application-auto-scaling';
import {
  type CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  PutMetricAlarmCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { type CheckFailure, type Ctx, type ResourceKind, unlessGone } from './kind.js';
import {
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asString,
  asStringMap,
  compact,
  type Json,
  type Props,
  plainProps,
  sameValue,
} from './values.js';

// ---------------------------------------------------------------- shared

/** AWS says ObjectNotFoundException; moto says ValidationException "No scalable target/policy found". */
function scalingGone(error: unknown): boolean {
  const e = error as { name?: string; message?: string };
  return (
    e?.name === 'ObjectNotFoundException' || /^No scal(able target|ing policy) found/.test(e?.message ?? '')
  );
}

interface TargetKey {
  ServiceNamespace: ServiceNamespace;
  ResourceId: string;
  ScalableDimension: ScalableDimension;
}

function targetKey(props: Props): TargetKey {
  return {
    ServiceNamespace: (asString(props.serviceNamespace) ?? '') as ServiceNamespace,
    ResourceId: asString(props.resourceId) ?? '',
    ScalableDimension: (asString(props.scalableDimension) ?? '') as ScalableDimension,
  };
}

async function findTarget(client: ApplicationAutoScalingClient, key: TargetKey) {
  const found = await client.send(
    new DescribeScalableTargetsCommand({
      ServiceNamespace: key.ServiceNamespace,
      ResourceIds: [key.ResourceId],
      ScalableDimension: key.ScalableDimension,
    }),
  );
  return found.ScalableTargets?.find(
    (t) => t.ResourceId === key.ResourceId && t.ScalableDimension === key.ScalableDimension,
  );
}

async function policiesOf(client: ApplicationAutoScalingClient, key: TargetKey) {
  const found = await client.send(
    new DescribeScalingPoliciesCommand({
      ServiceNamespace: key.ServiceNamespace,
      ResourceId: key.ResourceId,
      ScalableDimension: key.ScalableDimension,
    }),
  );
  // moto matches the resource id as a substring: keep exact matches only.
  return (found.ScalingPolicies ?? []).filter(
    (p) => p.ResourceId === key.ResourceId && p.ScalableDimension === key.ScalableDimension,
  );
}

// ---------------------------------------------------------------- scalable target

function register(ctx: Ctx, props: Props) {
  const tags = asStringMap(props.tags);
  return ctx.aws.appAutoScaling(asString(props.region)).send(
    new RegisterScalableTargetCommand(
      compact({
        ...targetKey(props),
        MinCapacity: asNumber(props.minCapacity),
        MaxCapacity: asNumber(props.maxCapacity),
        RoleARN: asString(props.roleArn),
        Tags: Object.keys(tags).length > 0 ? tags : undefined,
      }),
    ),
  );
}

export const scalableTarget: ResourceKind = {
  token: 'aws:appautoscaling/target:Target',
  replaceOn: ['resourceId', 'scalableDimension', 'serviceNamespace', 'region'],
  computed: ['arn', 'id', 'tagsAll'],
  optionalComputed: ['region', 'roleArn', 'suspendedState'],
  required: ['maxCapacity', 'minCapacity', 'resourceId', 'scalableDimension', 'serviceNamespace'],

  validate(inputs) {
    const min = asNumber(inputs.minCapacity) ?? 0;
    const max = asNumber(inputs.maxCapacity) ?? 0;
    const failures: CheckFailure[] = [];
    // RegisterScalableTarget: "Minimum capacity cannot be greater than maximum capacity" (moto accepts it).
    if (min > max)
      failures.push({
        property: 'minCapacity',
        reason: `minCapacity (${min}) is above maxCapacity (${max})`,
      });
    if (min < 0) failures.push({ property: 'minCapacity', reason: 'minCapacity must be at least 0' });
    return failures;
  },

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const registered = await register(ctx, inputs);
    const live = await findTarget(ctx.aws.appAutoScaling(asString(inputs.region)), targetKey(inputs));
    return {
      id: asString(inputs.resourceId) ?? '',
      outs: {
        ...inputs,
        roleArn: asString(inputs.roleArn) ?? live?.RoleARN ?? null,
        arn: registered.ScalableTargetARN ?? live?.ScalableTargetARN ?? null,
      },
    };
  },

  async read(ctx, id, state) {
    const live = await findTarget(ctx.aws.appAutoScaling(asString(state.region)), {
      ...targetKey(state),
      ResourceId: id,
    });
    if (!live) return undefined;
    return {
      ...state,
      resourceId: id,
      minCapacity: live.MinCapacity ?? null,
      maxCapacity: live.MaxCapacity ?? null,
      roleArn: live.RoleARN ?? asString(state.roleArn) ?? null,
    };
  },

  async update(ctx, _id, _olds, raw) {
    await register(ctx, plainProps(raw));
    return {};
  },

  async delete(ctx, id, state) {
    const client = ctx.aws.appAutoScaling(asString(state.region));
    const key = { ...targetKey(state), ResourceId: id };
    // AWS: "Deregistering a scalable target deletes the scaling policies that are associated
    // with it" (DeregisterScalableTarget, API reference); moto leaves them: do it here.
    for (const policy of await policiesOf(client, key)) {
      await unlessGone(scalingGone, () =>
        client.send(new DeleteScalingPolicyCommand({ ...key, PolicyName: policy.PolicyName })),
      );
    }
    await unlessGone(scalingGone, () => client.send(new DeregisterScalableTargetCommand(key)));
  },
};

// ---------------------------------------------------------------- scaling policy

type Step = { lower?: number; upper?: number };

/**
 * PutScalingPolicy's checks of step adjustments (StepAdjustment, API reference), which moto
 * skips: a bound each, lower below upper, no overlap, no gap, one open end each way at most.
 */
export function stepAdjustmentFailures(raw: Json | undefined): string[] {
  const steps: Step[] = asArray(raw).map((item) => {
    const o = asObject(item);
    return compact({
      lower: asNumber(o.metricIntervalLowerBound),
      upper: asNumber(o.metricIntervalUpperBound),
    });
  });
  if (steps.length === 0) return ['StepAdjustments must not be empty'];
  const lo = (s: Step) => s.lower ?? Number.NEGATIVE_INFINITY;
  const hi = (s: Step) => s.upper ?? Number.POSITIVE_INFINITY;
  const failures: string[] = [];
  if (steps.some((s) => s.lower === undefined && s.upper === undefined))
    failures.push('a step adjustment must have a lower or an upper bound');
  if (steps.some((s) => lo(s) >= hi(s)))
    failures.push('a step adjustment’s lower bound must be below its upper bound');
  if (steps.filter((s) => s.lower === undefined).length > 1)
    failures.push('at most one step adjustment may have a null lower bound');
  if (steps.filter((s) => s.upper === undefined).length > 1)
    failures.push('at most one step adjustment may have a null upper bound');
  const sorted = [...steps].sort((a, b) => lo(a) - lo(b));
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1] as Step;
    const current = sorted[i] as Step;
    if (hi(previous) !== lo(current))
      failures.push('step adjustment intervals must not overlap or leave a gap');
  }
  const first = sorted[0] as Step;
  const last = sorted[sorted.length - 1] as Step;
  if (first.lower !== undefined && first.lower < 0)
    failures.push('a negative lower bound needs a step adjustment with a null lower bound');
  if (last.upper !== undefined && last.upper > 0)
    failures.push('a positive upper bound needs a step adjustment with a null upper bound');
  return [...new Set(failures)];
}

function policyFailures(inputs: Props): CheckFailure[] {
  const type = asString(inputs.policyType) ?? 'StepScaling';
  const step = asObject(inputs.stepScalingPolicyConfiguration);
  const tracking = asObject(inputs.targetTrackingScalingPolicyConfiguration);
  if (type === 'StepScaling') {
    if (Object.keys(step).length === 0)
      return [
        {
          property: 'stepScalingPolicyConfiguration',
          reason: 'StepScaling needs stepScalingPolicyConfiguration',
        },
      ];
    return stepAdjustmentFailures(step.stepAdjustments).map((reason) => ({
      property: 'stepScalingPolicyConfiguration',
      reason,
    }));
  }
  if (type === 'TargetTrackingScaling') {
    const predefined = asObject(tracking.predefinedMetricSpecification);
    if (asNumber(tracking.targetValue) === undefined)
      return [{ property: 'targetTrackingScalingPolicyConfiguration', reason: 'targetValue is required' }];
    // PutScalingPolicy: ALBRequestCountPerTarget names its target group in ResourceLabel.
    if (predefined.predefinedMetricType === 'ALBRequestCountPerTarget' && !asString(predefined.resourceLabel))
      return [
        {
          property: 'targetTrackingScalingPolicyConfiguration',
          reason: 'ResourceLabel is required for ALBRequestCountPerTarget',
        },
      ];
    return [];
  }
  return [{ property: 'policyType', reason: `unsupported policyType ${type}` }];
}

// biome-ignore lint/suspicious/noExplicitAny: SDK shapes built from loosely typed provider inputs.
const dropUndefined = (value: Record<string, unknown>): any => compact(value);

function putPolicyCommand(props: Props): PutScalingPolicyCommand {
  const type = asString(props.policyType) ?? 'StepScaling';
  const step = asObject(props.stepScalingPolicyConfiguration);
  const tracking = asObject(props.targetTrackingScalingPolicyConfiguration);
  const predefined = asObject(tracking.predefinedMetricSpecification);
  return new PutScalingPolicyCommand({
    ...targetKey(props),
    PolicyName: asString(props.name) ?? '',
    PolicyType: type as 'StepScaling',
    StepScalingPolicyConfiguration:
      type === 'StepScaling'
        ? dropUndefined({
            AdjustmentType: asString(step.adjustmentType),
            Cooldown: asNumber(step.cooldown),
            MetricAggregationType: asString(step.metricAggregationType),
            MinAdjustmentMagnitude: asNumber(step.minAdjustmentMagnitude),
            StepAdjustments: asArray(step.stepAdjustments).map((item) => {
              const o = asObject(item);
              return dropUndefined({
                MetricIntervalLowerBound: asNumber(o.metricIntervalLowerBound),
                MetricIntervalUpperBound: asNumber(o.metricIntervalUpperBound),
                ScalingAdjustment: asNumber(o.scalingAdjustment),
              });
            }),
          })
        : undefined,
    TargetTrackingScalingPolicyConfiguration:
      type === 'TargetTrackingScaling'
        ? dropUndefined({
            TargetValue: asNumber(tracking.targetValue),
            ScaleInCooldown: asNumber(tracking.scaleInCooldown),
            ScaleOutCooldown: asNumber(tracking.scaleOutCooldown),
            DisableScaleIn: asBoolean(tracking.disableScaleIn),
            PredefinedMetricSpecification: dropUndefined({
              PredefinedMetricType: asString(predefined.predefinedMetricType),
              ResourceLabel: asString(predefined.resourceLabel),
            }),
          })
        : undefined,
  });
}

async function putPolicy(ctx: Ctx, props: Props): Promise<Props> {
  const client = ctx.aws.appAutoScaling(asString(props.region));
  // AWS refuses a policy on a target that is not registered (ObjectNotFoundException); moto does not.
  if (!(await findTarget(client, targetKey(props)))) {
    const { ServiceNamespace, ResourceId, ScalableDimension } = targetKey(props);
    throw Object.assign(
      new Error(
        `ObjectNotFoundException: No scalable target registered for service namespace: ${ServiceNamespace}, resource ID: ${ResourceId}, scalable dimension: ${ScalableDimension}`,
      ),
      { name: 'ObjectNotFoundException' },
    );
  }
  const put = await client.send(putPolicyCommand(props));
  return {
    arn: put.PolicyARN ?? null,
    alarmArns: (put.Alarms ?? []).flatMap((a) => (a.AlarmARN ? [a.AlarmARN] : [])),
  };
}

export const scalingPolicy: ResourceKind = {
  token: 'aws:appautoscaling/policy:Policy',
  replaceOn: ['name', 'resourceId', 'scalableDimension', 'serviceNamespace', 'region'],
  computed: ['arn', 'alarmArns', 'id'],
  optionalComputed: ['region', 'policyType'],
  required: ['resourceId', 'scalableDimension', 'serviceNamespace'],
  autoName: { maxLength: 255 },

  validate: policyFailures,

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const outs = await putPolicy(ctx, inputs);
    return { id: asString(inputs.name) ?? '', outs: { ...inputs, ...outs } };
  },

  async read(ctx, id, state) {
    const policies = await policiesOf(ctx.aws.appAutoScaling(asString(state.region)), targetKey(state));
    const live = policies.find((p) => p.PolicyName === id);
    if (!live) return undefined;
    return { ...state, name: id, policyType: live.PolicyType ?? null, arn: live.PolicyARN ?? null };
  },

  async update(ctx, _id, olds, raw) {
    const outs = await putPolicy(ctx, plainProps(raw));
    return sameValue(olds.arn, outs.arn) ? {} : outs;
  },

  async delete(ctx, id, state) {
    const client = ctx.aws.appAutoScaling(asString(state.region));
    await unlessGone(scalingGone, () =>
      client.send(new DeleteScalingPolicyCommand({ ...targetKey(state), PolicyName: id })),
    );
  },
};

// ---------------------------------------------------------------- metric alarm

async function findAlarm(client: CloudWatchClient, name: string) {
  const found = await client.send(new DescribeAlarmsCommand({ AlarmNames: [name] }));
  return found.MetricAlarms?.find((a) => a.AlarmName === name);
}

function putAlarmCommand(props: Props, withTags: boolean): PutMetricAlarmCommand {
  const tags = Object.entries(asStringMap(props.tags)).map(([Key, Value]) => ({ Key, Value }));
  const list = (value: Json | undefined) =>
    asArray(value).flatMap((v) => (asString(v) ? [asString(v) as string] : []));
  return new PutMetricAlarmCommand(
    compact({
      AlarmName: asString(props.name) ?? '',
      AlarmDescription: asString(props.alarmDescription),
      ActionsEnabled: asBoolean(props.actionsEnabled) ?? true,
      AlarmActions: list(props.alarmActions),
      OKActions: list(props.okActions),
      InsufficientDataActions: list(props.insufficientDataActions),
      MetricName: asString(props.metricName),
      Namespace: asString(props.namespace),
      Statistic: asString(props.statistic) as 'Average' | undefined,
      ExtendedStatistic: asString(props.extendedStatistic),
      Dimensions: Object.entries(asStringMap(props.dimensions)).map(([Name, Value]) => ({ Name, Value })),
      Period: asNumber(props.period),
      Unit: asString(props.unit) as 'Percent' | undefined,
      EvaluationPeriods: asNumber(props.evaluationPeriods),
      DatapointsToAlarm: asNumber(props.datapointsToAlarm),
      Threshold: asNumber(props.threshold),
      ComparisonOperator: asString(props.comparisonOperator) as 'GreaterThanThreshold' | undefined,
      TreatMissingData: asString(props.treatMissingData) ?? 'missing',
      Tags: withTags && tags.length > 0 ? tags : undefined,
    }),
  );
}

/** PutMetricAlarm's checks (API reference) that moto skips. */
function alarmFailures(inputs: Props): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const period = asNumber(inputs.period);
  const evaluations = asNumber(inputs.evaluationPeriods);
  if (period !== undefined && !(period === 10 || period === 30 || (period > 0 && period % 60 === 0)))
    failures.push({ property: 'period', reason: 'Period must be 10, 30 or a multiple of 60' });
  if (evaluations === undefined || evaluations < 1)
    failures.push({ property: 'evaluationPeriods', reason: 'EvaluationPeriods must be at least 1' });
  else if (period !== undefined && period >= 60 && period * evaluations > 86400)
    failures.push({
      property: 'evaluationPeriods',
      reason: 'Period × EvaluationPeriods must not exceed 86400 seconds',
    });
  if (asString(inputs.statistic) !== undefined && asString(inputs.extendedStatistic) !== undefined)
    failures.push({ property: 'statistic', reason: 'statistic and extendedStatistic conflict' });
  if (asArray(inputs.alarmActions).length > 5)
    failures.push({ property: 'alarmActions', reason: 'at most 5 alarm actions' });
  return failures;
}

export const metricAlarm: ResourceKind = {
  token: 'aws:cloudwatch/metricAlarm:MetricAlarm',
  replaceOn: ['name', 'region'],
  computed: ['arn', 'id', 'tagsAll'],
  optionalComputed: ['region'],
  required: ['comparisonOperator', 'evaluationPeriods'],
  autoName: { maxLength: 255 },

  validate: alarmFailures,

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const client = ctx.aws.cloudwatch(asString(inputs.region));
    await client.send(putAlarmCommand(inputs, true));
    const live = await findAlarm(client, asString(inputs.name) ?? '');
    return { id: asString(inputs.name) ?? '', outs: { ...inputs, arn: live?.AlarmArn ?? null } };
  },

  async read(ctx, id, state) {
    const live = await findAlarm(ctx.aws.cloudwatch(asString(state.region)), id);
    if (!live) return undefined;
    return {
      ...state,
      name: id,
      arn: live.AlarmArn ?? null,
      threshold: live.Threshold ?? null,
      evaluationPeriods: live.EvaluationPeriods ?? null,
      period: live.Period ?? null,
      alarmActions: live.AlarmActions ?? [],
    };
  },

  async update(ctx, id, olds, raw) {
    const news = plainProps(raw);
    const client = ctx.aws.cloudwatch(asString(news.region));
    await client.send(putAlarmCommand({ ...news, name: id }, false));
    const arn = asString(olds.arn);
    if (arn && !sameValue(olds.tags, news.tags)) {
      const after = asStringMap(news.tags);
      const removed = Object.keys(asStringMap(olds.tags)).filter((key) => !(key in after));
      if (removed.length > 0)
        await client.send(new UntagResourceCommand({ ResourceARN: arn, TagKeys: removed }));
      const tags = Object.entries(after).map(([Key, Value]) => ({ Key, Value }));
      if (tags.length > 0) await client.send(new TagResourceCommand({ ResourceARN: arn, Tags: tags }));
    }
    return {};
  },

  async delete(ctx, id, state) {
    await ctx.aws.cloudwatch(asString(state.region)).send(new DeleteAlarmsCommand({ AlarmNames: [id] }));
  },
};
