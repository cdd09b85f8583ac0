import { expect } from 'chai';
import type { HooksConfig } from '../../src/config/types.js';
import { EcsCrdError } from '../../src/errors.js';
import { commandHook } from '../helpers/fake-hooks.js';
import { healthTimeline } from '../helpers/fakes.js';
import { type LogEntry, runScenario, type ScenarioOptions } from '../helpers/rollout-harness.js';

const s = (seconds: number) => seconds * 1000;

/** Steps: 1 provision, 2 scale wait, 3 shift 10 %, 4 shift 60 %, 5 shift 100 % (implied), 6 finalize. */
const CANARY = {
  scale: { desired: 2, wait: 60 },
  strategy: [
    { weight: 10, wait: 70 },
    { weight: 60, wait: 50 },
  ],
  health: { interval: 10, timeout: 300 },
};

const EVERY_POINT: HooksConfig = {
  before_traffic: [commandHook('./smoke.sh', '--host', 'x')],
  after_step: [commandHook('./check.sh')],
  before_finalize: [commandHook('./last-look.sh')],
  after_deploy: [
    {
      kind: 'webhook',
      url: 'https://hooks.example.com/ecs-crd?token=s3cret',
      headers: {},
      timeout: 10,
      retries: 2,
    },
  ],
  after_rollback: [commandHook('./page.sh')],
};

const withHooks = (hooks: HooksConfig, options: ScenarioOptions = {}) =>
  runScenario({ ...options, canary: { ...CANARY, ...options.canary, hooks } });

/** The ups (`up:<phase>:<green weight>`) and hooks (`hook:<point>`) in the order they ran. */
function story(log: LogEntry[]): string[] {
  return log.flatMap((entry) => {
    if (entry.kind === 'up') return [`up:${entry.desired.meta.phase}:${entry.desired.weights.green}`];
    return entry.event.code === 'hook.started' ? [`hook:${entry.event.data.point}`] : [];
  });
}

