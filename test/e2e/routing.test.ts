/**
 * Target group settings and further listener rules through the real engine, the stand-in
 * provider and moto: a DesiredState from the builders, deployed to the sandbox's blue slot,
 * read back through the AWS SDK.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { LocalWorkspace, type PulumiCommand, type Stack } from '@pulumi/pulumi/automation/index.js';
import { expect } from 'chai';
import { pinnedPulumiCommand } from '../../sandbox/engine.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { awsEmulatorStackConfig } from '../../sandbox/pulumi-config.js';
import { createSecretReader } from '../../src/aws/secrets.js';
import type { DesiredState } from '../../src/canary/ports/stack.js';
import type { ListenerRuleConfig } from '../../src/config/types.js';
import { EngineEventTranslator, type RawEngineEvent } from '../../src/stack/events.js';
import { deploymentProgram } from '../../src/stack/program.js';
import { clientSecretArns } from '../../src/stack/routing-inputs.js';
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
import { httpsListener, oidcAdminRules } from './https-oidc.js';

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

async function openStack(sandbox: Sandbox, pulumi: PulumiCommand, dir: string, name: string): Promise<Stack> {
  const work = join(dir, name, 'work');
  const state = join(dir, name, 'state');
  mkdirSync(work, { recursive: true });
  mkdirSync(state, { recursive: true });
  const { AWS_ENDPOINT_URL: _configured, ...engineEnv } = sandbox.env;
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: name, projectName: 'ecs-crd', program: async () => ({}) },
    {
      workDir: work,
      pulumiCommand: pulumi,
      envVars: { ...engineEnv, PULUMI_BACKEND_URL: `file://${state}`, PULUMI_CONFIG_PASSPHRASE: '' },
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
  return stack;
}

describe('e2e: target groups and further listener rules reach the emulator', function () {
  this.timeout(300_000);
  let sandbox: Sandbox;
  let pulumi: PulumiCommand;
  let dir: string;
  let elbv2: ElasticLoadBalancingV2Client;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-routing-'));
    [sandbox, pulumi] = await Promise.all([startSandbox({ traffic: false }), pinnedPulumiCommand()]);
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
    const stack = await openStack(sandbox, pulumi, dir, 'routing');
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

  it('reads an OIDC client secret from its SSM ARN at deploy time, gives it to the ALB, and never writes it in clear', async () => {
    // A fresh emulator: the first test's stack holds this identity's names.
    await sandbox.reset();
    const f = sandbox.fixtures;
    const value = 'oidc-client-secret-4f1b8c';
    const client = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: FAKE_CREDENTIALS };
    await new SSMClient(client).send(
      new PutParameterCommand({ Name: '/shop/orders/oidc', Value: value, Type: 'SecureString' }),
    );
    const arn = `arn:aws:ssm:${sandbox.region}:${f.accountId}:parameter/shop/orders/oidc`;
    const { listenerArn, certificate } = await httpsListener(sandbox);
    const base = desired(sandbox);
    const release = base.releases.blue;
    if (!release) throw new Error('no release');
    const rules = oidcAdminRules(FQDN, arn);
    const state: DesiredState = {
      ...base,
      releases: {
        blue: {
          ...release,
          listeners: [
            buildListener({
              port: 443,
              protocol: 'HTTPS',
              certificate_arns: [certificate],
              rule: { conditions: { host_header: [FQDN] } },
              rules,
            }),
          ],
        },
      },
      environment: {
        ...base.environment,
        slots: {
          ...base.environment.slots,
          blue: {
            ...base.environment.slots.blue,
            listeners: [
              buildSlotListener('blue', { port: 443, listenerArn, priority: 20, rulePriorities: [21] }),
            ],
          },
        },
      },
    };
    // What the runner does before each run: read every ARN the releases name, through src/aws.
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
    });
    let secrets: Map<string, string>;
    try {
      const read = createSecretReader({ region: sandbox.region, endpointUrl: sandbox.endpoint });
      const arns = clientSecretArns(Object.values(state.releases));
      expect(arns).to.deep.equal([arn]);
      secrets = new Map([[arn, await read(arn)]]);
    } finally {
      process.env = saved;
    }
    expect(secrets.get(arn)).to.equal(value);

    const stack = await openStack(sandbox, pulumi, dir, 'oidc');
    // What ecs-crd shows and logs: the engine's output and its events as the runner translates them.
    let printed = '';
    const translator = new EngineEventTranslator();
    const result = await stack.up({
      program: deploymentProgram(state, { clientSecrets: secrets }),
      onOutput: (text) => {
        printed += text;
      },
      onEvent: (event) => {
        printed += JSON.stringify(translator.translate(event as RawEngineEvent) ?? null);
      },
    });
    expect(result.summary.result).to.equal('succeeded');
    const found = await elbv2.send(new DescribeRulesCommand({ ListenerArn: listenerArn }));
    const rule = found.Rules?.find((r) => r.Priority === '21');
    expect(rule?.Actions?.map((a) => a.Type)).to.deep.equal(['authenticate-oidc', 'forward']);
    expect(rule?.Actions?.[0]?.AuthenticateOidcConfig).to.include({
      Issuer: 'https://idp.example.com',
      ClientId: 'orders',
    });
    // The state as the backend stores it (exportStack would decrypt its secrets).
    const stored = readdirSync(join(dir, 'oidc', 'state'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'))
      .join('\n');
    expect(stored).to.include(arn);
    expect(stored, 'the stack state').not.to.include(value);
    const exported = JSON.stringify(await stack.exportStack());
    expect(exported, 'the secret, marked as such').to.match(
      /"clientSecret":\{"4dabf18193072939515e22adb298388d":"1b47061264138c4ac30d75fd1eb44270"/,
    );
    expect(printed, 'the engine output and events').not.to.include(value);
    expect(JSON.stringify(result.outputs), 'the stack outputs').not.to.include(value);
  });
});
