import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ABORT_WAIT_MS } from '../../src/app/abort.js';
import { readLease } from '../../src/app/lease.js';
import { type RollbackOptions, rollbackIn } from '../../src/app/rollback.js';
import type { HookEvent, HookRunner } from '../../src/canary/ports/hooks.js';
import type { StackOutputs } from '../../src/canary/ports/stack.js';
import type { HookSpec } from '../../src/config/types.js';
import { StackLockedError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { fileLeaseStore } from '../../src/stack/lease.js';
import { rejection } from '../aws/fixtures.js';
import { buildConfig } from '../helpers/builders.js';
import { RecordingReporter } from '../helpers/fakes.js';
import { RecordingStackRunner } from '../helpers/recording-runner.js';
import { openedService } from './opened.js';
import { FakeControl, pausedOutputs } from './paused.js';

const STACK = 'shop-orders-api-prod-eu-west-1';

/** A hook runner that keeps what it ran, each hook ending as `ok` says. */
class FakeHooks implements HookRunner {
  readonly ran: { spec: HookSpec; event: HookEvent }[] = [];
  constructor(private readonly ok: (spec: HookSpec) => boolean = () => true) {}
  async run(spec: HookSpec, event: HookEvent) {
    this.ran.push({ spec, event });
    const ok = this.ok(spec);
    return { ok, detail: ok ? 'exit code 0' : 'exit code 1', durationMs: 5 };
  }
}

const hook = (name: string): HookSpec => ({ kind: 'command', command: [name], timeout: 300 });

describe('rollback of a paused deployment', () => {
  let leases: string;
  beforeEach(() => {
    leases = mkdtempSync(join(tmpdir(), 'ecs-crd-rollback-paused-'));
  });
  afterEach(() => rmSync(leases, { recursive: true, force: true }));

  function setup(outputs: StackOutputs) {
    const runner = new RecordingStackRunner({ outputs });
    const opened = openedService({ runner });
    opened.ctx.config = buildConfig({ service: { version: '1.5.0' } });
    opened.ctx.leases = fileLeaseStore(leases);
    const control = new FakeControl();
    const reports = new RecordingReporter();
    const hooks = new FakeHooks();
    const options = (extra: Partial<RollbackOptions> = {}): RollbackOptions => ({
      force: false,
      reporter: reports.reporter,
      clock: opened.clock,
      by: 'ana@laptop (pid 4242)',
      openControl: () => control,
      hookRunner: async () => hooks,
      ...extra,
    });
    return {
      opened,
      runner,
      control,
      reports,
      hooks,
      rollback: (extra?: Partial<RollbackOptions>) => rollbackIn(opened, options(extra)),
    };
  }

  const leaseFile = () => join(leases, `${STACK}.json`);
  function liveDeployLease(): void {
    mkdirSync(leases, { recursive: true });
    writeFileSync(
      leaseFile(),
      JSON.stringify({
        host: hostname(),
        pid: process.pid,
        user: 'ci',
        command: 'deploy',
        since: '2025-01-01T12:00:00.000Z',
      }),
    );
  }

  describe('its run still waits at the pause (deploy --wait)', () => {
    it('asks it to abort, waits until it released the stack, and reports how it ended', async () => {
      liveDeployLease();
      const { rollback, control, runner, opened, hooks } = setup(pausedOutputs());
      opened.ctx.config.canary.hooks = { after_rollback: [hook('./notify.sh')] };
      // The running deploy reads the request, rolls back and releases the stack 7 s later.
      opened.clock.at(7000, () => {
        runner.stack.current = pausedOutputs({
          phase: 'rolled_back',
          pause: null,
          outcome: 'rolled_back',
          reason: 'aborted by ana@laptop (pid 4242)',
        });
        rmSync(leaseFile());
      });
      const document = await rollback();
      expect(control.sent).to.have.length(1);
      expect(control.sent[0]).to.deep.include({
        action: 'abort',
        full: false,
        deploymentId: 'd-paused',
        by: 'ana@laptop (pid 4242)',
      });
      expect(document.changed).to.equal(true);
      expect(document.live).to.deep.equal({ slot: 'blue', version: '1.4.0' });
      expect(document.actions[0]).to.match(/^asked the running deployment \(deploy by ci@.*\) to roll back$/);
      expect(document.actions[1]).to.equal('it ended rolled back: aborted by ana@laptop (pid 4242)');
      // Polled every second: done within a second of the release.
      expect(opened.clock.elapsed()).to.be.within(7000, 8000);
      // The run did the rollback, its hooks and its notification: nothing more here.
      expect(runner.stack.ups).to.deep.equal([]);
      expect(hooks.ran).to.deep.equal([]);
    });

    it('gives up after 10 minutes with exit 5 when the run never releases the stack', async () => {
      liveDeployLease();
      const { rollback, opened, runner } = setup(pausedOutputs());
      const error = await rejection(rollback());
      expect(error).to.be.instanceOf(StackLockedError);
      expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
      expect(error.message).to.match(/was asked to roll back but still holds the stack after 10 minutes/);
      expect(opened.clock.elapsed()).to.equal(ABORT_WAIT_MS);
      expect(runner.stack.ups).to.deep.equal([]);
      expect((await readLease(fileLeaseStore(leases), STACK))?.holder.pid).to.equal(process.pid);
    });
  });

  describe('nobody holds it (deploy exited at the pause)', () => {
    it('recovers it as any unfinished deployment (no request sent), and runs no hook when the file has none', async () => {
      const { rollback, runner, hooks, control, reports } = setup(pausedOutputs());
      const document = await rollback();
      expect(control.sent).to.deep.equal([]);
      expect(document.changed).to.equal(true);
      expect(runner.stack.current?.weights).to.deep.equal({ blue: 100, green: 0 });
      expect(hooks.ran).to.deep.equal([]);
      expect(reports.of('hook.started')).to.deep.equal([]);
    });

    it('runs after_rollback hooks in order, with the deployment’s facts', async () => {
      const { rollback, opened, hooks, reports } = setup(pausedOutputs());
      opened.ctx.config.canary.hooks = { after_rollback: [hook('./a.sh'), hook('./b.sh')] };
      await rollback();
      expect(hooks.ran.map((r) => r.spec)).to.deep.equal([hook('./a.sh'), hook('./b.sh')]);
      expect(hooks.ran[0]?.event).to.deep.include({
        hook: 'after_rollback',
        deploymentId: 'd-paused',
        version: '1.5.0',
        slot: 'green',
        stable: { version: '1.4.0', slot: 'blue' },
        weight: 0,
        step: null,
        outcome: 'rolled_back',
      });
      expect(reports.of('hook.finished').map((e) => e.level)).to.deep.equal(['info', 'info']);
    });

    it('a failing hook stops the list with a warning, and changes neither the document nor the outcome', async () => {
      const { rollback, opened, reports } = setup(pausedOutputs());
      opened.ctx.config.canary.hooks = { after_rollback: [hook('./fails.sh'), hook('./never.sh')] };
      const failing = new FakeHooks((spec) => spec.kind === 'command' && spec.command[0] !== './fails.sh');
      const document = await rollback({ hookRunner: async () => failing });
      expect(failing.ran.map((r) => r.spec)).to.deep.equal([hook('./fails.sh')]);
      const finished = reports.of('hook.finished');
      expect(finished.map((e) => [e.level, e.text.replace(/ \([\d.]+ s\)$/, '')])).to.deep.equal([
        ['warn', 'Hook after_rollback: ./fails.sh failed, exit code 1'],
      ]);
      expect(document.changed).to.equal(true);
      expect(document.live).to.deep.equal({ slot: 'blue', version: '1.4.0' });
    });

    it('a hook runner that cannot start is a warning too', async () => {
      const { rollback, opened, reports } = setup(pausedOutputs());
      opened.ctx.config.canary.hooks = { after_rollback: [hook('./a.sh')] };
      const document = await rollback({
        hookRunner: async () => {
          throw new Error('no runner here');
        },
      });
      expect(document.changed).to.equal(true);
      expect(reports.of('hook.finished').map((e) => [e.level, e.text])).to.deep.equal([
        ['warn', 'Hooks after_rollback not run: no runner here'],
      ]);
    });
  });
});
