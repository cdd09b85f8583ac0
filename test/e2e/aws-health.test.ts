/**
 * The health probe against moto through the sandbox wrapper: moto reports every registered
 * target healthy; the wrapper reports the targets of a group tagged `sandbox:health=<state>` in
 * that state; an empty group has no targets at all.
 */
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  CreateTargetGroupCommand,
  RegisterTargetsCommand,
  type Tag,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { expect } from 'chai';
import { createHealthProbe } from '../../src/aws/health.js';
import { noTargets } from '../../src/canary/ports/aws.js';
import { type AwsSandbox, startAwsSandbox } from './aws-sandbox.js';

const NO_TARGETS = noTargets();

describe('aws health probe against the sandbox (moto)', () => {
  let aws: AwsSandbox;
  before(async () => {
    aws = await startAwsSandbox();
  });
  after(async () => {
    await aws?.stop();
  });
  // No reset between tests (it takes seconds): each test names its own resources.

  const probe = () => createHealthProbe(aws.clients);
  const cluster = () => aws.sandbox.fixtures.clusterName;

  /** A target group of the sandbox VPC with `targets` IP targets registered. */
  async function targetGroup(name: string, targets: number, tags: Tag[] = []): Promise<string> {
    const created = await aws.sdk.elbv2.send(
      new CreateTargetGroupCommand({
        Name: name,
        Protocol: 'HTTP',
        Port: 8080,
        TargetType: 'ip',
        VpcId: aws.sandbox.fixtures.vpcId,
        ...(tags.length > 0 ? { Tags: tags } : {}),
      }),
    );
    const arn = created.TargetGroups?.[0]?.TargetGroupArn;
    if (arn === undefined) throw new Error(`CreateTargetGroup ${name} returned nothing`);
    if (targets > 0) {
      await aws.sdk.elbv2.send(
        new RegisterTargetsCommand({
          TargetGroupArn: arn,
          Targets: Array.from({ length: targets }, (_, i) => ({ Id: `10.10.1.${10 + i}`, Port: 8080 })),
        }),
      );
    }
    return arn;
  }

  /** An ECS service `name` of the sandbox cluster with `desired` tasks. */
  async function service(name: string, desired: number): Promise<void> {
    const definition = await aws.sdk.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: name,
        containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128, essential: true }],
      }),
    );
    await aws.sdk.ecs.send(
      new CreateServiceCommand({
        cluster: cluster(),
        serviceName: name,
        taskDefinition: definition.taskDefinition?.taskDefinitionArn,
        desiredCount: desired,
      }),
    );
  }

  it('counts healthy, unhealthy and missing targets over every target group', async () => {
    const healthy = await targetGroup('api-green-ok', 2);
    const empty = await targetGroup('api-green-empty', 0);
    const unhealthy = await targetGroup('api-green-bad', 3, [{ Key: 'sandbox:health', Value: 'unhealthy' }]);
    await service('api-green', 2);
    const observation = await probe().observe({
      cluster: cluster(),
      serviceName: 'api-green',
      targetGroupArns: [healthy, empty, unhealthy],
    });
    expect(observation.targetGroups).to.deep.equal([
      { targetGroupArn: healthy, counts: { ...NO_TARGETS, healthy: 2 }, total: 2, reasons: [] },
      { targetGroupArn: empty, counts: NO_TARGETS, total: 0, reasons: [] },
      {
        targetGroupArn: unhealthy,
        counts: { ...NO_TARGETS, unhealthy: 3 },
        total: 3,
        reasons: ['Target.ResponseCodeMismatch: Health checks failed with these codes: [502]'],
      },
    ]);
  });

  it("follows the ECS service's counts, and reports a missing or deleted service as null", async () => {
    const look = () => probe().observe({ cluster: cluster(), serviceName: 'api-blue', targetGroupArns: [] });
    expect((await look()).service).to.equal(null);

    await service('api-blue', 2);
    const starting = (await look()).service;
    expect(starting).to.include({ desired: 2 });
    expect(starting?.running).to.be.lessThan(2);
    expect(starting?.failedTasks).to.deep.equal([]);

    // moto sets running = desired on UpdateService, as if the tasks had started.
    await aws.sdk.ecs.send(
      new UpdateServiceCommand({ cluster: cluster(), service: 'api-blue', desiredCount: 2 }),
    );
    expect((await look()).service).to.deep.include({ desired: 2, running: 2 });

    await aws.sdk.ecs.send(
      new DeleteServiceCommand({ cluster: cluster(), service: 'api-blue', force: true }),
    );
    expect((await look()).service).to.equal(null);
  });
});