describe('canary rollout: hooks', () => {
  it('runs each point where it belongs: before any traffic, after each shift, before and after finalize', async () => {
    const { result, log, hooks } = await withHooks(EVERY_POINT);
    expect(result.outcome).to.equal('deployed');
    expect(story(log)).to.deep.equal([
      'up:deploying:0',
      'hook:before_traffic',
      'up:deploying:10',
      'hook:after_step',
      'up:deploying:60',
      'hook:after_step',
      'up:deploying:100',
      'hook:after_step',
      'hook:before_finalize',
      'up:stable:100',
      'hook:after_deploy',
    ]);
    expect(hooks.calls.map(({ event }) => [event.hook, event.weight, event.step, event.steps])).to.deep.equal(
      [
        ['before_traffic', 0, null, 3],
        ['after_step', 10, 1, 3],
        ['after_step', 60, 2, 3],
        ['after_step', 100, 3, 3],
        ['before_finalize', 100, null, 3],
        ['after_deploy', 100, null, 3],
      ],
    );
  });

  it('tells each hook the deployment, the releases, the candidate’s address and, at the end, the outcome', async () => {
    const { hooks, clock } = await withHooks(EVERY_POINT);
    const first = hooks.calls[0]?.event;
    expect(first).to.deep.include({
      hook: 'before_traffic',
      deploymentId: 'd-test-0001',
      version: '2.0.0',
      slot: 'green',
      stable: { version: '1.0.0', slot: 'blue' },
      outcome: null,
      reason: null,
      at: new Date(hooks.calls[0]?.at ?? 0).toISOString(),
    });
    expect(first?.candidate.url).to.match(/^https?:\/\/.+:\d+$/);
    expect(first?.candidate.host).to.not.equal('');
    const last = hooks.calls.at(-1)?.event;
    expect([last?.outcome, last?.reason]).to.deep.equal(['deployed', null]);
    expect(Date.parse(last?.at ?? '')).to.be.at.most(clock.now());
  });

  it('reports short hook events, the webhook by its origin only, the output as debug lines', async () => {
    const { reports } = await withHooks(EVERY_POINT, {
      hookAnswer: (call) =>
        call.point === 'after_step' ? { output: ['checking…', 'ok'], durationMs: 1_200 } : {},
    });
    const finished = reports.of('hook.finished');
    expect(finished[2]?.text).to.equal('Hook after_step (2/3): ./check.sh passed, exit code 0 (1.2 s)');
    expect(finished.at(-1)?.text).to.equal(
      'Hook after_deploy: https://hooks.example.com passed, exit code 0 (1.0 s)',
    );
    expect(JSON.stringify(reports.events)).to.not.contain('s3cret');
    const output = reports.of('hook.output');
    expect(output.map((event) => [event.level, event.data.line, event.data.point])).to.deep.equal([
      ['debug', 'checking…', 'after_step'],
      ['debug', 'ok', 'after_step'],
      ['debug', 'checking…', 'after_step'],
      ['debug', 'ok', 'after_step'],
      ['debug', 'checking…', 'after_step'],
      ['debug', 'ok', 'after_step'],
    ]);
    expect(reports.of('hook.started')[0]?.data).to.deep.equal({
      point: 'before_traffic',
      kind: 'command',
      target: './smoke.sh',
    });
  });

  it('rolls back a failing before_traffic hook without any traffic ever given', async () => {
    const { result, log, reports } = await withHooks(EVERY_POINT, {
      hookAnswer: (call) => (call.point === 'before_traffic' ? { ok: false, detail: 'exit code 1' } : {}),
    });
    expect(result.outcome).to.equal('rolled_back');
    expect(result.reason).to.equal('Step 2/6: hook before_traffic failed: ./smoke.sh: exit code 1');
    expect(story(log)).to.deep.equal([
      'up:deploying:0',
      'hook:before_traffic',
      'up:rolled_back:0',
      'hook:after_rollback',
    ]);
    expect(result.steps.map((step) => step.outcome)).to.deep.equal(['not_run', 'not_run', 'not_run']);
    expect(reports.of('hook.finished')[0]?.level).to.equal('error');
    expect(reports.of('rollback.started')[0]?.data.restoreTraffic).to.equal(false);
  });

  it('rolls back a failing after_step hook, traffic first, and tells after_rollback how it ended', async () => {
    const { result, log, hooks } = await withHooks(EVERY_POINT, {
      hookAnswer: (call) =>
        call.point === 'after_step' && call.event.step === 2 ? { ok: false, detail: 'exit code 3' } : {},
    });
    expect(result.outcome).to.equal('rolled_back');
    expect(result.reason).to.equal('Step 4/6: hook after_step failed: ./check.sh: exit code 3');
    expect(story(log).slice(-4)).to.deep.equal([
      'hook:after_step',
      'up:rolling_back:0',
      'up:rolled_back:0',
      'hook:after_rollback',
    ]);
    const last = hooks.calls.at(-1)?.event;
    expect([last?.hook, last?.weight, last?.outcome, last?.reason]).to.deep.equal([
      'after_rollback',
      0,
      'rolled_back',
      result.reason,
    ]);
    expect(result.steps.map((step) => step.outcome)).to.deep.equal(['passed', 'failed', 'not_run']);
  });

  it('rolls back a failing before_finalize hook with the old release still there', async () => {
    const { result, runner } = await withHooks(EVERY_POINT, {
      hookAnswer: (call) => (call.point === 'before_finalize' ? { ok: false, detail: 'HTTP 500' } : {}),
    });
    expect(result.outcome).to.equal('rolled_back');
    expect(result.reason).to.equal('Step 6/6: hook before_finalize failed: ./last-look.sh: HTTP 500');
    expect(runner.current?.releases.blue).to.not.equal(undefined);
    expect(runner.current?.weights.blue).to.equal(100);
  });

  it('stops a list at its first failure', async () => {
    const { result, hooks } = await withHooks(
      {
        before_traffic: [commandHook('./one.sh'), commandHook('./two.sh'), commandHook('./three.sh')],
      },
      {
        hookAnswer: (call) =>
          call.spec.kind === 'command' && call.spec.command[0] === './two.sh' ? { ok: false } : {},
      },
    );
    expect(result.outcome).to.equal('rolled_back');
    expect(
      hooks.calls.map((call) => (call.spec.kind === 'command' ? call.spec.command[0] : '')),
    ).to.deep.equal(['./one.sh', './two.sh']);
  });

  it('only warns when an after_deploy hook fails: still deployed, the rest of its list skipped', async () => {
    const { result, hooks, reports } = await withHooks(
      { after_deploy: [commandHook('./notify.sh'), commandHook('./never.sh')] },
      { hookAnswer: () => ({ ok: false, detail: 'timed out after 300 s' }) },
    );
    expect(result.outcome).to.equal('deployed');
    expect(result.reason).to.equal(null);
    expect(hooks.calls.length).to.equal(1);
    const [finished] = reports.of('hook.finished');
    expect(finished?.level).to.equal('warn');
    expect(reports.codes().slice(-3)).to.deep.equal(['hook.started', 'hook.finished', 'rollout.finished']);
  });

  it('only warns when an after_rollback hook fails: the outcome stays rolled back', async () => {
    const { result, reports } = await withHooks(
      { after_rollback: [commandHook('./page.sh')] },
      {
        health: healthTimeline(2, [
          { fromMs: 0, condition: 'healthy' },
          { fromMs: s(100), condition: 'unhealthy' },
        ]),
        hookAnswer: () => ({ ok: false }),
      },
    );
    expect(result.outcome).to.equal('rolled_back');
    expect(result.reason).to.match(/unhealthy/);
    expect(reports.of('hook.finished')[0]?.level).to.equal('warn');
  });

  it('runs no after_rollback hook when the rollback itself failed', async () => {
    const { result, hooks } = await withHooks(EVERY_POINT, {
      hookAnswer: (call) => (call.point === 'after_step' ? { ok: false } : {}),
      failUp: (desired) => (desired.meta.phase === 'rolling_back' ? new Error('throttled') : undefined),
    });
    expect(result.outcome).to.equal('rollback_failed');
    expect(hooks.calls.map((call) => call.point)).to.not.include('after_rollback');
  });

  it('runs the after_step hooks before a pause', async () => {
    const { result, log } = await withHooks(EVERY_POINT, {
      canary: { strategy: [{ weight: 10, wait: 70, pause: true }] },
    });
    expect(result.outcome).to.equal('paused');
    expect(story(log)).to.deep.equal([
      'up:deploying:0',
      'hook:before_traffic',
      'up:deploying:10',
      'hook:after_step',
      'up:paused:10',
    ]);
  });

  it('lets a hook under way finish on a first interrupt, then rolls back', async () => {
    // The before_traffic hook runs 65–95 s; the interrupt comes at 70 s.
    const { result, hooks, log } = await withHooks(EVERY_POINT, {
      hookAnswer: (call) => (call.point === 'before_traffic' ? { durationMs: s(30) } : {}),
      interruptAtMs: s(70),
    });
    expect(result.outcome).to.equal('interrupted');
    expect(hooks.calls[0]?.signal?.aborted).to.equal(false);
    expect(story(log)).to.deep.equal([
      'up:deploying:0',
      'hook:before_traffic',
      'up:rolled_back:0',
      'hook:after_rollback',
    ]);
  });

  it('gives a hook the second interrupt as its signal, and stops at once on it', async () => {
    const { result, hooks, runner } = await withHooks(EVERY_POINT, {
      hookAnswer: (call) => (call.point === 'before_traffic' ? { durationMs: s(30) } : {}),
      hardStopAtMs: s(70),
    });
    expect(result.outcome).to.equal('interrupted');
    expect(hooks.calls[0]?.signal?.aborted).to.equal(true);
    expect(hooks.calls.length).to.equal(1);
    expect(runner.ups.length).to.equal(1);
    expect(result.instructions).to.not.deep.equal([]);
  });

  it('keeps the outcome deployed when a second interrupt stops an after_deploy hook', async () => {
    // Finalize lands at 265 s; its after_deploy hook runs 265–295 s; both interrupts at 290 s.
    const { result, hooks } = await withHooks(
      { after_deploy: [commandHook('./tell.sh'), commandHook('./never.sh')] },
      { hookAnswer: () => ({ durationMs: s(30) }), hardStopAtMs: s(290) },
    );
    expect(result.outcome).to.equal('deployed');
    expect(result.instructions).to.deep.equal([]);
    expect(hooks.calls.length).to.equal(1);
    expect(hooks.calls[0]?.signal?.aborted).to.equal(true);
  });

  it('is an internal error to run a file with hooks without a hook runner', async () => {
    let error: unknown;
    try {
      await withHooks(EVERY_POINT, { noHookRunner: true });
    } catch (caught) {
      error = caught;
    }
    expect(error).to.be.instanceOf(EcsCrdError);
    expect((error as Error).message).to.contain('internal error: canary.hooks');
  });
});
