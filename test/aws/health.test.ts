import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Service,
  type Task,
} from '@aws-sdk/client-ecs';
import {
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
  type TargetHealthDescription,
  type TargetHealthReasonEnum,
  type TargetHealthStateEnum,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { createAwsClients } from '../../src/aws/clients.js';
import { createHealthProbe, summarizeTargetHealth, taskFailure } from '../../src/aws/health.js';
import type { CandidateRef } from '../../src/canary/ports/aws.js';
import { EcsCrdError } from '../../src/errors.js';
import { REGION, rejection } from './fixtures.js';

let elb: AwsClientStub<ElasticLoadBalancingV2Client>;
let ecs: AwsClientStub<ECSClient>;

const TG_A = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-green-80/aaaa';
const TG_B = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api-green-9090/bbbb';
const candidate: CandidateRef = { cluster: 'main', serviceName: 'api-green', targetGroupArns: [TG_A, TG_B] };
const DEPLOYMENT = 'ecs-svc/1111111111111111111';
const TASK_DEFINITION = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/api-green:3';

/** A target in `state`; plain strings so a test can also send a state the SDK does not know yet. */
const target = (
  id: string,
  state: string,
  reason?: string,
  Description?: string,
): TargetHealthDescription => ({
  Target: { Id: id, Port: 32768 },
  TargetHealth: {
    State: state as TargetHealthStateEnum,
    Reason: reason as TargetHealthReasonEnum | undefined,
    Description,
  },
});

const service = (overrides: Partial<Service> = {}): Service => ({
  serviceName: 'api-green',
  status: 'ACTIVE',
  desiredCount: 2,
  runningCount: 1,
  pendingCount: 1,
  deployments: [
    { id: DEPLOYMENT, status: 'PRIMARY', taskDefinition: TASK_DEFINITION },
    {
      id: 'ecs-svc/0000000000000000000',
      status: 'ACTIVE',
      taskDefinition: `${TASK_DEFINITION.slice(0, -1)}2`,
    },
  ],
  ...overrides,
});

const stoppedTask = (id: string, overrides: Partial<Task> = {}): Task => ({
  taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/main/${id}`,
  startedBy: DEPLOYMENT,
  taskDefinitionArn: TASK_DEFINITION,
  lastStatus: 'STOPPED',
  stopCode: 'EssentialContainerExited',
  stoppedReason: 'Essential container in task exited',
  containers: [{ name: 'web', exitCode: 1 }],
  ...overrides,
});

const probe = (now = 1_700_000_000_000) =>
  createHealthProbe(createAwsClients({ region: REGION }), { now: () => now });

describe('aws/health', () => {
  before(() => {
    elb = mockClient(ElasticLoadBalancingV2Client);
    ecs = mockClient(ECSClient);
  });
  beforeEach(() => {
    elb.reset();
    ecs.reset();
    elb.on(DescribeTargetHealthCommand).resolves({ TargetHealthDescriptions: [] });
    ecs.on(DescribeServicesCommand).resolves({ services: [service()], failures: [] });
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
  });
  after(() => {
    elb.restore();
    ecs.restore();
  });

  describe('observe', () => {
    it('counts every target of every target group per state, stamped with the clock', async () => {
      elb
        .on(DescribeTargetHealthCommand, { TargetGroupArn: TG_A })
        .resolves({
          TargetHealthDescriptions: [
            target('i-1', 'healthy'),
            target('i-2', 'healthy'),
            target(
              'i-3',
              'unhealthy',
              'Target.ResponseCodeMismatch',
              'Health checks failed with these codes: [502]',
            ),
            target(
              'i-4',
              'unhealthy',
              'Target.ResponseCodeMismatch',
              'Health checks failed with these codes: [502]',
            ),
            target('i-5', 'initial', 'Elb.RegistrationInProgress', 'Target registration is in progress'),
          ],
        })
        .on(DescribeTargetHealthCommand, { TargetGroupArn: TG_B })
        .resolves({ TargetHealthDescriptions: [] });
      const observation = await probe(42).observe(candidate);
      expect(observation.at).to.equal(42);
      expect(observation.targetGroups).to.deep.equal([
        {
          targetGroupArn: TG_A,
          counts: { healthy: 2, unhealthy: 2, initial: 1, draining: 0, unused: 0, unavailable: 0 },
          total: 5,
          reasons: [
            'Target.ResponseCodeMismatch: Health checks failed with these codes: [502]',
            'Elb.RegistrationInProgress: Target registration is in progress',
          ],
        },
        {
          targetGroupArn: TG_B,
          counts: { healthy: 0, unhealthy: 0, initial: 0, draining: 0, unused: 0, unavailable: 0 },
          total: 0,
          reasons: [],
        },
      ]);
    });

    it("reports the service's desired, running and pending counts", async () => {
      const observation = await probe().observe(candidate);
      expect(observation.service).to.deep.equal({ desired: 2, running: 1, pending: 1, failedTasks: [] });
      expect(ecs.commandCalls(DescribeServicesCommand)[0]?.args[0].input).to.deep.equal({
        cluster: 'main',
        services: ['api-green'],
      });
    });

    it('reports a missing or INACTIVE service as null', async () => {
      ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] });
      expect((await probe().observe(candidate)).service).to.equal(null);
      ecs.on(DescribeServicesCommand).resolves({ services: [service({ status: 'INACTIVE' })] });
      expect((await probe().observe(candidate)).service).to.equal(null);
      expect(ecs.commandCalls(ListTasksCommand)).to.have.length(0);
    });

    it('fails on any other DescribeServices failure', async () => {
      ecs
        .on(DescribeServicesCommand)
        .resolves({ services: [], failures: [{ reason: 'ACCESS_DENIED', detail: 'no' }] });
      const error = await rejection(probe().observe(candidate));
      expect(error).to.be.instanceOf(EcsCrdError);
      expect(error.message).to.include('ACCESS_DENIED (no)');
    });

    it('lists the failed tasks of the PRIMARY deployment only', async () => {
      ecs.on(ListTasksCommand).resolves({ taskArns: ['t1', 't2', 't3', 't4'] });
      ecs.on(DescribeTasksCommand).resolves({
        tasks: [
          stoppedTask('t1'),
          stoppedTask('t2', { startedBy: 'ecs-svc/0000000000000000000' }),
          stoppedTask('t3', {
            stopCode: 'ServiceSchedulerInitiated',
            stoppedReason: 'Scaling activity initiated by (deployment ecs-svc/1111111111111111111)',
            containers: [{ name: 'web', exitCode: 143 }],
          }),
          stoppedTask('t4', {
            startedBy: undefined,
            stopCode: 'TaskFailedToStart',
            stoppedReason: 'CannotPullContainerError',
          }),
        ],
      });
      const observation = await probe().observe(candidate);
      expect(observation.service?.failedTasks).to.deep.equal([
        {
          taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/main/t1',
          stoppedReason: 'Essential container in task exited; web exited with code 1',
        },
        {
          taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/main/t4',
          stoppedReason: 'CannotPullContainerError; web exited with code 1',
        },
      ]);
      expect(ecs.commandCalls(ListTasksCommand)[0]?.args[0].input).to.include({
        cluster: 'main',
        serviceName: 'api-green',
        desiredStatus: 'STOPPED',
      });
    });

    it('pages through ListTasks and describes the tasks 100 at a time', async () => {
      const arns = Array.from({ length: 150 }, (_, i) => `t${i}`);
      ecs
        .on(ListTasksCommand)
        .resolvesOnce({ taskArns: arns.slice(0, 100), nextToken: 'n1' })
        .resolvesOnce({ taskArns: arns.slice(100) });
      ecs.on(DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
        tasks: input.tasks.map((id) => stoppedTask(id)),
      }));
      const observation = await probe().observe(candidate);
      expect(observation.service?.failedTasks).to.have.length(150);
      expect(ecs.commandCalls(ListTasksCommand).map((call) => call.args[0].input.nextToken)).to.deep.equal([
        undefined,
        'n1',
      ]);
      expect(
        ecs.commandCalls(DescribeTasksCommand).map((call) => call.args[0].input.tasks?.length),
      ).to.deep.equal([100, 50]);
    });

    it('looks for no tasks when the service has no PRIMARY deployment', async () => {
      ecs.on(DescribeServicesCommand).resolves({ services: [service({ deployments: [] })] });
      expect((await probe().observe(candidate)).service?.failedTasks).to.deep.equal([]);
      expect(ecs.commandCalls(ListTasksCommand)).to.have.length(0);
    });
  });

  describe('summarizeTargetHealth', () => {
    it('counts unhealthy.draining as unhealthy and an unknown state as unavailable', () => {
      const summary = summarizeTargetHealth(TG_A, [
        target('i-1', 'unhealthy.draining', 'Target.FailedHealthChecks'),
        target('i-2', 'draining', 'Target.DeregistrationInProgress', 'Target deregistration is in progress'),
        target('i-3', 'unused', 'Target.NotInUse', 'Target group is not configured to receive traffic'),
        target('i-4', 'something-new'),
        { Target: { Id: 'i-5' } },
      ]);
      expect(summary.counts).to.deep.equal({
        healthy: 0,
        unhealthy: 1,
        initial: 0,
        draining: 1,
        unused: 1,
        unavailable: 2,
      });
      expect(summary.total).to.equal(5);
      expect(summary.reasons).to.deep.equal([
        'Target.FailedHealthChecks',
        'Target.DeregistrationInProgress: Target deregistration is in progress',
        'Target.NotInUse: Target group is not configured to receive traffic',
      ]);
    });
  });

  describe('taskFailure', () => {
    const cases: [string, Partial<Task>, string | undefined][] = [
      ['an essential container exited', {}, 'Essential container in task exited; web exited with code 1'],
      [
        'an essential container exited 0 (a service task must not end)',
        { containers: [{ name: 'web', exitCode: 0 }] },
        'Essential container in task exited',
      ],
      [
        'the task failed to start',
        {
          stopCode: 'TaskFailedToStart',
          stoppedReason: 'ResourceInitializationError: unable to pull secrets',
          containers: [{ name: 'web' }],
        },
        'ResourceInitializationError: unable to pull secrets',
      ],
      [
        'the scheduler stopped it for failing ELB health checks',
        {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Task failed ELB health checks in (target-group arn:aws:...)',
          containers: [{ name: 'web', exitCode: 137 }],
        },
        'Task failed ELB health checks in (target-group arn:aws:...); web exited with code 137',
      ],
      [
        'no stop code, a container exited non-zero',
        {
          stopCode: undefined,
          stoppedReason: undefined,
          containers: [{ name: 'web', exitCode: 2, reason: 'OutOfMemoryError' }],
        },
        'stopped; web exited with code 2 (OutOfMemoryError)',
      ],
      [
        'a container that could not start',
        {
          stopCode: undefined,
          stoppedReason: 'x',
          containers: [{ name: 'web', reason: 'CannotPullContainerError' }],
        },
        'x; web did not run (CannotPullContainerError)',
      ],
      [
        'scaled in by the scheduler (SIGTERM)',
        {
          stopCode: 'ServiceSchedulerInitiated',
          stoppedReason: 'Scaling activity',
          containers: [{ name: 'web', exitCode: 143 }],
        },
        undefined,
      ],
      [
        'stopped by a user',
        {
          stopCode: 'UserInitiated',
          stoppedReason: 'Task stopped by user',
          containers: [{ name: 'web', exitCode: 137 }],
        },
        undefined,
      ],
      [
        'exited cleanly without a stop code',
        { stopCode: undefined, containers: [{ name: 'web', exitCode: 0 }] },
        undefined,
      ],
    ];
    for (const [name, overrides, expected] of cases) {
      it(`${expected === undefined ? 'is no failure' : 'is a failure'}: ${name}`, () => {
        expect(taskFailure(stoppedTask('t', overrides))).to.equal(expected);
      });
    }
  });
});
