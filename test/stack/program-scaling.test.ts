import { expect } from 'chai';
import type { Slot } from '../../src/canary/ports/aws.js';
import type { DesiredState } from '../../src/canary/ports/stack.js';
import type { AutoScalingConfig, DeploymentConfig } from '../../src/config/types.js';
import {
  buildConfig,
  buildDesiredState,
  buildEnvironment,
  buildMeta,
  SAMPLE_VERSION,
} from '../helpers/builders.js';
import { mockArn, type ProgramRun, runProgram } from '../helpers/program-run.js';

type Declared = ProgramRun['resources'];

const declared = async (state: DesiredState): Promise<Declared> => (await runProgram(state)).resources;

const SCALING: AutoScalingConfig = {
  min_capacity: 1,
  max_capacity: 8,
  target_tracking: [
    { name: 'cpu', metric: 'cpu', target: 60, scale_in_cooldown: 300 },
    { name: 'requests', metric: 'requests_per_target', target: 1000 },
  ],
  step_scaling: [
    {
      name: 'memory-high',
      adjustment_type: 'ChangeInCapacity',
      cooldown: 60,
      step_adjustments: [
        { metric_interval_lower_bound: 0, metric_interval_upper_bound: 15, scaling_adjustment: 1 },
        { metric_interval_lower_bound: 15, scaling_adjustment: 3 },
      ],
      alarms: [
        {
          metric_name: 'MemoryUtilization',
          namespace: 'AWS/ECS',
          statistic: 'Average',
          period: 60,
          evaluation_periods: 3,
          threshold: 80,
          comparison_operator: 'GreaterThanThreshold',
        },
      ],
    },
  ],
};

function release(
  version: string,
  desired: number,
  scaling: AutoScalingConfig | null = SCALING,
): DeploymentConfig {
  const base = buildConfig({ service: { version }, canary: { scale: { desired, wait: 0 } } });
  return { ...base, service: { ...base.service, ...(scaling ? { auto_scaling: scaling } : {}) } };
}

const live = release(SAMPLE_VERSION, 2);
const candidate = release('1.5.0', 4);

const rollout = (releases: Partial<Record<Slot, DeploymentConfig>>, candidateSlot: Slot | null) =>
  buildDesiredState({
    environment: buildEnvironment(),
    releases,
    weights: releases.blue ? { blue: 100, green: 0 } : { blue: 0, green: 100 },
    meta: buildMeta({ candidateSlot, phase: 'deploying' }),
  });

const scalingOf = (resources: Declared, slot: Slot) =>
  Object.fromEntries(
    [...resources].filter(([name]) => name.startsWith(`${slot}-scaling-`)).map(([name, r]) => [name, r]),
  );

describe('program: auto scaling per release', () => {
  it('declares the scalable target, both kinds of policies and the step policy’s alarm', async () => {
    const resources = await declared(rollout({ blue: live }, null));
    const mine = scalingOf(resources, 'blue');
    expect(Object.fromEntries(Object.entries(mine).map(([name, r]) => [name, r.type]))).to.deep.equal({
      'blue-scaling-target': 'aws:appautoscaling/target:Target',
      'blue-scaling-policy-cpu': 'aws:appautoscaling/policy:Policy',
      'blue-scaling-policy-requests': 'aws:appautoscaling/policy:Policy',
      'blue-scaling-policy-memory-high': 'aws:appautoscaling/policy:Policy',
      'blue-scaling-alarm-memory-high-1': 'aws:cloudwatch/metricAlarm:MetricAlarm',
    });
    const target = mine['blue-scaling-target']?.inputs;
    expect(target).to.include({
      serviceNamespace: 'ecs',
      scalableDimension: 'ecs:service:DesiredCount',
      resourceId: 'service/main/shop-orders-api-prod-blue',
      minCapacity: 1,
      maxCapacity: 8,
    });
    expect(mine['blue-scaling-policy-cpu']?.inputs).to.deep.include({
      name: 'cpu',
      policyType: 'TargetTrackingScaling',
      resourceId: 'service/main/shop-orders-api-prod-blue',
      targetTrackingScalingPolicyConfiguration: {
        targetValue: 60,
        scaleInCooldown: 300,
        predefinedMetricSpecification: { predefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      },
    });
    const requests = mine['blue-scaling-policy-requests']?.inputs ?? {};
    expect(
      (requests.targetTrackingScalingPolicyConfiguration as Record<string, unknown>)
        .predefinedMetricSpecification,
    ).to.deep.equal({
      predefinedMetricType: 'ALBRequestCountPerTarget',
      resourceLabel: 'app/shop-blue/50dc6c495c0c9188/targetgroup/blue-tg-web-8080/0123',
    });
    expect(mine['blue-scaling-policy-memory-high']?.inputs).to.deep.include({
      policyType: 'StepScaling',
      stepScalingPolicyConfiguration: {
        adjustmentType: 'ChangeInCapacity',
        cooldown: 60,
        stepAdjustments: [
          { metricIntervalLowerBound: '0', metricIntervalUpperBound: '15', scalingAdjustment: 1 },
          { metricIntervalLowerBound: '15', scalingAdjustment: 3 },
        ],
      },
    });
    expect(mine['blue-scaling-alarm-memory-high-1']?.inputs).to.deep.include({
      name: 'shop-orders-api-prod-blue-memory-high-1',
      alarmActions: [mockArn('aws:appautoscaling/policy:Policy', 'blue-scaling-policy-memory-high')],
      dimensions: { ClusterName: 'main', ServiceName: 'shop-orders-api-prod-blue' },
      threshold: 80,
      comparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('holds the candidate at scale.desired while the live release is there, and re-declares the live one unchanged', async () => {
    const before = await declared(rollout({ blue: live }, null));
    const during = await declared(rollout({ blue: live, green: candidate }, 'green'));
    expect(during.get('green-scaling-target')?.inputs).to.include({ minCapacity: 4, maxCapacity: 8 });
    expect(scalingOf(during, 'blue')).to.deep.equal(scalingOf(before, 'blue'));
    const after = await declared(rollout({ green: candidate }, 'green'));
    expect(after.get('green-scaling-target')?.inputs).to.include({ minCapacity: 1, maxCapacity: 8 });
    expect(scalingOf(after, 'blue')).to.deep.equal({});
  });

  it('declares nothing for a release without auto_scaling', async () => {
    const resources = await declared(rollout({ blue: release(SAMPLE_VERSION, 2, null) }, null));
    expect([...resources.keys()].filter((name) => name.includes('scaling'))).to.deep.equal([]);
  });

  it('takes the cluster’s name out of an ARN for the resource id', async () => {
    const base = release(SAMPLE_VERSION, 2);
    const byArn = {
      ...base,
      service: { ...base.service, cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/main' },
    };
    const resources = await declared(rollout({ blue: byArn }, null));
    expect(resources.get('blue-scaling-target')?.inputs.resourceId).to.equal(
      'service/main/shop-orders-api-prod-blue',
    );
  });
});
