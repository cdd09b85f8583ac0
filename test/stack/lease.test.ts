import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { fileLeaseStore, leaseDir } from '../../src/stack/lease.js';
import { leaseStoreContract } from '../helpers/lease-store-contract.js';

describe('the file lease store', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'ecs-crd-lease-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const dir = () => join(root, '.ecs-crd', 'leases');

  it('lives beside a file backend only', () => {
    expect(leaseDir('file:///var/state')).to.equal('/var/state/.ecs-crd/leases');
    expect(leaseDir('s3://bucket')).to.equal(undefined);
  });

  it('keeps its leases private, and pids on this host believable', async () => {
    const store = fileLeaseStore(dir());
    expect(store.checksPids).to.equal(true);
    const version = await store.create('stack-a', {
      host: 'h',
      pid: 1,
      user: 'u',
      command: 'deploy',
      since: 'now',
    });
    expect(statSync(dir()).mode & 0o777).to.equal(0o700);
    expect(statSync(join(dir(), 'stack-a.json')).mode & 0o777).to.equal(0o600);
    await store.replace(
      'stack-a',
      { host: 'h', pid: 1, user: 'u', command: 'deploy', since: 'now', renewed: 'later' },
      version ?? '',
    );
    expect(statSync(join(dir(), 'stack-a.json')).mode & 0o777).to.equal(0o600);
  });

  describe('as every lease store', () => {
    leaseStoreContract(() => fileLeaseStore(dir()), { races: 20 });
  });
});
