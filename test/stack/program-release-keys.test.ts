import { expect } from 'chai';
import type { DeploymentConfig } from '../../src/config/types.js';
import type { ContainerDefinition, PolicyDocument } from '../../src/stack/documents.js';
import {
  buildConfig,
  buildContainer,
  buildDesiredState,
  SAMPLE_REGION,
  SAMPLE_SECRETS,
} from '../helpers/builders.js';
import { declaredInputs } from '../helpers/program-run.js';

type Inputs = Record<string, unknown>;

const declared = declaredInputs;

function inputsOf(resources: Map<string, Inputs>, name: string): Inputs {
  const inputs = resources.get(name);
  if (!inputs) throw new Error(`no resource ${name}; declared: ${[...resources.keys()].join(', ')}`);
  return inputs;
}

const LOG_TOKEN = `arn:aws:secretsmanager:${SAMPLE_REGION}:123456789012:secret:splunk-token-AbCdEf`;

/** The sample release with every key of the original reference and of production services set. */
function releaseWithEveryKey(): DeploymentConfig {
  const web = buildContainer({
    port_mappings: [{ container_port: 8080, host_port: { blue: 8081, green: 8082 }, protocol: 'tcp' }],
    links: ['cache:redis'],
    hostname: 'web',
    privileged: true,
    docker_security_options: ['no-new-privileges'],
    start_timeout: 30,
    stop_timeout: 20,
    mount_points: [
      { source_volume: 'scratch', container_path: '/scratch', read_only: false },
      { source_volume: 'shared', container_path: '/shared', read_only: true },
    ],
    depends_on: [{ container_name: 'cache', condition: 'START' }],
    ulimits: [{ name: 'nofile', soft_limit: 1024, hard_limit: 4096 }],
    linux_parameters: {
      init_process_enabled: true,
      capabilities: { add: ['NET_ADMIN'], drop: ['NET_RAW'] },
      shared_memory_size: 64,
    },
    readonly_root_filesystem: true,
    user: '1000',
    working_directory: '/app',
    docker_labels: { team: 'orders', 'com.example.tier': 'web' },
    log_configuration: {
      log_driver: 'splunk',
      options: { 'splunk-url': 'https://splunk.example.com' },
      secret_options: { 'splunk-token': LOG_TOKEN },
    },
  });
  const cache = buildContainer({
    name: 'cache',
    image: 'redis:7',
    port_mappings: [],
    environment: {},
    secrets: {},
    command: undefined,
    health_check: undefined,
    essential: false,
  });
  return buildConfig({
    service: {
      launch_type: 'EC2',
      network_mode: 'bridge',
      network: undefined,
      containers: [web, cache],
      execution_policies: [
        {
          sid: 'PullFromPrivateRegistry',
          effect: 'Allow',
          actions: ['ecr:BatchGetImage'],
          resources: ['arn:aws:ecr:eu-west-1:123456789012:repository/orders-api'],
        },
      ],
      pid_mode: 'task',
      ipc_mode: 'none',
      requires_compatibilities: ['EC2'],
      volumes: [
        { name: 'scratch', host: {} },
        { name: 'logs', host: { source_path: '/var/log/orders' } },
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
      capacity_provider_strategy: [
        { capacity_provider: 'orders-ec2', weight: 1, base: 1 },
        { capacity_provider: 'orders-ec2-spot', weight: 3, base: 0 },
      ],
      enable_execute_command: true,
    },
  });
}

const onBlue = (release: DeploymentConfig) => buildDesiredState({ releases: { blue: release } });

describe('deployment program: every key of a release', () => {
  let resources: Map<string, Inputs>;
  before(async () => {
    resources = await declared(onBlue(releaseWithEveryKey()));
  });

  it('declares the task definition’s volumes of the three kinds by pulumi-aws’s input names', () => {
    expect(inputsOf(resources, 'blue-task-definition').volumes).to.deep.equal([
      { name: 'scratch' },
      { name: 'logs', hostPath: '/var/log/orders' },
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
  });

  it('declares the task definition’s pid and IPC modes, compatibilities, platform and storage', () => {
    expect(inputsOf(resources, 'blue-task-definition')).to.deep.include({
      pidMode: 'task',
      ipcMode: 'none',
      requiresCompatibilities: ['EC2'],
      networkMode: 'bridge',
      runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      ephemeralStorage: { sizeInGib: 50 },
    });
  });

  it('renders every container key into the container definitions, the slot’s own host port included', () => {
    const [web, cache] = JSON.parse(
      inputsOf(resources, 'blue-task-definition').containerDefinitions as string,
    ) as ContainerDefinition[];
    expect(web).to.deep.include({
      portMappings: [{ containerPort: 8080, hostPort: 8081, protocol: 'tcp' }],
      links: ['cache:redis'],
      hostname: 'web',
      privileged: true,
      dockerSecurityOptions: ['no-new-privileges'],
      startTimeout: 30,
      stopTimeout: 20,
      dependsOn: [{ containerName: 'cache', condition: 'START' }],
      ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
      readonlyRootFilesystem: true,
      user: '1000',
      workingDirectory: '/app',
      dockerLabels: { 'com.example.tier': 'web', team: 'orders' },
    });
    expect(web?.mountPoints).to.have.length(2);
    expect(web?.linuxParameters).to.deep.equal({
      initProcessEnabled: true,
      capabilities: { add: ['NET_ADMIN'], drop: ['NET_RAW'] },
      sharedMemorySize: 64,
    });
    expect(web?.logConfiguration.secretOptions).to.deep.equal([
      { name: 'splunk-token', valueFrom: LOG_TOKEN },
    ]);
    expect(cache).to.include({ name: 'cache', essential: false });
  });

  it('renders green’s own host port on green', async () => {
    const green = await declared(
      buildDesiredState({ releases: { green: releaseWithEveryKey() }, weights: { blue: 0, green: 100 } }),
    );
    const [web] = JSON.parse(
      inputsOf(green, 'green-task-definition').containerDefinitions as string,
    ) as ContainerDefinition[];
    expect(web?.portMappings?.[0]?.hostPort).to.equal(8082);
  });

  it('declares the service with its capacity provider strategy and no launch type, and ECS Exec', () => {
    const service = inputsOf(resources, 'blue-service');
    expect(service).not.to.have.property('launchType');
    expect(service).to.deep.include({
      capacityProviderStrategies: [
        { capacityProvider: 'orders-ec2', weight: 1, base: 1 },
        { capacityProvider: 'orders-ec2-spot', weight: 3, base: 0 },
      ],
      enableExecuteCommand: true,
    });
  });

  it('puts the execution policies inline on the execution role, per slot, and lets it read the log secret', () => {
    const execution = inputsOf(resources, 'blue-execution-policy');
    expect(execution).to.include({
      name: 'ecs-crd-blue-execution',
      role: 'shop-orders-api-prod-eu-west-1-execution',
    });
    const document = JSON.parse(execution.policy as string) as PolicyDocument;
    expect(document.Statement).to.have.length(1);
    expect(document.Statement[0]).to.deep.include({
      Effect: 'Allow',
      Action: ['ecr:BatchGetImage'],
      Resource: ['arn:aws:ecr:eu-west-1:123456789012:repository/orders-api'],
    });
    const secrets = JSON.parse(inputsOf(resources, 'blue-secrets-policy').policy as string) as PolicyDocument;
    expect(secrets.Statement.flatMap((s) => s.Resource)).to.include(LOG_TOKEN);
  });
});

describe('deployment program: an old release, recorded before these keys', () => {
  let resources: Map<string, Inputs>;
  before(async () => {
    resources = await declared(onBlue(buildConfig()));
  });

  it('declares the task definition without any of them, its compatibilities from the launch type', () => {
    const task = inputsOf(resources, 'blue-task-definition');
    expect(task).not.to.have.any.keys('volumes', 'pidMode', 'ipcMode', 'runtimePlatform', 'ephemeralStorage');
    expect(task.requiresCompatibilities).to.deep.equal(['FARGATE']);
  });

  it('declares the service with its launch type, no strategy and no ECS Exec setting', () => {
    const service = inputsOf(resources, 'blue-service');
    expect(service.launchType).to.equal('FARGATE');
    expect(service).not.to.have.any.keys('capacityProviderStrategies', 'enableExecuteCommand');
  });

  it('takes an empty capacity provider strategy or volume list for none: the launch type applies', async () => {
    const empty = buildConfig({
      service: { capacity_provider_strategy: [], volumes: [], execution_policies: [] },
    });
    const run = await declared(onBlue(empty));
    expect(inputsOf(run, 'blue-service').launchType).to.equal('FARGATE');
    expect(inputsOf(run, 'blue-service')).not.to.have.property('capacityProviderStrategies');
    expect(inputsOf(run, 'blue-task-definition')).not.to.have.property('volumes');
    expect(run.has('blue-execution-policy')).to.equal(false);
  });

  it('declares no execution policy, and the secrets policy of the containers’ secrets alone', () => {
    expect(resources.has('blue-execution-policy')).to.equal(false);
    const secrets = JSON.parse(inputsOf(resources, 'blue-secrets-policy').policy as string) as PolicyDocument;
    expect(secrets.Statement.flatMap((s) => s.Resource)).to.have.members([
      SAMPLE_SECRETS.API_TOKEN,
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/orders-db-AbCdEf',
    ]);
  });

  it('renders the container definitions without any of the newer container keys', () => {
    const [web] = JSON.parse(
      inputsOf(resources, 'blue-task-definition').containerDefinitions as string,
    ) as ContainerDefinition[];
    expect(Object.keys(web ?? {})).to.deep.equal([
      'name',
      'image',
      'cpu',
      'memory',
      'memoryReservation',
      'essential',
      'portMappings',
      'command',
      'environment',
      'secrets',
      'healthCheck',
      'logConfiguration',
    ]);
  });
});
