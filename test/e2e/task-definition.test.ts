/**
 * Every task definition and service key of a release, through the product's Pulumi program,
 * the real engine, the stand-in provider and moto: deployed, then read back from the emulator
 * with DescribeTaskDefinition, DescribeServices and GetRolePolicy. Blue holds an EC2 release
 * (bridge mode: links, host and Docker volumes, privileged, host pid/IPC) and green a Fargate
 * one (ARM64, ephemeral storage, EFS through an access point, FARGATE_SPOT, ECS Exec): what
 * ECS accepts of each launch type, which the emulator checks as ECS does.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateCapacityProviderCommand,
  DescribeServicesCommand,
  type DescribeServicesCommandOutput,
  DescribeTaskDefinitionCommand,
  ECSClient,
  PutClusterCapacityProvidersCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { LocalWorkspace, type PulumiCommand, type Stack } from '@pulumi/pulumi/automation/index.js';
import { expect } from 'chai';
import { pinnedPulumiCommand } from '../../sandbox/engine.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { awsEmulatorStackConfig } from '../../sandbox/pulumi-config.js';
import type { Slot } from '../../src/canary/ports/aws.js';
import type { DesiredState, StackIdentity } from '../../src/canary/ports/stack.js';
import type { ContainerConfig, DeploymentConfig } from '../../src/config/types.js';
import { deploymentProgram } from '../../src/stack/program.js';
import { buildConfig, buildContainer, buildMeta, buildTargetGroup } from '../helpers/builders.js';

const IDENTITY: StackIdentity = {
  project: 'sandbox',
  name: 'taskdef',
  environment: 'dev',
  region: 'eu-west-1',
};
const FQDN = 'taskdef.sandbox.example.com';
/** The capacity provider of the EC2 release: an Auto Scaling group's, associated with the cluster. */
const EC2_PROVIDER = 'sandbox-ec2';
const LOG_TOKEN = 'arn:aws:ssm:eu-west-1:123456789012:parameter/sandbox/splunk-token';
const ECR_REPOSITORY = 'arn:aws:ecr:eu-west-1:123456789012:repository/taskdef';

/** The container keys both releases set; each release adds what its launch type allows. */
function webContainer(overrides: Partial<ContainerConfig>): ContainerConfig {
  return buildContainer({
    image: 'nginx:1.27',
    secrets: {},
    start_timeout: 30,
    stop_timeout: 20,
    ulimits: [{ name: 'nofile', soft_limit: 1024, hard_limit: 4096 }],
    readonly_root_filesystem: true,
    user: '1000',
    working_directory: '/app',
    docker_labels: { team: 'orders', 'com.example.tier': 'web' },
    log_configuration: {
      log_driver: 'splunk',
      options: { 'splunk-url': 'https://splunk.example.com' },
      secret_options: { 'splunk-token': LOG_TOKEN },
    },
    ...overrides,
  });
}

const cache: ContainerConfig = buildContainer({
  name: 'cache',
  image: 'redis:7',
  cpu: 128,
  memory: 256,
  memory_reservation: undefined,
  port_mappings: [],
  environment: {},
  secrets: {},
  command: undefined,
  health_check: undefined,
  essential: false,
});

/** The EC2 release: bridge mode, with every key the original tool's reference has. */
function ec2Release(stopTimeout = 20): DeploymentConfig {
  return buildConfig({
    service: {
      project: IDENTITY.project,
      name: IDENTITY.name,
      cluster: 'sandbox',
      fqdn: [FQDN],
      launch_type: 'EC2',
      network_mode: 'bridge',
      network: undefined,
      platform_version: undefined,
      cpu: undefined,
      memory: undefined,
      containers: [
        webContainer({
          port_mappings: [{ container_port: 8080, host_port: { blue: 8081, green: 8082 }, protocol: 'tcp' }],
          stop_timeout: stopTimeout,
          links: ['cache:redis'],
          hostname: 'web',
          privileged: true,
          docker_security_options: ['no-new-privileges'],
          mount_points: [
            { source_volume: 'logs', container_path: '/var/log/app', read_only: false },
            { source_volume: 'cache-data', container_path: '/cache', read_only: true },
          ],
          depends_on: [{ container_name: 'cache', condition: 'START' }],
          linux_parameters: {
            init_process_enabled: true,
            capabilities: { add: ['NET_ADMIN'], drop: ['NET_RAW'] },
            shared_memory_size: 64,
          },
        }),
        cache,
      ],
      execution_policies: [
        { sid: 'PullImages', effect: 'Allow', actions: ['ecr:BatchGetImage'], resources: [ECR_REPOSITORY] },
      ],
      pid_mode: 'host',
      ipc_mode: 'host',
      requires_compatibilities: ['EC2'],
      volumes: [
        { name: 'logs', host: { source_path: '/var/log/taskdef' } },
        {
          name: 'cache-data',
          docker_volume_configuration: {
            scope: 'shared',
            autoprovision: true,
            driver: 'local',
            driver_opts: { type: 'tmpfs' },
            labels: { team: 'orders' },
          },
        },
      ],
      capacity_provider_strategy: [{ capacity_provider: EC2_PROVIDER, weight: 1, base: 1 }],
    },
    target_groups: [buildTargetGroup()],
    listeners: [listener()],
  });
}

