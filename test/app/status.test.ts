import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { leaseView, readStatusInput } from '../../src/app/status.js';
import type { LeaseHolder } from '../../src/stack/lease.js';
import { buildConfig, buildDesiredState, buildIdentity } from '../helpers/builders.js';
import { outputsOf } from '../helpers/fakes.js';
import { RecordingStackRunner } from '../helpers/recording-runner.js';

const STACK = 'shop-orders-api-prod-eu-west-1';

describe('status and history: what they read from the backend', () => {
  let leases: string;
  beforeEach(() => {
    leases = mkdtempSync(join(tmpdir(), 'ecs-crd-status-'));
  });
  afterEach(() => rmSync(leases, { recursive: true, force: true }));

  const holder: LeaseHolder = {
    host: hostname(),
    pid: process.pid,
    user: 'ci',
    command: 'deploy',
    since: '2025-01-01T12:00:00.000Z',
  };
  const leaseFile = () => join(leases, `${STACK}.json`);

  it('sees the lease as untracked without a lease folder, free without a lease file, else held', () => {
    assert.equal(leaseView(undefined, STACK), 'untracked');
    assert.equal(leaseView(leases, STACK), 'free');
    writeFileSync(leaseFile(), JSON.stringify(holder));
    assert.deepEqual(leaseView(leases, STACK), { holder, liveness: 'alive' });
  });

  it('reads the lease before the outputs, so a run ending in between does not look interrupted', async () => {
    writeFileSync(leaseFile(), JSON.stringify(holder));
    const runner = new RecordingStackRunner({
      outputs: outputsOf(buildDesiredState()),
      // The run releases its lease while the outputs are being read.
      onOutputs: () => rmSync(leaseFile()),
    });
    const input = await readStatusInput({
      identity: buildIdentity(),
      config: buildConfig(),
      runner,
      leases,
      stack: STACK,
    });
    assert.deepEqual(input.lease, { holder, liveness: 'alive' });
  });

  it('reads the outputs and the history, and nothing else: no update, no lock', async () => {
    const runner = new RecordingStackRunner({ outputs: null });
    const input = await readStatusInput({
      identity: buildIdentity(),
      config: buildConfig(),
      runner,
      leases,
      stack: STACK,
    });
    assert.deepEqual(runner.calls, ['outputs', 'history']);
    assert.equal(input.outputs, null);
    assert.deepEqual(input.history, []);
    assert.equal(input.lease, 'free');
  });
});
