import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
} from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { type AwsClients, awsError, createAwsClients, type RetryTuning } from '../../src/aws/clients.js';
import { EcsCrdError, UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { ecsJson, type FakeEndpoint, setEnv, startFakeEndpoint, stsCallerIdentity } from './fake-endpoint.js';
import { REGION, rejection } from './fixtures.js';

/** Retries without waiting: no backoff, and no adaptive slow-down below 1000 requests/s. */
const FAST: RetryTuning = { maxAttempts: 3, backoffMs: () => 0, minRequestRate: 1000 };

/** Credentials from the environment only, whatever the machine's own AWS set-up. */
const TEST_ENV = {
  AWS_ACCESS_KEY_ID: 'AKIDENVIRONMENT',
  AWS_SECRET_ACCESS_KEY: 'secret',
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_ENDPOINT_URL: undefined,
  AWS_CONFIG_FILE: '/nonexistent/config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
};

/** A client stub that answers every command with `{}` and lists the commands it was sent. */
interface RecordingStub {
  sent(): { input: unknown }[];
  restore(): void;
}

/** What `recording` needs of an aws-sdk-client-mock stub, whatever its client. */
interface SdkStub {
  onAnyCommand(): { resolves(output: object): unknown };
  calls(): { args: [{ input: unknown }] }[];
  restore(): void;
}

function recording(stub: SdkStub): RecordingStub {
  stub.onAnyCommand().resolves({});
  return { sent: () => stub.calls().map((call) => call.args[0]), restore: () => stub.restore() };
}

describe('aws/clients', () => {
  describe('narrow wrappers', () => {
    const clients = createAwsClients({ region: REGION });
    let mocks: RecordingStub[] = [];
    let stsStub: AwsClientStub<STSClient> | undefined;
    beforeEach(() => {
      stsStub = mockClient(STSClient);
      mocks = [
        recording(mockClient(ECSClient)),
        recording(mockClient(ElasticLoadBalancingV2Client)),
        recording(mockClient(Route53Client)),
        recording(stsStub),
      ];
    });
    afterEach(() => {
      for (const mock of mocks) mock.restore();
    });

    const routes: [
      string,
      (c: AwsClients) => Promise<unknown>,
      abstract new (...args: never[]) => object,
      object,
    ][] = [
      ['sts.getCallerIdentity', (c) => c.sts.getCallerIdentity({}), GetCallerIdentityCommand, {}],
      [
        'elbv2.describeLoadBalancers',
        (c) => c.elbv2.describeLoadBalancers({ Marker: 'm' }),
        DescribeLoadBalancersCommand,
        { Marker: 'm' },
      ],
      [
        'elbv2.describeTags',
        (c) => c.elbv2.describeTags({ ResourceArns: ['a'] }),
        DescribeTagsCommand,
        { ResourceArns: ['a'] },
      ],
      [
        'elbv2.describeListeners',
        (c) => c.elbv2.describeListeners({ LoadBalancerArn: 'lb' }),
        DescribeListenersCommand,
        { LoadBalancerArn: 'lb' },
      ],
      [
        'elbv2.describeRules',
        (c) => c.elbv2.describeRules({ ListenerArn: 'l' }),
        DescribeRulesCommand,
        { ListenerArn: 'l' },
      ],
      [
        'elbv2.describeTargetHealth',
        (c) => c.elbv2.describeTargetHealth({ TargetGroupArn: 'tg' }),
        DescribeTargetHealthCommand,
        { TargetGroupArn: 'tg' },
      ],
      [
        'route53.listHostedZones',
        (c) => c.route53.listHostedZones({ Marker: 'z' }),
        ListHostedZonesCommand,
        { Marker: 'z' },
      ],
      [
        'route53.listResourceRecordSets',
        (c) => c.route53.listResourceRecordSets({ HostedZoneId: 'Z1' }),
        ListResourceRecordSetsCommand,
        { HostedZoneId: 'Z1' },
      ],
      [
        'ecs.describeClusters',
        (c) => c.ecs.describeClusters({ clusters: ['c'] }),
        DescribeClustersCommand,
        { clusters: ['c'] },
      ],
      [
        'ecs.describeServices',
        (c) => c.ecs.describeServices({ cluster: 'c', services: ['s'] }),
        DescribeServicesCommand,
        { cluster: 'c', services: ['s'] },
      ],
      ['ecs.listTasks', (c) => c.ecs.listTasks({ cluster: 'c' }), ListTasksCommand, { cluster: 'c' }],
      [
        'ecs.describeTasks',
        (c) => c.ecs.describeTasks({ tasks: ['t'] }),
        DescribeTasksCommand,
        { tasks: ['t'] },
      ],
    ];
    for (const [name, call, command, input] of routes) {
      it(`${name} sends ${command.name} with the input as given`, async () => {
        await call(clients);
        const sent = mocks.flatMap((mock) => mock.sent());
        expect(sent).to.have.length(1);
        expect(sent[0]).to.be.instanceOf(command);
        expect(sent[0]?.input).to.deep.equal(input);
      });
    }

    it('turns an SDK failure into an EcsCrdError naming the service and call', async () => {
      stsStub?.onAnyCommand().rejects(Object.assign(new Error('token expired'), { name: 'ExpiredToken' }));
      const error = await rejection(clients.sts.getCallerIdentity({}));
      expect(error).to.be.instanceOf(EcsCrdError);
      expect(error.message).to.equal('AWS STS GetCallerIdentity failed: ExpiredToken: token expired');
      expect(error.cause).to.have.property('name', 'ExpiredToken');
    });
  });

  describe('awsError', () => {
    const named = (name: string, extra: object = {}) => Object.assign(new Error('boom'), { name }, extra);

    it('is an unexpected error (exit 1) with the SDK error as its cause', () => {
      const cause = named('InternalFailure');
      const error = awsError('ECS', 'ListTasks', cause);
      expect(exitCodeOf(error)).to.equal(ExitCode.Unexpected);
      expect(error.cause).to.equal(cause);
      expect(error.hint).to.equal(undefined);
    });

    it('hints at what to check for the usual causes', () => {
      expect(awsError('STS', 'GetCallerIdentity', named('CredentialsProviderError')).hint).to.include(
        '--profile',
      );
      expect(awsError('Route53', 'ListHostedZones', named('AccessDenied')).hint).to.include(
        'route53:ListHostedZones',
      );
      expect(awsError('ECS', 'DescribeServices', named('ThrottlingException')).hint).to.include('throttling');
      expect(awsError('ELBv2', 'DescribeTags', named('Error', { code: 'ECONNREFUSED' })).hint).to.include(
        '--endpoint-url',
      );
    });

    it('passes errors that are already ours through unchanged, and describes thrown non-errors', () => {
      const ours = new UsageError('fix the file');
      expect(awsError('ECS', 'ListTasks', ours)).to.equal(ours);
      expect(awsError('ECS', 'ListTasks', 'weird').message).to.equal(
        'AWS ECS ListTasks failed: Error: weird',
      );
    });
  });

  describe('against an HTTP endpoint (the whole SDK stack)', () => {
    let restoreEnv: () => void = () => undefined;
    let endpoint: FakeEndpoint | undefined;
    beforeEach(() => {
      restoreEnv = setEnv(TEST_ENV);
    });
    afterEach(async () => {
      restoreEnv();
      await endpoint?.close();
      endpoint = undefined;
    });

    it('retries a throttled call in adaptive mode and returns the answer that follows', async () => {
      endpoint = await startFakeEndpoint((_, index) =>
        index === 0
          ? ecsJson(400, { message: 'Rate exceeded' }, 'ThrottlingException')
          : ecsJson(200, { services: [{ serviceName: 's', desiredCount: 2 }], failures: [] }),
      );
      const clients = createAwsClients({ region: REGION, endpointUrl: endpoint.url, retry: FAST });
      const output = await clients.ecs.describeServices({ cluster: 'c', services: ['s'] });
      expect(output.services?.[0]?.desiredCount).to.equal(2);
      expect(output.$metadata.attempts).to.equal(2);
      expect(endpoint.requests.map((r) => r.headers['amz-sdk-request'])).to.deep.equal([
        'attempt=1; max=3',
        'attempt=2; max=3',
      ]);
    });

    it('gives up after maxAttempts throttled attempts with a throttling hint', async () => {
      endpoint = await startFakeEndpoint(() =>
        ecsJson(400, { message: 'Rate exceeded' }, 'ThrottlingException'),
      );
      const clients = createAwsClients({ region: REGION, endpointUrl: endpoint.url, retry: FAST });
      const error = await rejection(clients.ecs.listTasks({ cluster: 'c' }));
      expect(endpoint.requests).to.have.length(3);
      expect(error).to.be.instanceOf(EcsCrdError);
      expect(error.message).to.equal('AWS ECS ListTasks failed: ThrottlingException: Rate exceeded');
      expect((error as EcsCrdError).hint).to.include('throttling');
    });

    it('honours AWS_ENDPOINT_URL when no endpoint is given', async () => {
      endpoint = await startFakeEndpoint(() => stsCallerIdentity('210987654321'));
      const undo = setEnv({ AWS_ENDPOINT_URL: endpoint.url });
      try {
        const identity = await createAwsClients({ region: REGION }).sts.getCallerIdentity({});
        expect(identity.Account).to.equal('210987654321');
      } finally {
        undo();
      }
    });

    it('resolves the credentials once for all clients', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ecs-crd-profile-'));
      try {
        const counter = join(dir, 'count');
        const config = join(dir, 'config');
        const json = '{"Version":1,"AccessKeyId":"AKIDPROCESS","SecretAccessKey":"secret"}';
        writeFileSync(
          config,
          `[profile ci]\ncredential_process = sh -c 'echo x >> ${counter}; echo ${JSON.stringify(json).slice(1, -1)}'\n`,
        );
        const undo = setEnv({ AWS_CONFIG_FILE: config });
        endpoint = await startFakeEndpoint((request) =>
          request.headers['x-amz-target'] === undefined
            ? stsCallerIdentity('123456789012')
            : ecsJson(200, { services: [], failures: [] }),
        );
        try {
          const clients = createAwsClients({ region: REGION, profile: 'ci', endpointUrl: endpoint.url });
          await Promise.all([
            clients.sts.getCallerIdentity({}),
            clients.ecs.describeServices({ services: ['s'] }),
          ]);
          await clients.sts.getCallerIdentity({});
        } finally {
          undo();
        }
        expect(readFileSync(counter, 'utf8')).to.equal('x\n');
        expect(
          endpoint.requests.map((r) => /Credential=(\w+)\//.exec(r.headers.authorization ?? '')?.[1]),
        ).to.deep.equal(['AKIDPROCESS', 'AKIDPROCESS', 'AKIDPROCESS']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('signs with the named profile when one is given, else with the environment', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ecs-crd-profile-'));
      try {
        const credentials = join(dir, 'credentials');
        writeFileSync(credentials, '[ci]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret\n');
        const undo = setEnv({ AWS_SHARED_CREDENTIALS_FILE: credentials });
        endpoint = await startFakeEndpoint(() => stsCallerIdentity('123456789012'));
        try {
          await createAwsClients({
            region: REGION,
            profile: 'ci',
            endpointUrl: endpoint.url,
          }).sts.getCallerIdentity({});
          await createAwsClients({ region: REGION, endpointUrl: endpoint.url }).sts.getCallerIdentity({});
        } finally {
          undo();
        }
        const keys = endpoint.requests.map(
          (r) => /Credential=(\w+)\//.exec(r.headers.authorization ?? '')?.[1],
        );
        expect(keys).to.deep.equal(['AKIDPROFILE', 'AKIDENVIRONMENT']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
