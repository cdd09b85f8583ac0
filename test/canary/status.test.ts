import { expect } from 'chai';
import type { LeaseState, LeaseView, Liveness } from '../../src/canary/ports/lease.js';
import type {
  DeploymentMeta,
  HistoryEntry,
  Phase,
  StackIdentity,
  StackOutputs,
} from '../../src/canary/ports/stack.js';
import {
  activeDeployment,
  deploymentHistory,
  type StatusInput,
  serviceStatus,
  statusPhase,
} from '../../src/canary/status.js';
import { stackName } from '../../src/stack/naming.js';
import { serviceFields, statusDocument } from '../../src/ui/documents.js';
import {
  buildConfig,
  buildDesiredState,
  buildEnvironment,
  buildIdentity,
  buildMeta,
  SAMPLE_FQDNS,
} from '../helpers/builders.js';
import { outputsOf } from '../helpers/fakes.js';

const STARTED = '2025-01-01T12:00:00.000Z';
const at = (seconds: number): string => new Date(Date.parse(STARTED) + seconds * 1000).toISOString();

/** A deployment's meta: `1.5.0` to green over `1.4.0` on blue, under way. */
function meta(overrides: Partial<DeploymentMeta> = {}): DeploymentMeta {
  return buildMeta({
    phase: 'deploying',
    deploymentId: 'd-2',
    candidateVersion: '1.5.0',
    candidateSlot: 'green',
    startedAt: STARTED,
    outcome: null,
    ...overrides,
  });
}

/** One engine update of the history, `seconds` after STARTED, lasting 10 s. */
function update(
  version: number,
  seconds: number,
  updateMeta: DeploymentMeta | undefined,
  result: HistoryEntry['result'] = 'succeeded',
): HistoryEntry {
  return {
    version,
    kind: 'update',
    result,
    startTime: at(seconds),
    endTime: at(seconds + 10),
    ...(updateMeta ? { meta: updateMeta } : {}),
  };
}

function outputs(phase: Phase, overrides: Partial<DeploymentMeta> = {}): StackOutputs {
  return outputsOf(
    buildDesiredState({
      releases: { blue: buildConfig(), green: buildConfig({ service: { version: '1.5.0' } }) },
      weights: { blue: 90, green: 10 },
      meta: meta({ phase, ...overrides }),
    }),
  );
}

function held(liveness: Liveness, command = 'deploy'): LeaseState {
  return { holder: { host: 'ci-runner-3', pid: 4242, user: 'ci', command, since: STARTED }, liveness };
}

