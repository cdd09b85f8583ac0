import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { StackLockedError } from '../../src/errors.js';
import { acquireLease, leaseDir, readLease } from '../../src/stack/lease.js';

/** A pid that surely ran and ended: a child we waited for. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid ?? 999_999;
}

describe('deployment lease', () => {
  let dir: string;
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'ecs-crd-lease-')), 'leases');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('lives beside a file backend only', () => {
    expect(leaseDir('file:///var/state')).to.equal('/var/state/.ecs-crd/leases');
    expect(leaseDir('s3://bucket')).to.equal(undefined);
  });

  it('is private, names its holder, and is gone once released', () => {
    const lease = acquireLease(dir, 'stack-a', 'deploy');
    expect(statSync(join(dir, 'stack-a.json')).mode & 0o777).to.equal(0o600);
    expect(readLease(dir, 'stack-a')).to.deep.include({ liveness: 'alive' });
    expect(readLease(dir, 'stack-a')?.holder).to.include({
      pid: process.pid,
      command: 'deploy',
      host: hostname(),
    });
    lease.release();
    expect(readLease(dir, 'stack-a')).to.equal(undefined);
  });

  it('refuses a second holder while the first runs, naming it', () => {
    const lease = acquireLease(dir, 'stack-a', 'deploy');
    try {
      expect(() => acquireLease(dir, 'stack-a', 'deploy'))
        .to.throw(StackLockedError)
        .with.property('message')
        .that.matches(new RegExp(`deploy by .*@${hostname()} \\(pid ${process.pid}\\)`));
      expect(() => acquireLease(dir, 'stack-a', 'rollback', { takeOverDead: true })).to.throw(
        StackLockedError,
      );
    } finally {
      lease.release();
    }
  });

  it('sends deploy to rollback when the holder died, and lets rollback take over', () => {
    acquireLease(dir, 'stack-a', 'deploy');
    const file = join(dir, 'stack-a.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), pid: deadPid() }));
    expect(readLease(dir, 'stack-a')?.liveness).to.equal('dead');
    expect(() => acquireLease(dir, 'stack-a', 'deploy'))
      .to.throw(StackLockedError)
      .with.property('hint')
      .that.matches(/ecs-crd rollback/);
    const lease = acquireLease(dir, 'stack-a', 'rollback', { takeOverDead: true });
    expect(readLease(dir, 'stack-a')?.holder.command).to.equal('rollback');
    lease.release();
  });

  it('keeps what a deploy set out to do, and tells rollback whose lease it took over', () => {
    const attempt = { deploymentId: 'd-1', version: '2.0.0', startedAt: '2025-01-01T12:00:00.000Z' };
    acquireLease(dir, 'stack-a', 'deploy', { attempt });
    const file = join(dir, 'stack-a.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), pid: deadPid() }));
    expect(() => acquireLease(dir, 'stack-a', 'deploy'))
      .to.throw(StackLockedError)
      .with.property('message')
      .that.matches(/version 2\.0\.0 \(deployment d-1, .*\) was interrupted/);
    const lease = acquireLease(dir, 'stack-a', 'rollback', { takeOverDead: true });
    expect(lease.takenOver?.liveness).to.equal('dead');
    expect(lease.takenOver?.holder).to.deep.include({ command: 'deploy', deployment: attempt });
    lease.release();
    expect(acquireLease(dir, 'stack-a', 'rollback').takenOver).to.equal(undefined);
  });

  it('does not judge a holder on another host, unless forced', () => {
    acquireLease(dir, 'stack-a', 'deploy');
    const file = join(dir, 'stack-a.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), host: 'elsewhere' }));
    expect(readLease(dir, 'stack-a')?.liveness).to.equal('unknown');
    expect(() => acquireLease(dir, 'stack-a', 'rollback', { takeOverDead: true })).to.throw(StackLockedError);
    acquireLease(dir, 'stack-a', 'rollback', { force: true }).release();
  });

  it('never releases a lease another process took over', () => {
    const lease = acquireLease(dir, 'stack-a', 'deploy');
    const file = join(dir, 'stack-a.json');
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), pid: process.pid + 1 }));
    lease.release();
    expect(readLease(dir, 'stack-a')).to.not.equal(undefined);
  });

  it('costs nothing where the backend keeps no lease', () => {
    expect(() => acquireLease(undefined, 'stack-a', 'deploy').release()).to.not.throw();
  });
});
