/**
 * A deployment file in the original tool's form with listener rules (a redirect and a fixed
 * response, their settings as `config` lists) and target group attributes, deployed through
 * the CLI and the real engine, read back from the emulator.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { expect } from 'chai';
import { parseDocument } from 'yaml';
import { SandboxCli } from '../../sandbox/ecs-crd.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';

describe('deploy: listener rules and target group attributes of the original’s form, through the CLI', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;
  let elbv2: ElasticLoadBalancingV2Client;

  before(async () => {
    sandbox = await startSandbox({ traffic: false });
    cli = new SandboxCli(sandbox);
    elbv2 = new ElasticLoadBalancingV2Client({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: FAKE_CREDENTIALS,
    });
  });
  after(async () => {
    elbv2?.destroy();
    cli?.cleanup();
    await sandbox?.stop();
  });

  it('deploys rules with redirect and fixed-response actions, and attributes given as one-key maps', async () => {
    const file = cli.release({ version: '1.0.0' });
    const doc = parseDocument(readFileSync(file, 'utf8'));
    doc.set('target_groups', [
      {
        container: { port: 80 },
        target_group_attributes: [{ 'stickiness.enabled': true }, { 'slow_start.duration_seconds': 30 }],
        health_check: { interval_seconds: 10, healthy_threshold_count: 2 },
      },
    ]);
    doc.set('listeners', [
      {
        port: 80,
        protocol: 'HTTP',
        target_group: { container: { port: 80 } },
        rules: [
          {
            conditions: [{ field: 'path-pattern', values: ['/old/*'] }],
            actions: [
              { type: 'redirect', order: 1, config: [{ status_code: 'HTTP_301' }, { path: '/new/#{path}' }] },
            ],
          },
          {
            conditions: [{ field: 'path-pattern', values: ['/maintenance'] }],
            actions: [
              {
                type: 'fixed-response',
                order: 1,
                config: [{ status_code: 503 }, { content_type: 'text/plain' }, { message_body: 'back soon' }],
              },
            ],
          },
        ],
      },
    ]);
    writeFileSync(file, doc.toString());
    const result = await cli.run(['deploy', ...cli.flags(file)]);
    expect(result.code, result.stderr).to.equal(0);

    const { blue, green } = sandbox.fixtures.loadBalancers;
    const rules = (
      await Promise.all(
        [blue, green].map((alb) => elbv2.send(new DescribeRulesCommand({ ListenerArn: alb.listenerArn }))),
      )
    ).flatMap((found) => found.Rules ?? []);
    const redirect = rules.find((rule) => rule.Actions?.[0]?.Type === 'redirect');
    expect(redirect?.Actions?.[0]?.RedirectConfig).to.include({
      StatusCode: 'HTTP_301',
      Path: '/new/#{path}',
    });
    expect(
      redirect?.Conditions?.find((c) => c.Field === 'host-header')?.HostHeaderConfig?.Values,
    ).to.deep.equal(['api.sandbox.example.com']);
    const fixed = rules.find((rule) => rule.Actions?.[0]?.Type === 'fixed-response');
    expect(fixed?.Actions?.[0]?.FixedResponseConfig).to.include({
      StatusCode: '503',
      MessageBody: 'back soon',
    });
    const groups = await elbv2.send(new DescribeTargetGroupsCommand({}));
    const group = groups.TargetGroups?.[0];
    expect(group?.HealthCheckIntervalSeconds).to.equal(10);
    expect(group?.HealthyThresholdCount).to.equal(2);
    const attributes = await elbv2.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: group?.TargetGroupArn }),
    );
    expect(Object.fromEntries((attributes.Attributes ?? []).map((a) => [a.Key, a.Value]))).to.include({
      'stickiness.enabled': 'true',
      'slow_start.duration_seconds': '30',
    });
    const gone = await cli.run(['undeploy', ...cli.flags(file, '--yes')]);
    expect(gone.code, gone.stderr).to.equal(0);
  });
});
