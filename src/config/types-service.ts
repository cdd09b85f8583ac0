/** The resolved shape of a release's volumes and auto scaling. */

export interface VolumeConfig {
  name: string;
  /** A bind mount of the instance's `source_path` (EC2); absent path: a Docker-managed scratch volume. */
  host?: { source_path?: string };
  docker_volume_configuration?: {
    scope?: 'task' | 'shared';
    autoprovision?: boolean;
    driver?: string;
    driver_opts?: Record<string, string>;
    labels?: Record<string, string>;
  };
  efs_volume_configuration?: {
    file_system_id: string;
    root_directory?: string;
    transit_encryption?: 'ENABLED' | 'DISABLED';
    transit_encryption_port?: number;
    authorization_config?: { access_point_id?: string; iam?: 'ENABLED' | 'DISABLED' };
  };
}

/** Target tracking: ECS adds and removes tasks to hold a metric at `target`. */
export interface TargetTrackingPolicy {
  name: string;
  /** ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization, ALBRequestCountPerTarget. */
  metric: 'cpu' | 'memory' | 'requests_per_target';
  target: number;
  scale_in_cooldown?: number;
  scale_out_cooldown?: number;
  disable_scale_in?: boolean;
}

/** The original's step scaling: a policy and the CloudWatch alarms that trigger it. */
export interface StepScalingPolicy {
  name: string;
  adjustment_type: 'ChangeInCapacity' | 'ExactCapacity' | 'PercentChangeInCapacity';
  cooldown?: number;
  metric_aggregation_type?: 'Average' | 'Minimum' | 'Maximum';
  step_adjustments: {
    metric_interval_lower_bound?: number;
    metric_interval_upper_bound?: number;
    scaling_adjustment: number;
  }[];
  alarms: {
    metric_name: string;
    namespace: string;
    statistic: 'Average' | 'Minimum' | 'Maximum' | 'Sum' | 'SampleCount';
    period: number;
    evaluation_periods: number;
    threshold: number;
    comparison_operator:
      | 'GreaterThanOrEqualToThreshold'
      | 'GreaterThanThreshold'
      | 'LessThanThreshold'
      | 'LessThanOrEqualToThreshold';
    description?: string;
    /** Absent: the release's own service (ClusterName, ServiceName). */
    dimensions?: Record<string, string>;
  }[];
}

/** Application Auto Scaling of each release's ECS service. */
export interface AutoScalingConfig {
  min_capacity: number;
  max_capacity: number;
  /** Absent: the ECS service-linked role AWS uses by default. */
  role_arn?: string;
  target_tracking: TargetTrackingPolicy[];
  step_scaling: StepScalingPolicy[];
}
