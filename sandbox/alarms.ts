/**
 * CloudWatch alarms in the sandbox, for scenarios of `canary.analysis.alarms`: moto stores
 * alarms but never evaluates them (sandbox/moto/sandbox_cloudwatch.py), so a test puts one and
 * moves it with SetAlarmState, as an operator testing an alarm's actions would on AWS.
 */
import {
  CloudWatchClient,
  PutMetricAlarmCommand,
  SetAlarmStateCommand,
  type StateValue,
} from '@aws-sdk/client-cloudwatch';
import { dimensionOf } from './traffic/world.js';

export type AlarmState = StateValue & ('OK' | 'ALARM' | 'INSUFFICIENT_DATA');

function client(endpoint: string, region: string): CloudWatchClient {
  return new CloudWatchClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 2,
  });
}

/** An alarm on the ALB's own 5xx (any in a minute), then put in `state`. */
export async function putAlarm(
  endpoint: string,
  region: string,
  loadBalancerArn: string,
  name: string,
  state: AlarmState,
): Promise<void> {
  const cloudwatch = client(endpoint, region);
  try {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: name,
        Namespace: 'AWS/ApplicationELB',
        MetricName: 'HTTPCode_ELB_5XX_Count',
        Dimensions: [{ Name: 'LoadBalancer', Value: dimensionOf(loadBalancerArn) }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
      }),
    );
    // AWS creates it in INSUFFICIENT_DATA; its first evaluation would then move it.
    if (state !== 'INSUFFICIENT_DATA') await send(cloudwatch, name, state);
  } finally {
    cloudwatch.destroy();
  }
}

export async function setAlarmState(
  endpoint: string,
  region: string,
  name: string,
  state: AlarmState,
): Promise<void> {
  const cloudwatch = client(endpoint, region);
  try {
    await send(cloudwatch, name, state);
  } finally {
    cloudwatch.destroy();
  }
}

function send(cloudwatch: CloudWatchClient, name: string, state: AlarmState): Promise<unknown> {
  return cloudwatch.send(
    new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: `sandbox: set to ${state}` }),
  );
}
