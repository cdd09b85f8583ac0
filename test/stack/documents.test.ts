import { expect } from 'chai';
import {
  type ContainerDefinition,
  containerDefinitions,
  ecsTasksTrustPolicy,
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
