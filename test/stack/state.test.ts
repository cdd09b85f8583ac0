import { expect } from 'chai';
import type { DeploymentMeta } from '../../src/canary/ports/stack.js';
import { metaOfMessage, parseHistory, parseOutputs, updateMessage } from '../../src/stack/state.js';

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
