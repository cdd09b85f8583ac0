import { expect } from 'chai';
import { healthOf, lookAtCandidate } from '../../src/app/status-paused.js';
import type { CandidateRef, HealthProbe } from '../../src/canary/ports/aws.js';
import { buildConfig } from '../helpers/builders.js';
import { type HealthCondition, observationOf } from '../helpers/fakes.js';
import { pausedOutputs } from './paused.js';

/** The paused stack, recording the candidate's service and target groups on green. */
function recorded() {
  const outputs = pausedOutputs();
  outputs.serviceNames = { blue: 'shop-orders-api-prod-blue', green: 'shop-orders-api-prod-green' };
  outputs.targetGroupArns = { green: ['arn:tg/green-a', 'arn:tg/green-b'] };
  return outputs;
}

/** A probe that answers `condition`, keeping what it was asked. */
function probeOf(condition: HealthCondition) {
  const asked: CandidateRef[] = [];
  const probe: HealthProbe = {
    observe: async (candidate) => {
      asked.push(candidate);
      return observationOf(candidate, condition, 2);
    },
  };
  return { asked, open: async () => probe };
}

describe('status of a paused deployment: the candidate’s health now', () => {
  it('one look at the service and target groups the stack records', async () => {
    const { asked, open } = probeOf('healthy');
    const look = await lookAtCandidate(recorded(), buildConfig(), open);
    expect(asked).to.deep.equal([
      {
        cluster: buildConfig().service.cluster,
        serviceName: 'shop-orders-api-prod-green',
        targetGroupArns: ['arn:tg/green-a', 'arn:tg/green-b'],
      },
    ]);
    expect(look).to.deep.equal({
      health: 'healthy: 2/2 tasks running, 4/4 targets healthy',
      candidate_health: {
        state: 'healthy',
        tasks: { desired: 2, running: 2, pending: 0, failed: 0 },
        targets: { healthy: 4, unhealthy: 0, initial: 0, draining: 0, unused: 0, unavailable: 0, total: 4 },
        reasons: [],
      },
      health_error: null,
    });
  });

  it('a failing look: unknown with the error, never a failure', async () => {
    const look = await lookAtCandidate(recorded(), buildConfig(), async () => ({
      observe: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:9');
      },
    }));
    expect(look).to.deep.equal({
      health: 'unknown: connect ECONNREFUSED 127.0.0.1:9',
      candidate_health: null,
      health_error: 'connect ECONNREFUSED 127.0.0.1:9',
    });
  });

  it('no AWS at all (opening the probe fails): unknown too', async () => {
    const look = await lookAtCandidate(recorded(), buildConfig(), async () => {
      throw new Error('no AWS region');
    });
    expect(look.health).to.equal('unknown: no AWS region');
  });

  it('a stack that records no candidate service: unknown, and no call made', async () => {
    const { asked, open } = probeOf('healthy');
    const outputs = pausedOutputs();
    outputs.serviceNames = {};
    const look = await lookAtCandidate(outputs, buildConfig(), open);
    expect(look.health_error).to.equal('the stack records no candidate service');
    expect(asked).to.deep.equal([]);
  });

  it('names the candidate’s state: unhealthy targets (with the ALB’s reason), a missing service, tasks still starting', async () => {
    const unhealthy = await lookAtCandidate(recorded(), buildConfig(), probeOf('unhealthy').open);
    expect(unhealthy.health).to.equal(
      'unhealthy: 2/2 tasks running, 0/4 targets healthy (Target.ResponseCodeMismatch)',
    );
    const ref = { cluster: 'c', serviceName: 's', targetGroupArns: ['arn:tg/a'] };
    expect(healthOf(observationOf(ref, 'missing', 2))).to.deep.include({ state: 'missing', tasks: null });
    expect(healthOf(observationOf(ref, 'starting', 2)).state).to.equal('starting');
  });
});