describe('status: the phase', () => {
  const cases: [Phase, LeaseView, string][] = [
    ['stable', 'free', 'stable'],
    ['stable', held('alive'), 'stable'],
    ['deploying', held('alive'), 'deploying'],
    ['deploying', held('expired'), 'interrupted'],
    ['deploying', 'untracked', 'deploying'],
    ['deploying', held('dead'), 'interrupted'],
    ['deploying', 'free', 'interrupted'],
    ['rolling_back', held('alive', 'rollback'), 'deploying'],
    ['rolling_back', 'free', 'interrupted'],
    ['interrupted', held('alive'), 'interrupted'],
    ['interrupted', 'free', 'interrupted'],
    ['rolled_back', 'free', 'rolled_back'],
    // Paused whoever holds it: a watching run, nobody, or a dead one promote may take over.
    ['paused', 'free', 'paused'],
    ['paused', held('alive'), 'paused'],
    ['paused', held('dead'), 'paused'],
    ['paused', held('expired'), 'paused'],
    ['paused', 'untracked', 'paused'],
  ];
  for (const [phase, lease, expected] of cases) {
    const leaseText = typeof lease === 'string' ? lease : `held, holder ${lease.liveness}`;
    it(`is ${expected} for a stack ${phase} with the lease ${leaseText}`, () => {
      expect(statusPhase(outputs(phase), lease)).to.equal(expected);
    });
  }

  it('is none without outputs (no stack, or a destroyed one)', () => {
    expect(statusPhase(null, 'free')).to.equal('none');
    expect(statusPhase(null, held('alive'))).to.equal('none');
  });

  it('names the active deployment only while its run holds the stack', () => {
    expect(activeDeployment(outputs('deploying'), held('alive'))).to.deep.equal({ running: 'd-2' });
    expect(activeDeployment(outputs('deploying'), held('dead'))).to.deep.equal({});
    expect(activeDeployment(outputs('stable'), held('alive'))).to.deep.equal({});
    // At a pause, only a run still watching (deploy --wait, a timed pause) holds the lease.
    expect(activeDeployment(outputs('paused'), held('alive'))).to.deep.equal({ running: 'd-2' });
    expect(activeDeployment(outputs('paused'), 'free')).to.deep.equal({});
    expect(activeDeployment(outputs('paused'), 'untracked')).to.deep.equal({});
  });

  it('tells where a paused deployment stopped, and the last deployment is paused once its run ended', () => {
    const pause = { since: at(140), weight: 10, until: at(740) };
    const paused = outputs('paused', { step: 0, outcome: 'paused', pause });
    const status = serviceStatus({
      config: buildConfig(),
      outputs: paused,
      history: [update(1, 0, meta()), update(2, 140, paused.meta)],
      lease: 'free',
    });
    expect(status.phase).to.equal('paused');
    expect(status.pause).to.deep.equal({
      deploymentId: 'd-2',
      version: '1.5.0',
      since: at(140),
      weight: 10,
      step: 1,
      until: at(740),
      health: null,
    });
    expect(status.lastDeployment?.outcome).to.equal('paused');
    expect(
      serviceStatus({ config: buildConfig(), outputs: outputs('stable'), history: [], lease: 'free' }).pause,
    ).to.equal(null);
  });

  describe('a deploy killed before its first update was recorded (only its lease tells)', () => {
    const attempt = { deploymentId: 'd-3', version: '1.6.0', startedAt: at(100) };
    const killed = (): LeaseState => ({
      holder: { ...held('dead').holder, deployment: attempt } as LeaseState['holder'],
      liveness: 'dead',
    });

    it('is interrupted, whatever the outputs last said: rolled back, stable, or no stack at all', () => {
      expect(statusPhase(outputs('rolled_back', { outcome: 'rolled_back' }), killed())).to.equal(
        'interrupted',
      );
      expect(statusPhase(outputs('stable'), killed())).to.equal('interrupted');
      expect(statusPhase(null, killed())).to.equal('interrupted');
    });

    it('is the newest deployment of the history, interrupted, with its version', () => {
      const entries = [update(1, 0, meta({ phase: 'rolled_back', outcome: 'rolled_back' }))];
      const [first, second] = deploymentHistory(entries, activeDeployment(outputs('rolled_back'), killed()));
      expect(first).to.deep.include({
        deploymentId: 'd-3',
        version: '1.6.0',
        outcome: 'interrupted',
        startedAt: at(100),
      });
      expect(first?.reason ?? '').to.match(/ecs-crd rollback/);
      expect(second?.deploymentId).to.equal('d-2');
    });

    it('is listed once when its updates were recorded after all', () => {
      const entries = [update(1, 100, meta({ deploymentId: 'd-3', candidateVersion: '1.6.0' }), 'failed')];
      const records = deploymentHistory(entries, activeDeployment(outputs('deploying'), killed()));
      expect(records.map((r) => [r.deploymentId, r.outcome])).to.deep.equal([['d-3', 'interrupted']]);
    });

    it('is the last deployment `status` shows', () => {
      const status = serviceStatus({
        config: buildConfig(),
        outputs: null,
        history: [],
        lease: killed(),
      });
      expect(status.phase).to.equal('interrupted');
      expect(status.lastDeployment).to.deep.include({ version: '1.6.0', outcome: 'interrupted' });
    });
  });
});

/** The `status --json` document, as `ecs-crd status` builds it. */
function statusDocumentOf(input: StatusInput & { identity: StackIdentity }) {
  return statusDocument(serviceFields(input.identity, stackName(input.identity)), serviceStatus(input));
}

