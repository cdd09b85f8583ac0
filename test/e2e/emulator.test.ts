/**
 * The sandbox's emulator refuses and delays what AWS refuses and delays (sandbox/moto/server.py),
 * so that a sandbox run that passes would not collide or cut requests on AWS. Each test shows
 * one rule, with the error code and message AWS gives.
 */
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
  TagResourceCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  AddTagsCommand,
  CreateRuleCommand,
  CreateTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeTargetHealthCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { ChangeResourceRecordSetsCommand, GetChangeCommand } from '@aws-sdk/client-route-53';
import { expect } from 'chai';
import { FAKE_CREDENTIALS } from '../../sandbox/harness.js';
import { createHealthProbe } from '../../src/aws/health.js';
import { rejection } from '../aws/fixtures.js';
import { type AwsSandbox, startAwsSandbox } from './aws-sandbox.js';

/** The emulator's default time scale: a minute of AWS is a second of the sandbox. */
const SCALE = 1 / 60;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('sandbox emulator: as strict as AWS', () => {
  let aws: AwsSandbox;
  before(async () => {
    aws = await startAwsSandbox();
  });
  after(async () => {
    await aws?.stop();
  });
  // No reset between tests: each test names its own resources.

  const cluster = () => aws.sandbox.fixtures.clusterName;

  async function targetGroup(name: string, deregistrationDelay: number): Promise<string> {
    const created = await aws.sdk.elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTP',
        Port: 8080,
        TargetType: 'ip',
        VpcId: aws.sandbox.fixtures.vpcId,
      }),
    );
    const arn = created.TargetGroups?.[0]?.TargetGroupArn ?? '';
    await aws.sdk.elbv2.send(
      new ModifyTargetGroupAttributesCommand({
        TargetGroupArn: arn,
        Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: String(deregistrationDelay) }],
      }),
    );
    return arn;
  }

  async function states(targetGroupArn: string): Promise<Record<string, string>> {
    const found = await aws.sdk.elbv2.send(
      new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }),
    );
    return Object.fromEntries(
      (found.TargetHealthDescriptions ?? []).map((d) => [d.Target?.Id ?? '', d.TargetHealth?.State ?? '']),
    );
  }

  async function createService(name: string, targetGroupArn?: string) {
    const definition = await aws.sdk.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        containerDefinitions: [
          {
            name: 'web',
            image: 'nginx',
            memory: 128,
            essential: true,
            portMappings: [{ containerPort: 8080 }],
          },
        ],
      }),
    );
    return aws.sdk.ecs.send(
      new CreateServiceCommand({
        cluster: cluster(),
        serviceName: name,
        taskDefinition: definition.taskDefinition?.taskDefinitionArn,
        desiredCount: 1,
        loadBalancers: targetGroupArn
          ? [{ targetGroupArn, containerName: 'web', containerPort: 8080 }]
          : undefined,
      }),
    );
  }

  async function status(name: string): Promise<string | undefined> {
    const found = await aws.sdk.ecs.send(
      new DescribeServicesCommand({ cluster: cluster(), services: [name] }),
    );
    return found.services?.[0]?.status;
  }

  it('keeps a deregistered target draining for the deregistration delay, then forgets it', async () => {
    const arn = await targetGroup('drain-targets', 60);
    const leaving = { Id: '10.20.0.1', Port: 8080 };
    const targets = [leaving, { Id: '10.20.0.2', Port: 8080 }];
    await aws.sdk.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: targets }));
    await aws.sdk.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [leaving] }));
    expect(await states(arn)).to.deep.equal({ '10.20.0.1': 'draining', '10.20.0.2': 'healthy' });
    // Deregistering a draining target again changes nothing, as on AWS.
    await aws.sdk.elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: arn, Targets: [leaving] }));
    await sleep(60 * SCALE * 1000 + 300);
    expect(await states(arn)).to.deep.equal({ '10.20.0.2': 'healthy' });
  });

  it('refuses a service named like an ACTIVE one of the cluster', async () => {
    await createService('collide-active');
    const error = await rejection(createService('collide-active'));
    expect(error).to.include({
      name: 'InvalidParameterException',
      message: 'Creation of service was not idempotent.',
    });
  });

  it('keeps a deleted service DRAINING while its targets drain, refusing its name meanwhile', async () => {
    const arn = await targetGroup('drain-service', 90);
    await createService('drains', arn);
    await aws.sdk.ecs.send(new DeleteServiceCommand({ cluster: cluster(), service: 'drains', force: true }));
    expect(await status('drains')).to.equal('DRAINING');

    const again = await rejection(createService('drains', arn));
    expect(again).to.include({
      name: 'InvalidParameterException',
      message: 'Unable to Start a service that is still Draining.',
    });
    const update = await rejection(
      aws.sdk.ecs.send(new UpdateServiceCommand({ cluster: cluster(), service: 'drains', desiredCount: 2 })),
    );
    expect(update).to.have.property('name', 'ServiceNotActiveException');

    await sleep(90 * SCALE * 1000 + 300);
    expect(await status('drains')).to.equal('INACTIVE');
    await createService('drains', arn);
    expect(await status('drains')).to.equal('ACTIVE');
  });

  it('throttles ELBv2, Route 53 and ECS on demand, with the codes AWS gives', async () => {
    await aws.sandbox.throttle(1);
    try {
      const elb = await rejection(
        aws.sdk.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: 'x' })),
      );
      expect(elb).to.include({ name: 'Throttling', message: 'Rate exceeded' });
      const ecs = await rejection(
        aws.sdk.ecs.send(new DescribeServicesCommand({ cluster: cluster(), services: ['x'] })),
      );
      expect(ecs).to.include({ name: 'ThrottlingException', message: 'Rate exceeded' });
      const route53 = await rejection(
        aws.sdk.route53.send(
          new ChangeResourceRecordSetsCommand({
            HostedZoneId: aws.sandbox.fixtures.hostedZoneId,
            ChangeBatch: { Changes: [] },
          }),
        ),
      );
      expect(route53).to.have.property('name', 'PriorRequestNotComplete');
    } finally {
      await aws.sandbox.throttle(0);
    }
    // Off again: calls go through.
    expect(await status('collide-active')).to.equal('ACTIVE');
  });

  it('refuses one chosen call on demand, as AWS refuses a request, then lets the next ones through', async () => {
    await aws.sandbox.failCall('CreateService', 1);
    await createService('fault-first');
    const refused = await rejection(createService('fault-second'));
    expect(refused).to.include({ name: 'ClientException', message: 'sandbox: injected failure' });
    await createService('fault-third');
    await aws.sandbox.failCall('CreateTargetGroup', 0);
    const elb = await rejection(targetGroup('fault-group', 30));
    expect(elb).to.include({ name: 'ValidationError', message: 'sandbox: injected failure' });
    await targetGroup('fault-group', 30);
  });

  it('records one task stopped at start for a service tagged flaky-start, seen by the health probe', async () => {
    const created = await createService('flaky');
    const serviceArn = created.service?.serviceArn ?? '';
    await aws.sdk.ecs.send(
      new TagResourceCommand({
        resourceArn: serviceArn,
        tags: [{ key: 'sandbox:health', value: 'flaky-start' }],
      }),
    );
    // Tagging again records nothing more: one transient failure per service.
    await aws.sdk.ecs.send(
      new TagResourceCommand({
        resourceArn: serviceArn,
        tags: [{ key: 'sandbox:health', value: 'flaky-start' }],
      }),
    );
    const observed = await createHealthProbe(aws.clients).observe({
      cluster: cluster(),
      serviceName: 'flaky',
      targetGroupArns: [],
    });
    expect(observed.service?.failedTasks).to.have.length(1);
    expect(observed.service?.failedTasks[0]?.stoppedReason).to.match(
      /^ResourceInitializationError: .*flaky-start/,
    );
  });

  it('keeps a Route 53 change PENDING for the time Route 53 takes to propagate it, then INSYNC', async () => {
    const submitted = await aws.sdk.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: aws.sandbox.fixtures.hostedZoneId,
        ChangeBatch: {
          Changes: [
            {
              Action: 'UPSERT',
              ResourceRecordSet: {
                Name: `insync.${aws.sandbox.fixtures.hostedZoneName}`,
                Type: 'TXT',
                TTL: 60,
                ResourceRecords: [{ Value: '"x"' }],
              },
            },
          ],
        },
      }),
    );
    const id = submitted.ChangeInfo?.Id ?? '';
    expect(submitted.ChangeInfo?.Status).to.equal('PENDING');
    expect((await aws.sdk.route53.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status).to.equal(
      'PENDING',
    );
    await sleep(60 * SCALE * 1000 + 300);
    expect((await aws.sdk.route53.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status).to.equal(
      'INSYNC',
    );
  });

  it('keeps the targets of a slow-start target group initial for a while, then healthy', async () => {
    const arn = await targetGroup('slow-start', 30);
    await aws.sdk.elbv2.send(
      new AddTagsCommand({ ResourceArns: [arn], Tags: [{ Key: 'sandbox:health', Value: 'slow-start' }] }),
    );
    await aws.sdk.elbv2.send(
      new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: [{ Id: '10.30.0.1', Port: 8080 }] }),
    );
    expect(await states(arn)).to.deep.equal({ '10.30.0.1': 'initial' });
    await sleep(120 * SCALE * 1000 + 300);
    expect(await states(arn)).to.deep.equal({ '10.30.0.1': 'healthy' });
  });

  it('refuses a listener rule of more than 5 condition values, host headers and paths together', async () => {
    const rule = (hosts: number, paths: number) =>
      aws.sdk.elbv2.send(
        new CreateRuleCommand({
          ListenerArn: aws.sandbox.fixtures.loadBalancers.blue.listenerArn,
          Priority: 900 + hosts + paths,
          Conditions: [
            {
              Field: 'host-header',
              HostHeaderConfig: { Values: Array.from({ length: hosts }, (_, i) => `h${i}.example.com`) },
            },
            ...(paths > 0
              ? [
                  {
                    Field: 'path-pattern',
                    PathPatternConfig: { Values: Array.from({ length: paths }, (_, i) => `/p${i}/*`) },
                  },
                ]
              : []),
          ],
          Actions: [
            { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain' } },
          ],
        }),
      );
    await rule(3, 2);
    const refused = await rejection(rule(4, 2));
    expect(refused).to.include({
      name: 'ValidationError',
      message: "A rule can only have '5' condition values",
    });
  });

  it('refuses inline policies of one role beyond 10,240 characters in all, as IAM does', async () => {
    const iam = new IAMClient({
      endpoint: aws.sandbox.endpoint,
      region: aws.sandbox.region,
      credentials: FAKE_CREDENTIALS,
    });
    try {
      await iam.send(
        new CreateRoleCommand({
          RoleName: 'quota',
          AssumeRolePolicyDocument: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'ecs-tasks.amazonaws.com' },
                Action: 'sts:AssumeRole',
              },
            ],
          }),
        }),
      );
      /** A policy of about `size` characters (whitespace not counted). */
      const policy = (size: number) =>
        JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${'b'.repeat(size - 100)}/*` },
          ],
        });
      await iam.send(
        new PutRolePolicyCommand({ RoleName: 'quota', PolicyName: 'blue', PolicyDocument: policy(5000) }),
      );
      // Replacing a policy counts its new size, not both.
      await iam.send(
        new PutRolePolicyCommand({ RoleName: 'quota', PolicyName: 'blue', PolicyDocument: policy(5100) }),
      );
      const refused = await rejection(
        iam.send(
          new PutRolePolicyCommand({ RoleName: 'quota', PolicyName: 'green', PolicyDocument: policy(5500) }),
        ),
      );
      expect(refused).to.include({
        name: 'LimitExceededException',
        message: 'Maximum policy size of 10240 bytes exceeded for role quota',
      });
    } finally {
      iam.destroy();
    }
  });
});
