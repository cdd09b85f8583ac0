import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readLease } from '../../src/app/lease.js';
import { type PromoteOptions, promoteIn } from '../../src/app/promote.js';
import type { HookRunner } from '../../src/canary/ports/hooks.js';
import type { StackOutputs } from '../../src/canary/ports/stack.js';
import type { ResumeRequest, RolloutDeps, RolloutResult } from '../../src/canary/rollout/types.js';
import { StackLockedError, UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf, exitCodeOfOutcome } from '../../src/exit-codes.js';
import { fileLeaseStore } from '../../src/stack/lease.js';
import { rejection } from '../aws/fixtures.js';
import { buildConfig, buildDesiredState } from '../helpers/builders.js';
import { outputsOf, RecordingReporter } from '../helpers/fakes.js';
import { RecordingStackRunner } from '../helpers/recording-runner.js';
import { openedService } from './opened.js';
import { FakeControl, pausedOutputs } from './paused.js';

const STACK = 'shop-orders-api-prod-eu-west-1';

const RESULT: RolloutResult = {
  outcome: 'deployed',
  deploymentId: 'd-paused',
  version: '1.5.0',
  slot: 'green',
  previous: { slot: 'blue', version: '1.4.0' },
  steps: [],
  reason: null,
  durationS: 300,
  instructions: [],
};

