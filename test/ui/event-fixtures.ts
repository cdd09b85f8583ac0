/**
 * Scripted rollout events for the reporter tests: a canary of orders-api 2.0.0 onto green,
 * replacing 1.0.0 on blue, in 5 steps (provision, scale wait 30 s, 30 %, 100 %, finalize), and
 * one sample event of every code; and, for the deployment report, timed runs (`rolledBackRun`).
 */
import { type ProgressEvent, type ProgressEventCode, progressEvent } from '../../src/canary/events.js';
import { planRollout, timeline } from '../../src/canary/plan.js';
import {
  alarmEvent,
  analysisProbeFailedEvent,
  windowEvent,
} from '../../src/canary/rollout/narrate-analysis.js';
import type { DeployDocument } from '../../src/ui/documents.js';
import type { ReportData, TimedEvent } from '../../src/ui/report-data.js';

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
  'rollout.retried': progressEvent(
    'rollout.retried',
    'warn',
    'Another deployment took the listener rule priority this one had chosen: looking the priorities up again (attempt 2 of 3)',
    { attempt: 2, of: 3, reason: 'Step 1/5: the stack update failed: The specified priority is in use.' },
  ),
  'rollout.paused': progressEvent(
    'rollout.paused',
    'info',
    'Paused at 20 %: run `ecs-crd promote` to go on',
    {
      weight: 20,
      step: 1,
      until: null,
      waiting: false,
    },
  ),
  'rollout.resumed': progressEvent('rollout.resumed', 'info', 'Promoted by ana@laptop (pid 4242)', {
    action: 'promote',
    full: false,
    by: 'ana@laptop (pid 4242)',
  }),
  'hook.started': progressEvent('hook.started', 'info', 'Hook before_traffic: ./smoke.sh', {
    point: 'before_traffic',
    kind: 'command',
    target: './smoke.sh',
  }),
  'hook.output': progressEvent('hook.output', 'debug', 'smoke: 12 checks passed', {
    point: 'before_traffic',
    stream: 'stdout',
    line: 'smoke: 12 checks passed',
  }),
  'hook.finished': progressEvent('hook.finished', 'info', 'Hook before_traffic passed: exit code 0 (1.2 s)', {
    point: 'before_traffic',
    kind: 'command',
    target: './smoke.sh',
    ok: true,
    detail: 'exit code 0',
    durationMs: 1200,
  }),
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
  'lease.notice': progressEvent(
    'lease.notice',
    'warn',
    'The stack is held by deploy by ana@build-7 (pid 4242) since 2025-01-01T12:00:00.000Z; waiting up to 61 s',
    {
      kind: 'waiting',
      holder: 'deploy by ana@build-7 (pid 4242) since 2025-01-01T12:00:00.000Z',
      seconds: 61,
    },
  ),
  'engine.event': engineStart('update', 'aws:route53/record:Record', 'record-api.example.com-green'),
  'engine.output': progressEvent('engine.output', 'debug', 'Updating (dev):', { line: 'Updating (dev):' }),
};

// ---------------------------------------------------------------- timed runs, for the deployment report

/** `event` as the report's recorder keeps it, `seconds` after T0. */
export const at = (seconds: number, event: ProgressEvent): TimedEvent => ({
  ...event,
  time: T0 + seconds * 1000,
});

/** One judged analysis window of 10 s starting `startS` after T0 (the candidate at 30 %). */
export function judgedWindow(
  startS: number,
  candidate: { requests: number; target5xx: number; p99Ms: number },
  stable: { requests: number; target5xx: number; p99Ms: number },
  failures = 0,
): ProgressEvent {
  const rate = (m: { requests: number; target5xx: number }) => m.target5xx / m.requests;
  const share = Math.round((candidate.requests / (candidate.requests + stable.requests)) * 1000) / 10;
  const window = `${new Date(T0 + startS * 1000).toISOString().slice(11, 19)}–${new Date(T0 + (startS + 10) * 1000).toISOString().slice(11, 19)}`;
  const tooFew = candidate.requests < 50;
  const failed = !tooFew && rate(candidate) > 0.01;
  const verdict = tooFew ? 'inconclusive' : failed ? 'fail' : 'pass';
  const reason = tooFew
    ? `${candidate.requests} candidate requests < min_requests 50`
    : failed
      ? `error_rate ${(rate(candidate) * 100).toFixed(1)} % > max 1 % (stable ${(rate(stable) * 100).toFixed(1)} %) in window ${window}`
      : 'every check held';
  return progressEvent(
    'analysis.window',
    failed ? 'warn' : 'info',
    `Analysis ${window}: ${verdict} — ${reason}; observed share ${share} % of declared 30 %`,
    {
      verdict,
      code: tooFew ? 'too-few-requests' : 'judged',
      reason,
      start: T0 + startS * 1000,
      end: T0 + (startS + 10) * 1000,
      declaredWeight: 30,
      observedShare: share,
      candidate: { ...candidate, elb5xx: 0 },
      stable: { ...stable, elb5xx: 0 },
      custom: {},
      checks: tooFew
        ? []
        : [
            {
              name: 'error_rate',
              candidate: rate(candidate),
              stable: rate(stable),
              limit: 'max 1 %',
              passed: !failed,
            },
            {
              name: 'latency',
              candidate: candidate.p99Ms,
              stable: stable.p99Ms,
              limit: 'p99 ≤ 800 ms',
              passed: true,
            },
          ],
      failures,
      failureLimit: 0,
    },
  );
}

