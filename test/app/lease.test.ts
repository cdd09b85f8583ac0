/**
 * The lease of a run through a store (here a file backend's folder; the S3 store meets the
 * same contract in test/e2e/lease-s3.test.ts): taken or refused, renewed while the run lives,
 * waited for and taken over by `rollback`, and a run whose lease was taken over ends exit 5.
 * Real time, with ECS_CRD_LEASE_TTL at 2 s (renewal every 0.5 s).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { acquireLease, type Lease, leaseStoreFor, readLease, withLease } from '../../src/app/lease.js';
import { rolloutDeps } from '../../src/app/rollout-deps.js';
import type { ProgressEvent } from '../../src/canary/events.js';
import type { LeaseHolder, LeaseStore } from '../../src/canary/ports/lease.js';
import { StackLockedError, UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { fileLeaseStore } from '../../src/stack/lease.js';
import { setEnv } from '../aws/fake-endpoint.js';
import { RecordingStackRunner } from '../helpers/recording-runner.js';
import { openedService } from './opened.js';

const STACK = 'shop-orders-api-prod-eu-west-1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A pid that surely ran and ended: a child we waited for. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid ?? 999_999;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('app/lease: a run’s deployment lease', function () {
  this.timeout(20_000);
  let root: string;
  let store: LeaseStore;
  let restoreEnv: () => void;
  const held: Lease[] = [];
  const file = () => join(root, `${STACK}.json`);
  const other: LeaseHolder = {
    host: 'build-7',
    pid: 4242,
    user: 'bo',
    command: 'deploy',
    since: '2025-01-01T12:00:00Z',
  };
  /** Another machine's lease, written `ageMs` ago. */
  const othersLease = (ageMs = 0) => {
    writeFileSync(file(), JSON.stringify(other));
    const at = new Date(Date.now() - ageMs);
    utimesSync(file(), at, at);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ecs-crd-app-lease-'));
    store = fileLeaseStore(root);
    restoreEnv = setEnv({ ECS_CRD_LEASE_TTL: '2' });
  });
  afterEach(async () => {
    for (const lease of held.splice(0)) await lease.release();
    restoreEnv();
    rmSync(root, { recursive: true, force: true });
  });
  const take = async (...args: Parameters<typeof acquireLease>) => {
    const lease = await acquireLease(...args);
    held.push(lease);
    return lease;
  };

  it('names its holder, is renewed while the run lives, and is gone once released', async () => {
    const lease = await take(store, STACK, 'deploy');
    const first = await store.read(STACK);
    expect(first?.holder).to.include({ pid: process.pid, host: hostname(), command: 'deploy' });
    await sleep(1_200);
    const later = await store.read(STACK);
    expect(later?.version).to.not.equal(first?.version);
    expect(later?.holder.renewed).to.be.a('string');
    expect((await readLease(store, STACK))?.liveness).to.equal('alive');
    await lease.release();
    expect(await store.read(STACK)).to.equal(undefined);
  });

  it('refuses a second run at once while the first holds it, naming the holder (exit 5)', async () => {
    await take(store, STACK, 'deploy');
    const error = await rejectionOf(acquireLease(store, STACK, 'deploy'));
    expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
    expect((error as Error).message).to.match(
      new RegExp(`deploy by .*@${hostname()} \\(pid ${process.pid}\\)`),
    );
  });

  it('sends deploy to rollback when the holder died or its lease expired', async () => {
    writeFileSync(file(), JSON.stringify({ ...other, host: hostname(), pid: deadPid() }));
    expect((await readLease(store, STACK))?.liveness).to.equal('dead');
    const dead = await rejectionOf(acquireLease(store, STACK, 'deploy'));
    expect((dead as StackLockedError).hint).to.match(/ecs-crd rollback/);
    othersLease(5_000);
    expect((await readLease(store, STACK))?.liveness).to.equal('expired');
    const expired = await rejectionOf(acquireLease(store, STACK, 'undeploy'));
    expect(exitCodeOf(expired)).to.equal(ExitCode.Locked);
    expect((expired as Error).message).to.match(/no longer runs: its lease was last renewed 5 s ago/);
  });

  it('lets rollback take over an expired lease at once, saying whose', async () => {
    othersLease(5_000);
    const events: ProgressEvent[] = [];
    const lease = await take(store, STACK, 'rollback', {
      takeOverGone: true,
      waitForExpiry: true,
      reporter: (e) => events.push(e),
    });
    expect(lease.takenOver).to.deep.include({ holder: other, liveness: 'expired' });
    expect((await store.read(STACK))?.holder.command).to.equal('rollback');
    expect(events.map((e) => [e.code, e.data])).to.deep.equal([
      [
        'lease.notice',
        {
          kind: 'taken-over',
          holder: 'deploy by bo@build-7 (pid 4242) since 2025-01-01T12:00:00Z',
          seconds: null,
        },
      ],
    ]);
  });

  it('makes rollback wait for a live lease that then expires, and take it over', async () => {
    othersLease(0);
    const events: ProgressEvent[] = [];
    const started = Date.now();
    const lease = await take(store, STACK, 'rollback', {
      takeOverGone: true,
      waitForExpiry: true,
      reporter: (e) => events.push(e),
    });
    expect(Date.now() - started).to.be.within(1_900, 5_000);
    expect(lease.takenOver?.liveness).to.equal('expired');
    expect(events[0]).to.deep.include({ code: 'lease.notice', level: 'warn' });
    expect(events[0]?.data).to.deep.include({ kind: 'waiting', seconds: 3 });
    expect(events[0]?.text).to.match(/held by deploy by bo@build-7 .*waiting up to 3 s/);
  });

  it('makes rollback wait for a live lease that is then renewed, and stop (exit 5) naming its holder', async () => {
    othersLease(0);
    setTimeout(
      () => writeFileSync(file(), JSON.stringify({ ...other, renewed: new Date().toISOString() })),
      600,
    );
    const error = await rejectionOf(
      acquireLease(store, STACK, 'rollback', { takeOverGone: true, waitForExpiry: true }),
    );
    expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
    expect((error as Error).message).to.match(
      /held by another run: deploy by bo@build-7 .*renewed its lease while this run waited/,
    );
    expect(JSON.parse(readFileSync(file(), 'utf8'))).to.include({ user: 'bo' });
  });

  it('lets rollback --force break a live lease at once, saying whose; the run that held it ends exit 5 naming the taker', async () => {
    const events: ProgressEvent[] = [];
    const work = withLease(store, STACK, 'deploy', { reporter: (e) => events.push(e) }, async ({ lost }) => {
      // The rollout stops at the hard stop this signal is wired to; here: wait for it.
      await new Promise((resolve) => lost.addEventListener('abort', resolve));
      return 'document';
    });
    await sleep(100);
    const breaker = await take(store, STACK, 'rollback', {
      takeOverGone: true,
      waitForExpiry: true,
      force: true,
    });
    expect(breaker.takenOver).to.deep.include({ liveness: 'alive' });
    expect(breaker.takenOver?.holder).to.include({ command: 'deploy', pid: process.pid });
    const error = await rejectionOf(work);
    expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
    expect((error as Error).message).to.match(
      /The stack was taken over by another run \(rollback by .*\) while this one held it: this run stopped making changes/,
    );
    expect(events.map((e) => [e.code, e.level])).to.deep.equal([['lease.notice', 'error']]);
    expect(events[0]?.data).to.include({ kind: 'lost' });
    expect(events[0]?.data)
      .to.have.property('holder')
      .that.matches(/^rollback by .*\(pid \d+\) since /);
    // The lease is the rollback's: the lost run did not release it.
    expect((await store.read(STACK))?.holder.command).to.equal('rollback');
  });

  it('stops the rollout at once when the lease is lost, as a second Ctrl-C does', async () => {
    const opened = openedService({ runner: new RecordingStackRunner({ outputs: null }) });
    const ctrlC = new AbortController();
    const lost = new AbortController();
    const deps = await rolloutDeps(
      opened,
      { reporter: () => {}, hardStop: ctrlC.signal },
      undefined,
      lost.signal,
    );
    expect(deps.hardStop?.aborted).to.equal(false);
    lost.abort(new StackLockedError('taken'));
    expect(deps.hardStop?.aborted).to.equal(true);
    const alone = await rolloutDeps(opened, { reporter: () => {} }, undefined, new AbortController().signal);
    expect(alone.hardStop?.aborted).to.equal(false);
  });

  it('knows its own write when S3 did it but the answer was lost and the retry refused', async () => {
    // What the SDK's retry of a conditional put that S3 had done meets: 412, as if another run wrote.
    const answerLost: LeaseStore = {
      ...store,
      create: async (stack, holder) => {
        await store.create(stack, holder);
        return undefined;
      },
      replace: async (stack, holder, version) => {
        await store.replace(stack, holder, version);
        return undefined;
      },
    };
    const events: ProgressEvent[] = [];
    const lease = await take(answerLost, STACK, 'deploy', { reporter: (e) => events.push(e) });
    await sleep(1_200);
    expect(lease.lost.aborted).to.equal(false);
    expect(events).to.deep.equal([]);
    expect((await store.read(STACK))?.holder.renewed).to.be.a('string');
    await lease.release();
    expect(await store.read(STACK)).to.equal(undefined);
  });

  it('releases the lease however the work ends', async () => {
    const error = await rejectionOf(
      withLease(store, STACK, 'undeploy', {}, async () => {
        throw new UsageError('no');
      }),
    );
    expect(error).to.be.instanceOf(UsageError);
    expect(await store.read(STACK)).to.equal(undefined);
  });

  it('refuses an ECS_CRD_LEASE_TTL that is no number of seconds before taking anything', async () => {
    setEnv({ ECS_CRD_LEASE_TTL: 'soon' });
    expect(await rejectionOf(acquireLease(store, STACK, 'deploy'))).to.be.instanceOf(UsageError);
    expect(await store.read(STACK)).to.equal(undefined);
  });

  it('is kept beside file and S3 state, with its control channel; Pulumi Cloud keeps none', () => {
    const aws = { region: 'eu-west-1' };
    const file = leaseStoreFor('file:///var/state', aws);
    expect(file).to.include({ location: '/var/state/.ecs-crd/leases', checksPids: true });
    const s3 = leaseStoreFor('s3://team-state/prod', aws);
    expect(s3).to.include({ location: 's3://team-state/prod/.ecs-crd/leases', checksPids: false });
    expect(s3?.control(STACK)).to.have.keys('send', 'take');
    expect(leaseStoreFor('https://api.pulumi.com', aws)).to.equal(undefined);
  });

  it('costs nothing where the backend keeps no lease', async () => {
    const lease = await acquireLease(undefined, STACK, 'deploy');
    expect(lease.lost.aborted).to.equal(false);
    await lease.release();
    expect(await readLease(undefined, STACK)).to.equal(undefined);
  });
});
