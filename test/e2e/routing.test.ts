/**
 * Target group settings and further listener rules through the real engine, the stand-in
 * provider and moto: a DesiredState from the builders, deployed to the sandbox's blue slot,
 * read back through the AWS SDK.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateRuleCommand,
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ModifyTargetGroupAttributesCommand,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { LocalWorkspace, type PulumiCommand } from '@pulumi/pulumi/automation/index.js';
import { expect } from 'chai';
import { pinnedPulumiCommand } from '../../sandbox/engine.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { awsEmulatorStackConfig } from '../../sandbox/pulumi-config.js';
import type { DesiredState } from '../../src/canary/ports/stack.js';
import type { ListenerRuleConfig } from '../../src/config/types.js';
import { deploymentProgram } from '../../src/stack/program.js';
import {
  buildConfig,
  buildContainer,
  buildDesiredState,
  buildEnvironment,
  buildIdentity,
  buildListener,
  buildSlotListener,
  buildTargetGroup,
} from '../helpers/builders.js';

const FQDN = 'orders.sandbox.example.com';

const RULES: ListenerRuleConfig[] = [
  {
    conditions: [
      { field: 'host-header', values: [FQDN] },
      { field: 'path-pattern', values: ['/old/*'] },
    ],
    actions: [{ type: 'redirect', status_code: 'HTTP_301', path: '/new/#{path}', query: 'from=old' }],
  },
  {
    conditions: [
      { field: 'host-header', values: [FQDN] },
      { field: 'http-header', http_header_name: 'X-Env', values: ['beta'] },
      { field: 'query-string', values: ['v=2'] },
      { field: 'source-ip', values: ['10.0.0.0/8'] },
      { field: 'http-request-method', values: ['GET'] },
    ],
    actions: [
      {
        type: 'fixed-response',
        status_code: '503',
        content_type: 'application/json',
        message_body: '{"down":true}',
      },
    ],
  },
];

function desired(sandbox: Sandbox): DesiredState {
  const f = sandbox.fixtures;
  const release = buildConfig({
    service: {
      cluster: f.clusterName,
      fqdn: [FQDN],
      network: { subnets: [...f.subnetIds], security_groups: [f.securityGroupId], assign_public_ip: false },
      containers: [buildContainer({ secrets: {} })],
    },
    target_groups: [
      buildTargetGroup({
        port: 80,
        attributes: {
          'stickiness.enabled': 'true',
          'stickiness.type': 'lb_cookie',
          'stickiness.lb_cookie.duration_seconds': '3600',
          'slow_start.duration_seconds': '60',
          'load_balancing.algorithm.type': 'least_outstanding_requests',
          'load_balancing.cross_zone.enabled': 'false',
        },
        health_check: { ...buildTargetGroup().health_check, protocol: 'HTTP', interval: 20 },
      }),
    ],
    listeners: [
      buildListener({
        port: 80,
        protocol: 'HTTP',
        certificate_arns: [],
        rule: { conditions: { host_header: [FQDN] } },
        rules: RULES,
      }),
    ],
  });
  const slot = (name: 'blue' | 'green') => {
    const lb = f.loadBalancers[name];
    return {
      albArn: lb.arn,
      albName: lb.name,
      albDnsName: lb.dnsName,
      albZoneId: lb.canonicalHostedZoneId,
      vpcId: f.vpcId,
      listeners: [
        buildSlotListener(name, {
          port: 80,
          listenerArn: lb.listenerArn,
          priority: 10,
          rulePriorities: [11, 12],
        }),
      ],
    };
  };
  return buildDesiredState({
    identity: buildIdentity({ region: sandbox.region }),
    environment: {
      ...buildEnvironment({ slots: { blue: slot('blue'), green: slot('green') } }),
      accountId: f.accountId,
      region: sandbox.region,
      zones: [{ fqdn: FQDN, zoneId: f.hostedZoneId, zoneName: f.hostedZoneName }],
    },
    releases: { blue: release },
  });
}

describe('e2e: target groups and further listener rules reach the emulator', function () {
  this.timeout(300_000);
  let sandbox: Sandbox;
  let pulumi: PulumiCommand;
  let dir: string;
  let elbv2: ElasticLoadBalancingV2Client;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-routing-'));
    [sandbox, pulumi] = await Promise.all([startSandbox(), pinnedPulumiCommand()]);
    elbv2 = new ElasticLoadBalancingV2Client({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: FAKE_CREDENTIALS,
    });
  });
  after(async () => {
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('creates the target group with its port, attributes and health check, and every rule with its actions and conditions', async () => {
    const state = desired(sandbox);
    mkdirSync(join(dir, 'work'), { recursive: true });
    mkdirSync(join(dir, 'state'), { recursive: true });
    const { AWS_ENDPOINT_URL: _configured, ...engineEnv } = sandbox.env;
    const stack = await LocalWorkspace.createOrSelectStack(
      { stackName: 'routing', projectName: 'ecs-crd', program: deploymentProgram(state) },
      {
        workDir: join(dir, 'work'),
        pulumiCommand: pulumi,
        envVars: {
          ...engineEnv,
          PULUMI_BACKEND_URL: `file://${join(dir, 'state')}`,
          PULUMI_CONFIG_PASSPHRASE: '',
        },
      },
    );
    await stack.setAllConfig(
      awsEmulatorStackConfig({
        endpoint: sandbox.endpoint,
        region: sandbox.region,
        accessKey: FAKE_CREDENTIALS.accessKeyId,
        secretKey: FAKE_CREDENTIALS.secretAccessKey,
      }),
    );
    const result = await stack.up({ program: deploymentProgram(state) });
    expect(result.summary.result).to.equal('succeeded');

    const groups = await elbv2.send(new DescribeTargetGroupsCommand({}));
    const group = groups.TargetGroups?.find((tg) => tg.TargetGroupName?.includes('blue'));
    expect(group?.Port).to.equal(80);
    expect(group?.HealthCheckProtocol).to.equal('HTTP');
    expect(group?.HealthCheckIntervalSeconds).to.equal(20);
    const attributes = await elbv2.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: group?.TargetGroupArn }),
    );
    const byKey = Object.fromEntries((attributes.Attributes ?? []).map((a) => [a.Key, a.Value]));
    expect(byKey).to.include({
      'stickiness.enabled': 'true',
      'stickiness.type': 'lb_cookie',
      'stickiness.lb_cookie.duration_seconds': '3600',
      'slow_start.duration_seconds': '60',
      'load_balancing.algorithm.type': 'least_outstanding_requests',
      'load_balancing.cross_zone.enabled': 'false',
      'deregistration_delay.timeout_seconds': '30',
    });

    const rules = await elbv2.send(
      new DescribeRulesCommand({ ListenerArn: sandbox.fixtures.loadBalancers.blue.listenerArn }),
    );
    const at = (priority: string): Rule | undefined =>
      rules.Rules?.find((rule) => rule.Priority === priority);
    expect(at('10')?.Actions?.[0]?.TargetGroupArn).to.equal(group?.TargetGroupArn);
    const redirect = at('11');
    expect(redirect?.Actions?.[0]?.Type).to.equal('redirect');
    expect(redirect?.Actions?.[0]?.RedirectConfig).to.include({
      StatusCode: 'HTTP_301',
      Path: '/new/#{path}',
      Query: 'from=old',
    });
    expect(redirect?.Conditions?.map((c) => c.Field)).to.have.members(['host-header', 'path-pattern']);
    const fixed = at('12');
    expect(fixed?.Actions?.[0]?.FixedResponseConfig).to.deep.include({
      StatusCode: '503',
      ContentType: 'application/json',
      MessageBody: '{"down":true}',
    });
    const condition = (field: string) => fixed?.Conditions?.find((c) => c.Field === field);
    expect(condition('http-header')?.HttpHeaderConfig).to.deep.include({
      HttpHeaderName: 'X-Env',
      Values: ['beta'],
    });
    expect(condition('query-string')?.QueryStringConfig?.Values).to.deep.equal([{ Key: 'v', Value: '2' }]);
    expect(condition('source-ip')?.SourceIpConfig?.Values).to.deep.equal(['10.0.0.0/8']);
    expect(condition('http-request-method')?.HttpRequestMethodConfig?.Values).to.deep.equal(['GET']);
    expect(condition('host-header')?.HostHeaderConfig?.Values).to.deep.equal([FQDN]);
  });

  it('refuses, as ELBv2 does and moto alone would not, an unknown attribute, authentication on HTTP, a redirect loop', async () => {
    const refusal = (promise: Promise<unknown>) =>
      promise.then(
        () => 'accepted',
        (error: Error) => error.message,
      );
    const groups = await elbv2.send(new DescribeTargetGroupsCommand({}));
    const group = groups.TargetGroups?.[0]?.TargetGroupArn;
    expect(
      await refusal(
        elbv2.send(
          new ModifyTargetGroupAttributesCommand({
            TargetGroupArn: group,
            Attributes: [{ Key: 'stickiness.enable', Value: 'true' }],
          }),
        ),
      ),
    ).to.match(/attribute key 'stickiness.enable' is not recognized/);
    const rule = (actions: NonNullable<ConstructorParameters<typeof CreateRuleCommand>[0]['Actions']>) =>
      refusal(
        elbv2.send(
          new CreateRuleCommand({
            ListenerArn: sandbox.fixtures.loadBalancers.blue.listenerArn,
            Priority: 900,
            Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/x'] } }],
            Actions: actions,
          }),
        ),
      );
    const cognito = {
      UserPoolArn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc',
      UserPoolClientId: 'client',
      UserPoolDomain: 'shop',
    };
    expect(
      await rule([
        { Type: 'authenticate-cognito', Order: 1, AuthenticateCognitoConfig: cognito },
        { Type: 'forward', Order: 2, TargetGroupArn: group },
      ]),
    ).to.match(/only supported on HTTPS listeners/);
    expect(
      await rule([
        { Type: 'forward', Order: 1, TargetGroupArn: group },
        { Type: 'fixed-response', Order: 2, FixedResponseConfig: { StatusCode: '200' } },
      ]),
    ).to.match(/exactly one forward, redirect or fixed-response action/);
    expect(
      await rule([{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_301', Query: 'a=1' } }]),
    ).to.match(/redirects to itself/);
  });
});
