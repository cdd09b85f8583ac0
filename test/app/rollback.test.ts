import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readLease } from '../../src/app/lease.js';
import { recoverStack } from '../../src/app/rollback.js';
import type { ProgressEvent } from '../../src/canary/events.js';
import type { EngineEvent } from '../../src/canary/ports/stack.js';
import { RollbackFailedError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { fileLeaseStore } from '../../src/stack/lease.js';
import { rejection } from '../aws/fixtures.js';
import {
  buildConfig,
  buildDesiredState,
  buildEnvironment,
  buildIdentity,
  buildMeta,
} from '../helpers/builders.js';
import { FakeClock, outputsOf } from '../helpers/fakes.js';
import { type RecordingRunnerOptions, RecordingStackRunner } from '../helpers/recording-runner.js';

const STACK = 'shop-orders-api-prod-eu-west-1';
const UPDATED: EngineEvent = {
  kind: 'resource-done',
  operation: 'update',
  type: 'aws:route53/record:Record',
  name: 'record-orders.example.com-green',
};

/** A canary of 1.5.0 on green at 10 %, its run killed. */
const midCanary = () =>
  outputsOf(
    buildDesiredState({
      releases: { blue: buildConfig(), green: buildConfig({ service: { version: '1.5.0' } }) },
      weights: { blue: 90, green: 10 },
      meta: buildMeta({
        phase: 'deploying',
        candidateSlot: 'green',
        candidateVersion: '1.5.0',
        outcome: null,
      }),
    }),
  );

describe('rollback: recovery reported on the event stream', () => {
  let leases: string;
  beforeEach(() => {
    leases = mkdtempSync(join(tmpdir(), 'ecs-crd-rollback-'));
  });
  afterEach(() => rmSync(leases, { recursive: true, force: true }));

  /** A recovery of the stack `script` describes, on a fake clock (the drain takes no real time). */
  function recover(script: RecordingRunnerOptions, force = false) {
    const clock = new FakeClock();
    const runner = new RecordingStackRunner({ clock, ...script });
    const events: ProgressEvent[] = [];
    const run = () =>
      recoverStack({
        identity: buildIdentity(),
        runner,
        leases: fileLeaseStore(leases),
        discover: async () => buildEnvironment(),
        force,
        reporter: (event) => events.push(event),
        clock,
      });
    return { runner, events, run };
  }

  it('restores traffic, then removes the candidate, and shows every engine update as it goes', async () => {
    const { runner, events, run } = recover({ outputs: midCanary(), events: [UPDATED] });
    const document = await run();
    expect(document).to.deep.equal({
      changed: true,
      reason: 'deployment d-20240501-0001 (version 1.5.0) did not finish: the stack is deploying',
      live: { slot: 'blue', version: '1.4.0' },
      actions: ['send 100 % of traffic to blue (1.4.0)', 'remove the release on green'],
    });
    expect(events.map((e) => [e.code, e.level])).to.deep.equal([
      ['recovery.started', 'info'],
      ['recovery.step', 'info'],
      ['stack.update.started', 'info'],
      ['engine.event', 'info'],
      ['stack.update.finished', 'info'],
      ['recovery.step', 'info'],
      ['stack.update.started', 'info'],
      ['engine.event', 'info'],
      ['stack.update.finished', 'info'],
    ]);
    expect(events[3]?.text).to.equal('update aws:route53/record:Record record-orders.example.com-green');
    expect(runner.stack.current?.weights).to.deep.equal({ blue: 100, green: 0 });
    expect(Object.keys(runner.stack.current?.releases ?? {})).to.deep.equal(['blue']);
    expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
  });

  it('honours the candidate’s canary.drain between restoring traffic and removing it', async () => {
    const outputs = midCanary();
    const green = outputs.releases.green;
    if (!green) expect.fail('the mid-canary stack has a green release');
    outputs.releases.green = { ...green, canary: { ...green.canary, drain: 45 } };
    const { runner, events, run } = recover({ outputs });
    await run();
    const [restore, remove] = runner.stack.ups;
    expect((remove?.at ?? 0) - (restore?.at ?? 0)).to.equal(45_000);
    expect(events.find((e) => e.code === 'wait.started')?.text).to.equal(
      'Draining for 45 s (canary.drain) before the removal',
    );
  });

  it('says nothing and changes nothing on a settled stack', async () => {
    const { runner, events, run } = recover({ outputs: outputsOf(buildDesiredState()) });
    const document = await run();
    expect(document.changed).to.equal(false);
    expect(document.actions).to.deep.equal([]);
    expect(events).to.deep.equal([]);
    expect(runner.calls).to.deep.equal(['cancel', 'clearPending', 'outputs']);
  });

  it('reports the failed update, then fails with exit 4 and says how far it got', async () => {
    const { events, run } = recover({
      outputs: midCanary(),
      failUp: (_desired, index) => (index === 1 ? new Error('AccessDenied: ecs:DeleteService') : undefined),
    });
    const error = await rejection(run());
    expect(error).to.be.instanceOf(RollbackFailedError);
    expect(exitCodeOf(error)).to.equal(ExitCode.RollbackFailed);
    expect(error.message).to.equal('Recovery failed at step 2/2 (remove the release on green).');
    expect((error as RollbackFailedError).hint).to.include('send 100 % of traffic to blue (1.4.0)');
    expect(events.at(-1)).to.deep.include({
      code: 'stack.update.finished',
      level: 'error',
      text: 'Stack update failed (remove-candidate): AccessDenied: ecs:DeleteService',
    });
  });

  describe('a deploy killed before its first update was recorded: only its lease tells', () => {
    const attempt = { deploymentId: 'd-killed', version: '1.5.0', startedAt: '2025-01-01T12:05:00.000Z' };
    /** The lease a killed `deploy` left: this host, a process that ran and ended. */
    function killedDeployLease(): void {
      const pid = spawnSync(process.execPath, ['-e', '0']).pid ?? 999_999;
      mkdirSync(leases, { recursive: true });
      writeFileSync(
        join(leases, `${STACK}.json`),
        JSON.stringify({
          host: hostname(),
          pid,
          user: 'ci',
          command: 'deploy',
          since: attempt.startedAt,
          deployment: attempt,
        }),
      );
    }

    it('on a settled stack: takes it over and declares the live release alone under the run’s id', async () => {
      killedDeployLease();
      const { runner, run } = recover({ outputs: outputsOf(buildDesiredState()) });
      const document = await run();
      expect(document.changed).to.equal(true);
      expect(document.reason).to.match(/d-killed \(version 1\.5\.0\) did not finish/);
      expect(document.actions[0]).to.match(/took the stack over from deploy by ci@.* which no longer runs/);
      expect(runner.stack.ups).to.have.length(1);
      expect(runner.stack.current?.meta).to.deep.include({
        deploymentId: 'd-killed',
        outcome: 'interrupted',
      });
      expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
    });

    it('on a first deployment: releases the stack, with no update (nothing of it to put back)', async () => {
      killedDeployLease();
      const { runner, run } = recover({ outputs: null });
      const document = await run();
      expect(document.changed).to.equal(true);
      expect(document.reason).to.match(/stopped before its first update was recorded: nothing to put back/);
      expect(runner.stack.ups).to.deep.equal([]);
      expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
    });
  });
  describe('another machine’s lease (only its renewals tell)', () => {
    const other = {
      host: 'build-7',
      pid: 4242,
      user: 'bo',
      command: 'deploy',
      since: '2025-01-01T12:05:00.000Z',
    };
    /** Another machine's lease, last written `ageMs` ago. */
    function othersLease(ageMs: number): void {
      mkdirSync(leases, { recursive: true });
      const file = join(leases, `${STACK}.json`);
      writeFileSync(file, JSON.stringify(other));
      const at = new Date(Date.now() - ageMs);
      utimesSync(file, at, at);
    }

    it('expired: takes it over at once, and says whose lease and since when it was not renewed', async () => {
      othersLease(125_000);
      const { events, run } = recover({ outputs: midCanary(), events: [UPDATED] });
      const document = await run();
      expect(document.actions[0]).to.equal(
        'took the stack over from deploy by bo@build-7 (pid 4242) since 2025-01-01T12:05:00.000Z, whose lease was last renewed 2 min ago',
      );
      expect(events[0]).to.deep.include({ code: 'lease.notice', level: 'warn' });
      expect(events[0]?.data).to.deep.include({ kind: 'taken-over' });
      expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
    });

    it('live, with --force: breaks it at once, saying whose lease it breaks', async () => {
      othersLease(0);
      const { events, run } = recover({ outputs: midCanary(), events: [UPDATED] }, true);
      const document = await run();
      expect(document.actions[0]).to.equal(
        'took the stack over from deploy by bo@build-7 (pid 4242) since 2025-01-01T12:05:00.000Z, which still held it (--force broke its lease)',
      );
      expect(events.find((e) => e.code === 'lease.notice')?.data).to.deep.include({ kind: 'broken' });
    });

    it('live: waits for it, at most until it would expire, then refuses (exit 5) when it neither renewed nor expired', async () => {
      othersLease(0);
      const { runner, events, run } = recover({ outputs: midCanary() });
      const error = await rejection(run());
      expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
      expect((error as Error).message).to.match(
        /still held by deploy by bo@build-7 .*neither renewed nor expired within 62 s/,
      );
      expect(events[0]?.data).to.deep.equal({
        kind: 'waiting',
        holder: 'deploy by bo@build-7 (pid 4242) since 2025-01-01T12:05:00.000Z',
        seconds: 62,
      });
      expect(runner.stack.ups).to.deep.equal([]);
    });
  });
});
