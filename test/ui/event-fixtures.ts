/**
 * Scripted rollout events for the reporter tests: a canary of orders-api 2.0.0 onto green,
 * replacing 1.0.0 on blue, in 5 steps (provision, scale wait 30 s, 30 %, 100 %, finalize), and
 * one sample event of every code.
 */
import { type ProgressEvent, type ProgressEventCode, progressEvent } from '../../src/canary/events.js';
import { planRollout, timeline } from '../../src/canary/plan.js';
import {
  alarmEvent,
  analysisProbeFailedEvent,
  windowEvent,
} from '../../src/canary/rollout/narrate-analysis.js';

/** 2026-11-27T10:00:00.000Z: when the scripted rollout starts. */
export const T0 = Date.UTC(2026, 10, 27, 10, 0, 0);

const plan = planRollout(
  {
    scale: { desired: 2, wait: 30 },
    strategy: [
      { weight: 30, wait: 60 },
      { weight: 100, wait: 60 },
    ],
    drain: 60,
  },
  { firstDeployment: false },
);

export const started = progressEvent(
  'rollout.started',
  'info',
  'Deploying orders-api 2.0.0 to green (orders-green), replacing 1.0.0 on blue: 5 steps',
  {
    deploymentId: 'd-0001',
    version: '2.0.0',
    candidateSlot: 'green',
    candidateReleaseId: 'orders-green',
    stableSlot: 'blue',
    stableVersion: '1.0.0',
    firstDeployment: false,
    plan: timeline(plan),
  },
);

export function stepStarted(
  number: number,
  kind: 'provision' | 'scale-wait' | 'shift' | 'finalize',
  candidateWeight: number,
  waitS: number,
): ProgressEvent {
  const label = kind === 'shift' ? `shift ${candidateWeight} % to the candidate, watch ${waitS} s` : kind;
  return progressEvent('step.started', 'info', `Step ${number}/5: ${label}`, {
    number,
    total: 5,
    kind,
    label,
    candidateWeight,
    waitS,
  });
}

export function stepFinished(
  number: number,
  kind: 'provision' | 'scale-wait' | 'shift' | 'finalize',
  outcome: 'passed' | 'failed' | 'interrupted',
): ProgressEvent {
  return progressEvent(
    'step.finished',
    outcome === 'passed' ? 'info' : 'error',
    `Step ${number}/5 ${outcome}`,
    {
      number,
      total: 5,
      kind,
      outcome,
    },
  );
}

export const updateStarted = (
  purpose: 'provision' | 'shift' | 'finalize' | 'restore-traffic',
): ProgressEvent =>
  progressEvent('stack.update.started', 'info', `Updating the stack (${purpose})`, { purpose });

export const updateFinished = (
  purpose: 'provision' | 'shift' | 'finalize' | 'restore-traffic',
): ProgressEvent =>
  progressEvent('stack.update.finished', 'info', `Stack updated (${purpose}) in 5000 ms: 2 update`, {
    purpose,
    durationMs: 5000,
    error: null,
    changes: { update: 2 },
  });

export const engineStart = (
  operation: 'create' | 'update' | 'same',
  type: string,
  name: string,
): ProgressEvent =>
  progressEvent('engine.event', 'debug', `resource-start ${operation} ${type} ${name}`, {
    kind: 'resource-start',
    operation,
    type,
    name,
    urn: `urn:pulumi:dev::ecs-crd::${type}::${name}`,
    diffs: operation === 'update' ? ['weightedRoutingPolicies'] : [],
  });

export const weights = (green: number): ProgressEvent =>
  progressEvent('weights.changed', 'info', `Traffic: green ${green} % / blue ${100 - green} %`, {
    weights: { blue: 100 - green, green },
    candidateSlot: 'green',
    candidateWeight: green,
    fqdns: ['api.example.com'],
  });

export const waitStarted = (seconds: number, endsAt: number): ProgressEvent =>
  progressEvent('wait.started', 'info', `Watching the candidate for ${seconds} s`, { seconds, endsAt });

export const health = (healthy: number, verdict: 'pass' | 'wait' | 'fail' = 'pass'): ProgressEvent =>
  progressEvent(
    'health.observed',
    'info',
    `Health: ${healthy}/2 targets healthy — ${verdict}: ${verdict === 'pass' ? 'all healthy' : 'not yet'}`,
    {
      verdict,
      code: verdict === 'pass' ? 'healthy' : 'targets-not-healthy',
      reason: verdict === 'pass' ? 'all healthy' : `${healthy}/2 targets healthy`,
      healthy,
      total: 2,
      running: 2,
      desired: 2,
    },
  );

const metrics = (requests: number, target5xx: number, p99Ms: number) => ({
  requests,
  target5xx,
  elb5xx: 0,
  p99Ms,
});

/** A window of the candidate at 30 %, as the rollout narrates it (`fail`: 20 % of its requests 5xx). */
export const analysisWindow = (verdict: 'pass' | 'fail' = 'pass'): ProgressEvent =>
  windowEvent({
    verdict,
    code: 'judged',
    reason:
      verdict === 'pass'
        ? '1 check held in window 10:01:00–10:01:10'
        : 'error_rate 20.3 % > max 1 % (stable 0 %) in window 10:01:00–10:01:10',
    start: T0 + 60_000,
    end: T0 + 70_000,
    declaredWeight: 30,
    observedShare: 29.5,
    candidate: metrics(118, verdict === 'fail' ? 24 : 0, 41),
    stable: metrics(282, 0, 40),
    custom: {},
    checks: [
      {
        name: 'error_rate',
        candidate: verdict === 'fail' ? 24 / 118 : 0,
        stable: 0,
        limit: 'max 1 %',
        passed: verdict === 'pass',
      },
    ],
    failures: verdict === 'fail' ? 1 : 0,
    failureLimit: 0,
  });

