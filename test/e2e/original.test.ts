/**
 * The original tool's own files, deployed as they are (issue 16's bar): its 1.2.0 reference
 * filled with realistic values, and a .NET service with hundreds of `Section:Key` variables,
 * both in the original's spellings, through the CLI and the real engine into the sandbox. Every
 * key is read back from the emulator through the AWS SDK.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeRulesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { SandboxCli } from '../../sandbox/ecs-crd.js';
import { FAKE_CREDENTIALS, REPO_ROOT, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import type { DeploymentConfig } from '../../src/config/types.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'original');

describe('the original tool’s own files, deployed as they are, every key read back', function () {
  this.timeout(900_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;
  let clients: {
    ecs: ECSClient;
    elbv2: ElasticLoadBalancingV2Client;
    iam: IAMClient;
    scaling: ApplicationAutoScalingClient;
    cloudwatch: CloudWatchClient;
    sns: SNSClient;
    sqs: SQSClient;
  };

  before(async () => {
    sandbox = await startSandbox({ traffic: false });
    cli = new SandboxCli(sandbox);
    const config = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: FAKE_CREDENTIALS };
    clients = {
      ecs: new ECSClient(config),
      elbv2: new ElasticLoadBalancingV2Client(config),
      iam: new IAMClient(config),
      scaling: new ApplicationAutoScalingClient(config),
      cloudwatch: new CloudWatchClient(config),
      sns: new SNSClient(config),
      sqs: new SQSClient(config),
    };
  });

  after(async () => {
    for (const client of Object.values(clients ?? {})) client.destroy();
    cli?.cleanup();
    await sandbox?.stop();
  });

  /** A queue subscribed to a new topic of that name: what the topic publishes lands there. */
  async function subscribedQueue(topicName: string): Promise<string> {
    const topic = await clients.sns.send(new CreateTopicCommand({ Name: topicName }));
    const queue = await clients.sqs.send(new CreateQueueCommand({ QueueName: `${topicName}-inbox` }));
    const attributes = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await clients.sns.send(
      new SubscribeCommand({
        TopicArn: topic.TopicArn,
        Protocol: 'sqs',
        Endpoint: attributes.Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    return queue.QueueUrl ?? '';
  }

  async function taskDefinitionOf(serviceName: string) {
    const found = await clients.ecs.send(
      new DescribeServicesCommand({ cluster: 'sandbox', services: [serviceName] }),
    );
    const service = found.services?.[0];
    expect(service?.status, serviceName).to.equal('ACTIVE');
    const definition = await clients.ecs.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: service?.taskDefinition }),
    );
    return { service, taskDefinition: definition.taskDefinition };
  }

  it('reference.deploy.yml: validates, deploys, and every key reaches the emulator', async () => {
    const inbox = await subscribedQueue('deployments-succeeded');
    await subscribedQueue('deployments-failed');
    const file = join(cli.home, 'reference.deploy.yml');
    copyFileSync(join(FIXTURES, 'reference.deploy.yml'), file);

    const validated = await cli.run(['validate', ...cli.flags(file)]);
    expect(validated.code, validated.stdout + validated.stderr).to.equal(0);
    const deployed = await cli.run(['deploy', ...cli.flags(file, '--json')]);
    expect(deployed.code, deployed.stderr).to.equal(0);
    const document = JSON.parse(deployed.stdout) as { outcome: string; slot: 'blue' | 'green' };
    expect(document.outcome).to.equal('deployed');
    const slot = document.slot;

    // The task definition: every container key, the volumes and the task's modes.
    const { service, taskDefinition } = await taskDefinitionOf(`sandbox-reference-dev-${slot}`);
    expect(service?.placementConstraints).to.deep.equal([
      { type: 'memberOf', expression: 'attribute:ecs.os-type == linux' },
    ]);
    expect(service?.placementStrategy).to.deep.equal([
      { type: 'spread', field: 'attribute:ecs.availability-zone' },
    ]);
    expect(taskDefinition?.cpu).to.equal('512');
    expect(taskDefinition?.memory).to.equal('1024');
    expect(taskDefinition?.pidMode).to.equal('task');
    expect(taskDefinition?.ipcMode).to.equal('task');
    expect(taskDefinition?.networkMode).to.equal('bridge');
    expect(taskDefinition?.requiresCompatibilities).to.deep.equal(['EC2']);
    const volumes = Object.fromEntries(
      (taskDefinition?.volumes ?? []).map((v) => [v.name ?? '', v] as const),
    );
    expect(volumes.cache?.dockerVolumeConfiguration).to.deep.include({
      autoprovision: true,
      driver: 'local',
      scope: 'shared',
      driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=64m' },
      labels: { team: 'platform', purpose: 'cache' },
    });
    expect(volumes['host-certs']?.host).to.deep.equal({ sourcePath: '/etc/pki/ca-trust/extracted/pem' });

    const containers = Object.fromEntries(
      (taskDefinition?.containerDefinitions ?? []).map((c) => [c.name ?? '', c] as const),
    );
    const web = containers.web;
    expect(web?.image).to.equal('nginx:1.25');
    expect(web?.memoryReservation).to.equal(512);
    // The per-slot host ports: this release binds its own slot's.
    const hostPorts = slot === 'blue' ? [8080, 9080] : [8081, 9081];
    expect(web?.portMappings?.map((p) => [p.containerPort, p.hostPort])).to.deep.equal([
      [80, hostPorts[0]],
      [9000, hostPorts[1]],
    ]);
    expect(web?.entryPoint).to.deep.equal(['/docker-entrypoint.sh']);
    expect(web?.command).to.deep.equal(['nginx', '-g', 'daemon off;']);
    expect(Object.fromEntries((web?.environment ?? []).map((e) => [e.name, e.value]))).to.deep.equal({
      NGINX_ENTRYPOINT_QUIET_LOGS: '1',
      UPSTREAM_HOST: 'sidecar',
      DEPLOYMENT_ENVIRONMENT: 'dev',
    });
    expect(web?.secrets?.map((s) => s.name)).to.deep.equal(['API_KEY', 'DB_PASSWORD']);
    expect(web?.secrets?.[0]?.valueFrom).to.match(
      /^arn:aws:ssm:eu-west-1:\d{12}:parameter\/sandbox\/reference/,
    );
    expect(web?.dnsSearchDomains).to.deep.equal(['sandbox.example.com']);
    expect(web?.dnsServers).to.deep.equal(['10.10.0.2']);
    expect(web?.links).to.deep.equal(['sidecar:upstream']);
    expect(web?.dockerSecurityOptions).to.deep.equal(['no-new-privileges']);
    expect(web?.hostname).to.equal('reference-web');
    expect(web?.startTimeout).to.equal(60);
    expect(web?.stopTimeout).to.equal(30);
    expect(web?.mountPoints).to.deep.equal([
      { containerPath: '/var/cache/nginx', sourceVolume: 'cache', readOnly: false },
      { containerPath: '/etc/ssl/certs/extra', sourceVolume: 'host-certs', readOnly: true },
    ]);
    expect(web?.dependsOn).to.deep.equal([{ containerName: 'sidecar', condition: 'HEALTHY' }]);
    expect(web?.healthCheck).to.deep.include({
      command: ['CMD-SHELL', 'curl -fs http://localhost/ || exit 1'],
    });
    expect(web?.logConfiguration?.logDriver).to.equal('splunk');
    expect(web?.logConfiguration?.options).to.deep.include({ 'splunk-source': 'reference-web' });
    expect(web?.logConfiguration?.secretOptions?.map((s) => s.name)).to.deep.equal(['splunk-token']);
    expect(containers.sidecar?.essential).to.equal(false);

    // The roles: the original's task_role and task_execution_role, statement names as Sids.
    const policy = async (role: string, name: string) =>
      JSON.parse(
        decodeURIComponent(
          (await clients.iam.send(new GetRolePolicyCommand({ RoleName: role, PolicyName: name })))
            .PolicyDocument ?? '{}',
        ),
      ) as { Statement: { Sid?: string; Action: string[]; Resource: string[] | string }[] };
    const roleOf = (arn: string | undefined) => arn?.split('/').pop() ?? '';
    const task = await policy(roleOf(taskDefinition?.taskRoleArn), `ecs-crd-${slot}-policies`);
    expect(task.Statement.map((s) => s.Sid)).to.deep.equal(['AllowReadReports', 'AllowConsumeOrders']);
    const execution = await policy(roleOf(taskDefinition?.executionRoleArn), `ecs-crd-${slot}-execution`);
    expect(execution.Statement[0]?.Action).to.deep.equal(['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']);
    // The original's default for a statement without resources: every resource (validate warns).
    expect([execution.Statement[0]?.Resource].flat()).to.deep.equal(['*']);

    // Auto scaling: alone at 100 %, the release scales within the file's bounds.
    const resourceId = `service/sandbox/sandbox-reference-dev-${slot}`;
    const targets = await clients.scaling.send(
      new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ResourceIds: [resourceId] }),
    );
    expect(targets.ScalableTargets?.map((t) => [t.MinCapacity, t.MaxCapacity])).to.deep.equal([[2, 6]]);
    const policies = await clients.scaling.send(
      new DescribeScalingPoliciesCommand({ ServiceNamespace: 'ecs', ResourceId: resourceId }),
    );
    expect(policies.ScalingPolicies?.map((p) => p.PolicyType)).to.deep.equal(['StepScaling', 'StepScaling']);
    const alarms = await clients.cloudwatch.send(new DescribeAlarmsCommand({}));
    const ours = (alarms.MetricAlarms ?? []).filter((a) =>
      a.AlarmActions?.some((arn) => arn.includes(resourceId)),
    );
    expect(ours.map((a) => a.Threshold).sort()).to.deep.equal([20, 70]);

    // The target group and the listener's further rules.
    const groups = await clients.elbv2.send(new DescribeTargetGroupsCommand({}));
    const group = groups.TargetGroups?.find(
      (g) => g.TargetGroupName?.includes(slot) && g.TargetGroupName.includes('reference'),
    );
    expect(group?.Port).to.equal(80);
    expect(group?.HealthCheckIntervalSeconds).to.equal(15);
    expect(group?.Matcher?.HttpCode).to.equal('200-299');
    const groupAttributes = await clients.elbv2.send(
      new DescribeTargetGroupAttributesCommand({ TargetGroupArn: group?.TargetGroupArn }),
    );
    const attributes = Object.fromEntries((groupAttributes.Attributes ?? []).map((a) => [a.Key, a.Value]));
    expect(attributes).to.deep.include({
      'stickiness.enabled': 'true',
      'stickiness.type': 'lb_cookie',
      'slow_start.duration_seconds': '30',
    });
    const rules = await clients.elbv2.send(
      new DescribeRulesCommand({ ListenerArn: sandbox.fixtures.loadBalancers[slot].listenerArn }),
    );
    const byPriority = Object.fromEntries((rules.Rules ?? []).map((r) => [r.Priority, r]));
    expect(byPriority['110']?.Actions?.[0]?.RedirectConfig).to.deep.include({
      Protocol: 'HTTPS',
      Port: '443',
      StatusCode: 'HTTP_301',
    });
    expect(byPriority['120']?.Actions?.[0]?.Type).to.equal('forward');

    // The outcome, told to the original's on_success topic.
    const received = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: inbox, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }),
    );
    const told = (received.Messages ?? []).map(
      (m) => JSON.parse(m.Body ?? '{}') as { outcome?: string; version?: string },
    );
    expect(told).to.have.length(1);
    expect(told[0]).to.deep.include({ outcome: 'deployed', version: '1.2.0' });

    const removed = await cli.run(['undeploy', ...cli.flags(file, '--yes')]);
    expect(removed.code, removed.stderr).to.equal(0);
  });

  it('a .NET service with hundreds of `Section:Key` variables and list-form secrets: convert round-trips it, it validates and deploys', async () => {
    await subscribedQueue('orders-deployments');
    await subscribedQueue('orders-deployments-failed');
    const original = join(cli.home, 'dotnet.deploy.yml');
    copyFileSync(join(FIXTURES, 'dotnet.deploy.yml'), original);

    const converted = await cli.run(['convert', original, '--json']);
    expect(converted.code, converted.stderr).to.equal(0);
    const conversion = JSON.parse(converted.stdout) as { changed: boolean; output: string };
    expect(conversion.changed).to.equal(true);
    const preferred = join(cli.home, 'dotnet.converted.deploy.yml');
    writeFileSync(preferred, conversion.output);
    const again = await cli.run(['convert', preferred, '--json']);
    expect(
      (JSON.parse(again.stdout) as { changed: boolean }).changed,
      'converting twice changes nothing',
    ).to.equal(false);

    // Both spellings resolve to the same deployment.
    const resolved = async (file: string) => {
      const run = await cli.run(['validate', ...cli.flags(file, '--json')]);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      return (JSON.parse(run.stdout) as { config: DeploymentConfig }).config;
    };
    const config = await resolved(original);
    expect(await resolved(preferred)).to.deep.equal(config);
    const declared = config.service.containers[0]?.environment ?? {};

    const deployed = await cli.run(['deploy', ...cli.flags(original, '--json')]);
    expect(deployed.code, deployed.stderr).to.equal(0);
    const { slot } = JSON.parse(deployed.stdout) as { slot: string };
    const { taskDefinition } = await taskDefinitionOf(`shop-orders-api-dev-${slot}`);
    const container = taskDefinition?.containerDefinitions?.[0];
    const environment = Object.fromEntries((container?.environment ?? []).map((e) => [e.name, e.value]));
    expect(Object.keys(environment).length).to.be.at.least(400);
    expect(environment, 'every variable, as written').to.deep.equal(declared);
    expect(environment['Serilog:MinimumLevel:Default']).to.equal('Information');
    expect(environment['swagger:endpoint'], 'a lower-case .NET key').to.be.a('string');
    expect(container?.secrets?.length).to.be.at.least(2);
    expect((await cli.run(['undeploy', ...cli.flags(original, '--yes')])).code).to.equal(0);
  });
});