describe('status: the document', () => {
  const identity = buildIdentity();
  const config = buildConfig();

  it('is the `status --json` document for a stable stack, with the last deployment from the history', () => {
    const stable = outputsOf(
      buildDesiredState({
        meta: meta({
          phase: 'stable',
          liveSlot: 'green',
          liveVersion: '1.5.0',
          outcome: 'deployed',
        }),
        releases: { green: buildConfig({ service: { version: '1.5.0' } }) },
        weights: { blue: 0, green: 100 },
      }),
    );
    const history = [
      update(7, 0, meta()),
      update(8, 60, meta({ step: 0 })),
      update(9, 300, meta({ phase: 'stable', liveSlot: 'green', liveVersion: '1.5.0', outcome: 'deployed' })),
    ];
    const doc = statusDocumentOf({ identity, config, outputs: stable, history, lease: 'free' });
    expect(doc).to.deep.equal({
      service: 'orders-api',
      project: 'shop',
      environment: 'prod',
      region: 'eu-west-1',
      stack: 'shop-orders-api-prod-eu-west-1',
      phase: 'stable',
      live: { slot: 'green', version: '1.5.0', release_id: 'orders-green' },
      weights: {
        'orders.example.com': { 'orders-blue': 0, 'orders-green': 100 },
        'orders.shop.example.org': { 'orders-blue': 0, 'orders-green': 100 },
      },
      last_deployment: {
        version: '1.5.0',
        outcome: 'deployed',
        started_at: STARTED,
        duration_s: 310,
        deployment_id: 'd-2',
        slot: 'green',
        reason: null,
      },
      lease: null,
      paused: null,
    });
  });

  it('keys the weights by the release id the stack recorded for a slot, else the file’s', () => {
    const recorded = outputsOf(
      buildDesiredState({
        environment: buildEnvironment({ slots: { blue: { releaseId: 'b-7' }, green: { releaseId: 'g-7' } } }),
      }),
    );
    const doc = statusDocumentOf({ identity, config, outputs: recorded, history: [], lease: 'free' });
    // Only blue holds a release, so only blue's discovery is in the outputs.
    expect(doc.weights[SAMPLE_FQDNS[0] ?? '']).to.deep.equal({ 'b-7': 100, 'orders-green': 0 });
    expect(doc.live?.release_id).to.equal('b-7');
  });

  it('takes the fqdns from the release the stack declared, falling back to the file', () => {
    const declared = outputs('stable', { candidateSlot: null, liveSlot: 'blue' });
    declared.releases = { blue: buildConfig({ service: { fqdn: ['api.example.net'] } }) };
    expect(
      Object.keys(
        statusDocumentOf({ identity, config, outputs: declared, history: [], lease: 'free' }).weights,
      ),
    ).to.deep.equal(['api.example.net']);
    declared.releases = {};
    expect(
      Object.keys(
        statusDocumentOf({ identity, config, outputs: declared, history: [], lease: 'free' }).weights,
      ),
    ).to.deep.equal(SAMPLE_FQDNS);
  });

  it('shows a killed deployment as interrupted: phase deploying, lease holder dead', () => {
    const history = [update(3, 0, meta()), update(4, 60, meta({ step: 0 }))];
    const doc = statusDocumentOf({
      identity,
      config,
      outputs: outputs('deploying'),
      history,
      lease: held('dead'),
    });
    expect(doc.phase).to.equal('interrupted');
    expect(doc.live).to.deep.equal({ slot: 'blue', version: '1.4.0', release_id: 'orders-blue' });
    expect(doc.weights['orders.example.com']).to.deep.equal({ 'orders-blue': 90, 'orders-green': 10 });
    expect(doc.last_deployment?.outcome).to.equal('interrupted');
    expect(doc.lease).to.deep.equal({
      host: 'ci-runner-3',
      pid: 4242,
      user: 'ci',
      command: 'deploy',
      since: STARTED,
      liveness: 'dead',
    });
  });

  it('shows a running deployment as deploying, its last deployment in progress', () => {
    const doc = statusDocumentOf({
      identity,
      config,
      outputs: outputs('deploying'),
      history: [update(3, 0, meta())],
      lease: held('alive'),
    });
    expect(doc.phase).to.equal('deploying');
    expect(doc.last_deployment?.outcome).to.equal('in_progress');
    expect(doc.last_deployment?.duration_s).to.equal(10);
  });

  it('is phase none, nothing live, no weights, no deployment for a service never deployed', () => {
    const doc = statusDocumentOf({ identity, config, outputs: null, history: [], lease: 'free' });
    expect(doc.phase).to.equal('none');
    expect(doc.live).to.equal(null);
    expect(doc.weights).to.deep.equal({});
    expect(doc.last_deployment).to.equal(null);
  });
});

