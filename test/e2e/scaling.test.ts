/**
 * Auto scaling through a canary, end to end: the product's runner and program on the real
 * engine, the stand-in provider and moto. A live release and a candidate, each with its own
 * scaling (target tracking on CPU, and an original-style step policy with its alarm), read back
 * from the emulator's Application Auto Scaling and CloudWatch at each stage of a rollout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { LocalWorkspace } from '@pulumi/pulumi/automation/index.js';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { pinnedPulumiCommand, pinnedPulumiVersion } from '../../sandbox/engine.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import type { Environment, Slot, SlotInfo } from '../../src/canary/ports/aws.js';
import type { DesiredState, StackRunner } from '../../src/canary/ports/stack.js';
import { checkDeployment } from '../../src/config/check.js';
import type { DeploymentConfig } from '../../src/config/types.js';
import { resolveBackend } from '../../src/stack/backend.js';
import { serviceName, stackName } from '../../src/stack/naming.js';
import { openStackRunner, PULUMI_PROJECT } from '../../src/stack/runner.js';
import { runWorkspace } from '../../src/stack/workspace.js';
import { buildIdentity, buildMeta } from '../helpers/builders.js';

const FQDN = 'api.sandbox.example.com';

/** A deployment file as a user writes it (scaling in both spellings), resolved by the product. */
function release(sandbox: Sandbox, version: string, desired: number): DeploymentConfig {
  const file = {
    canary: {
      group: 'sandbox',
      releases: { blue: 'blue', green: 'green' },
      scale: { desired, wait: 0 },
      drain: 0,
    },
    service: {
      project: 'shop',
      name: 'api',
      cluster: sandbox.fixtures.clusterName,
      fqdn: FQDN,
      version,
      health_check_grace_period: 0,
      containers: [{ name: 'web', image: `nginx:${version}`, port_mappings: [{ container_port: 8080 }] }],
      auto_scaling: {
        min_capacity: 1,
        max_capacity: 6,
        target_tracking: [{ name: 'cpu', metric: 'cpu', target: 60, scale_in_cooldown: 120 }],
        auto_scaling_policies: [
          {
            policy_name: 'scale-out',
            policy_type: 'StepScaling',
            step_scaling_policy_configuration: {
              adjustment_type: 'ChangeInCapacity',
              cooldown: 60,
              metric_aggregation_type: 'Average',
              step_adjustments: [
                { metric_interval_lower_bound: 0, metric_interval_upper_bound: 20, scaling_adjustment: 1 },
                { metric_interval_lower_bound: 20, scaling_adjustment: 2 },
              ],
            },
            cloudwatch_alarms: [
              {
                metric_name: 'MemoryUtilization',
                alarm_description: 'memory high',
                namespace: 'AWS/ECS',
                statistic: 'Average',
                period: 60,
                evaluation_periods: 2,
                threshold: 75,
                comparison_operator: 'GreaterThanThreshold',
              },
            ],
          },
        ],
      },
    },
    listeners: [{ port: 80 }],
  };
  const result = checkDeployment(stringify(file), {
    file: 'dev.deploy.yml',
    environment: 'dev',
    region: sandbox.region,
  });
  if (!result.ok) throw new Error(result.problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return result.config;
}

function environmentOf(sandbox: Sandbox): Environment {
  const f = sandbox.fixtures;
  const slot = (name: Slot, priority: number): SlotInfo => {
    const alb = f.loadBalancers[name];
    return {
      slot: name,
      releaseId: name,
      albArn: alb.arn,
      albName: alb.name,
      albDnsName: alb.dnsName,
      albZoneId: alb.canonicalHostedZoneId,
      vpcId: f.vpcId,
      listeners: [{ port: 80, listenerArn: alb.listenerArn, priority }],
    };
  };
  return {
    accountId: f.accountId,
    region: sandbox.region,
    slots: { blue: slot('blue', 10), green: slot('green', 11) },
    zones: [{ fqdn: FQDN, zoneId: f.hostedZoneId, zoneName: f.hostedZoneName }],
  };
}

describe('auto scaling through a canary (engine, stand-in, moto)', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let runner: StackRunner;
  let scaling: ApplicationAutoScalingClient;
  let cloudwatch: CloudWatchClient;
  let ecs: ECSClient;
  let dir: string;
  let backendUrl: string;
  let engineEnv: Record<string, string>;
  const identity = buildIdentity({ project: 'shop', name: 'api', environment: 'dev' });

  let live: DeploymentConfig;
  let candidate: DeploymentConfig;
  const resourceId = (slot: Slot) =>
    `service/${sandbox.fixtures.clusterName}/${serviceName({ ...identity, region: sandbox.region }, slot)}`;

  const state = (
    releases: Partial<Record<Slot, DeploymentConfig>>,
    weights: Record<Slot, number>,
    meta: Partial<DesiredState['meta']>,
  ): DesiredState => ({
    identity: { ...identity, region: sandbox.region },
    environment: environmentOf(sandbox),
    listeners: {},
    releases,
    weights,
    meta: buildMeta({ liveVersion: '1.0.0', ...meta }),
  });

  async function targets() {
    const found = await scaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }));
    return Object.fromEntries(
      (found.ScalableTargets ?? []).map((t) => [
        t.ResourceId,
        { min: t.MinCapacity, max: t.MaxCapacity, dimension: t.ScalableDimension },
      ]),
    );
  }

  async function policies() {
    const found = await scaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs' }));
    return (found.ScalingPolicies ?? []).map((p) => `${p.ResourceId} ${p.PolicyName} ${p.PolicyType}`).sort();
  }

  async function alarms() {
    const found = await cloudwatch.send(new DescribeAlarmsCommand({}));
    return (found.MetricAlarms ?? []).filter((a) => !a.AlarmName?.startsWith('TargetTracking-'));
  }

  async function desiredCount(slot: Slot): Promise<number | undefined> {
    const found = await ecs.send(
      new DescribeServicesCommand({
        cluster: sandbox.fixtures.clusterName,
        services: [serviceName({ ...identity, region: sandbox.region }, slot)],
      }),
    );
    return found.services?.[0]?.desiredCount;
  }

  /** `pulumi refresh` of the stack, as a person might run it: the state learns the live values. */
  async function refresh(): Promise<void> {
    const name = stackName({ ...identity, region: sandbox.region });
    const stack = await LocalWorkspace.selectStack(
      { stackName: name, projectName: PULUMI_PROJECT, program: async () => ({}) },
      {
        workDir: runWorkspace(PULUMI_PROJECT, name),
        pulumiCommand: await pinnedPulumiCommand(),
        envVars: {
          ...engineEnv,
          PULUMI_BACKEND_URL: backendUrl,
          PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: 'true',
        },
      },
    );
    await stack.refresh();
  }

  before(async () => {
    sandbox = await startSandbox({ traffic: false });
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-scaling-'));
    const env = { ...process.env, ECS_CRD_HOME: join(dir, 'home'), PULUMI_CONFIG_PASSPHRASE: '' };
    const { AWS_ENDPOINT_URL: _viaConfig, ...sandboxEnv } = sandbox.env;
    engineEnv = { ...sandboxEnv, PULUMI_CONFIG_PASSPHRASE: '' };
    const backend = resolveBackend(`file://${join(dir, 'state')}`, env);
    backendUrl = backend.url;
    runner = await openStackRunner({
      identity: { ...identity, region: sandbox.region },
      pulumiVersion: pinnedPulumiVersion(),
      backend,
      provider: { region: sandbox.region, endpointUrl: sandbox.endpoint },
      engineEnv,
      env,
    });
    const sdk = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: FAKE_CREDENTIALS };
    scaling = new ApplicationAutoScalingClient(sdk);
    cloudwatch = new CloudWatchClient(sdk);
    ecs = new ECSClient(sdk);
    live = release(sandbox, '1.0.0', 2);
    candidate = release(sandbox, '2.0.0', 3);
  });

  after(async () => {
    scaling?.destroy();
    cloudwatch?.destroy();
    ecs?.destroy();
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a first release alone scales by its own file', async () => {
    await runner.up(
      state(
        { blue: live },
        { blue: 100, green: 0 },
        { liveSlot: 'blue', candidateSlot: 'blue', phase: 'stable' },
      ),
    );
    expect(await targets()).to.deep.equal({
      [resourceId('blue')]: { min: 1, max: 6, dimension: 'ecs:service:DesiredCount' },
    });
    expect(await policies()).to.deep.equal([
      `${resourceId('blue')} cpu TargetTrackingScaling`,
      `${resourceId('blue')} scale-out StepScaling`,
    ]);
    const [alarm, ...more] = await alarms();
    expect(more).to.deep.equal([]);
    const policyArn = (
      await scaling.send(
        new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId('blue') }),
      )
    ).ScalingPolicies?.find((p) => p.PolicyName === 'scale-out')?.PolicyARN;
    expect(alarm?.AlarmActions).to.deep.equal([policyArn]);
    expect(alarm).to.include({
      MetricName: 'MemoryUtilization',
      Namespace: 'AWS/ECS',
      Threshold: 75,
      EvaluationPeriods: 2,
      AlarmDescription: 'memory high',
    });
    expect(alarm?.Dimensions).to.have.deep.members([
      { Name: 'ClusterName', Value: sandbox.fixtures.clusterName },
      { Name: 'ServiceName', Value: resourceId('blue').split('/')[2] },
    ]);
  });

  it('while both releases exist, the candidate never scales below scale.desired; the live one is untouched', async () => {
    // Application Auto Scaling moved the live service: a later `up` must leave that count alone.
    await ecs.send(
      new UpdateServiceCommand({
        cluster: sandbox.fixtures.clusterName,
        service: resourceId('blue').split('/')[2],
        desiredCount: 5,
      }),
    );
    await refresh();
    const both = { blue: live, green: candidate };
    const meta = { liveSlot: 'blue' as const, candidateSlot: 'green' as const, phase: 'deploying' as const };
    const provision = await runner.up(state(both, { blue: 100, green: 0 }, meta));
    // Only the candidate's resources are created; nothing of the live release changes.
    expect(provision.changes.update ?? 0).to.equal(0);
    expect(await targets()).to.deep.equal({
      [resourceId('blue')]: { min: 1, max: 6, dimension: 'ecs:service:DesiredCount' },
      [resourceId('green')]: { min: 3, max: 6, dimension: 'ecs:service:DesiredCount' },
    });
    expect(await policies()).to.have.length(4);
    expect(await alarms()).to.have.length(2);
    expect(await desiredCount('blue')).to.equal(5);
    expect(await desiredCount('green')).to.equal(3);

    const shift = await runner.up(state(both, { blue: 50, green: 50 }, meta));
    // Two weights: the records of the one fqdn, nothing else.
    expect({ ...shift.changes, same: 0 }).to.deep.equal({ same: 0, update: 2 });
    expect(await desiredCount('blue')).to.equal(5);
  });

  it('finalize lowers the candidate to its file’s minimum and removes the old release’s scaling with it', async () => {
    await runner.up(
      state(
        { green: candidate },
        { blue: 0, green: 100 },
        { liveSlot: 'green', candidateSlot: 'green', phase: 'stable', liveVersion: '2.0.0' },
      ),
    );
    expect(await targets()).to.deep.equal({
      [resourceId('green')]: { min: 1, max: 6, dimension: 'ecs:service:DesiredCount' },
    });
    expect(await policies()).to.deep.equal([
      `${resourceId('green')} cpu TargetTrackingScaling`,
      `${resourceId('green')} scale-out StepScaling`,
    ]);
    const left = await alarms();
    expect(left.map((a) => a.AlarmName)).to.deep.equal([`${resourceId('green').split('/')[2]}-scale-out-1`]);
  });
});
