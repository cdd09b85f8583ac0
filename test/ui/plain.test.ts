import { expect } from 'chai';
import { type ProgressEvent, progressEvent } from '../../src/canary/events.js';
import { planRollout, timeline } from '../../src/canary/plan.js';
import { eventLines, isShown, plainLines } from '../../src/ui/plain.js';
import { analysisWindow, ONE_OF_EACH, started, stepFinished, stepStarted, T0 } from './event-fixtures.js';

const STAMP = '2026-11-27T10:00:00.000Z';

describe('ui/plain', () => {
  it('writes one line per event: ISO time, level, code, text', () => {
    expect(plainLines(stepStarted(3, 'shift', 30, 60), T0, false)).to.deep.equal([
      `${STAMP} INFO  step.started  Step 3/5: shift 30 % to the candidate, watch 60 s`,
    ]);
    expect(plainLines(stepFinished(3, 'shift', 'failed'), T0 + 1_500, false)).to.deep.equal([
      '2026-11-27T10:00:01.500Z ERROR step.finished  Step 3/5 failed',
    ]);
    expect(plainLines(ONE_OF_EACH['rollback.started'], T0, false)).to.deep.equal([
      `${STAMP} WARN  rollback.started  Rolling back: Step 3/5: 1 unhealthy target`,
    ]);
  });

  it('shows debug events (engine output, ticks) only with --verbose', () => {
    const output = ONE_OF_EACH['engine.output'];
    expect(isShown(output, false)).to.equal(false);
    expect(plainLines(output, T0, false)).to.deep.equal([]);
    expect(plainLines(output, T0, true)).to.deep.equal([`${STAMP} DEBUG engine.output  Updating (dev):`]);
  });

  it('shows every info, warn and error event without --verbose', () => {
    for (const event of Object.values(ONE_OF_EACH)) {
      expect(plainLines(event, T0, false), event.code).to.have.length(event.level === 'debug' ? 0 : 1);
    }
  });

  it('adds the plan and the changed properties with --verbose', () => {
    expect(plainLines(started, T0, true)).to.deep.equal([
      `${STAMP} INFO  rollout.started  Deploying orders-api 2.0.0 to green (orders-green), replacing 1.0.0 on blue: 5 steps`,
      `${STAMP} INFO  rollout.started    step 1: provision the candidate (weight 0) (candidate 0 %, wait 0 s)`,
      `${STAMP} INFO  rollout.started    step 2: scale wait (30 s) (candidate 0 %, wait 30 s)`,
      `${STAMP} INFO  rollout.started    step 3: shift 30 % to the candidate, watch 60 s (candidate 30 %, wait 60 s)`,
      `${STAMP} INFO  rollout.started    step 4: shift 100 % to the candidate, watch 60 s (candidate 100 %, wait 60 s)`,
      `${STAMP} INFO  rollout.started    step 5: finalize (remove the old release) (candidate 100 %, wait 0 s)`,
    ]);
    expect(eventLines(ONE_OF_EACH['engine.event'], true)).to.deep.equal([
      'engine.event  resource-start update aws:route53/record:Record record-api.example.com-green',
      'engine.event    changes: weightedRoutingPolicies',
    ]);
  });

  it('shows a hook’s output only with --verbose, and the hooks of each planned step in the details', () => {
    const output = ONE_OF_EACH['hook.output'];
    expect(plainLines(output, T0, false)).to.deep.equal([]);
    expect(plainLines(output, T0, true)).to.deep.equal([
      `${STAMP} DEBUG hook.output  smoke: 12 checks passed`,
    ]);
    const plan = timeline(
      planRollout(
        {
          scale: { desired: 1, wait: 30 },
          strategy: [{ weight: 30, wait: 60, pause: true }],
          drain: 0,
          hooks: { after_step: [{ kind: 'command', command: ['./check.sh'], timeout: 60 }] },
        },
        { firstDeployment: false },
      ),
    );
    const withPlan = progressEvent('rollout.started', 'info', 'Deploying', { ...started.data, plan });
    expect(eventLines(withPlan, true)[3]).to.equal(
      'rollout.started    step 3: shift 30 % to the candidate, watch 60 s, then pause until promoted (candidate 30 %, wait 60 s; hooks after_step)',
    );
  });

  it('prints every analysis window with both releases’ figures, and its checks with --verbose', () => {
    expect(plainLines(analysisWindow('fail'), T0, false)).to.deep.equal([
      `${STAMP} WARN  analysis.window  Analysis fail: error_rate 20.3 % > max 1 % (stable 0 %) in window 10:01:00–10:01:10 · ` +
        'candidate 118 req, 5xx 20.3 %, p99 41 ms · stable 282 req, 5xx 0 %, p99 40 ms · share 29.5 % of 30 % declared',
    ]);
    expect(plainLines(analysisWindow('pass'), T0, false)[0]).to.match(
      /^\S+ INFO {2}analysis\.window {2}Analysis pass: 1 check held/,
    );
    expect(plainLines(analysisWindow('fail'), T0, true)[1]).to.equal(
      `${STAMP} WARN  analysis.window    error_rate: candidate 20.3 %, stable 0 %, max 1 % → failed`,
    );
    expect(plainLines(ONE_OF_EACH['analysis.alarm'], T0, false)).to.deep.equal([
      `${STAMP} WARN  analysis.alarm  Alarm orders-5xx is ALARM (was OK)`,
    ]);
  });

  it('prefixes every line of a multi-line text', () => {
    const event = progressEvent('engine.event', 'debug', 'error: first\nsecond', {
      kind: 'diagnostic',
      severity: 'error',
      message: 'error: first\nsecond',
    });
    expect(plainLines(event, T0, true)).to.deep.equal([
      `${STAMP} DEBUG engine.event  error: first`,
      `${STAMP} DEBUG engine.event  second`,
    ]);
  });

  it('never writes ANSI escapes', () => {
    const all: ProgressEvent[] = Object.values(ONE_OF_EACH);
    for (const event of all) {
      for (const line of plainLines(event, T0, true)) expect(line).not.to.include('\u001b');
    }
  });

  it('redacts secrets from engine output', () => {
    const line = 'env: AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
    const event = progressEvent('engine.output', 'debug', line, { line });
    expect(plainLines(event, T0, true)).to.deep.equal([
      `${STAMP} DEBUG engine.output  env: AWS_SECRET_ACCESS_KEY=[redacted]`,
    ]);
  });
});