/** The Fargate release: the keys production services use today. */
function fargateRelease(sandbox: Sandbox): DeploymentConfig {
  return buildConfig({
    service: {
      project: IDENTITY.project,
      name: IDENTITY.name,
      cluster: 'sandbox',
      fqdn: [FQDN],
      network: {
        subnets: [...sandbox.fixtures.subnetIds],
        security_groups: [sandbox.fixtures.securityGroupId],
        assign_public_ip: false,
      },
      containers: [
        webContainer({
          port_mappings: [{ container_port: 8080, host_port: 0, protocol: 'tcp' }],
          mount_points: [{ source_volume: 'shared', container_path: '/shared', read_only: true }],
          linux_parameters: { init_process_enabled: true, capabilities: { add: ['SYS_PTRACE'] } },
        }),
      ],
      pid_mode: 'task',
      requires_compatibilities: ['FARGATE'],
      volumes: [
        {
          name: 'shared',
          efs_volume_configuration: {
            file_system_id: 'fs-0123456789abcdef0',
            root_directory: '/',
            transit_encryption: 'ENABLED',
            transit_encryption_port: 2049,
            authorization_config: { access_point_id: 'fsap-0123456789abcdef0', iam: 'ENABLED' },
          },
        },
      ],
      runtime_platform: { cpu_architecture: 'ARM64', operating_system_family: 'LINUX' },
      ephemeral_storage: 50,
      capacity_provider_strategy: [{ capacity_provider: 'FARGATE_SPOT', weight: 1, base: 0 }],
      enable_execute_command: true,
    },
    target_groups: [buildTargetGroup()],
    listeners: [listener()],
  });
}

function listener(): DeploymentConfig['listeners'][number] {
  return {
    port: 80,
    protocol: 'HTTP',
    certificate_arns: [],
    target_group: { container: { name: 'web', port: 8080 } },
    rule: { conditions: { host_header: [FQDN] } },
  };
}

/** Both slots of the sandbox, their ALBs listening on 80, blue serving. */
function desiredState(sandbox: Sandbox, releases: Partial<Record<Slot, DeploymentConfig>>): DesiredState {
  const f = sandbox.fixtures;
  const slot = (name: Slot, priority: number) => ({
    slot: name,
    releaseId: name,
    albArn: f.loadBalancers[name].arn,
    albName: f.loadBalancers[name].name,
    albDnsName: f.loadBalancers[name].dnsName,
    albZoneId: f.loadBalancers[name].canonicalHostedZoneId,
    vpcId: f.vpcId,
    listeners: [{ port: 80, listenerArn: f.loadBalancers[name].listenerArn, priority }],
  });
  return {
    identity: IDENTITY,
    environment: {
      accountId: f.accountId,
      region: sandbox.region,
      slots: { blue: slot('blue', 11), green: slot('green', 12) },
      zones: [{ fqdn: FQDN, zoneId: f.hostedZoneId, zoneName: f.hostedZoneName }],
    },
    listeners: {},
    releases,
    weights: { blue: 100, green: 0 },
    meta: buildMeta({ liveVersion: '1.4.0' }),
  };
}

