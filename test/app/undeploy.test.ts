import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type UndeployRequest, undeployStack } from '../../src/app/undeploy.js';
import { StackLockedError } from '../../src/errors.js';
import { type LeaseHolder, readLease } from '../../src/stack/lease.js';
import type { EngineEvent } from '../../src/stack/types.js';
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
        leases,
        force: false,
        confirm: async (question) => {
          questions.push(question);
          return true;
        },
        ...request,
      });
    return { runner, run };
  }

  /** Another run holding the stack: this very process, so it is alive. */
  function holdLease(command = 'deploy'): void {
    mkdirSync(leases, { recursive: true });
    const holder: LeaseHolder = {
      host: hostname(),
      pid: process.pid,
      user: 'ci',
      command,
      since: '2025-01-01T12:00:00.000Z',
    };
    writeFileSync(join(leases, `${STACK}.json`), JSON.stringify(holder));
  }

  it('asks, destroys, removes the stack and reports what it deleted', async () => {
    const { runner, run } = setUp({ outputs: stable() });
    const result = await run();
    assert.deepEqual(runner.calls, ['outputs', 'destroy', 'remove']);
    assert.deepEqual(result, {
      destroyed: true,
      service: 'orders-api',
      project: 'shop',
      environment: 'prod',
      region: 'eu-west-1',
      stack: STACK,
      live: { slot: 'blue', version: '1.4.0', release_id: 'orders-blue' },
      changes: { delete: 14 },
    });
    assert.equal(questions.length, 1);
    assert.match(
      questions[0] ?? '',
      /shop\/orders-api in prod \(eu-west-1\) \(live: 1\.4\.0 on blue\).*stack shop-orders-api-prod-eu-west-1\?$/,
    );
  });

  it('holds the lease while it destroys, and lets it go after', async () => {
    const held: (string | undefined)[] = [];
    const { run } = setUp(
      { outputs: stable(), events: [DELETED] },
      { onEvent: () => held.push(readLease(leases, STACK)?.holder.command) },
    );
    await run();
    assert.deepEqual(held, ['undeploy']);
    assert.equal(readLease(leases, STACK), undefined);
  });

  it('changes nothing when the confirmation is declined', async () => {
    const { runner, run } = setUp({ outputs: stable() }, { confirm: async () => false });
    const result = await run();
    assert.equal(result.destroyed, false);
    assert.deepEqual(result.changes, {});
    assert.deepEqual(runner.calls, ['outputs']);
    assert.equal(readLease(leases, STACK), undefined);
  });

  it('refuses while another run holds the stack, naming it, before touching anything', async () => {
    holdLease('deploy');
    const { runner, run } = setUp({ outputs: stable() });
    await assert.rejects(run(), (error) => {
      assert.ok(error instanceof StackLockedError);
      assert.match(error.message, /deploy by ci@/);
      return true;
    });
    assert.deepEqual(runner.calls, []);
    assert.deepEqual(questions, []);
    assert.equal(readLease(leases, STACK)?.holder.command, 'deploy');
  });

  it('refuses a stack whose last deployment did not finish, pointing to rollback', async () => {
    const { runner, run } = setUp({ outputs: unfinished() });
    await assert.rejects(run(), (error) => {
      assert.ok(error instanceof StackLockedError);
      assert.match(error.message, /did not finish: it is deploying/);
      assert.match(error.hint ?? '', /ecs-crd rollback.*--force/);
      return true;
    });
    assert.deepEqual(runner.calls, ['outputs']);
    assert.equal(readLease(leases, STACK), undefined);
  });

  it('with force, takes the stack over, breaks a stale engine lock and destroys it as it is', async () => {
    holdLease('deploy');
    const { runner, run } = setUp({ outputs: unfinished() }, { force: true });
    const result = await run();
    assert.equal(result.destroyed, true);
    assert.deepEqual(runner.calls, ['outputs', 'cancel', 'destroy', 'remove']);
    assert.equal(readLease(leases, STACK), undefined);
  });

  it('lets the lease go and keeps the stack when the destroy fails', async () => {
    const { runner, run } = setUp({ outputs: stable(), destroyError: new Error('DependencyViolation') });
    await assert.rejects(run(), /DependencyViolation/);
    assert.deepEqual(runner.calls, ['outputs', 'destroy']);
    assert.equal(readLease(leases, STACK), undefined);
  });

  it('works on a backend without leases, and on a stack that holds no deployment', async () => {
    const { runner, run } = setUp({ outputs: null }, { leases: undefined });
    const result = await run();
    assert.equal(result.live, null);
    assert.deepEqual(runner.calls, ['outputs', 'destroy', 'remove']);
    assert.doesNotMatch(questions[0] ?? '', /live:/);
  });
});
