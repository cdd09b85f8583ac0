/**
 * The sandbox itself, end to end: the real Pulumi engine (pinned CLI), the stand-in aws
 * provider, moto through its wrapper, a file backend in a temp dir and an empty passphrase.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeListenerCertificatesCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetRoleCommand, IAMClient, UploadServerCertificateCommand } from '@aws-sdk/client-iam';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import * as cloudwatch from '@pulumi/aws/cloudwatch/index.js';
import * as ecs from '@pulumi/aws/ecs/index.js';
import * as iam from '@pulumi/aws/iam/index.js';
import * as lb from '@pulumi/aws/lb/index.js';
import * as route53 from '@pulumi/aws/route53/index.js';
import {
  ConcurrentUpdateError,
  type EngineEvent,
  LocalWorkspace,
  type PulumiCommand,
  type PulumiFn,
  type Stack,
} from '@pulumi/pulumi/automation/index.js';
import { expect } from 'chai';
import { pinnedPulumiCommand } from '../../sandbox/engine.js';
import { FAKE_CREDENTIALS, SANDBOX_ROOT, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { KINDS } from '../../sandbox/provider/kinds.js';
import { awsEmulatorStackConfig } from '../../sandbox/pulumi-config.js';

const PROJECT = 'sandbox-e2e';
const FQDN = 'web.sandbox.example.com';

interface Env {
  sandbox: Sandbox;
  pulumi: PulumiCommand;
  dir: string;
}

/**
 * A stack on a file backend in the test's temp dir. The engine gets the sandbox environment
 * without AWS_ENDPOINT_URL: the provider must find the emulator through the `aws:*` stack
 * config, the mechanism the product's runner uses.
 */
async function openStack(env: Env, stackName: string, program: PulumiFn): Promise<Stack> {
  const workDir = join(env.dir, 'work');
  const stateDir = join(env.dir, 'state');
  mkdirSync(workDir, { recursive: true });
  mkdirSync(stateDir, { recursive: true });
  const { AWS_ENDPOINT_URL: _configured, ...engineEnv } = env.sandbox.env;
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName, projectName: PROJECT, program },
    {
      workDir,
      pulumiCommand: env.pulumi,
      envVars: {
        ...engineEnv,
        PULUMI_BACKEND_URL: `file://${stateDir}`,
        PULUMI_CONFIG_PASSPHRASE: '',
      },
    },
  );
  await stack.setAllConfig(
    awsEmulatorStackConfig({
      endpoint: env.sandbox.endpoint,
      region: env.sandbox.region,
      accessKey: FAKE_CREDENTIALS.accessKeyId,
      secretKey: FAKE_CREDENTIALS.secretAccessKey,
    }),
  );
  return stack;
}

function sdk<T>(sandbox: Sandbox, make: new (config: object) => T): T {
  return new make({
    endpoint: sandbox.endpoint,
    region: sandbox.region,
    credentials: FAKE_CREDENTIALS,
    maxAttempts: 2,
  });
}

/** Rejects after `ms` with a message: no wait in this suite is unbounded. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** URNs the engine changed (create/update/replace/delete), from its event stream. */
function changeCollector() {
  const changed: { op: string; urn: string; type: string }[] = [];
  const onEvent = (event: EngineEvent) => {
    const meta = event.resOutputsEvent?.metadata;
    if (meta && meta.op !== 'same' && meta.op !== 'read')
      changed.push({ op: meta.op, urn: meta.urn, type: meta.type });
  };
  return { changed, onEvent };
}

