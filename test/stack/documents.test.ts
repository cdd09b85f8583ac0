import { expect } from 'chai';
import {
  type ContainerDefinition,
  containerDefinitions,
  ecsTasksTrustPolicy,
  executionSecretArns,
  type PolicyDocument,
  secretArns,
  secretsPolicy,
  taskPolicy,
} from '../../src/stack/documents.js';
import {
  buildConfig,
  buildContainer,
  SAMPLE_REGION,
  SAMPLE_SECRETS,
  sampleImage,
} from '../helpers/builders.js';

const logs = { logGroup: '/ecs/shop/orders-api/prod', region: SAMPLE_REGION, slot: 'green' as const };

function definitionsOf(service = buildConfig().service): ContainerDefinition[] {
  return JSON.parse(containerDefinitions(service, logs)) as ContainerDefinition[];
}

describe('stack documents', () => {
  describe('containerDefinitions', () => {
    it('renders the container of the file in the ECS API’s shape', () => {
      expect(definitionsOf()).to.deep.equal([
        {
          name: 'web',
          image: sampleImage('1.4.0'),
          cpu: 256,
          memory: 512,
          memoryReservation: 384,
          essential: true,
          portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
          command: ['node', 'server.js'],
          environment: [
            { name: 'LOG_LEVEL', value: 'info' },
            { name: 'NODE_ENV', value: 'production' },
          ],
          secrets: [
            { name: 'API_TOKEN', valueFrom: SAMPLE_SECRETS.API_TOKEN },
            { name: 'DB_PASSWORD', valueFrom: SAMPLE_SECRETS.DB_PASSWORD },
          ],
          healthCheck: {
            command: ['CMD-SHELL', 'curl -f http://localhost:8080/health || exit 1'],
            interval: 30,
            retries: 3,
          },
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': '/ecs/shop/orders-api/prod',
              'awslogs-region': SAMPLE_REGION,
              'awslogs-stream-prefix': 'green',
            },
          },
        },
      ]);
    });

    it('carries every optional setting of the file', () => {
      const container = buildContainer({
        entry_point: ['/bin/sh', '-c'],
        dns_search_domains: ['svc.local'],
        dns_servers: ['10.0.0.2'],
        disable_networking: false,
        essential: false,
        health_check: { command: ['CMD', 'true'], interval: 5, timeout: 2, retries: 1, start_period: 20 },
        log_configuration: { log_driver: 'json-file', options: { 'max-size': '10m' } },
      });
      const [definition] = definitionsOf(buildConfig({ service: { containers: [container] } }).service);
      expect(definition).to.include({ essential: false, disableNetworking: false });
      expect(definition?.entryPoint).to.deep.equal(['/bin/sh', '-c']);
      expect(definition?.dnsSearchDomains).to.deep.equal(['svc.local']);
      expect(definition?.dnsServers).to.deep.equal(['10.0.0.2']);
      expect(definition?.healthCheck).to.deep.equal({
        command: ['CMD', 'true'],
        interval: 5,
        timeout: 2,
        retries: 1,
        startPeriod: 20,
      });
      expect(definition?.logConfiguration).to.deep.equal({
        logDriver: 'json-file',
        options: { 'max-size': '10m' },
      });
    });

    it('leaves out empty lists, which AWS reports back as absent', () => {
      const container = buildContainer({ environment: {}, secrets: {}, port_mappings: [] });
      const [definition] = definitionsOf(buildConfig({ service: { containers: [container] } }).service);
      expect(definition).not.to.have.any.keys('environment', 'secrets', 'portMappings');
    });

    it('keeps dynamic host ports in bridge mode', () => {
      const service = buildConfig({ service: { launch_type: 'EC2', network_mode: 'bridge' } }).service;
      expect(definitionsOf(service)[0]?.portMappings).to.deep.equal([
        { containerPort: 8080, hostPort: 0, protocol: 'tcp' },
      ]);
    });

    it('renders an old release, without the newer keys, to exactly the text it always had', () => {
      expect(containerDefinitions(buildConfig().service, logs)).to.equal(
        '[{"name":"web","image":"123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:1.4.0","cpu":256,"memory":512,' +
          '"memoryReservation":384,"essential":true,"portMappings":[{"containerPort":8080,"hostPort":8080,"protocol":"tcp"}],' +
          '"command":["node","server.js"],"environment":[{"name":"LOG_LEVEL","value":"info"},{"name":"NODE_ENV","value":"production"}],' +
          `"secrets":[{"name":"API_TOKEN","valueFrom":"${SAMPLE_SECRETS.API_TOKEN}"},{"name":"DB_PASSWORD","valueFrom":"${SAMPLE_SECRETS.DB_PASSWORD}"}],` +
          '"healthCheck":{"command":["CMD-SHELL","curl -f http://localhost:8080/health || exit 1"],"interval":30,"retries":3},' +
          '"logConfiguration":{"logDriver":"awslogs","options":{"awslogs-group":"/ecs/shop/orders-api/prod",' +
          '"awslogs-region":"eu-west-1","awslogs-stream-prefix":"green"}}}]',
      );
    });

    it('carries every container key of the original reference and of production services, by their ECS names', () => {
      const container = buildContainer({
        links: ['cache:redis'],
        hostname: 'web-1',
        privileged: false,
        docker_security_options: ['no-new-privileges'],
        start_timeout: 30,
        stop_timeout: 20,
        mount_points: [{ source_volume: 'data', container_path: '/data', read_only: true }],
        depends_on: [{ container_name: 'cache', condition: 'HEALTHY' }],
        ulimits: [{ name: 'nofile', soft_limit: 1024, hard_limit: 4096 }],
        linux_parameters: {
          init_process_enabled: true,
          capabilities: { add: ['SYS_PTRACE'], drop: ['NET_RAW'] },
          shared_memory_size: 64,
        },
        readonly_root_filesystem: true,
        user: '1000:1000',
        working_directory: '/app',
        docker_labels: { team: 'orders', 'com.example.tier': 'web' },
        log_configuration: {
          log_driver: 'splunk',
          options: { 'splunk-url': 'https://splunk.example.com' },
          secret_options: { 'splunk-token': SAMPLE_SECRETS.API_TOKEN },
        },
      });
      const [definition] = definitionsOf(buildConfig({ service: { containers: [container] } }).service);
      expect(definition).to.deep.include({
        links: ['cache:redis'],
        hostname: 'web-1',
        privileged: false,
        dockerSecurityOptions: ['no-new-privileges'],
        startTimeout: 30,
        stopTimeout: 20,
        mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: true }],
        dependsOn: [{ containerName: 'cache', condition: 'HEALTHY' }],
        ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }],
        linuxParameters: {
          initProcessEnabled: true,
          capabilities: { add: ['SYS_PTRACE'], drop: ['NET_RAW'] },
          sharedMemorySize: 64,
        },
        readonlyRootFilesystem: true,
        user: '1000:1000',
        workingDirectory: '/app',
        dockerLabels: { 'com.example.tier': 'web', team: 'orders' },
        logConfiguration: {
          logDriver: 'splunk',
          options: { 'splunk-url': 'https://splunk.example.com' },
          secretOptions: [{ name: 'splunk-token', valueFrom: SAMPLE_SECRETS.API_TOKEN }],
        },
      });
      // The labels' keys in order, whatever the file's: the same release renders the same text.
      expect(Object.keys(definition?.dockerLabels ?? {})).to.deep.equal(['com.example.tier', 'team']);
    });

    it('renders nothing for empty lists and maps of the newer keys, nor for an empty capability set', () => {
      const container = buildContainer({
        links: [],
        mount_points: [],
        depends_on: [],
        ulimits: [],
        docker_labels: {},
        linux_parameters: { capabilities: { add: [] } },
        log_configuration: { log_driver: 'awslogs', options: {}, secret_options: {} },
      });
      const [definition] = definitionsOf(buildConfig({ service: { containers: [container] } }).service);
      expect(definition).not.to.have.any.keys(
        'links',
        'mountPoints',
        'dependsOn',
        'ulimits',
        'dockerLabels',
        'linuxParameters',
      );
      expect(definition?.logConfiguration).to.deep.equal({ logDriver: 'awslogs', options: {} });
    });

    it('uses the slot’s own host port where the file gives one per slot', () => {
      const container = buildContainer({
        port_mappings: [{ container_port: 8080, host_port: { blue: 8081, green: 8082 }, protocol: 'tcp' }],
      });
      const service = buildConfig({
        service: { launch_type: 'EC2', network_mode: 'bridge', containers: [container] },
      }).service;
      const render = (slot: 'blue' | 'green') =>
        (JSON.parse(containerDefinitions(service, { ...logs, slot })) as ContainerDefinition[])[0]
          ?.portMappings;
      expect(render('blue')).to.deep.equal([{ containerPort: 8080, hostPort: 8081, protocol: 'tcp' }]);
      expect(render('green')).to.deep.equal([{ containerPort: 8080, hostPort: 8082, protocol: 'tcp' }]);
    });

    it('renders the same text whatever the order of the file’s maps', () => {
      const a = buildContainer({ environment: { A: '1', B: '2' }, secrets: { X: SAMPLE_SECRETS.API_TOKEN } });
      const b = buildContainer({ environment: { B: '2', A: '1' }, secrets: { X: SAMPLE_SECRETS.API_TOKEN } });
      const render = (c: typeof a) =>
        containerDefinitions(buildConfig({ service: { containers: [c] } }).service, logs);
      expect(render(a)).to.equal(render(b));
    });
  });

  describe('policies', () => {
    it('lets ECS tasks assume the roles', () => {
      const trust = JSON.parse(ecsTasksTrustPolicy()) as PolicyDocument;
      expect(trust.Statement).to.deep.equal([
        { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ]);
    });

    it('renders the file’s policies as the task policy, and none when there are none', () => {
      const policy = JSON.parse(taskPolicy(buildConfig().service.policies) ?? 'null') as PolicyDocument;
      expect(policy.Statement[0]).to.deep.equal({
        Effect: 'Allow',
        Action: ['s3:GetObject'],
        Resource: ['arn:aws:s3:::shop-orders/*'],
      });
      expect(taskPolicy([])).to.equal(null);
    });

    it('grants read access to exactly the secrets, on the secret itself for a JSON key', () => {
      const arns = secretArns(buildConfig().service);
      expect(arns).to.have.members([SAMPLE_SECRETS.API_TOKEN, SAMPLE_SECRETS.DB_PASSWORD]);
      const policy = JSON.parse(secretsPolicy(arns) ?? 'null') as PolicyDocument;
      expect(policy.Statement).to.deep.equal([
        {
          Sid: 'ReadSsmParameters',
          Effect: 'Allow',
          Action: ['ssm:GetParameters'],
          Resource: [SAMPLE_SECRETS.API_TOKEN],
        },
        {
          Sid: 'ReadSecretsManagerSecrets',
          Effect: 'Allow',
          Action: ['secretsmanager:GetSecretValue'],
          Resource: [`arn:aws:secretsmanager:${SAMPLE_REGION}:123456789012:secret:shop/orders-db-AbCdEf`],
        },
      ]);
    });

    it('lets the execution role read the log drivers’ secret options too, once each', () => {
      const splunkToken = `arn:aws:secretsmanager:${SAMPLE_REGION}:123456789012:secret:splunk-token-AbCdEf`;
      const withLogSecret = buildContainer({
        log_configuration: {
          log_driver: 'splunk',
          options: {},
          secret_options: { 'splunk-token': splunkToken, 'splunk-api': SAMPLE_SECRETS.API_TOKEN },
        },
      });
      const service = buildConfig({ service: { containers: [withLogSecret] } }).service;
      expect(executionSecretArns(service)).to.deep.equal(
        [SAMPLE_SECRETS.API_TOKEN, SAMPLE_SECRETS.DB_PASSWORD, splunkToken].sort(),
      );
      expect(executionSecretArns(buildConfig().service)).to.deep.equal(secretArns(buildConfig().service));
    });

    it('lists a secret shared by two containers once', () => {
      const containers = [buildContainer(), buildContainer({ name: 'worker', port_mappings: [] })];
      expect(secretArns(buildConfig({ service: { containers } }).service)).to.have.length(2);
    });

    it('has no secrets policy without secrets, and refuses what is not a secret ARN', () => {
      expect(secretsPolicy([])).to.equal(null);
      expect(() => secretsPolicy(['arn:aws:s3:::bucket/key'])).to.throw(
        /not an SSM parameter or Secrets Manager/,
      );
      expect(() => secretsPolicy(['/plain/parameter-name'])).to.throw(/not an SSM parameter/);
    });
  });
});
