import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { historyOf, leaseView, readStatusInput } from '../../src/app/status.js';
import type { LeaseHolder } from '../../src/canary/ports/lease.js';
import type { HistoryEntry } from '../../src/canary/ports/stack.js';
import { fileLeaseStore } from '../../src/stack/lease.js';
import { buildConfig, buildDesiredState, buildMeta } from '../helpers/builders.js';
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

  it('sees the lease as untracked without a lease store, free without a lease file, else held', async () => {
    expect(await leaseView(undefined, STACK)).to.equal('untracked');
    expect(await leaseView(fileLeaseStore(leases), STACK)).to.equal('free');
    writeFileSync(leaseFile(), JSON.stringify(holder));
    expect(await leaseView(fileLeaseStore(leases), STACK)).to.deep.equal({ holder, liveness: 'alive' });
  });

  it('sees a lease not renewed within ECS_CRD_LEASE_TTL as expired', async () => {
    writeFileSync(leaseFile(), JSON.stringify(holder));
    const old = new Date(Date.now() - 61_000);
    utimesSync(leaseFile(), old, old);
    expect(await leaseView(fileLeaseStore(leases), STACK)).to.deep.equal({ holder, liveness: 'expired' });
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
      leases: fileLeaseStore(leases),
      stack: STACK,
    });
    expect(input.lease).to.deep.equal({ holder, liveness: 'alive' });
  });

  it('reads the outputs and the history, and nothing else: no update, no lock', async () => {
    const runner = new RecordingStackRunner({ outputs: null });
    const input = await readStatusInput({
      config: buildConfig(),
      runner,
      leases: fileLeaseStore(leases),
      stack: STACK,
    });
    expect(runner.calls).to.deep.equal(['outputs', 'history']);
    expect(input.outputs).to.equal(null);
    expect(input.history).to.deep.equal([]);
    expect(input.lease).to.equal('free');
  });
});

describe('history: how many deployments it shows', () => {
  /** Five deployments of three updates each (provision, one step, finalize), oldest first. */
  const history: HistoryEntry[] = Array.from({ length: 15 }, (_, index) => {
    const run = Math.floor(index / 3);
    const startTime = new Date(Date.UTC(2024, 4, 1 + run, 10, index % 3)).toISOString();
    const last = index % 3 === 2;
    return {
      version: index + 1,
      kind: 'update',
      result: 'succeeded',
      startTime,
      endTime: startTime,
      meta: buildMeta({
        deploymentId: `d-${run + 1}`,
        candidateVersion: `1.${run + 1}.0`,
        candidateSlot: run % 2 === 0 ? 'green' : 'blue',
        startedAt: new Date(Date.UTC(2024, 4, 1 + run, 10)).toISOString(),
        phase: last ? 'stable' : 'deploying',
        outcome: last ? 'deployed' : null,
      }),
    };
  });
  const input = { config: buildConfig(), outputs: null, history, lease: 'free' as const };

  it('shows every deployment of a long history, newest first', () => {
    expect(historyOf(input).map((d) => d.version)).to.deep.equal([
      '1.5.0',
      '1.4.0',
      '1.3.0',
      '1.2.0',
      '1.1.0',
    ]);
  });

  it('shows the N newest with a limit', () => {
    expect(historyOf(input, 2).map((d) => d.version)).to.deep.equal(['1.5.0', '1.4.0']);
    expect(historyOf(input, 9)).to.have.length(5);
  });
});
