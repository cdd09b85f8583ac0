import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { leaseView, readStatusInput } from '../../src/app/status.js';
import type { LeaseHolder } from '../../src/canary/ports/lease.js';
import { buildConfig, buildDesiredState } from '../helpers/builders.js';
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
    expect(leaseView(undefined, STACK)).to.equal('untracked');
    expect(leaseView(leases, STACK)).to.equal('free');
    writeFileSync(leaseFile(), JSON.stringify(holder));
    expect(leaseView(leases, STACK)).to.deep.equal({ holder, liveness: 'alive' });
  });

  it('reads the lease before the outputs, so a run ending in between does not look interrupted', async () => {
    writeFileSync(leaseFile(), JSON.stringify(holder));
    const runner = new RecordingStackRunner({
      outputs: outputsOf(buildDesiredState()),
      // The run releases its lease while the outputs are being read.
      onOutputs: () => rmSync(leaseFile()),
    });
    const input = await readStatusInput({
      config: buildConfig(),
      runner,
      leases,
      stack: STACK,
    });
    expect(input.lease).to.deep.equal({ holder, liveness: 'alive' });
  });

  it('reads the outputs and the history, and nothing else: no update, no lock', async () => {
    const runner = new RecordingStackRunner({ outputs: null });
    const input = await readStatusInput({
      config: buildConfig(),
      runner,
      leases,
      stack: STACK,
    });
    expect(runner.calls).to.deep.equal(['outputs', 'history']);
    expect(input.outputs).to.equal(null);
    expect(input.history).to.deep.equal([]);
    expect(input.lease).to.equal('free');
  });
});
