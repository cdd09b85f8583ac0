import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { readLease } from '../../src/app/lease.js';
import { type UndeployRequest, undeployStack } from '../../src/app/undeploy.js';
import type { ProgressEvent } from '../../src/canary/events.js';
import { interruptedRun } from '../../src/canary/phase.js';
import type { LeaseHolder } from '../../src/canary/ports/lease.js';
import type { EngineEvent } from '../../src/canary/ports/stack.js';
import { StackLockedError } from '../../src/errors.js';
import { fileLeaseStore } from '../../src/stack/lease.js';
import { rejection } from '../aws/fixtures.js';
import { buildConfig, buildDesiredState, buildIdentity, buildMeta } from '../helpers/builders.js';
import { outputsOf } from '../helpers/fakes.js';
import { type RecordingRunnerOptions, RecordingStackRunner } from '../helpers/recording-runner.js';

const STACK = 'shop-orders-api-prod-eu-west-1';
const DELETED: EngineEvent = {
  kind: 'resource-done',
  operation: 'delete',
  type: 'aws:ecs/service:Service',
  name: 'blue-service',
};

describe('undeploy: destroy the stack, then remove it', () => {
  let leases: string;
  let questions: string[];
  beforeEach(() => {
    leases = mkdtempSync(join(tmpdir(), 'ecs-crd-undeploy-'));
    questions = [];
  });
  afterEach(() => rmSync(leases, { recursive: true, force: true }));

  const stable = () => outputsOf(buildDesiredState());
  const unfinished = () =>
    outputsOf(buildDesiredState({ meta: buildMeta({ phase: 'deploying', outcome: null }) }));

  function setUp(script: RecordingRunnerOptions, request: Partial<UndeployRequest> = {}) {
    const runner = new RecordingStackRunner({ destroyed: { changes: { delete: 14 } }, ...script });
    const run = () =>
      undeployStack({
        identity: buildIdentity(),
        config: buildConfig(),
        runner,
        leases: fileLeaseStore(leases),
        force: false,
        confirm: async (question) => {
          questions.push(question);
          return true;
        },
        ...request,
      });
    return { runner, run };
  }

  /** Another run holding the stack: this very process, so it is alive (or `pid`, one that ended). */
  function holdLease(command = 'deploy', pid = process.pid): void {
    mkdirSync(leases, { recursive: true });
    const holder: LeaseHolder = {
      host: hostname(),
      pid,
      user: 'ci',
      command,
      since: '2025-01-01T12:00:00.000Z',
    };
    writeFileSync(join(leases, `${STACK}.json`), JSON.stringify(holder));
  }

  it('asks, destroys, removes the stack and reports what it deleted', async () => {
    const { runner, run } = setUp({ outputs: stable() });
    const result = await run();
    expect(runner.calls).to.deep.equal(['outputs', 'destroy', 'remove']);
    expect(result).to.deep.equal({
      destroyed: true,
      service: 'orders-api',
      project: 'shop',
      environment: 'prod',
      region: 'eu-west-1',
      stack: STACK,
      live: { slot: 'blue', version: '1.4.0', release_id: 'orders-blue' },
      changes: { delete: 14 },
    });
    expect(questions.length).to.equal(1);
    expect(questions[0] ?? '').to.match(
      /shop\/orders-api in prod \(eu-west-1\) \(live: 1\.4\.0 on blue\).*stack shop-orders-api-prod-eu-west-1\?$/,
    );
  });

  /** The command the lease file names, read at once (events are told synchronously). */
  const commandInLease = () =>
    (JSON.parse(readFileSync(join(leases, `${STACK}.json`), 'utf8')) as { command: string }).command;

  it('holds the lease while it destroys, and lets it go after', async () => {
    const held: (string | undefined)[] = [];
    const { run } = setUp(
      { outputs: stable(), events: [DELETED] },
      {
        reporter: (event) => {
          if (event.code === 'engine.event') held.push(commandInLease());
        },
      },
    );
    await run();
    expect(held).to.deep.equal(['undeploy']);
    expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
  });

  it('changes nothing when the confirmation is declined', async () => {
    const { runner, run } = setUp({ outputs: stable() }, { confirm: async () => false });
    const result = await run();
    expect(result.destroyed).to.equal(false);
    expect(result.changes).to.deep.equal({});
    expect(runner.calls).to.deep.equal(['outputs']);
    expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
  });

  it('refuses while another run holds the stack, naming it, before touching anything', async () => {
    holdLease('deploy');
    const { runner, run } = setUp({ outputs: stable() });
    const error = await rejection(run());
    expect(error).to.be.instanceOf(StackLockedError);
    expect(error.message).to.match(/deploy by ci@/);
    expect(runner.calls).to.deep.equal([]);
    expect(questions).to.deep.equal([]);
    expect((await readLease(fileLeaseStore(leases), STACK))?.holder.command).to.equal('deploy');
  });

  it('refuses a stack whose last deployment did not finish, pointing to rollback', async () => {
    const { runner, run } = setUp({ outputs: unfinished() });
    const error = await rejection(run());
    expect(error).to.be.instanceOf(StackLockedError);
    expect(error.message).to.match(/did not finish: the stack is deploying/);
    expect((error as StackLockedError).hint ?? '').to.match(/ecs-crd rollback.*--force/);
    expect(runner.calls).to.deep.equal(['outputs']);
    expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
  });

  it('with force, takes the stack over, breaks a stale engine lock and destroys it as it is', async () => {
    holdLease('deploy');
    const { runner, run } = setUp({ outputs: unfinished() }, { force: true });
    const result = await run();
    expect(result.destroyed).to.equal(true);
    expect(runner.calls).to.deep.equal(['outputs', 'cancel', 'clearPending', 'destroy', 'remove']);
    expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
  });

  it('finishes an undeploy that was killed: takes its lease over, clears what it left pending, destroys', async () => {
    holdLease('undeploy', spawnSync(process.execPath, ['-e', '0']).pid);
    const events: ProgressEvent[] = [];
    const { runner, run } = setUp({ outputs: stable() }, { reporter: (e) => events.push(e) });
    const result = await run();
    expect(result.destroyed).to.equal(true);
    expect(runner.calls).to.deep.equal(['outputs', 'cancel', 'clearPending', 'destroy', 'remove']);
    expect(events.find((e) => e.code === 'lease.notice')?.text).to.match(
      /^Took the stack over from undeploy by ci@/,
    );
    expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
  });

  it('refuses a killed deploy’s stack (exit 5), and a killed undeploy’s refusal elsewhere says to undeploy again', async () => {
    holdLease('deploy', spawnSync(process.execPath, ['-e', '0']).pid);
    const { runner, run } = setUp({ outputs: stable() });
    const error = await rejection(run());
    expect(error.message).to.match(/^A deployment of this service was interrupted: deploy by ci@/);
    expect(runner.calls).to.deep.equal([]);
    const undeploy = interruptedRun({
      host: 'ci-3',
      pid: 42,
      user: 'ci',
      command: 'undeploy',
      since: '2025-01-01T12:00:00Z',
    });
    expect(undeploy.message).to.match(/^An undeploy of this service was interrupted/);
    expect(undeploy.hint).to.match(/^Run `ecs-crd undeploy` with the same flags to finish removing it/);
  });

  it('lets the lease go and keeps the stack when the destroy fails', async () => {
    const { runner, run } = setUp({ outputs: stable(), destroyError: new Error('DependencyViolation') });
    expect((await rejection(run())).message).to.match(/DependencyViolation/);
    expect(runner.calls).to.deep.equal(['outputs', 'destroy']);
    expect(await readLease(fileLeaseStore(leases), STACK)).to.equal(undefined);
  });

  it('works on a backend without leases, and on a stack that holds no deployment', async () => {
    const { runner, run } = setUp({ outputs: null }, { leases: undefined });
    const result = await run();
    expect(result.live).to.equal(null);
    expect(runner.calls).to.deep.equal(['outputs', 'destroy', 'remove']);
    expect(questions[0] ?? '').to.not.match(/live:/);
  });
});
