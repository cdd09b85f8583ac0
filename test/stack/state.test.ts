import { expect } from 'chai';
import type { DeploymentMeta } from '../../src/canary/ports/stack.js';
import { deploymentHistory } from '../../src/canary/status.js';
import {
  metaOfMessage,
  parseHistory,
  parseOutputs,
  type RawUpdate,
  readWholeHistory,
  updateMessage,
} from '../../src/stack/state.js';

const meta: DeploymentMeta = {
  phase: 'deploying',
  liveSlot: 'blue',
  liveVersion: '1.0.0',
  deploymentId: 'd-1',
  candidateVersion: '1.1.0',
  candidateSlot: 'green',
  step: 0,
  startedAt: '2026-11-27T10:00:00.000Z',
  outcome: null,
  reason: null,
};

describe('stack state', () => {
  it('round-trips the deployment meta through the update message', () => {
    const message = updateMessage(meta);
    expect(message.split('\n')[0]).to.equal('ecs-crd deploying: 1.1.0 to green (deployment d-1)');
    expect(metaOfMessage(message)).to.deep.equal(meta);
  });

  it('ignores updates ecs-crd did not make, and broken messages', () => {
    expect(metaOfMessage('manual pulumi up')).to.equal(undefined);
    expect(metaOfMessage('ecs-crd stable: x\n{not json')).to.equal(undefined);
    expect(metaOfMessage(undefined)).to.equal(undefined);
  });

  it('reads no outputs as no deployment', () => {
    expect(parseOutputs({})).to.equal(null);
  });

  it('reads outputs back with defaults for what is missing', () => {
    const out = parseOutputs({ meta: { value: meta }, weights: { value: { blue: 90, green: 10 } } });
    expect(out?.meta.phase).to.equal('deploying');
    expect(out?.weights).to.deep.equal({ blue: 90, green: 10 });
    expect(out?.releases).to.deep.equal({});
  });

  it('maps the engine history, keeping the meta of each update', () => {
    const entries = parseHistory([
      {
        version: 2,
        kind: 'update',
        result: 'succeeded',
        startTime: '2026-11-27T10:00:00Z',
        endTime: '2026-11-27T10:01:00Z',
        message: updateMessage(meta),
      },
      { version: 1, kind: 'update', result: 'cancelled', startTime: '2026-11-27T09:00:00Z' },
    ]);
    expect(entries[0]).to.deep.include({
      version: 2,
      result: 'succeeded',
      endTime: '2026-11-27T10:01:00.000Z',
      meta,
    });
    expect(entries[1]).to.deep.include({ version: 1, result: 'failed' });
    expect(entries[1]).to.not.have.property('meta');
  });
});

/**
 * `pulumi stack history --json` over `updates` (newest first), as the CLI pages it: without a
 * page size, its default page of 10; pages count from 1; past the end, an empty page.
 */
function fakeEngineHistory(updates: readonly RawUpdate[]) {
  const calls: Array<[number | undefined, number | undefined]> = [];
  const read = async (pageSize?: number, page?: number): Promise<RawUpdate[]> => {
    calls.push([pageSize, page]);
    const size = pageSize ?? 10;
    const start = ((page ?? 1) - 1) * size;
    return updates.slice(start, start + size);
  };
  return { read, calls };
}

/** `deployments` runs of `perRun` updates each (provision, steps, finalize), newest first. */
function runsOfUpdates(deployments: number, perRun: number): RawUpdate[] {
  const updates: RawUpdate[] = [];
  for (let run = 0; run < deployments; run++) {
    const startedAt = new Date(Date.UTC(2026, 10, 1 + run, 10)).toISOString();
    for (let step = 0; step < perRun; step++) {
      const start = Date.parse(startedAt) + step * 60_000;
      const last = step === perRun - 1;
      updates.push({
        version: run * perRun + step + 1,
        kind: 'update',
        result: 'succeeded',
        startTime: new Date(start).toISOString(),
        endTime: new Date(start + 30_000).toISOString(),
        message: updateMessage({
          ...meta,
          deploymentId: `d-${run + 1}`,
          candidateVersion: `1.${run + 1}.0`,
          phase: last ? 'stable' : 'deploying',
          outcome: last ? 'deployed' : null,
          startedAt,
        }),
      });
    }
  }
  return updates.reverse();
}

describe('stack history: every page of it', () => {
  it('reads all 16 updates of 4 deployments, not the engine’s default page of 10', async () => {
    const engine = fakeEngineHistory(runsOfUpdates(4, 4));
    expect(await engine.read()).to.have.length(10); // what a call without a page size gets

    const entries = await readWholeHistory((size, page) => engine.read(size, page), 10);
    expect(entries).to.have.length(16);
    expect(entries.map((e) => e.version)).to.deep.equal(Array.from({ length: 16 }, (_, i) => 16 - i));
    expect(deploymentHistory(entries).map((d) => d.version)).to.deep.equal([
      '1.4.0',
      '1.3.0',
      '1.2.0',
      '1.1.0',
    ]);
  });

  it('stops at the first short page, and reads one empty page when the last one was full', async () => {
    const engine = fakeEngineHistory(runsOfUpdates(5, 4));
    expect(await readWholeHistory((size, page) => engine.read(size, page), 8)).to.have.length(20);
    expect(engine.calls).to.deep.equal([
      [8, 1],
      [8, 2],
      [8, 3],
    ]);
    const exact = fakeEngineHistory(runsOfUpdates(4, 4));
    expect(await readWholeHistory((size, page) => exact.read(size, page), 8)).to.have.length(16);
    expect(exact.calls).to.have.length(3);
  });

  it('reads an empty history (a stack never updated) as no entry', async () => {
    expect(await readWholeHistory(async () => null)).to.deep.equal([]);
  });
});
