/**
 * Application Auto Scaling of one release's ECS service: its scalable target, its target
 * tracking and step policies, and the CloudWatch alarms that call the step policies. All of
 * them hang off that release's service alone, so removing a release removes its scaling first
 * (the engine deletes dependents before what they depend on), and the other slot's release
 * is never touched.
 *
 * `@pulumi/aws` is imported file by file, as `program.ts` explains.
 */
import { Policy } from '@pulumi/aws/appautoscaling/policy.js';
import { Target } from '@pulumi/aws/appautoscaling/target.js';
import { MetricAlarm } from '@pulumi/aws/cloudwatch/metricAlarm.js';
import { type Input, interpolate, type Output } from '@pulumi/pulumi';
import type { Slot } from '../canary/ports/aws.js';
import type { DesiredState } from '../canary/ports/stack.js';
import { releaseCapacity } from '../canary/scaling.js';
import type { DeploymentConfig, StepScalingPolicy, TargetTrackingPolicy } from '../config/types.js';
import type { Tags } from './shared.js';

const SCALABLE_DIMENSION = 'ecs:service:DesiredCount';
const SERVICE_NAMESPACE = 'ecs';

const PREDEFINED_METRIC: Record<TargetTrackingPolicy['metric'], string> = {
  cpu: 'ECSServiceAverageCPUUtilization',
  memory: 'ECSServiceAverageMemoryUtilization',
  requests_per_target: 'ALBRequestCountPerTarget',
};

/** The logical names of a slot's scaling resources: slot-prefixed, as every per-slot name. */
export const scalingNames = {
  target: (slot: Slot) => `${slot}-scaling-target`,
  policy: (slot: Slot, policy: string) => `${slot}-scaling-policy-${policy}`,
  alarm: (slot: Slot, policy: string, index: number) => `${slot}-scaling-alarm-${policy}-${index + 1}`,
};

/** What the scaling of one release needs from the rest of it. */
export interface ScalingInputs {
  /** The ECS service's name, as declared (the dependency on the service comes with it). */
  serviceName: Output<string>;
  /** The ECS cluster's name (not its ARN): Application Auto Scaling's resource id uses it. */
  clusterName: string;
  /** ARN suffix of the release's first target group: a requests-per-target policy measures it. */
  targetGroupArnSuffix?: Output<string>;
  tags: Tags;
}

/** The cluster's name, given a name or an ARN (`…:cluster/<name>`). */
export function clusterNameOf(cluster: string): string {
  return cluster.startsWith('arn:')
    ? cluster.slice(cluster.indexOf(':cluster/') + ':cluster/'.length)
    : cluster;
}

/**
 * Declares the release's scaling, nothing when its file has none (releases recorded before
 * auto scaling existed are declared exactly as before).
 */
export function declareScaling(
  state: DesiredState,
  slot: Slot,
  release: DeploymentConfig,
  inputs: ScalingInputs,
): void {
  const scaling = release.service.auto_scaling;
  const capacity = releaseCapacity(state, slot, release);
  if (!scaling || !capacity) return;
  const target = new Target(scalingNames.target(slot), {
    serviceNamespace: SERVICE_NAMESPACE,
    scalableDimension: SCALABLE_DIMENSION,
    resourceId: interpolate`service/${inputs.clusterName}/${inputs.serviceName}`,
    minCapacity: capacity.min,
    maxCapacity: capacity.max,
    roleArn: scaling.role_arn,
    tags: inputs.tags,
  });
  // Through the target's outputs: every policy depends on its target, every alarm on its policy.
  const on = {
    serviceNamespace: target.serviceNamespace,
    scalableDimension: target.scalableDimension,
    resourceId: target.resourceId,
  };
  for (const policy of scaling.target_tracking) {
    new Policy(scalingNames.policy(slot, policy.name), {
      name: policy.name,
      policyType: 'TargetTrackingScaling',
      ...on,
      targetTrackingScalingPolicyConfiguration: {
        targetValue: policy.target,
        scaleInCooldown: policy.scale_in_cooldown,
        scaleOutCooldown: policy.scale_out_cooldown,
        disableScaleIn: policy.disable_scale_in,
        predefinedMetricSpecification: {
          predefinedMetricType: PREDEFINED_METRIC[policy.metric],
          resourceLabel:
            policy.metric === 'requests_per_target' ? resourceLabel(state, slot, inputs) : undefined,
        },
      },
    });
  }
  for (const policy of scaling.step_scaling) {
    const declared = new Policy(scalingNames.policy(slot, policy.name), {
      name: policy.name,
      policyType: 'StepScaling',
      ...on,
      stepScalingPolicyConfiguration: stepConfiguration(policy),
    });
    declareAlarms(slot, release, policy, declared.arn, inputs);
  }
}

function stepConfiguration(policy: StepScalingPolicy) {
  return {
    adjustmentType: policy.adjustment_type,
    cooldown: policy.cooldown,
    metricAggregationType: policy.metric_aggregation_type,
    // pulumi-aws takes the bounds as strings (Terraform tells "0" from unset that way).
    stepAdjustments: policy.step_adjustments.map((step) => ({
      metricIntervalLowerBound: step.metric_interval_lower_bound?.toString(),
      metricIntervalUpperBound: step.metric_interval_upper_bound?.toString(),
      scalingAdjustment: step.scaling_adjustment,
    })),
  };
}

/** One alarm per entry, calling the step policy; by default on the release's own service. */
function declareAlarms(
  slot: Slot,
  release: DeploymentConfig,
  policy: StepScalingPolicy,
  policyArn: Output<string>,
  inputs: ScalingInputs,
): void {
  policy.alarms.forEach((alarm, index) => {
    const dimensions: Input<Record<string, Input<string>>> = alarm.dimensions ?? {
      ClusterName: inputs.clusterName,
      ServiceName: inputs.serviceName,
    };
    new MetricAlarm(scalingNames.alarm(slot, policy.name, index), {
      // Unique per account and region: the service's own name (per slot, per stack) first.
      name: interpolate`${inputs.serviceName}-${policy.name}-${index + 1}`,
      alarmDescription:
        alarm.description ?? `${policy.name} of ${release.service.name} ${release.service.version} (${slot})`,
      metricName: alarm.metric_name,
      namespace: alarm.namespace,
      statistic: alarm.statistic,
      period: alarm.period,
      evaluationPeriods: alarm.evaluation_periods,
      threshold: alarm.threshold,
      comparisonOperator: alarm.comparison_operator,
      dimensions,
      alarmActions: [policyArn],
      tags: inputs.tags,
    });
  });
}

/**
 * ALBRequestCountPerTarget's resource label: `app/<alb>/<id>/targetgroup/<tg>/<id>`, the slot
 * ALB's ARN suffix and the target group's.
 */
function resourceLabel(state: DesiredState, slot: Slot, inputs: ScalingInputs): Output<string> | undefined {
  const albArn = state.environment.slots[slot].albArn;
  const albSuffix = albArn.slice(albArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);
  return inputs.targetGroupArnSuffix ? interpolate`${albSuffix}/${inputs.targetGroupArnSuffix}` : undefined;
}