async function startEnv(): Promise<Env> {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-crd-sandbox-'));
  try {
    const [sandbox, pulumi] = await Promise.all([startSandbox({ traffic: false }), pinnedPulumiCommand()]);
    return { sandbox, pulumi, dir };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function stopEnv(env: Env | undefined): Promise<void> {
  if (!env) return;
  await env.sandbox.stop();
  rmSync(env.dir, { recursive: true, force: true });
}

describe('sandbox: engine, stand-in provider and emulator', () => {
  let env: Env;
  before(async function () {
    this.timeout(120_000);
    env = await startEnv();
  });
  after(async () => {
    await stopEnv(env);
  });

  describe('weighted records through the Automation API', () => {
    let stack: Stack;
    let route53Client: Route53Client;
    let elbv2: ElasticLoadBalancingV2Client;
    let targetGroupArn = '';

    const program =
      (weights: { blue: number; green: number }): PulumiFn =>
      async () => {
        const f = env.sandbox.fixtures;
        const group = new lb.TargetGroup('web', {
          port: 8080,
          protocol: 'HTTP',
          targetType: 'ip',
          vpcId: f.vpcId,
          deregistrationDelay: 30,
          healthCheck: { path: '/health', matcher: '200', interval: 15 },
        });
        const records = (['blue', 'green'] as const).map(
          (slot) =>
            new route53.Record(`web-${slot}`, {
              zoneId: f.hostedZoneId,
              name: FQDN,
              type: 'A',
              setIdentifier: slot,
              weightedRoutingPolicies: [{ weight: weights[slot] }],
              aliases: [
                {
                  name: f.loadBalancers[slot].dnsName,
                  zoneId: f.loadBalancers[slot].canonicalHostedZoneId,
                  evaluateTargetHealth: true,
                },
              ],
            }),
        );
        return { targetGroupArn: group.arn, arnSuffix: group.arnSuffix, fqdn: records[0]?.fqdn };
      };

    async function liveWeights(): Promise<Record<string, number | undefined>> {
      const listed = await route53Client.send(
        new ListResourceRecordSetsCommand({ HostedZoneId: env.sandbox.fixtures.hostedZoneId }),
      );
      const weights: Record<string, number | undefined> = {};
      for (const record of listed.ResourceRecordSets ?? []) {
        if (record.Type === 'A' && record.SetIdentifier)
          weights[`${record.Name}/${record.SetIdentifier}`] = record.Weight;
      }
      return weights;
    }

    before(async () => {
      route53Client = sdk(env.sandbox, Route53Client);
      elbv2 = sdk(env.sandbox, ElasticLoadBalancingV2Client);
      stack = await openStack(env, 'records', program({ blue: 100, green: 0 }));
    });
    after(() => {
      route53Client.destroy();
      elbv2.destroy();
    });

    it('creates a target group and two weighted alias records', async () => {
      const result = await stack.up({ program: program({ blue: 100, green: 0 }) });
      expect(result.summary.result).to.equal('succeeded');
      expect(
        result.summary.resourceChanges?.create ?? 0,
        JSON.stringify(result.summary.resourceChanges),
      ).to.be.at.least(3);
      targetGroupArn = String(result.outputs.targetGroupArn?.value);
      expect(String(result.outputs.arnSuffix?.value)).to.match(/^targetgroup\/web-[0-9a-f]{7}\/[0-9a-f]+$/);
      expect(result.outputs.fqdn?.value).to.equal(FQDN);
      expect(await liveWeights()).to.deep.equal({ [`${FQDN}./blue`]: 100, [`${FQDN}./green`]: 0 });
      const groups = await elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }));
      expect(groups.TargetGroups?.[0]?.HealthCheckPath).to.equal('/health');
    });

    it('a second up changing one weight updates only that record', async () => {
      const { changed, onEvent } = changeCollector();
      const result = await stack.up({ program: program({ blue: 100, green: 10 }), onEvent });
      expect(result.summary.result).to.equal('succeeded');
      const { same, update, ...others } = result.summary.resourceChanges ?? {};
      expect(update).to.equal(1);
      expect(same ?? 0, `same: ${same}`).to.be.at.least(3);
      expect(others, 'no create, delete or replace').to.deep.equal({});
      expect(changed.length).to.equal(1);
      expect(changed[0]?.op).to.equal('update');
      expect(String(changed[0]?.urn)).to.match(/::web-green$/);
      expect(await liveWeights()).to.deep.equal({ [`${FQDN}./blue`]: 100, [`${FQDN}./green`]: 10 });
    });

    it('refresh reads a weight changed behind the engine, and the next up restores it', async () => {
      const f = env.sandbox.fixtures;
      await route53Client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: f.hostedZoneId,
          ChangeBatch: {
            Changes: [
              {
                Action: 'UPSERT',
                ResourceRecordSet: {
                  Name: FQDN,
                  Type: 'A',
                  SetIdentifier: 'blue',
                  Weight: 50,
                  AliasTarget: {
                    DNSName: f.loadBalancers.blue.dnsName,
                    HostedZoneId: f.loadBalancers.blue.canonicalHostedZoneId,
                    EvaluateTargetHealth: true,
                  },
                },
              },
            ],
          },
        }),
      );
      const drift = changeCollector();
      const refreshed = await stack.refresh({ onEvent: drift.onEvent });
      expect(refreshed.summary.result).to.equal('succeeded');
      expect(drift.changed.map((c) => `${c.op} ${c.urn.split('::').pop()}`)).to.deep.equal([
        'update web-blue',
      ]);
      const { changed, onEvent } = changeCollector();
      await stack.up({ program: program({ blue: 100, green: 10 }), onEvent });
      expect(changed.map((c) => `${c.op} ${c.urn.split('::').pop()}`)).to.deep.equal(['update web-blue']);
      expect(await liveWeights()).to.deep.equal({ [`${FQDN}./blue`]: 100, [`${FQDN}./green`]: 10 });
    });

    it('a second concurrent up on the same stack fails with the lock error', async () => {
      let release = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let announce = () => {};
      const holding = new Promise<void>((resolve) => {
        announce = resolve;
      });
      const slow: PulumiFn = async () => {
        // The engine takes the stack lock before it runs the program: past this line, it is held.
        announce();
        await gate;
        return program({ blue: 100, green: 10 })();
      };
      const first = stack.up({ program: slow });
      try {
        await within(holding, 120_000, 'first up');
        const rival = await LocalWorkspace.selectStack(
          { stackName: 'records', projectName: PROJECT, program: program({ blue: 90, green: 10 }) },
          {
            workDir: stack.workspace.workDir,
            pulumiCommand: env.pulumi,
            envVars: stack.workspace.envVars,
          },
        );
        const error = await within(
          rival.up().then(
            () => undefined,
            (e: unknown) => e,
          ),
          120_000,
          'second up',
        );
        expect(error, `expected ConcurrentUpdateError, got ${String(error)}`).to.be.instanceOf(
          ConcurrentUpdateError,
        );
        expect(String((error as Error).message)).to.match(/currently locked/);
      } finally {
        release();
        await first;
      }
      // The rival changed nothing.
      expect(await liveWeights()).to.deep.equal({ [`${FQDN}./blue`]: 100, [`${FQDN}./green`]: 10 });
    });

    it('destroy leaves the emulator without those resources', async () => {
      const result = await stack.destroy();
      expect(result.summary.result).to.equal('succeeded');
      expect(
        result.summary.resourceChanges?.delete ?? 0,
        JSON.stringify(result.summary.resourceChanges),
      ).to.be.at.least(3);
      expect(await liveWeights()).to.deep.equal({});
      const error = await elbv2
        .send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }))
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect((error as Error | undefined)?.name).to.equal('TargetGroupNotFoundException');
      await stack.workspace.removeStack('records');
    });
  });

  describe('the stand-in ECS scheduler', () => {
    let stack: Stack;
    let ecsClient: ECSClient;
    let elbv2: ElasticLoadBalancingV2Client;
    let iamClient: IAMClient;
    let outputs: Record<string, string> = {};

    type Mode = 'healthy' | 'unhealthy' | 'crash';
    const MODES: Mode[] = ['healthy', 'unhealthy', 'crash'];

    const program =
      (health: Record<Mode, string | undefined>): PulumiFn =>
      async () => {
        const f = env.sandbox.fixtures;
        const logs = new cloudwatch.LogGroup('web', { retentionInDays: 7 });
        const executionRole = new iam.Role('execution', {
          assumeRolePolicy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'ecs-tasks.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        });
        new iam.RolePolicy('execution-logs', {
          role: executionRole.name,
          policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: ['logs:PutLogEvents'], Resource: '*' }],
          }),
        });
        new iam.RolePolicyAttachment('execution-ecr', {
          role: executionRole.name,
          policyArn: 'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
        });
        const result: Record<string, unknown> = { role: executionRole.name, logGroup: logs.name };
        for (const mode of MODES) {
          const value = health[mode];
          const definition = new ecs.TaskDefinition(`web-${mode}`, {
            family: `web-${mode}`,
            executionRoleArn: executionRole.arn,
            containerDefinitions: logs.name.apply((group) =>
              JSON.stringify([
                {
                  name: 'web',
                  image: 'nginx:1.27',
                  memory: 128,
                  essential: true,
                  portMappings: [{ containerPort: 8080, hostPort: 0, protocol: 'tcp' }],
                  environment: value ? [{ name: 'SANDBOX_HEALTH', value }] : [],
                  logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': group } },
                },
              ]),
            ),
          });
          const group = new lb.TargetGroup(`web-${mode}`, { port: 8080, protocol: 'HTTP', vpcId: f.vpcId });
          const rule = new lb.ListenerRule(`web-${mode}`, {
            listenerArn: f.loadBalancers.blue.listenerArn,
            conditions: [{ hostHeader: { values: [`${mode}.${f.hostedZoneName}`] } }],
            actions: [{ type: 'forward', targetGroupArn: group.arn }],
          });
          const service = new ecs.Service(
            `web-${mode}`,
            {
              name: `web-${mode}`,
              cluster: f.clusterName,
              taskDefinition: definition.arn,
              desiredCount: 2,
              loadBalancers: [{ targetGroupArn: group.arn, containerName: 'web', containerPort: 8080 }],
            },
            { dependsOn: [rule] },
          );
          result[`${mode}TargetGroup`] = group.arn;
          result[`${mode}Service`] = service.name;
          result[`${mode}TaskDefinition`] = definition.arn;
        }
        return result;
      };

    async function targetStates(targetGroupArn: string): Promise<string[]> {
      const health = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
      return (health.TargetHealthDescriptions ?? []).map((d) => d.TargetHealth?.State ?? '?');
    }

    async function serviceCounts(name: string) {
      const found = await ecsClient.send(
        new DescribeServicesCommand({ cluster: env.sandbox.fixtures.clusterName, services: [name] }),
      );
      const live = found.services?.[0];
      return { status: live?.status, desired: live?.desiredCount, running: live?.runningCount };
    }

    function stringOutputs(result: { outputs: Record<string, { value: unknown }> }): Record<string, string> {
      return Object.fromEntries(
        Object.entries(result.outputs).map(([key, output]) => [key, String(output.value)]),
      );
    }

    before(async () => {
      await env.sandbox.reset();
      ecsClient = sdk(env.sandbox, ECSClient);
      elbv2 = sdk(env.sandbox, ElasticLoadBalancingV2Client);
      iamClient = sdk(env.sandbox, IAMClient);
      stack = await openStack(
        env,
        'scheduler',
        program({ healthy: undefined, unhealthy: 'unhealthy', crash: 'crash' }),
      );
    });
    after(() => {
      ecsClient.destroy();
      elbv2.destroy();
      iamClient.destroy();
    });

    it('registers targets and sets the running count per SANDBOX_HEALTH', async () => {
      const result = await stack.up({
        program: program({ healthy: undefined, unhealthy: 'unhealthy', crash: 'crash' }),
      });
      expect(result.summary.result).to.equal('succeeded');
      outputs = stringOutputs(result);

      expect(await targetStates(outputs.healthyTargetGroup ?? '')).to.deep.equal(['healthy', 'healthy']);
      expect(await serviceCounts('web-healthy')).to.deep.equal({ status: 'ACTIVE', desired: 2, running: 2 });

      expect(await targetStates(outputs.unhealthyTargetGroup ?? '')).to.deep.equal([
        'unhealthy',
        'unhealthy',
      ]);
      expect(await serviceCounts('web-unhealthy')).to.deep.equal({
        status: 'ACTIVE',
        desired: 2,
        running: 2,
      });

      expect(await targetStates(outputs.crashTargetGroup ?? '')).to.deep.equal([]);
      expect(await serviceCounts('web-crash')).to.deep.equal({ status: 'ACTIVE', desired: 2, running: 0 });

      const rules = await elbv2.send(
        new DescribeRulesCommand({ ListenerArn: env.sandbox.fixtures.loadBalancers.blue.listenerArn }),
      );
      expect(rules.Rules?.filter((rule) => !rule.IsDefault).map((rule) => rule.Priority)).to.deep.equal([
        '1',
        '2',
        '3',
      ]);
    });

    it('refresh of the untouched stack reads every resource back unchanged', async () => {
      const { changed, onEvent } = changeCollector();
      const result = await stack.refresh({ onEvent });
      expect(result.summary.result).to.equal('succeeded');
      expect(changed).to.deep.equal([]);
    });

    it('a fixed task definition replaces the revision, updates the service in place and heals its targets', async () => {
      const { changed, onEvent } = changeCollector();
      const result = await stack.up({
        program: program({ healthy: undefined, unhealthy: undefined, crash: 'crash' }),
        onEvent,
      });
      expect(result.summary.result).to.equal('succeeded');
      const ops = changed.map((c) => `${c.op} ${c.type} ${c.urn.split('::').pop()}`).sort();
      // A task definition is immutable: a new revision first, the service moves to it, then the old one goes.
      expect(ops).to.deep.equal([
        'create-replacement aws:ecs/taskDefinition:TaskDefinition web-unhealthy',
        'delete-replaced aws:ecs/taskDefinition:TaskDefinition web-unhealthy',
        'replace aws:ecs/taskDefinition:TaskDefinition web-unhealthy',
        'update aws:ecs/service:Service web-unhealthy',
      ]);
      const after = stringOutputs(result);
      expect(after.unhealthyTaskDefinition).to.not.equal(outputs.unhealthyTaskDefinition);
      expect(await targetStates(after.unhealthyTargetGroup ?? '')).to.deep.equal(['healthy', 'healthy']);
      const tags = await elbv2.send(
        new DescribeTagsCommand({ ResourceArns: [after.unhealthyTargetGroup ?? ''] }),
      );
      expect(tags.TagDescriptions?.[0]?.Tags ?? []).to.deep.equal([]);
      // The old revision is deregistered (INACTIVE) once the service moved off it.
      const old = await ecsClient
        .send(new DescribeTaskDefinitionCommand({ taskDefinition: outputs.unhealthyTaskDefinition }))
        .then(
          (found) => found.taskDefinition?.status,
          (e: unknown) => (e as Error).name,
        );
      expect(old).to.equal('INACTIVE');
    });

    it('destroy removes services, targets, rules, task definitions, roles and log groups', async () => {
      const result = await stack.destroy();
      expect(result.summary.result).to.equal('succeeded');
      for (const mode of MODES) {
        expect((await serviceCounts(`web-${mode}`)).status ?? 'INACTIVE').to.equal('INACTIVE');
        const error = await elbv2
          .send(new DescribeTargetGroupsCommand({ TargetGroupArns: [outputs[`${mode}TargetGroup`] ?? ''] }))
          .then(
            () => undefined,
            (e: unknown) => e,
          );
        expect((error as Error | undefined)?.name).to.equal('TargetGroupNotFoundException');
      }
      const rules = await elbv2.send(
        new DescribeRulesCommand({ ListenerArn: env.sandbox.fixtures.loadBalancers.blue.listenerArn }),
      );
      expect(rules.Rules?.filter((rule) => !rule.IsDefault)).to.deep.equal([]);
      const role = await iamClient.send(new GetRoleCommand({ RoleName: outputs.role })).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((role as Error | undefined)?.name).to.equal('NoSuchEntityException');
      await stack.workspace.removeStack('scheduler');
    });
  });

  describe('a service delete waits for the drain, as pulumi-aws does', () => {
    /** A service behind a target group that drains 300 s on AWS (5 s here), deleted with `deleteTimeout`. */
    const program =
      (deleteTimeout: string): PulumiFn =>
      async () => {
        const f = env.sandbox.fixtures;
        const definition = new ecs.TaskDefinition('slow', {
          family: 'slow-drain',
          containerDefinitions: JSON.stringify([
            {
              name: 'web',
              image: 'nginx:1.27',
              memory: 128,
              essential: true,
              portMappings: [{ containerPort: 8080 }],
            },
          ]),
        });
        const group = new lb.TargetGroup('slow', {
          port: 8080,
          protocol: 'HTTP',
          vpcId: f.vpcId,
          deregistrationDelay: 300,
        });
        const rule = new lb.ListenerRule('slow', {
          listenerArn: f.loadBalancers.green.listenerArn,
          conditions: [{ hostHeader: { values: [`slow.${f.hostedZoneName}`] } }],
          actions: [{ type: 'forward', targetGroupArn: group.arn }],
        });
        new ecs.Service(
          'slow',
          {
            name: 'slow-drain',
            cluster: f.clusterName,
            taskDefinition: definition.arn,
            desiredCount: 1,
            loadBalancers: [{ targetGroupArn: group.arn, containerName: 'web', containerPort: 8080 }],
          },
          { dependsOn: [rule], customTimeouts: { delete: deleteTimeout } },
        );
      };

    it('fails the delete when the drain outlasts customTimeouts.delete, and succeeds once drained', async () => {
      await env.sandbox.reset();
      const stack = await openStack(env, 'slow-drain', program('60s'));
      expect((await stack.up()).summary.result).to.equal('succeeded');
      const failed = await stack.destroy().then(
        () => 'destroyed',
        (error: unknown) => String((error as Error).message),
      );
      expect(failed).to.match(
        /timeout while waiting for state to become 'INACTIVE' \(last state: 'DRAINING'/,
      );
      // 300 s of AWS is 5 s here: once drained, the same delete goes through.
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      expect((await stack.destroy()).summary.result).to.equal('succeeded');
      await stack.workspace.removeStack('slow-drain');
    });
  });

  describe('listener certificates', () => {
    it('adds a certificate to an HTTPS listener beside its default one, and removes it on destroy', async () => {
      await env.sandbox.reset();
      const elbv2 = sdk(env.sandbox, ElasticLoadBalancingV2Client);
      // The emulator refuses a certificate that is in neither ACM nor IAM, as AWS does: two IAM
      // server certificates (placeholder PEM, which the emulator does not parse).
      const iamClient = sdk(env.sandbox, IAMClient);
      const arns = new Map<string, string>();
      for (const name of ['first', 'second']) {
        const uploaded = await iamClient.send(
          new UploadServerCertificateCommand({
            ServerCertificateName: name,
            CertificateBody: '-----BEGIN CERTIFICATE-----\nplaceholder\n-----END CERTIFICATE-----',
            PrivateKey: '-----BEGIN PRIVATE KEY-----\nplaceholder\n-----END PRIVATE KEY-----',
          }),
        );
        arns.set(name, uploaded.ServerCertificateMetadata?.Arn ?? '');
      }
      iamClient.destroy();
      const CERT = (name: string) => arns.get(name) ?? '';
      const stack = await openStack(env, 'certificates', async () => {
        const f = env.sandbox.fixtures;
        const listener = new lb.Listener('https', {
          loadBalancerArn: f.loadBalancers.blue.arn,
          port: 8443,
          protocol: 'HTTPS',
          certificateArn: CERT('first'),
          defaultActions: [
            { type: 'fixed-response', fixedResponse: { contentType: 'text/plain', statusCode: '404' } },
          ],
        });
        new lb.ListenerCertificate('second', { listenerArn: listener.arn, certificateArn: CERT('second') });
        return { listener: listener.arn };
      });
      try {
        const result = await stack.up();
        expect(result.summary.result).to.equal('succeeded');
        const listenerArn = String(result.outputs.listener?.value);
        const held = await elbv2.send(new DescribeListenerCertificatesCommand({ ListenerArn: listenerArn }));
        expect(held.Certificates?.map((c) => [c.CertificateArn, c.IsDefault])).to.deep.equal([
          [CERT('first'), true],
          [CERT('second'), false],
        ]);
        const { changed, onEvent } = changeCollector();
        await stack.refresh({ onEvent });
        expect(changed).to.deep.equal([]);
        expect((await stack.destroy()).summary.result).to.equal('succeeded');
        await stack.workspace.removeStack('certificates');
      } finally {
        elbv2.destroy();
      }
    });
  });

  describe('a DAEMON service', () => {
    it('runs one task, and one target, per container instance of the cluster', async () => {
      await env.sandbox.reset();
      const elbv2 = sdk(env.sandbox, ElasticLoadBalancingV2Client);
      const ecsClient = sdk(env.sandbox, ECSClient);
      const stack = await openStack(env, 'daemon', async () => {
        const f = env.sandbox.fixtures;
        const definition = new ecs.TaskDefinition('agent', {
          family: 'agent',
          containerDefinitions: JSON.stringify([
            {
              name: 'web',
              image: 'nginx:1.27',
              memory: 64,
              essential: true,
              portMappings: [{ containerPort: 8080 }],
            },
          ]),
        });
        const group = new lb.TargetGroup('agent', { port: 8080, protocol: 'HTTP', vpcId: f.vpcId });
        const rule = new lb.ListenerRule('agent', {
          listenerArn: f.loadBalancers.blue.listenerArn,
          conditions: [{ hostHeader: { values: [`agent.${f.hostedZoneName}`] } }],
          actions: [{ type: 'forward', targetGroupArn: group.arn }],
        });
        new ecs.Service(
          'agent',
          {
            name: 'agent',
            cluster: f.clusterName,
            taskDefinition: definition.arn,
            schedulingStrategy: 'DAEMON',
            loadBalancers: [{ targetGroupArn: group.arn, containerName: 'web', containerPort: 8080 }],
          },
          { dependsOn: [rule] },
        );
        return { group: group.arn };
      });
      try {
        const result = await stack.up();
        expect(result.summary.result).to.equal('succeeded');
        const health = await elbv2.send(
          new DescribeTargetHealthCommand({ TargetGroupArn: String(result.outputs.group?.value) }),
        );
        expect(health.TargetHealthDescriptions?.map((d) => d.TargetHealth?.State)).to.deep.equal([
          'healthy',
          'healthy',
        ]);
        const found = await ecsClient.send(
          new DescribeServicesCommand({ cluster: env.sandbox.fixtures.clusterName, services: ['agent'] }),
        );
        expect(found.services?.[0]?.runningCount).to.equal(2);
        expect((await stack.destroy()).summary.result).to.equal('succeeded');
        await stack.workspace.removeStack('daemon');
      } finally {
        elbv2.destroy();
        ecsClient.destroy();
      }
    });
  });
});

describe('sandbox: the stand-in provider matches its README', () => {
  it('documents exactly the replace rules the provider applies', () => {
    const readme = readFileSync(join(SANDBOX_ROOT, 'README.md'), 'utf8');
    const documented = new Map<string, string[]>();
    for (const line of readme.split('\n')) {
      const cells = line.split('|').map((cell) => cell.trim());
      const token = /^`(aws:[a-z0-9]+\/[^`]+)`$/.exec(cells[1] ?? '')?.[1];
      if (token)
        documented.set(
          token,
          [...(cells[2] ?? '').matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1] ?? ''),
        );
    }
    expect([...documented.keys()].sort()).to.deep.equal([...KINDS.keys()].sort());
    for (const [token, kind] of KINDS) {
      expect(documented.get(token)?.slice().sort(), token).to.deep.equal([...kind.replaceOn].sort());
    }
  });
});