const ticks = (fromS: number, toS: number, endsAtS: number): TimedEvent[] =>
  Array.from({ length: toS - fromS }, (_, i) =>
    at(
      fromS + i,
      progressEvent('wait.tick', 'debug', `${endsAtS - fromS - i} s left`, {
        remainingS: endsAtS - fromS - i,
        endsAt: T0 + endsAtS * 1000,
      }),
    ),
  );

/** The reason a 20 % 5xx candidate is rolled back with, in its first step with traffic. */
export const ROLLBACK_REASON =
  'Step 3/5: analysis failed: error_rate 19.8 % > max 1 % (stable 0.3 %) in window 10:01:40–10:01:50';

/**
 * A realistic rolled-back run with analysis: orders-api 2.0.0 answers 20 % 5xx while its
 * targets stay healthy; at 30 % an inconclusive window (too few requests), two passing ones,
 * then a failing one rolls it back: traffic to blue, drain, candidate removed. ~150 events.
 */
export function rolledBackRun(): TimedEvent[] {
  const healthAt = (s: number, healthy: number) => at(s, health(healthy, healthy === 2 ? 'pass' : 'wait'));
  const run = [
    at(0, started),
    at(0.2, stepStarted(1, 'provision', 0, 0)),
    at(0.3, updateStarted('provision')),
    at(24.8, updateFinished('provision')),
    at(25, stepFinished(1, 'provision', 'passed')),
    at(25.1, stepStarted(2, 'scale-wait', 0, 30)),
    at(25.2, waitStarted(30, T0 + 55_200)),
    ...[0, 0, 1, 1, 2, 2].map((healthy, i) => healthAt(27 + i * 5, healthy)),
    ...ticks(26, 55, 55),
    at(55.3, stepFinished(2, 'scale-wait', 'passed')),
    at(55.4, stepStarted(3, 'shift', 30, 60)),
    at(55.5, updateStarted('shift')),
    at(64.8, updateFinished('shift')),
    at(65, weights(30)),
    at(65.1, waitStarted(60, T0 + 125_100)),
    ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => healthAt(66 + i * 5, 2)),
    ...ticks(66, 112, 125),
    at(
      82,
      judgedWindow(70, { requests: 32, target5xx: 0, p99Ms: 44 }, { requests: 96, target5xx: 0, p99Ms: 39 }),
    ),
    at(
      92,
      judgedWindow(
        80,
        { requests: 121, target5xx: 1, p99Ms: 47 },
        { requests: 279, target5xx: 1, p99Ms: 41 },
      ),
    ),
    at(
      102,
      judgedWindow(
        90,
        { requests: 118, target5xx: 0, p99Ms: 45 },
        { requests: 285, target5xx: 1, p99Ms: 40 },
      ),
    ),
    at(
      112,
      judgedWindow(
        100,
        { requests: 126, target5xx: 25, p99Ms: 52 },
        { requests: 290, target5xx: 1, p99Ms: 42 },
        1,
      ),
    ),
    at(
      112.1,
      progressEvent('rollback.started', 'error', `Rolling back: ${ROLLBACK_REASON}`, {
        cause: 'failure',
        reason: ROLLBACK_REASON,
        restoreTraffic: true,
      }),
    ),
    at(112.2, updateStarted('restore-traffic')),
    at(119.9, updateFinished('restore-traffic')),
    at(120, weights(0)),
    at(
      120.1,
      progressEvent(
        'wait.started',
        'info',
        'Draining the candidate for 20 s (canary.drain) before removing it',
        { seconds: 20, endsAt: T0 + 140_100 },
      ),
    ),
    at(140.2, stepFinished(3, 'shift', 'failed')),
    at(
      148.5,
      progressEvent('rollout.finished', 'error', `Rolled back: ${ROLLBACK_REASON}`, {
        outcome: 'rolled_back',
        reason: ROLLBACK_REASON,
        durationS: 148.5,
      }),
    ),
  ];
  // In the order a recorder keeps them: by time.
  return run.sort((a, b) => a.time - b.time);
}

/** `deploy --json`'s document of `rolledBackRun`. */
export const ROLLED_BACK_DOCUMENT: DeployDocument = {
  outcome: 'rolled_back',
  version: '2.0.0',
  slot: 'green',
  // The report draws the steps from the events; [] keeps this fixture to what it reads.
  steps: [],
  reason: ROLLBACK_REASON,
  duration_s: 148.5,
  deployment_id: 'd-0001',
  previous: { slot: 'blue', version: '1.0.0' },
  instructions: [],
  warnings: [],
};

/** The report data of `rolledBackRun`. */
export function rolledBackReport(): ReportData {
  return {
    // A copy: tests change it.
    document: structuredClone(ROLLED_BACK_DOCUMENT),
    identity: { project: 'shop', name: 'orders-api', environment: 'prod', region: 'eu-west-1' },
    stack: 'shop-orders-api-prod-eu-west-1',
    events: rolledBackRun(),
    error: null,
  };
}
