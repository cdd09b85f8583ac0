/** The stand-in's auto scaling kinds refuse, before any call, what AWS refuses and moto accepts. */
import { expect } from 'chai';
import { checkInputs } from '../../sandbox/provider/kind.js';
import {
  metricAlarm,
  scalableTarget,
  scalingPolicy,
  stepAdjustmentFailures,
} from '../../sandbox/provider/scaling.js';

const TARGET = {
  serviceNamespace: 'ecs',
  scalableDimension: 'ecs:service:DesiredCount',
  resourceId: 'service/main/api-blue',
};

describe('sandbox provider: auto scaling kinds', () => {
  it('refuses a scalable target whose minimum is above its maximum', () => {
    const { failures } = checkInputs(scalableTarget, 't', {}, { ...TARGET, minCapacity: 5, maxCapacity: 2 });
    expect(failures).to.deep.equal([
      { property: 'minCapacity', reason: 'minCapacity (5) is above maxCapacity (2)' },
    ]);
    expect(
      checkInputs(scalableTarget, 't', {}, { ...TARGET, minCapacity: 2, maxCapacity: 2 }).failures,
    ).to.deep.equal([]);
  });

  it('refuses step adjustments as PutScalingPolicy does', () => {
    expect(stepAdjustmentFailures([{ metricIntervalLowerBound: '0', scalingAdjustment: 1 }])).to.deep.equal(
      [],
    );
    expect(
      stepAdjustmentFailures([
        { metricIntervalLowerBound: '0', metricIntervalUpperBound: '20', scalingAdjustment: 1 },
        { metricIntervalLowerBound: '10', scalingAdjustment: 2 },
      ]),
    ).to.deep.equal(['step adjustment intervals must not overlap or leave a gap']);
    expect(
      stepAdjustmentFailures([
        { metricIntervalUpperBound: '0', scalingAdjustment: -1 },
        { metricIntervalUpperBound: '-10', scalingAdjustment: -2 },
      ]),
    ).to.include('at most one step adjustment may have a null lower bound');
    const { failures } = checkInputs(
      scalingPolicy,
      'p',
      {},
      {
        ...TARGET,
        name: 'p',
        policyType: 'StepScaling',
        stepScalingPolicyConfiguration: { stepAdjustments: [] },
      },
    );
    expect(failures).to.deep.equal([
      { property: 'stepScalingPolicyConfiguration', reason: 'StepAdjustments must not be empty' },
    ]);
  });

  it('refuses ALBRequestCountPerTarget without its resource label', () => {
    const { failures } = checkInputs(
      scalingPolicy,
      'p',
      {},
      {
        ...TARGET,
        name: 'p',
        policyType: 'TargetTrackingScaling',
        targetTrackingScalingPolicyConfiguration: {
          targetValue: 100,
          predefinedMetricSpecification: { predefinedMetricType: 'ALBRequestCountPerTarget' },
        },
      },
    );
    expect(failures.map((f) => f.reason)).to.deep.equal([
      'ResourceLabel is required for ALBRequestCountPerTarget',
    ]);
  });

  it('refuses an alarm period CloudWatch does not take', () => {
    const alarm = { name: 'a', comparisonOperator: 'GreaterThanThreshold', evaluationPeriods: 2, period: 45 };
    expect(checkInputs(metricAlarm, 'a', {}, alarm).failures.map((f) => f.property)).to.deep.equal([
      'period',
    ]);
    expect(checkInputs(metricAlarm, 'a', {}, { ...alarm, period: 120 }).failures).to.deep.equal([]);
  });
});