describe('promote', () => {
  let leases: string;
  beforeEach(() => {
    leases = mkdtempSync(join(tmpdir(), 'ecs-crd-promote-'));
  });
  afterEach(() => rmSync(leases, { recursive: true, force: true }));

  const service = { environment: 'prod' as const, region: 'eu-west-1', pulumiVersion: '3.274.1' };

  /** The file of 1.5.0 on a stack with `outputs`; `resume` records what it was asked. */
  function setup(outputs: StackOutputs | null, version = '1.5.0') {
    const runner = new RecordingStackRunner({ outputs });
    const opened = openedService({ runner });
    opened.ctx.config = buildConfig({ service: { version } });
    opened.ctx.leases = fileLeaseStore(leases);
    const control = new FakeControl();
    const resumed: { deps: RolloutDeps; request: ResumeRequest; lease: unknown }[] = [];
    const reports = new RecordingReporter();
    const options = (extra: Partial<PromoteOptions> = {}): PromoteOptions => ({
      service,
      reporter: reports.reporter,
      clock: opened.clock,
      by: 'ana@laptop (pid 4242)',
      openControl: () => control,
      resume: async (deps, request) => {
        resumed.push({ deps, request, lease: await readLease(fileLeaseStore(leases), STACK) });
        return RESULT;
      },
      ...extra,
    });
    return {
      opened,
      runner,
      control,
      resumed,
      options,
      promote: (extra?: Partial<PromoteOptions>) => promoteIn(opened, options(extra)),
    };
  }

  function writeLease(holder: { host?: string; pid: number; command: string }): void {
    mkdirSync(leases, { recursive: true });
    writeFileSync(
      join(leases, `${STACK}.json`),
      JSON.stringify({ host: hostname(), user: 'ci', since: '2025-01-01T12:00:00.000Z', ...holder }),
    );
  }

  describe('refusals: exit 2, nothing changed', () => {
    it('a service never deployed', async () => {
      const { promote, runner, resumed } = setup(null);
      const error = await rejection(promote());
      expect(error).to.be.instanceOf(UsageError);
      expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
      expect(error.message).to.equal(
        'Nothing to promote: orders-api in prod (eu-west-1) was never deployed.',
      );
      expect(runner.calls).to.deep.equal(['outputs']);
      expect(resumed).to.deep.equal([]);
    });

    it('a stable stack: says what it is and to deploy instead', async () => {
      const { promote } = setup(outputsOf(buildDesiredState()));
      const error = await rejection(promote());
      expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
      expect(error.message).to.match(/the stack of orders-api in prod \(eu-west-1\) is stable, not paused/);
      expect((error as UsageError).hint).to.match(/`ecs-crd deploy` starts one/);
    });

    it('a deployment that runs (not at a pause): points to status', async () => {
      writeLease({ pid: process.pid, command: 'deploy' });
      const { promote, control } = setup(pausedOutputs({ phase: 'deploying', pause: null }));
      const error = await rejection(promote());
      expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
      expect(error.message).to.match(/is deploying, not paused/);
      expect((error as UsageError).hint).to.match(/ecs-crd status/);
      expect(control.sent).to.deep.equal([]);
    });

    it('an interrupted deployment: points to rollback', async () => {
      const { promote } = setup(pausedOutputs({ phase: 'interrupted', pause: null }));
      const error = await rejection(promote());
      expect((error as UsageError).hint).to.match(/ecs-crd rollback/);
    });

    it('a file of another version: names both', async () => {
      const { promote, resumed, control } = setup(pausedOutputs(), '1.6.0');
      const error = await rejection(promote());
      expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
      expect(error.message).to.equal(
        'prod.deploy.yml: service.version is 1.6.0, but the paused deployment d-paused is releasing 1.5.0.',
      );
      expect((error as UsageError).hint).to.match(/run `ecs-crd rollback`, then deploy it/);
      expect(resumed).to.deep.equal([]);
      expect(control.sent).to.deep.equal([]);
    });

    it('--wait on a backend without a control channel', async () => {
      const { promote, resumed } = setup(pausedOutputs());
      const error = await rejection(promote({ wait: true, openControl: () => undefined }));
      expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
      expect(error.message).to.match(/--wait needs a control channel/);
      expect(resumed).to.deep.equal([]);
    });
  });

  describe('a run still holds the stack at its pause', () => {
    it('hands it a promote request and exits 0 naming it, changing nothing itself', async () => {
      writeLease({ pid: process.pid, command: 'deploy' });
      const { promote, control, runner, resumed } = setup(
        pausedOutputs({ pause: { since: 'x', weight: 10, until: 'y' } }),
      );
      const result = await promote({ full: true });
      expect(result.kind).to.equal('handed');
      if (result.kind !== 'handed') return;
      expect(control.sent).to.have.length(1);
      expect(control.sent[0]).to.deep.include({
        action: 'promote',
        full: true,
        deploymentId: 'd-paused',
        by: 'ana@laptop (pid 4242)',
      });
      expect(Number.isNaN(Date.parse(control.sent[0]?.at ?? ''))).to.equal(false);
      expect(result.document).to.deep.include({
        action: 'promote',
        full: true,
        deployment_id: 'd-paused',
        version: '1.5.0',
      });
      expect(result.document.handed_to).to.match(new RegExp(`^deploy by ci@.* \\(pid ${process.pid}\\)`));
      expect(runner.calls).to.deep.equal(['outputs']);
      expect(resumed).to.deep.equal([]);
      // The holder's lease is left alone.
      expect((await readLease(fileLeaseStore(leases), STACK))?.holder.pid).to.equal(process.pid);
    });

    it('on another host (liveness unknown): hands it the request too, unless --force takes the stack', async () => {
      writeLease({ host: 'build-7', pid: 4242, command: 'deploy' });
      const handed = setup(pausedOutputs());
      expect((await handed.promote()).kind).to.equal('handed');
      expect(handed.control.sent).to.have.length(1);

      const forced = setup(pausedOutputs());
      const result = await forced.promote({ force: true });
      expect(result.kind).to.equal('resumed');
      expect(forced.control.sent).to.deep.equal([]);
    });

    it('a live holder that is no deploy (a rollback under way) is refused as a locked stack (exit 5)', async () => {
      writeLease({ pid: process.pid, command: 'rollback' });
      const { promote, control } = setup(pausedOutputs());
      const error = await rejection(promote());
      expect(error).to.be.instanceOf(StackLockedError);
      expect(control.sent).to.deep.equal([]);
    });
  });

  describe('nobody holds the stack: resumes the rollout here', () => {
    it('under its own lease, as the same deployment, with the file’s hooks and the control channel', async () => {
      const hooks: HookRunner = { run: async () => ({ ok: true, detail: 'exit code 0', durationMs: 1 }) };
      const { promote, opened, resumed, control } = setup(pausedOutputs());
      opened.ctx.config = buildConfig({ service: { version: '1.5.0' } });
      opened.ctx.config.canary.hooks = {
        after_deploy: [{ kind: 'command', command: ['./ok.sh'], timeout: 300 }],
      };
      let cwd = '';
      const result = await promote({
        full: true,
        wait: true,
        hookRunner: async (dir) => {
          cwd = dir;
          return hooks;
        },
      });
      expect(result.kind).to.equal('resumed');
      if (result.kind !== 'resumed') return;
      expect(result.document).to.deep.include({
        outcome: 'deployed',
        deployment_id: 'd-paused',
        version: '1.5.0',
      });
      expect(resumed).to.have.length(1);
      const [call] = resumed;
      expect(call?.request).to.deep.include({
        full: true,
        by: 'ana@laptop (pid 4242)',
        waitForPromotion: true,
      });
      expect(call?.request.outputs.meta.phase).to.equal('paused');
      expect(call?.request.hooks).to.deep.equal(opened.ctx.config.canary.hooks);
      expect(call?.deps.hooks).to.equal(hooks);
      expect(call?.deps.control).to.equal(control);
      expect(cwd).to.equal('.');
      // Held while resuming, by promote, recording the paused deployment; released after.
      const held = call?.lease as { holder: { command: string; deployment?: unknown } } | undefined;
      expect(held?.holder.command).to.equal('promote');
      expect(held?.holder.deployment).to.deep.include({ deploymentId: 'd-paused', version: '1.5.0' });
      expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
    });

    it('takes over the lease of a paused run that died (a killed deploy --wait)', async () => {
      const pid = spawnSync(process.execPath, ['-e', '0']).pid ?? 999_999;
      writeLease({ pid, command: 'deploy' });
      const { promote, resumed, control } = setup(pausedOutputs());
      const result = await promote();
      expect(result.kind).to.equal('resumed');
      expect(resumed).to.have.length(1);
      expect(control.sent).to.deep.equal([]);
      expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
    });

    it('ends as deploy does: a rolled-back resume is exit 3 for the command', async () => {
      const { promote } = setup(pausedOutputs());
      const result = await promote({
        resume: async () => ({ ...RESULT, outcome: 'rolled_back', reason: 'unhealthy' }),
      });
      if (result.kind !== 'resumed') expect.fail('promote resumed the rollout');
      expect(result.document.outcome).to.equal('rolled_back');
      expect(exitCodeOfOutcome(result.document.outcome)).to.equal(ExitCode.RolledBack);
    });
  });
});
