/**
 * Auto scaling through `ecs-crd deploy`, as a migrating user runs it: the original tool's
 * `auto_scaling_policies` in the file, two deployments, the scaling read back from the
 * emulator while the second one runs and after it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { expect } from 'chai';
import { parseDocument } from 'yaml';
import { SandboxCli } from '../../sandbox/ecs-crd.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';

const AUTO_SCALING = {
  min_capacity: 1,
  max_capacity: 4,
  target_tracking: [{ name: 'cpu', metric: 'cpu', target: 70 }],
  auto_scaling_policies: [
    {
      policy_name: 'memory-high',
      policy_type: 'StepScaling',
      step_scaling_policy_configuration: {
        adjustment_type: 'ChangeInCapacity',
        cooldown: 60,
        metric_aggregation_type: 'Average',
        step_adjustments: [{ metric_interval_lower_bound: 0, scaling_adjustment: 1 }],
      },
      cloudwatch_alarms: [
        {
          metric_name: 'MemoryUtilization',
          alarm_description: 'memory above 80 %',
          namespace: 'AWS/ECS',
          statistic: 'Average',
          period: 60,
          evaluation_periods: 1,
          threshold: 80,
          comparison_operator: 'GreaterThanThreshold',
        },
      ],
    },
  ],
};

describe('deploy: auto scaling through a canary, through the CLI', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;
  let scaling: ApplicationAutoScalingClient;
  let cloudwatch: CloudWatchClient;

  /** The sandbox example at `version`, with `desired` tasks and the original's auto scaling. */
  function file(version: string, desired: number): string {
    const path = cli.release({ version, drain: 0 });
    const doc = parseDocument(readFileSync(path, 'utf8'));
    doc.setIn(['canary', 'scale', 'desired'], desired);
    doc.setIn(['service', 'auto_scaling'], AUTO_SCALING);
    writeFileSync(path, doc.toString());
    return path;
  }

  /** min/max by service name. */
  async function targets(): Promise<Record<string, string>> {
    const found = await scaling.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }));
    return Object.fromEntries(
      (found.ScalableTargets ?? []).map((t) => [
        t.ResourceId?.split('/')[2] ?? '?',
        `${t.MinCapacity}-${t.MaxCapacity}`,
      ]),
    );
  }

  before(async () => {
    sandbox = await startSandbox({ traffic: false });
    cli = new SandboxCli(sandbox);
    const sdk = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: FAKE_CREDENTIALS };
    scaling = new ApplicationAutoScalingClient(sdk);
    cloudwatch = new CloudWatchClient(sdk);
  });

  after(async () => {
    scaling?.destroy();
    cloudwatch?.destroy();
    cli?.cleanup();
    await sandbox?.stop();
  });

  it('validates the original form', async () => {
    const result = await cli.run(['validate', ...cli.flags(file('1.0.0', 2))]);
    expect(result.code, result.stderr).to.equal(0);
  });

  it('the candidate holds scale.desired until it takes all the traffic; the old release’s scaling goes with it', async () => {
    const first = await cli.run(['deploy', ...cli.flags(file('1.0.0', 2))]);
    expect(first.code, first.stderr + first.stdout).to.equal(0);
    const initial = await targets();
    expect(Object.values(initial)).to.deep.equal(['1-4']);
    const [live] = Object.keys(initial);

    // Watch the emulator while the second deployment runs.
    const seen = new Map<string, Set<string>>();
    const running = cli.start(['deploy', ...cli.flags(file('2.0.0', 3))]);
    let finished = false;
    const outcome = running.done.finally(() => {
      finished = true;
    });
    while (!finished) {
      for (const [service, capacity] of Object.entries(await targets())) {
        seen.set(service, (seen.get(service) ?? new Set()).add(capacity));
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const result = await outcome;
    expect(result.code, result.stderr + result.stdout).to.equal(0);

    const candidate = [...seen.keys()].find((service) => service !== live);
    expect(candidate, 'the candidate’s scalable target was never seen').to.be.a('string');
    // While the live release was there: 3 (scale.desired); once alone, the file's 1.
    expect([...(seen.get(candidate ?? '') ?? [])]).to.deep.equal(['3-4', '1-4']);
    // The live release's scaling never changed while it lived.
    expect([...(seen.get(live ?? '') ?? [])]).to.deep.equal(['1-4']);

    expect(await targets()).to.deep.equal({ [candidate ?? '']: '1-4' });
    const policies = await scaling.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs' }));
    expect(
      (policies.ScalingPolicies ?? []).map((p) => `${p.ResourceId?.split('/')[2]} ${p.PolicyName}`).sort(),
    ).to.deep.equal([`${candidate} cpu`, `${candidate} memory-high`]);
    const alarms = await cloudwatch.send(new DescribeAlarmsCommand({}));
    expect(
      (alarms.MetricAlarms ?? [])
        .map((a) => a.AlarmName)
        .filter((name) => !name?.startsWith('TargetTracking-')),
    ).to.deep.equal([`${candidate}-memory-high-1`]);
  });
});
