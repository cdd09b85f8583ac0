import { expect } from 'chai';
import {
  evaluateGate,
  failedTaskLimit,
  type GateCode,
  type GateInput,
  type GateVerdict,
} from '../../src/canary/gate.js';
import type {
  Observation,
  ServiceObservation,
  TargetGroupObservation,
  TargetState,
} from '../../src/canary/ports/aws.js';
import { noTargets } from '../../src/canary/ports/aws.js';

const NOW = Date.UTC(2025, 0, 1, 12, 0, 0);
const tgArn = (name: string) =>
  `arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/${name}/0123456789abcdef`;

function group(
  name: string,
  counts: Partial<Record<TargetState, number>>,
  reasons: string[] = [],
): TargetGroupObservation {
  const full: Record<TargetState, number> = { ...noTargets(), ...counts };
  return {
    targetGroupArn: tgArn(name),
    counts: full,
    total: Object.values(full).reduce((a, b) => a + b, 0),
    reasons,
  };
}

function service(overrides: Partial<ServiceObservation> = {}): ServiceObservation {
  return { desired: 2, running: 2, pending: 0, failedTasks: [], ...overrides };
}

function observation(
  targetGroups: TargetGroupObservation[],
  svc: ServiceObservation | null = service(),
): Observation {
  return { at: NOW, targetGroups, service: svc };
}

interface Case {
  name: string;
  input: Partial<GateInput> & { observation: Observation };
  verdict: GateVerdict;
  code: GateCode;
  reason?: RegExp;
}

const healthy = [group('web', { healthy: 2 })];
const crash = {
  taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/main/4f2a9c1e0b',
  stoppedReason: 'Essential container in task exited',
};

const cases: Case[] = [
  {
    name: 'passes when every target is healthy and every task runs',
    input: { observation: observation(healthy) },
    verdict: 'pass',
    code: 'healthy',
  },
  {
    name: 'passes with more targets than desired, all healthy',
    input: { observation: observation([group('web', { healthy: 3 })], service({ desired: 3, running: 3 })) },
    verdict: 'pass',
    code: 'healthy',
  },
  {
    name: 'passes at the deadline when healthy',
    input: { observation: observation(healthy), deadline: NOW },
    verdict: 'pass',
    code: 'healthy',
  },
  {
    name: 'fails at once when as many tasks failed as the limit, giving each one’s reason',
    input: {
      observation: observation(
        healthy,
        service({ failedTasks: [crash, { taskArn: 'x/y', stoppedReason: 'CannotPullContainerError' }] }),
      ),
      failedTaskLimit: 2,
    },
    verdict: 'fail',
    code: 'task-failed',
    reason:
      /2 tasks stopped: 4f2a9c1e0b: Essential container in task exited; y: CannotPullContainerError \(the limit is 2: canary.health.failed_tasks\)/,
  },
  {
    name: 'passes a healthy candidate one of whose tasks failed to start, below the limit, saying so',
    input: {
      observation: observation(
        healthy,
        service({ failedTasks: [{ ...crash, stoppedReason: 'ResourceInitializationError' }] }),
      ),
    },
    verdict: 'pass',
    code: 'healthy',
    reason: /task 4f2a9c1e0b stopped: ResourceInitializationError, replaced by ECS/,
  },
  {
    name: 'fails at once on an unhealthy target after the candidate had been healthy',
    input: {
      observation: observation([group('web', { healthy: 1, unhealthy: 1 }, ['Target.ResponseCodeMismatch'])]),
      wasHealthy: true,
    },
    verdict: 'fail',
    code: 'target-unhealthy',
    reason:
      /1 unhealthy target\(s\) in web after the candidate had been healthy: Target.ResponseCodeMismatch/,
  },
  {
    name: 'waits on an unhealthy target before the candidate was ever healthy (it may still be booting)',
    input: { observation: observation([group('web', { healthy: 1, unhealthy: 1 })]) },
    verdict: 'wait',
    code: 'targets-not-healthy',
    reason: /web: 1\/2 healthy \(1 unhealthy\)/,
  },
  {
    name: 'fails with a timeout when still not healthy at the deadline',
    input: { observation: observation([group('web', { initial: 2 })]), deadline: NOW },
    verdict: 'fail',
    code: 'timeout',
    reason: /not healthy in time: web: 0\/2 healthy \(2 initial\)/,
  },
  {
    name: 'waits while the ECS service does not exist',
    input: { observation: observation([], null) },
    verdict: 'wait',
    code: 'service-missing',
  },
  {
    name: 'waits while fewer tasks run than desired',
    input: { observation: observation(healthy, service({ running: 1, pending: 1 })) },
    verdict: 'wait',
    code: 'tasks-not-running',
    reason: /1\/2 tasks running, 1 pending/,
  },
  {
    name: 'waits while no target group is observed',
    input: { observation: observation([]) },
    verdict: 'wait',
    code: 'no-target-groups',
  },
  {
    name: 'waits while a target group holds fewer targets than scale.desired, even all healthy',
    input: { observation: observation([group('web', { healthy: 1 })], service({ desired: 1, running: 1 })) },
    verdict: 'wait',
    code: 'too-few-targets',
    reason: /web: 1 target\(s\) registered, 2 wanted/,
  },
  {
    name: 'looks at every target group, not only the first',
    input: {
      observation: observation([group('web', { healthy: 2 }), group('admin', { healthy: 1, initial: 1 })]),
    },
    verdict: 'wait',
    code: 'targets-not-healthy',
    reason: /admin: 1\/2 healthy \(1 initial\)/,
  },
  {
    name: 'waits on a draining target after healthy (a replacement, not a failure yet)',
    input: { observation: observation([group('web', { healthy: 2, draining: 1 })]), wasHealthy: true },
    verdict: 'wait',
    code: 'targets-not-healthy',
  },
];

describe('canary health gate', () => {
  for (const { name, input, verdict, code, reason } of cases) {
    it(name, () => {
      const result = evaluateGate({
        desired: 2,
        failedTaskLimit: 3,
        wasHealthy: false,
        now: NOW,
        deadline: NOW + 60_000,
        ...input,
      });
      expect(result.verdict, result.reason).to.equal(verdict);
      expect(result.code).to.equal(code);
      if (reason) expect(result.reason).to.match(reason);
    });
  }

  it('sums healthy and registered targets over all target groups for the live view', () => {
    const result = evaluateGate({
      observation: observation([group('web', { healthy: 2 }), group('admin', { healthy: 1, initial: 2 })]),
      desired: 2,
      failedTaskLimit: 3,
      wasHealthy: false,
      now: NOW,
      deadline: NOW + 1,
    });
    expect([result.healthy, result.total]).to.deep.equal([3, 5]);
  });

  it('tolerates failed tasks as the ECS deployment circuit breaker does, unless the file sets a limit', () => {
    expect(failedTaskLimit(1)).to.equal(3);
    expect(failedTaskLimit(10)).to.equal(5);
    expect(failedTaskLimit(1000)).to.equal(200);
    expect(failedTaskLimit(10, 1)).to.equal(1);
  });
});