describe('sandbox: every task definition and service key reaches the emulator', function () {
  this.timeout(300_000);
  let sandbox: Sandbox;
  let pulumi: PulumiCommand;
  let dir: string;
  let stack: Stack;
  let ecs: ECSClient;
  let iam: IAMClient;

  const up = (state: DesiredState) => stack.up({ program: deploymentProgram(state) });

  async function taskDefinitionOf(slot: Slot): Promise<TaskDefinition> {
    const family = `${IDENTITY.project}-${IDENTITY.name}-${IDENTITY.environment}-${slot}`;
    const found = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }));
    if (!found.taskDefinition) throw new Error(`no task definition ${family}`);
    return found.taskDefinition;
  }

  async function serviceOf(
    slot: Slot,
  ): Promise<NonNullable<DescribeServicesCommandOutput['services']>[number]> {
    const name = `${IDENTITY.project}-${IDENTITY.name}-${IDENTITY.environment}-${slot}`;
    const found = await ecs.send(new DescribeServicesCommand({ cluster: 'sandbox', services: [name] }));
    const service = found.services?.[0];
    if (!service) throw new Error(`no service ${name}`);
    return service;
  }

  before(async function () {
    this.timeout(120_000);
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-taskdef-'));
    [sandbox, pulumi] = await Promise.all([startSandbox({ traffic: false }), pinnedPulumiCommand()]);
    const config = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: FAKE_CREDENTIALS };
    ecs = new ECSClient(config);
    iam = new IAMClient(config);
    // The cluster's capacity providers: Fargate's two and one of EC2 instances (an Auto Scaling group's).
    await ecs.send(
      new CreateCapacityProviderCommand({
        name: EC2_PROVIDER,
        autoScalingGroupProvider: {
          autoScalingGroupArn: `arn:aws:autoscaling:eu-west-1:${sandbox.fixtures.accountId}:autoScalingGroup:0e1f2a3b-aaaa-bbbb-cccc-0123456789ab:autoScalingGroupName/sandbox`,
        },
      }),
    );
    await ecs.send(
      new PutClusterCapacityProvidersCommand({
        cluster: 'sandbox',
        capacityProviders: ['FARGATE', 'FARGATE_SPOT', EC2_PROVIDER],
        defaultCapacityProviderStrategy: [],
      }),
    );
    const workDir = join(dir, 'work');
    const stateDir = join(dir, 'state');
    mkdirSync(workDir, { recursive: true });
    mkdirSync(stateDir, { recursive: true });
    const { AWS_ENDPOINT_URL: _configured, ...engineEnv } = sandbox.env;
    stack = await LocalWorkspace.createOrSelectStack(
      {
        stackName: 'taskdef',
        projectName: 'sandbox-taskdef',
        program: deploymentProgram(desiredState(sandbox, { blue: ec2Release() })),
      },
      {
        workDir,
        pulumiCommand: pulumi,
        envVars: { ...engineEnv, PULUMI_BACKEND_URL: `file://${stateDir}`, PULUMI_CONFIG_PASSPHRASE: '' },
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
    await up(desiredState(sandbox, { blue: ec2Release(), green: fargateRelease(sandbox) }));
  });

  after(async () => {
    ecs?.destroy();
    iam?.destroy();
    await sandbox?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('registers the EC2 release’s volumes, pid and IPC modes and compatibilities', async () => {
    const task = await taskDefinitionOf('blue');
    expect(task.networkMode).to.equal('bridge');
    expect(task.pidMode).to.equal('host');
    expect(task.ipcMode).to.equal('host');
    expect(task.requiresCompatibilities).to.deep.equal(['EC2']);
    expect(task.volumes).to.deep.equal([
      { name: 'logs', host: { sourcePath: '/var/log/taskdef' } },
      {
        name: 'cache-data',
        dockerVolumeConfiguration: {
          scope: 'shared',
          autoprovision: true,
          driver: 'local',
          driverOpts: { type: 'tmpfs' },
          labels: { team: 'orders' },
        },
      },
    ]);
  });

  it('registers every container key of the EC2 release, with blue’s own host port', async () => {
    const [web, cacheDefinition] = (await taskDefinitionOf('blue')).containerDefinitions ?? [];
    expect(web).to.deep.include({
      portMappings: [{ containerPort: 8080, hostPort: 8081, protocol: 'tcp' }],
      links: ['cache:redis'],
      hostname: 'web',
      privileged: true,
      dockerSecurityOptions: ['no-new-privileges'],
      startTimeout: 30,
      stopTimeout: 20,
      mountPoints: [
        { sourceVolume: 'logs', containerPath: '/var/log/app', readOnly: false },
        { sourceVolume: 'cache-data', containerPath: '/cache', readOnly: true },
      ],
      dependsOn: [{ containerName: 'cache', condition: 'START' }],
      ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
      linuxParameters: {
        initProcessEnabled: true,
        capabilities: { add: ['NET_ADMIN'], drop: ['NET_RAW'] },
        sharedMemorySize: 64,
      },
      readonlyRootFilesystem: true,
      user: '1000',
      workingDirectory: '/app',
      dockerLabels: { 'com.example.tier': 'web', team: 'orders' },
      logConfiguration: {
        logDriver: 'splunk',
        options: { 'splunk-url': 'https://splunk.example.com' },
        secretOptions: [{ name: 'splunk-token', valueFrom: LOG_TOKEN }],
      },
    });
    expect(cacheDefinition).to.deep.include({ name: 'cache', essential: false });
  });

  it('registers the Fargate release’s EFS volume, platform and ephemeral storage', async () => {
    const task = await taskDefinitionOf('green');
    expect(task.networkMode).to.equal('awsvpc');
    expect(task.requiresCompatibilities).to.deep.equal(['FARGATE']);
    expect(task.runtimePlatform).to.deep.equal({ cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' });
    expect(task.ephemeralStorage).to.deep.equal({ sizeInGiB: 50 });
    expect(task.volumes).to.deep.equal([
      {
        name: 'shared',
        efsVolumeConfiguration: {
          fileSystemId: 'fs-0123456789abcdef0',
          rootDirectory: '/',
          transitEncryption: 'ENABLED',
          transitEncryptionPort: 2049,
          authorizationConfig: { accessPointId: 'fsap-0123456789abcdef0', iam: 'ENABLED' },
        },
      },
    ]);
    const [web] = task.containerDefinitions ?? [];
    expect(web?.linuxParameters).to.deep.equal({
      initProcessEnabled: true,
      capabilities: { add: ['SYS_PTRACE'] },
    });
    expect(web?.mountPoints).to.deep.equal([
      { sourceVolume: 'shared', containerPath: '/shared', readOnly: true },
    ]);
  });

  it('creates each service with its capacity provider strategy and no launch type, and ECS Exec on green', async () => {
    const blue = await serviceOf('blue');
    expect(blue.launchType).to.equal(undefined);
    expect(blue.capacityProviderStrategy).to.deep.equal([
      { capacityProvider: EC2_PROVIDER, weight: 1, base: 1 },
    ]);
    expect(blue.enableExecuteCommand).to.equal(false);
    const green = await serviceOf('green');
    expect(green.launchType).to.equal(undefined);
    expect(green.capacityProviderStrategy).to.deep.equal([
      { capacityProvider: 'FARGATE_SPOT', weight: 1, base: 0 },
    ]);
    expect(green.enableExecuteCommand).to.equal(true);
  });

  it('puts the execution policies on the execution role, and read access to the log driver’s secret', async () => {
    const role = `${IDENTITY.project}-${IDENTITY.name}-${IDENTITY.environment}-${IDENTITY.region}-execution`;
    const execution = await iam.send(
      new GetRolePolicyCommand({ RoleName: role, PolicyName: 'ecs-crd-blue-execution' }),
    );
    const document = JSON.parse(decodeURIComponent(execution.PolicyDocument ?? '{}')) as {
      Statement: { Action: string[]; Resource: string[] }[];
    };
    expect(document.Statement.map((s) => [s.Action, s.Resource])).to.deep.equal([
      [['ecr:BatchGetImage'], [ECR_REPOSITORY]],
    ]);
    for (const slot of ['blue', 'green'] as const) {
      const secrets = await iam.send(
        new GetRolePolicyCommand({ RoleName: role, PolicyName: `ecs-crd-${slot}-secrets` }),
      );
      expect(decodeURIComponent(secrets.PolicyDocument ?? '')).to.include(LOG_TOKEN);
    }
  });

  it('registers a new revision when a container key changes, and moves the service to it', async () => {
    const before = await taskDefinitionOf('blue');
    await up(desiredState(sandbox, { blue: ec2Release(25), green: fargateRelease(sandbox) }));
    const after = await taskDefinitionOf('blue');
    expect(after.revision).to.equal((before.revision ?? 0) + 1);
    expect(after.containerDefinitions?.[0]?.stopTimeout).to.equal(25);
    expect((await serviceOf('blue')).taskDefinition).to.equal(after.taskDefinitionArn);
    // Green's release did not change: its revision stays.
    expect((await taskDefinitionOf('green')).revision).to.equal(1);
  });

  it('refuses, as ECS does, the keys a launch type or network mode does not allow', async () => {
    const fargate = {
      requiresCompatibilities: ['FARGATE' as const],
      networkMode: 'awsvpc' as const,
      cpu: '256',
      memory: '512',
    };
    const container = { name: 'web', image: 'nginx:1.27' };
    const efs = (authorization: object) => [
      {
        name: 'shared',
        efsVolumeConfiguration: { fileSystemId: 'fs-1', authorizationConfig: authorization },
      },
    ];
    const refused: [string, Partial<RegisterTaskDefinitionCommandInput>, RegExp][] = [
      [
        'privileged on Fargate',
        { ...fargate, containerDefinitions: [{ ...container, privileged: true }] },
        /privileged/,
      ],
      ['ipcMode on Fargate', { ...fargate, ipcMode: 'host' }, /ipcMode/],
      [
        'a host path on Fargate',
        { ...fargate, volumes: [{ name: 'v', host: { sourcePath: '/data' } }] },
        /sourcePath/,
      ],
      [
        'a Docker volume on Fargate',
        { ...fargate, volumes: [{ name: 'v', dockerVolumeConfiguration: { scope: 'task' } }] },
        /Docker volumes/,
      ],
      [
        'links in awsvpc mode',
        { networkMode: 'awsvpc', containerDefinitions: [{ ...container, links: ['a'] }] },
        /links/,
      ],
      [
        'a mount of no volume',
        {
          containerDefinitions: [{ ...container, mountPoints: [{ sourceVolume: 'x', containerPath: '/x' }] }],
        },
        /mountPoints/,
      ],
      [
        'a dependency on no container',
        { containerDefinitions: [{ ...container, dependsOn: [{ containerName: 'x', condition: 'START' }] }] },
        /depends on/,
      ],
      ['EFS IAM without transit encryption', { volumes: efs({ iam: 'ENABLED' }) }, /transit encryption/],
      [
        '10 GiB of ephemeral storage',
        { ...fargate, ephemeralStorage: { sizeInGiB: 10 } },
        /between 21 and 200/,
      ],
    ];
    for (const [what, input, reason] of refused) {
      const register = { family: 'refused', containerDefinitions: [{ ...container, memory: 128 }], ...input };
      const error = await ecs.send(new RegisterTaskDefinitionCommand(register)).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.name, what).to.equal('ClientException');
      expect(error?.message, what).to.match(reason);
    }
    // The same keys where ECS allows them: EC2, bridge mode.
    const allowed = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'allowed',
        requiresCompatibilities: ['EC2'],
        ipcMode: 'host',
        volumes: [
          { name: 'v', host: { sourcePath: '/data' } },
          { name: 'd', dockerVolumeConfiguration: { scope: 'task' } },
        ],
        containerDefinitions: [
          {
            ...container,
            memory: 128,
            privileged: true,
            links: ['cache'],
            mountPoints: [{ sourceVolume: 'v', containerPath: '/v' }],
          },
          { name: 'cache', image: 'redis:7', memory: 128 },
        ],
      }),
    );
    expect(allowed.taskDefinition?.revision).to.equal(1);
  });

  it('refuses, as ECS does, a task definition over 64 KiB, and registers one just under', async () => {
    const withVariables = (count: number) => ({
      family: 'sized',
      containerDefinitions: [
        {
          name: 'web',
          image: 'nginx:1.27',
          memory: 128,
          environment: Array.from({ length: count }, (_, i) => ({ name: `KEY_${i}`, value: 'v'.repeat(40) })),
        },
      ],
    });
    // Each variable is about 70 bytes of JSON: 900 of them about 63,000 bytes, 1,000 about 70,000.
    const under = await ecs.send(new RegisterTaskDefinitionCommand(withVariables(900)));
    expect(under.taskDefinition?.revision).to.equal(1);
    const error = await ecs.send(new RegisterTaskDefinitionCommand(withVariables(1000))).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).to.equal('ClientException');
    const [, length] =
      error?.message.match(/^Actual length: '(\d+)'\. Max allowed length is '65536' bytes\.$/) ?? [];
    expect(Number(length), error?.message).to.be.within(65_537, 75_000);
  });

  it('refuses to change a live service’s capacity provider strategy in place, as pulumi-aws 7 does', async () => {
    const release = fargateRelease(sandbox);
    release.service.capacity_provider_strategy = [{ capacity_provider: 'FARGATE', weight: 1, base: 0 }];
    const failure = await up(desiredState(sandbox, { blue: ec2Release(25), green: release })).then(
      () => 'the update succeeded',
      (error: Error) => error.message,
    );
    expect(failure).to.match(
      /force_new_deployment should be true when capacity_provider_strategy is being updated/,
    );
    expect((await serviceOf('green')).capacityProviderStrategy?.[0]?.capacityProvider).to.equal(
      'FARGATE_SPOT',
    );
  });

  it('fails the deployment, as ECS does, for a capacity provider the cluster does not have', async () => {
    await up(desiredState(sandbox, { blue: ec2Release(25) }));
    const release = fargateRelease(sandbox);
    release.service.capacity_provider_strategy = [
      { capacity_provider: 'NOT_ON_CLUSTER', weight: 1, base: 0 },
    ];
    const failure = await up(desiredState(sandbox, { blue: ec2Release(25), green: release })).then(
      () => 'the update succeeded',
      (error: Error) => error.message,
    );
    expect(failure).to.match(/not associated with the cluster/);
  });
});
