import { expect } from 'chai';
import { stepAdjustmentProblems } from '../../src/config/schema-scaling.js';
import { config, fileWith, type LooseFile, problems } from './fixtures.js';

const ALARM = {
  metric_name: 'CPUUtilization',
  namespace: 'AWS/ECS',
  statistic: 'Average',
  period: 60,
  evaluation_periods: 3,
  threshold: 80,
  comparison_operator: 'GreaterThanThreshold',
};

const STEP = {
  name: 'cpu-high',
  adjustment_type: 'ChangeInCapacity',
  cooldown: 60,
  metric_aggregation_type: 'Average',
  step_adjustments: [
    { metric_interval_lower_bound: 0, metric_interval_upper_bound: 10, scaling_adjustment: 1 },
    { metric_interval_lower_bound: 10, scaling_adjustment: 2 },
  ],
  alarms: [{ ...ALARM, description: 'cpu above 80 %' }],
};

/** The valid file with `auto_scaling` set to `scaling`. */
const withScaling = (scaling: LooseFile, edit: (file: LooseFile) => void = () => {}) =>
  fileWith((f) => {
    f.service.auto_scaling = scaling;
    edit(f);
  });

describe('config: service.auto_scaling', () => {
  it('resolves the preferred form as written, lists defaulted', () => {
    const resolved = config(
      withScaling({
        min_capacity: 1,
        max_capacity: 8,
        target_tracking: [{ name: 'cpu', metric: 'cpu', target: 60, scale_in_cooldown: 300 }],
        step_scaling: [STEP],
      }),
    ).service.auto_scaling;
    expect(resolved).to.deep.equal({
      min_capacity: 1,
      max_capacity: 8,
      target_tracking: [{ name: 'cpu', metric: 'cpu', target: 60, scale_in_cooldown: 300 }],
      step_scaling: [STEP],
    });
    expect(config(withScaling({ min_capacity: 0, max_capacity: 0 })).service.auto_scaling).to.deep.equal({
      min_capacity: 0,
      max_capacity: 0,
      target_tracking: [],
      step_scaling: [],
    });
  });

  it('reads the original tool’s auto_scaling_policies as the same step policies', () => {
    const { name, alarms, ...configuration } = STEP;
    const original = config(
      withScaling({
        min_capacity: 1,
        max_capacity: 8,
        role_arn: 'arn:aws:iam::123456789012:role/ecsAutoscaleRole',
        auto_scaling_policies: [
          {
            policy_name: name,
            policy_type: 'StepScaling',
            step_scaling_policy_configuration: configuration,
            cloudwatch_alarms: [{ ...ALARM, alarm_description: 'cpu above 80 %' }],
          },
        ],
      }),
    ).service.auto_scaling;
    expect(original).to.deep.equal({
      min_capacity: 1,
      max_capacity: 8,
      role_arn: 'arn:aws:iam::123456789012:role/ecsAutoscaleRole',
      target_tracking: [],
      step_scaling: [STEP],
    });
  });

  it('leaves a file without auto_scaling without the key (old releases declare nothing new)', () => {
    expect(config(fileWith(() => {})).service).to.not.have.property('auto_scaling');
  });

  it('refuses capacities out of order or above the ECS quota, at the key to change', () => {
    expect(problems(withScaling({ min_capacity: 5, max_capacity: 2 }))).to.deep.equal([
      'service.auto_scaling.max_capacity: must be at least min_capacity (5)',
    ]);
    expect(problems(withScaling({ min_capacity: -1, max_capacity: 5001 }))).to.deep.equal([
      'service.auto_scaling.min_capacity: must be between 0 and 5000',
      'service.auto_scaling.max_capacity: must be between 0 and 5000',
    ]);
  });

  it('keeps target tracking targets in range', () => {
    const tracking = (metric: string, target: number) =>
      problems(
        withScaling({ min_capacity: 1, max_capacity: 2, target_tracking: [{ name: 'a', metric, target }] }),
      );
    expect(tracking('cpu', 101)).to.deep.equal([
      'service.auto_scaling.target_tracking[0].target: must be above 0 and at most 100 (percent)',
    ]);
    expect(tracking('memory', 0)).to.have.length(1);
    expect(tracking('requests_per_target', 1000)).to.deep.equal([]);
    expect(tracking('requests_per_target', -3)).to.deep.equal([
      'service.auto_scaling.target_tracking[0].target: must be above 0 and at most 1000000 (requests per target)',
    ]);
  });

  it('refuses two policies of one name, across both lists and both spellings', () => {
    const found = problems(
      withScaling({
        min_capacity: 1,
        max_capacity: 2,
        target_tracking: [{ name: 'cpu-high', metric: 'cpu', target: 50 }],
        step_scaling: [STEP],
      }),
    );
    expect(found).to.deep.equal([
      'service.auto_scaling.step_scaling[0].name: must differ from target_tracking[0].name (both are "cpu-high")',
    ]);
  });

  it('refuses step adjustments Application Auto Scaling would refuse, at the step', () => {
    const steps = (step_adjustments: LooseFile[]) =>
      problems(
        withScaling({ min_capacity: 1, max_capacity: 2, step_scaling: [{ ...STEP, step_adjustments }] }),
      );
    const at = 'service.auto_scaling.step_scaling[0].step_adjustments';
    expect(
      steps([
        { metric_interval_lower_bound: 0, metric_interval_upper_bound: 20, scaling_adjustment: 1 },
        { metric_interval_lower_bound: 10, scaling_adjustment: 2 },
      ]),
    ).to.deep.equal([`${at}[1]: overlaps step_adjustments[0]`]);
    expect(
      steps([
        { metric_interval_lower_bound: 0, metric_interval_upper_bound: 10, scaling_adjustment: 1 },
        { metric_interval_lower_bound: 20, scaling_adjustment: 2 },
      ]),
    ).to.deep.equal([`${at}[1]: leaves a gap after step_adjustments[0]`]);
    expect(
      steps([
        { metric_interval_lower_bound: 0, scaling_adjustment: 1 },
        { metric_interval_lower_bound: 10, scaling_adjustment: 2 },
      ]),
    ).to.deep.equal([`${at}[1]: only one step adjustment may leave out metric_interval_upper_bound`]);
    expect(steps([{ scaling_adjustment: 1 }])).to.deep.equal([
      `${at}[0]: must have a metric_interval_lower_bound or an upper bound (or both)`,
    ]);
    expect(steps([])).to.deep.equal([`${at}: must list at least one step adjustment`]);
  });

  it('step bounds: open ends, negative and positive bounds as AWS documents them', () => {
    const step = (lower?: number, upper?: number) => ({
      ...(lower === undefined ? {} : { metric_interval_lower_bound: lower }),
      ...(upper === undefined ? {} : { metric_interval_upper_bound: upper }),
      scaling_adjustment: 1,
    });
    expect(stepAdjustmentProblems([step(undefined, 0)])).to.deep.equal([]);
    expect(stepAdjustmentProblems([step(undefined, -5), step(-5, 0), step(0)])).to.deep.equal([]);
    expect(stepAdjustmentProblems([step(-5, 0)]).map((p) => p.message)).to.deep.equal([
      'a negative lower bound needs a step adjustment without metric_interval_lower_bound below it',
    ]);
    expect(stepAdjustmentProblems([step(0, 10)]).map((p) => p.message)).to.deep.equal([
      'a positive upper bound needs a step adjustment without metric_interval_upper_bound above it',
    ]);
    expect(stepAdjustmentProblems([step(10, 10), step(10)])).to.deep.equal([
      { index: 0, message: 'metric_interval_lower_bound must be below metric_interval_upper_bound' },
    ]);
  });

  it('refuses alarms CloudWatch would refuse, and a step policy without one', () => {
    const alarm = (over: LooseFile) =>
      problems(
        withScaling({
          min_capacity: 1,
          max_capacity: 2,
          step_scaling: [{ ...STEP, alarms: [{ ...ALARM, ...over }] }],
        }),
      );
    expect(alarm({ period: 45 })).to.deep.equal([
      'service.auto_scaling.step_scaling[0].alarms[0].period: must be 10, 30 or a multiple of 60',
    ]);
    expect(alarm({ period: 3600, evaluation_periods: 25 })).to.deep.equal([
      'service.auto_scaling.step_scaling[0].alarms[0].evaluation_periods: times period (3600 s) must not exceed 86400 s (one day)',
    ]);
    expect(
      problems(withScaling({ min_capacity: 1, max_capacity: 2, step_scaling: [{ ...STEP, alarms: [] }] })),
    ).to.deep.equal([
      'service.auto_scaling.step_scaling[0].alarms: must list at least one alarm: a step policy acts only when an alarm calls it',
    ]);
  });

  it('says what to write for an original policy_type other than StepScaling', () => {
    const { name, alarms, ...configuration } = STEP;
    const found = problems(
      withScaling({
        min_capacity: 1,
        max_capacity: 2,
        auto_scaling_policies: [
          {
            policy_name: name,
            policy_type: 'TargetTrackingScaling',
            step_scaling_policy_configuration: configuration,
            cloudwatch_alarms: [ALARM],
          },
        ],
      }),
    );
    expect(found).to.deep.equal([
      'service.auto_scaling.auto_scaling_policies[0].policy_type: must be StepScaling: the original form carries step policies only; write target tracking under auto_scaling.target_tracking',
    ]);
  });

  it('refuses auto scaling on a DAEMON service, which has no desired count to scale', () => {
    expect(
      problems(
        withScaling({ min_capacity: 1, max_capacity: 2 }, (f) => {
          f.service.scheduling_strategy = 'DAEMON';
        }),
      ),
    ).to.deep.equal([
      'service.auto_scaling: is not supported with scheduling_strategy DAEMON (one task per instance)',
    ]);
  });
});
