/**
 * The lease store of an S3 backend against the sandbox's moto (whose conditional writes are
 * atomic, as S3's: sandbox/moto/server.py): the contract every store meets (ten runs creating
 * at once, one wins, many times over), then the lease of a run on it: objects beside the
 * state's prefix, renewal, a fresh lease refused, an expired one taken over, the control
 * channel, and a missing bucket named.
 */
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { acquireLease, type Lease, leaseStoreFor, readLease } from '../../src/app/lease.js';
import { s3ReportShelf } from '../../src/aws/report-shelf-s3.js';
import type { LeaseStore } from '../../src/canary/ports/lease.js';
import { StackLockedError, type UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { setEnv } from '../aws/fake-endpoint.js';
import { leaseStoreContract } from '../helpers/lease-store-contract.js';

const BUCKET = 'team-state';
const STACK = 'shop-orders-api-prod-eu-west-1';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the S3 lease store, against the sandbox', function () {
  this.timeout(120_000);
  let sandbox: Sandbox;
  let s3: S3Client;
  let restoreEnv: () => void;
  const open = (url = `s3://${BUCKET}/team/state`): LeaseStore => {
    const store = leaseStoreFor(url, { region: sandbox.region, endpointUrl: sandbox.endpoint });
    if (!store) throw new Error('no S3 lease store');
    return store;
  };

  before(async () => {
    sandbox = await startSandbox({ traffic: false });
    restoreEnv = setEnv({
      AWS_ACCESS_KEY_ID: FAKE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: FAKE_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_EC2_METADATA_DISABLED: 'true',
      ECS_CRD_LEASE_TTL: '2',
    });
    s3 = new S3Client({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: FAKE_CREDENTIALS,
      forcePathStyle: true,
    });
    await s3.send(
      new CreateBucketCommand({
        Bucket: BUCKET,
        CreateBucketConfiguration: { LocationConstraint: sandbox.region as 'eu-west-1' },
      }),
    );
  });
  after(async () => {
    s3?.destroy();
    restoreEnv?.();
    await sandbox?.stop();
  });

  describe('as every lease store', () => {
    leaseStoreContract(() => open(), { races: 30 });
  });

  describe('the lease of a run', () => {
    const held: Lease[] = [];
    afterEach(async () => {
      for (const lease of held.splice(0)) await lease.release();
    });

    it('keeps its objects beside the state: <prefix>/.ecs-crd/leases and /control', async () => {
      const store = open();
      held.push(await acquireLease(store, STACK, 'deploy'));
      await store
        .control(STACK)
        .send({ action: 'abort', full: false, deploymentId: 'd', by: 'ana', at: 'now' });
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'team/state/.ecs-crd/' }),
      );
      const keys = (listed.Contents ?? [])
        .map((o) => o.Key ?? '')
        .filter((key) => key.endsWith(`/${STACK}.json`));
      expect(keys.sort()).to.deep.equal([
        `team/state/.ecs-crd/control/${STACK}.json`,
        `team/state/.ecs-crd/leases/${STACK}.json`,
      ]);
      const body = await s3.send(
        new GetObjectCommand({ Bucket: BUCKET, Key: `team/state/.ecs-crd/leases/${STACK}.json` }),
      );
      expect(JSON.parse((await body.Body?.transformToString()) ?? '')).to.include({
        pid: process.pid,
        command: 'deploy',
      });
      expect(await store.control(STACK).take('d')).to.include({ action: 'abort' });
      expect(store.checksPids).to.equal(false);
    });

    it('lets exactly one of ten runs deploying at once proceed; the others exit 5 naming it', async () => {
      const store = open();
      const stack = `${STACK}-race`;
      const tries = await Promise.allSettled(
        Array.from({ length: 10 }, () => acquireLease(store, stack, 'deploy')),
      );
      const won = tries.filter((t): t is PromiseFulfilledResult<Lease> => t.status === 'fulfilled');
      expect(won).to.have.length(1);
      held.push(...won.map((t) => t.value));
      for (const refused of tries.filter((t) => t.status === 'rejected')) {
        const reason = (refused as PromiseRejectedResult).reason as Error;
        expect(exitCodeOf(reason)).to.equal(ExitCode.Locked);
        expect(reason.message).to.match(/held by another run: deploy by .* \(pid \d+\) since /);
      }
    });

    it('is renewed while the run lives, so a second run is refused long after the TTL', async () => {
      const store = open();
      const stack = `${STACK}-renew`;
      held.push(await acquireLease(store, stack, 'deploy'));
      const first = await store.read(stack);
      await sleep(3_000);
      const later = await store.read(stack);
      expect(later?.version).to.not.equal(first?.version);
      expect(later?.holder.renewed).to.be.a('string');
      expect((await readLease(store, stack))?.liveness).to.equal('alive');
      const error = await acquireLease(store, stack, 'rollback', { takeOverGone: true }).catch(
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(StackLockedError);
    });

    it('expires when no longer renewed: deploy is sent to rollback, which takes it over', async () => {
      const store = open();
      const stack = `${STACK}-expired`;
      const holder = {
        host: 'other-machine',
        pid: 1,
        user: 'bo',
        command: 'deploy',
        since: '2025-01-01T12:00:00Z',
      };
      await store.create(stack, holder);
      await sleep(3_100);
      expect((await readLease(store, stack))?.liveness).to.equal('expired');
      const refused = await acquireLease(store, stack, 'deploy').catch((e: unknown) => e);
      expect((refused as StackLockedError).message).to.match(
        /no longer runs: its lease was last renewed \d+ s ago/,
      );
      expect((refused as StackLockedError).hint).to.match(/ecs-crd rollback/);
      const lease = await acquireLease(store, stack, 'rollback', { takeOverGone: true, waitForExpiry: true });
      held.push(lease);
      expect(lease.takenOver).to.deep.include({ holder, liveness: 'expired' });
      expect((await store.read(stack))?.holder.command).to.equal('rollback');
    });

    it('names a missing bucket and what to do (exit 2)', async () => {
      const error = await open('s3://no-such-bucket/x')
        .read(STACK)
        .catch((e: unknown) => e);
      // By name: under tsx, a module loaded through import() (the S3 store is) has its own copy of src/errors.ts.
      expect(error).to.have.property('name', 'UsageError');
      expect((error as UsageError).message).to.match(/bucket no-such-bucket does not exist/);
      expect((error as UsageError).hint).to.match(/--backend-url/);
    });
  });

  describe('the report data beside the state', () => {
    it('keeps the newest per stack, reads one by id or the newest, and nothing of another stack', async () => {
      const shelf = s3ReportShelf(
        `s3://${BUCKET}/team/state`,
        { region: sandbox.region, endpointUrl: sandbox.endpoint },
        2,
      );
      for (const id of ['d-1', 'd-2', 'd-3']) await shelf.keep(STACK, id, `{"id":"${id}"}`);
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `team/state/.ecs-crd/reports/${STACK}/` }),
      );
      expect((listed.Contents ?? []).map((o) => o.Key).sort()).to.deep.equal([
        `team/state/.ecs-crd/reports/${STACK}/d-2.json`,
        `team/state/.ecs-crd/reports/${STACK}/d-3.json`,
      ]);
      expect(await shelf.read(STACK)).to.equal('{"id":"d-3"}');
      expect(await shelf.read(STACK, 'd-2')).to.equal('{"id":"d-2"}');
      expect(await shelf.read(STACK, 'd-1')).to.equal(null);
      expect(await shelf.read('another-stack')).to.equal(null);
    });
  });
});
