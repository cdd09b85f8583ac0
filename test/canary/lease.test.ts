import { expect } from 'chai';
import {
  DEFAULT_LEASE_TTL_S,
  judgeWait,
  leaseRefusal,
  leaseTtlMs,
  leaseWaitMs,
  livenessOf,
  lostLease,
  onHeldLease,
  parseHolder,
  renewIntervalMs,
  seenRunning,
} from '../../src/canary/lease.js';
import type { LeaseHolder, StoredLease } from '../../src/canary/ports/lease.js';
import { StackLockedError, UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';

const HOLDER: LeaseHolder = {
  host: 'build-7',
  pid: 4242,
  user: 'ana',
  command: 'deploy',
  since: '2025-01-01T12:00:00Z',
};
const stored = (ageMs: number, version = 'v1', holder = HOLDER): StoredLease => ({ holder, version, ageMs });
const TTL = 60_000;

describe('canary/lease: the decisions about a deployment lease', () => {
  describe('its TTL (ECS_CRD_LEASE_TTL)', () => {
    it('is 60 s by default, renewed every quarter of it', () => {
      expect(DEFAULT_LEASE_TTL_S).to.equal(60);
      expect(leaseTtlMs(undefined)).to.equal(60_000);
      expect(leaseTtlMs('')).to.equal(60_000);
      expect(renewIntervalMs(60_000)).to.equal(15_000);
    });

    it('takes whole seconds from 2 to 3600', () => {
      expect(leaseTtlMs('5')).to.equal(5_000);
      expect(leaseTtlMs(' 3600 ')).to.equal(3_600_000);
    });

    for (const bad of ['1', '0', '-5', '2.5', '1e3', 'sixty', '3601']) {
      it(`refuses ${JSON.stringify(bad)} as a usage error naming the variable`, () => {
        expect(() => leaseTtlMs(bad))
          .to.throw(UsageError, /ECS_CRD_LEASE_TTL/)
          .with.property('hint')
          .that.matches(/whole seconds from 2 to 3600/);
      });
    }
  });

  describe('the liveness of a holder', () => {
    const at = (checksPids: boolean, alive: boolean) => ({
      ttlMs: TTL,
      host: 'build-7',
      checksPids,
      pidAlive: () => alive,
    });

    it('is alive while renewed within the TTL, expired after', () => {
      expect(livenessOf(stored(59_000), at(true, true))).to.equal('alive');
      expect(livenessOf(stored(60_000), at(true, true))).to.equal('alive');
      expect(livenessOf(stored(60_001), at(true, true))).to.equal('expired');
    });

    it('is dead at once on this host when its process is gone, where pids are believed (file)', () => {
      expect(livenessOf(stored(1_000), at(true, false))).to.equal('dead');
    });

    it('never trusts a pid on S3, nor one of another host: only the TTL judges', () => {
      expect(livenessOf(stored(1_000), at(false, false))).to.equal('alive');
      expect(livenessOf(stored(1_000, 'v', { ...HOLDER, host: 'elsewhere' }), at(true, false))).to.equal(
        'alive',
      );
      expect(livenessOf(stored(90_000), at(false, false))).to.equal('expired');
    });

    it('is judged by the TTL its holder recorded, not the reader’s own (set lower on another machine)', () => {
      const renewsHourly = { ...HOLDER, ttl: 3600 };
      expect(livenessOf(stored(90_000, 'v', renewsHourly), at(false, false))).to.equal('alive');
      expect(livenessOf(stored(3_600_001, 'v', renewsHourly), at(false, false))).to.equal('expired');
      expect(livenessOf(stored(5_000, 'v', { ...HOLDER, ttl: 4 }), at(false, false))).to.equal('expired');
      // A damaged record: the reader's TTL.
      expect(livenessOf(stored(59_000, 'v', { ...HOLDER, ttl: -1 }), at(false, false))).to.equal('alive');
      // Nor longer than the longest TTL there is.
      expect(livenessOf(stored(3_600_001, 'v', { ...HOLDER, ttl: 1e9 }), at(false, false))).to.equal(
        'expired',
      );
    });
  });

  describe('what a command does about a lease another run holds', () => {
    const deploy = {};
    const promote = { takeOverGone: true };
    const rollback = { takeOverGone: true, waitForExpiry: true };

    it('deploy and undeploy refuse whatever its state; with --force they take it', () => {
      for (const liveness of ['alive', 'dead', 'expired'] as const) {
        expect(onHeldLease(liveness, deploy)).to.equal('refuse');
        expect(onHeldLease(liveness, { force: true })).to.equal('take-over');
      }
    });

    it('promote takes over a gone holder’s lease, and refuses a live one', () => {
      expect(onHeldLease('dead', promote)).to.equal('take-over');
      expect(onHeldLease('expired', promote)).to.equal('take-over');
      expect(onHeldLease('alive', promote)).to.equal('refuse');
    });

    it('rollback takes over a gone holder’s lease, waits for a live one, and with --force breaks it at once', () => {
      expect(onHeldLease('dead', rollback)).to.equal('take-over');
      expect(onHeldLease('expired', rollback)).to.equal('take-over');
      expect(onHeldLease('alive', rollback)).to.equal('wait');
      expect(onHeldLease('alive', { ...rollback, force: true })).to.equal('take-over');
    });

    it('rollback refuses at once a holder seen running on this host: waiting would only see it renew', () => {
      expect(onHeldLease('alive', rollback, true)).to.equal('refuse');
      expect(onHeldLease('alive', { ...rollback, force: true }, true)).to.equal('take-over');
    });

    it('sees a holder running only on this host, where the store believes pids, and its process is there', () => {
      const at = { ttlMs: TTL, host: 'build-7', checksPids: true, pidAlive: (pid: number) => pid === 4242 };
      expect(seenRunning(stored(1000), at)).to.equal(true);
      expect(seenRunning(stored(1000), { ...at, checksPids: false })).to.equal(false);
      expect(seenRunning(stored(1000), { ...at, host: 'build-8' })).to.equal(false);
      expect(seenRunning(stored(1000, 'v1', { ...HOLDER, pid: 1 }), at)).to.equal(false);
    });
  });

  describe('rollback’s wait', () => {
    it('lasts until the lease would expire, and one read more', () => {
      expect(leaseWaitMs(stored(20_000), TTL)).to.equal(40_000 + 2_000);
      expect(leaseWaitMs(stored(0), 4_000)).to.equal(4_000 + 250);
      expect(leaseWaitMs(stored(70_000), TTL)).to.equal(2_000);
      expect(leaseWaitMs(stored(1_000, 'v', { ...HOLDER, ttl: 4 }), TTL)).to.equal(3_000 + 250);
    });

    it('ends renewed when the version changed, released when it is gone, gone when it expired', () => {
      const first = stored(10_000, 'v1');
      expect(judgeWait(first, stored(0, 'v2'), 'alive')).to.equal('renewed');
      expect(judgeWait(first, undefined, undefined)).to.equal('released');
      expect(judgeWait(first, stored(61_000, 'v1'), 'expired')).to.equal('gone');
      expect(judgeWait(first, stored(11_000, 'v1'), 'dead')).to.equal('gone');
      expect(judgeWait(first, stored(11_000, 'v1'), 'alive')).to.equal('waiting');
    });
  });

  describe('the refusals (exit 5)', () => {
    it('names a live holder, and says how the stack can be taken if it is gone', () => {
      const error = leaseRefusal(stored(1_000), 'alive');
      expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
      expect(error.message).to.equal(
        'The stack is held by another run: deploy by ana@build-7 (pid 4242) since 2025-01-01T12:00:00Z.',
      );
      expect(error.hint).to.match(/rollback --force/);
      expect(leaseRefusal(stored(1_000), 'alive', true).message).to.match(
        /renewed its lease while this run waited/,
      );
    });

    it('sends an expired or dead holder’s stack to rollback, saying how it is known to be gone', () => {
      const expired = leaseRefusal(stored(95_000), 'expired');
      expect(expired).to.be.instanceOf(StackLockedError);
      expect(expired.message).to.match(
        /interrupted: deploy by ana@build-7 .* no longer runs: its lease was last renewed 95 s ago/,
      );
      expect(expired.hint).to.match(/ecs-crd rollback/);
      expect(leaseRefusal(stored(1_000), 'dead').message).to.match(/no longer runs\.$/);
    });

    it('ends a run whose lease was taken over, naming who took it', () => {
      const error = lostLease({ ...HOLDER, command: 'rollback', user: 'bo' });
      expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
      expect(error.message).to.match(
        /taken over by another run \(rollback by bo@build-7 \(pid 4242\) since .*\) while this one held it: this run stopped making changes/,
      );
      expect(lostLease(undefined).message).to.match(/lease of this run was removed/);
    });
  });

  it('reads a holder from a store, and nothing from garbage', () => {
    expect(parseHolder(JSON.stringify(HOLDER))).to.deep.equal(HOLDER);
    for (const bad of ['', '{', 'null', '[]', JSON.stringify({ ...HOLDER, pid: '1' })]) {
      expect(parseHolder(bad), bad).to.equal(undefined);
    }
  });
});