describe('history: one record per deployment, newest first', () => {
  const first = meta({
    deploymentId: 'd-1',
    candidateVersion: '1.4.0',
    candidateSlot: 'blue',
    liveSlot: null,
    liveVersion: null,
    startedAt: at(-1000),
  });

  it('groups the updates by deployment id, skips updates ecs-crd did not make, and times each run', () => {
    const entries = [
      update(1, -1000, first),
      update(2, -900, {
        ...first,
        phase: 'stable',
        liveSlot: 'blue',
        liveVersion: '1.4.0',
        outcome: 'deployed',
      }),
      update(3, -500, undefined),
      update(4, 0, meta()),
      update(5, 100, meta({ phase: 'rolling_back' })),
      update(
        6,
        130,
        meta({ phase: 'rolled_back', outcome: 'rolled_back', reason: 'step 3 of 6: 2 unhealthy' }),
      ),
    ];
    // The engine's order does not matter.
    expect(deploymentHistory([...entries].reverse())).to.deep.equal([
      {
        version: '1.5.0',
        outcome: 'rolled_back',
        startedAt: STARTED,
        durationS: 140,
        deploymentId: 'd-2',
        slot: 'green',
        reason: 'step 3 of 6: 2 unhealthy',
      },
      {
        version: '1.4.0',
        outcome: 'deployed',
        startedAt: at(-1000),
        durationS: 110,
        deploymentId: 'd-1',
        slot: 'blue',
        reason: null,
      },
    ]);
  });

  it('orders a file backend’s history (every update numbered 0, whole seconds) as the engine lists it', () => {
    const fileBackend = (entry: HistoryEntry, seconds: number): HistoryEntry => ({
      ...entry,
      version: 0,
      startTime: at(seconds),
      endTime: at(seconds),
    });
    const done = meta({ phase: 'stable', liveSlot: 'green', liveVersion: '1.5.0', outcome: 'deployed' });
    // Newest first, as `pulumi stack history` lists them; the last two in the same second.
    const entries = [
      fileBackend(update(0, 0, done), 66),
      fileBackend(update(0, 0, meta({ step: 0 })), 4),
      fileBackend(update(0, 0, meta()), 4),
      fileBackend(update(0, 0, first), -1000),
    ];
    expect(deploymentHistory(entries).map((r) => [r.deploymentId, r.outcome, r.durationS])).to.deep.equal([
      ['d-2', 'deployed', 66],
      ['d-1', 'interrupted', 0],
    ]);
  });

  it('is empty for a stack without ecs-crd updates', () => {
    expect(deploymentHistory([update(1, 0, undefined)])).to.deep.equal([]);
    expect(deploymentHistory([])).to.deep.equal([]);
  });

  const outcomeCases: [string, HistoryEntry[], string | undefined, string][] = [
    [
      'the last update succeeded without an outcome, no run',
      [update(1, 0, meta())],
      undefined,
      'interrupted',
    ],
    [
      'the last update succeeded without an outcome, its run alive',
      [update(1, 0, meta())],
      'd-2',
      'in_progress',
    ],
    [
      'a forward update failed and nothing followed',
      [update(1, 0, meta()), update(2, 30, meta({ step: 0 }), 'failed')],
      undefined,
      'interrupted',
    ],
    [
      'a rollback update failed, whatever outcome it was asked to record',
      [update(1, 0, meta()), update(2, 30, meta({ phase: 'rolled_back', outcome: 'rolled_back' }), 'failed')],
      undefined,
      'rollback_failed',
    ],
    [
      'the finalize update failed (it asked for "deployed")',
      [update(1, 0, meta()), update(2, 30, meta({ phase: 'stable', outcome: 'deployed' }), 'failed')],
      undefined,
      'interrupted',
    ],
    [
      'an interrupted run, then restored by `rollback` (same deployment id)',
      [
        update(1, 0, meta()),
        update(2, 600, meta({ phase: 'rolling_back' })),
        update(3, 610, meta({ phase: 'rolled_back', outcome: 'interrupted' })),
      ],
      undefined,
      'interrupted',
    ],
    [
      'a failed update of a run that still holds the stack (rolling back now)',
      [update(1, 0, meta()), update(2, 30, meta({ step: 0 }), 'failed')],
      'd-2',
      'in_progress',
    ],
  ];
  for (const [what, entries, active, expected] of outcomeCases) {
    it(`says ${expected} when ${what}`, () => {
      expect(deploymentHistory(entries, active)[0]?.outcome).to.equal(expected);
    });
  }

  it('lasts from the run’s start to the end of its last update (the start of one still running)', () => {
    const running: HistoryEntry = { ...update(2, 50, meta()), result: 'in-progress' };
    delete running.endTime;
    expect(deploymentHistory([update(1, 0, meta()), running], 'd-2')[0]?.durationS).to.equal(50);
  });
});