export const finished = progressEvent('rollout.finished', 'info', 'Deployed 2.0.0 on green in 312.5 s', {
  outcome: 'deployed',
  reason: null,
  durationS: 312.5,
});

/** The first three steps of the canary, up to the start of the 30 % wait at T0 + 50 s (ends T0 + 110 s). */
export function throughFirstShift(): ProgressEvent[] {
  return [
    started,
    stepStarted(1, 'provision', 0, 0),
    updateStarted('provision'),
    engineStart('create', 'aws:ecs/service:Service', 'orders-api-green'),
    progressEvent('engine.output', 'debug', '    + aws:ecs:Service orders-api-green creating (0s)', {
      line: '    + aws:ecs:Service orders-api-green creating (0s)',
    }),
    updateFinished('provision'),
    stepFinished(1, 'provision', 'passed'),
    stepStarted(2, 'scale-wait', 0, 30),
    waitStarted(30, T0 + 40_000),
    health(1, 'wait'),
    progressEvent('wait.tick', 'debug', '20 s left', { remainingS: 20, endsAt: T0 + 40_000 }),
    health(2),
    stepFinished(2, 'scale-wait', 'passed'),
    stepStarted(3, 'shift', 30, 60),
    updateStarted('shift'),
    engineStart('same', 'aws:ecs/service:Service', 'orders-api-blue'),
    engineStart('update', 'aws:route53/record:Record', 'record-api.example.com-green'),
    updateFinished('shift'),
    weights(30),
    waitStarted(60, T0 + 110_000),
  ];
}

/** One event of every code: the type makes a missing code a compile error. */
export const ONE_OF_EACH: Record<ProgressEventCode, ProgressEvent> = {
  'rollout.started': started,
  'step.started': stepStarted(3, 'shift', 30, 60),
  'step.finished': stepFinished(3, 'shift', 'passed'),
  'stack.update.started': updateStarted('shift'),
  'stack.update.finished': updateFinished('shift'),
  'weights.changed': weights(30),
  'wait.started': waitStarted(60, T0 + 60_000),
  'wait.tick': progressEvent('wait.tick', 'debug', '42 s left', { remainingS: 42, endsAt: T0 + 60_000 }),
  'health.observed': health(2),
  'analysis.window': analysisWindow(),
  'analysis.alarm': alarmEvent('orders-5xx', 'ALARM', 'OK'),
  'analysis.probe-failed': analysisProbeFailedEvent('Throttling', T0, T0 + 10_000),
  'health.probe-failed': progressEvent(
    'health.probe-failed',
    'warn',
    'Could not observe the candidate: throttled',
    {
      error: 'throttled',
    },
  ),
  'interrupt.received': progressEvent('interrupt.received', 'warn', 'Interrupt received: rolling back', {
    hard: false,
  }),
  'rollback.started': progressEvent(
    'rollback.started',
    'warn',
    'Rolling back: Step 3/5: 1 unhealthy target',
    {
      cause: 'failure',
      reason: 'Step 3/5: 1 unhealthy target',
      restoreTraffic: true,
    },
  ),
  'rollout.finished': finished,
  'recovery.started': progressEvent('recovery.started', 'info', 'Recovering: deployment d-1 did not finish', {
    reason: 'deployment d-1 did not finish',
    steps: ['send 100 % of traffic to blue (1.0.0)', 'remove the release on green'],
  }),
  'recovery.step': progressEvent('recovery.step', 'info', 'Step 1/2: send 100 % of traffic to blue (1.0.0)', {
    number: 1,
    total: 2,
    description: 'send 100 % of traffic to blue (1.0.0)',
  }),
  'names.adopted': progressEvent(
    'names.adopted',
    'warn',
    'Taking over the records of api.example.com (--adopt): no ecs-crd stack owned them',
    { fqdns: ['api.example.com'] },
  ),
  'config.warning': progressEvent(
    'config.warning',
    'warn',
    'prod.deploy.yml:31:9 service.containers[0].environment.DB_PASSWORD: warning: its name says it holds a secret',
    { file: 'prod.deploy.yml', line: 31, column: 9, path: 'service.containers[0].environment.DB_PASSWORD' },
  ),
  'image.unchecked': progressEvent(
    'image.unchecked',
    'warn',
    'Could not check that 123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:2.0.0 exists in ECR (AccessDeniedException); deploying without that check',
    {
      image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api:2.0.0',
      error: 'AccessDeniedException',
    },
  ),
  'notification.sent': progressEvent(
    'notification.sent',
    'info',
    'Published the outcome (deployed) to arn:aws:sns:eu-west-1:123456789012:deployments',
    { topicArn: 'arn:aws:sns:eu-west-1:123456789012:deployments', outcome: 'deployed', messageId: 'm-1' },
  ),
  'notification.failed': progressEvent(
    'notification.failed',
    'warn',
    'Could not publish the outcome (rolled_back) to arn:aws:sns:eu-west-1:123456789012:gone: NotFound: Topic does not exist',
    {
      topicArn: 'arn:aws:sns:eu-west-1:123456789012:gone',
      outcome: 'rolled_back',
      error: 'NotFound: Topic does not exist',
    },
  ),
  'engine.event': engineStart('update', 'aws:route53/record:Record', 'record-api.example.com-green'),
  'engine.output': progressEvent('engine.output', 'debug', 'Updating (dev):', { line: 'Updating (dev):' }),
};
