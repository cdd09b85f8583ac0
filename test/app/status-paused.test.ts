import { expect } from 'chai';
import { healthOf, pausedLines, pausedStatus } from '../../src/app/status-paused.js';
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

describe('status of a paused deployment', () => {
  it('gives since, weight, until, and the candidate’s health from one look at its recorded service', async () => {
    const { asked, open } = probeOf('healthy');
    const paused = await pausedStatus(recorded(), buildConfig(), open);
    expect(asked).to.deep.equal([
      {
        cluster: buildConfig().service.cluster,
        serviceName: 'shop-orders-api-prod-green',
        targetGroupArns: ['arn:tg/green-a', 'arn:tg/green-b'],
      },
    ]);
    expect(paused).to.deep.equal({
      since: '2025-01-01T12:03:00.000Z',
      weight: 10,
      until: null,
      health: 'healthy: 2/2 tasks running, 4/4 targets healthy',
      candidate_health: {
        state: 'healthy',
        tasks: { desired: 2, running: 2, pending: 0, failed: 0 },
        targets: { healthy: 4, unhealthy: 0, initial: 0, draining: 0, unused: 0, unavailable: 0, total: 4 },
        reasons: [],
      },
      health_error: null,
    });
    expect(pausedLines(paused)).to.deep.equal([
      '  paused    at 10 % since 2025-01-01T12:03:00.000Z, until promoted',
      '  candidate healthy: 2/2 tasks running, 4/4 targets healthy',
      'Run `ecs-crd promote` with the same flags to go on, or `ecs-crd rollback` to abort.',
    ]);
  });

  it('a failing look: unknown with the error, never a failure', async () => {
    const paused = await pausedStatus(recorded(), buildConfig(), async () => ({
      observe: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:9');
      },
    }));
    expect(paused.candidate_health).to.equal(null);
    expect(paused.health_error).to.equal('connect ECONNREFUSED 127.0.0.1:9');
    expect(paused.health).to.equal('unknown: connect ECONNREFUSED 127.0.0.1:9');
    expect(pausedLines(paused)[1]).to.equal('  candidate unknown: connect ECONNREFUSED 127.0.0.1:9');
  });

  it('no AWS at all (opening the probe fails): unknown too', async () => {
    const paused = await pausedStatus(recorded(), buildConfig(), async () => {
      throw new Error('no AWS region');
    });
    expect(paused.health_error).to.equal('no AWS region');
  });

  it('a stack that records no candidate service: unknown, and no call made', async () => {
    const { asked, open } = probeOf('healthy');
    const outputs = pausedOutputs();
    outputs.serviceNames = {};
    const paused = await pausedStatus(outputs, buildConfig(), open);
    expect(paused.health_error).to.equal('the stack records no candidate service');
    expect(asked).to.deep.equal([]);
  });

  it('a timed pause says until when, and that it goes on by itself', async () => {
    const outputs = recorded();
    outputs.meta.pause = { since: '2025-01-01T12:03:00.000Z', weight: 10, until: '2025-01-01T12:13:00.000Z' };
    const paused = await pausedStatus(outputs, buildConfig(), probeOf('healthy').open);
    expect(paused.until).to.equal('2025-01-01T12:13:00.000Z');
    expect(pausedLines(paused)).to.deep.equal([
      '  paused    at 10 % since 2025-01-01T12:03:00.000Z, until 2025-01-01T12:13:00.000Z, then it goes on by itself',
      '  candidate healthy: 2/2 tasks running, 4/4 targets healthy',
    ]);
  });

  it('names the candidate’s state: unhealthy targets, a missing service, tasks still starting', () => {
    const ref = { cluster: 'c', serviceName: 's', targetGroupArns: ['arn:tg/a'] };
    const unhealthy = healthOf(observationOf(ref, 'unhealthy', 2));
    expect(unhealthy.state).to.equal('unhealthy');
    expect(unhealthy.reasons).to.deep.equal(['Target.ResponseCodeMismatch']);
    expect(healthOf(observationOf(ref, 'missing', 2))).to.deep.include({ state: 'missing', tasks: null });
    expect(healthOf(observationOf(ref, 'starting', 2)).state).to.equal('starting');
  });
});
