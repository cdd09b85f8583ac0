import { expect } from 'chai';
import type { Liveness } from '../../src/canary/ports/lease.js';
import { alignColumns } from '../../src/ui/columns.js';
import type { DeploymentDocument, StatusDocument } from '../../src/ui/documents.js';
import { historyLines, statusLines } from '../../src/ui/status-report.js';

const SERVICE = {
  service: 'orders-api',
  project: 'shop',
  environment: 'prod',
  region: 'eu-west-1',
  stack: 'shop-orders-api-prod-eu-west-1',
};

const interrupted: DeploymentDocument = {
  version: '1.5.0',
  outcome: 'interrupted',
  started_at: '2025-01-01T12:00:00.000Z',
  duration_s: 42,
  deployment_id: 'd-2',
  slot: 'green',
  reason: null,
};

/** The lease a status shows: held by `command` of ci@ci-3, whose run is `liveness`. */
function leaseOf(command: string, liveness: Liveness): StatusDocument['lease'] {
  return { host: 'ci-3', pid: 4242, user: 'ci', command, since: '2025-01-01T12:00:00.000Z', liveness };
}

describe('status and history for a person', () => {
  it('status: one labelled line per fact, aligned, and what to do about an interrupted deployment', () => {
    const doc: StatusDocument = {
      ...SERVICE,
      phase: 'interrupted',
      live: { slot: 'blue', version: '1.4.0', release_id: 'orders-blue' },
      weights: {
        'orders.example.com': { 'orders-blue': 90, 'orders-green': 10 },
        'orders.shop.example.org': { 'orders-blue': 90, 'orders-green': 10 },
      },
      last_deployment: interrupted,
      lease: leaseOf('deploy', 'dead'),
      paused: null,
    };
    expect(statusLines(doc)).to.deep.equal([
      'shop/orders-api in prod (eu-west-1), stack shop-orders-api-prod-eu-west-1',
      '  phase    interrupted: the last deployment stopped before it finished',
      '  live     1.4.0 on blue (release orders-blue)',
      '  weights  orders.example.com: orders-blue 90 %, orders-green 10 %',
      '           orders.shop.example.org: orders-blue 90 %, orders-green 10 %',
      '  last     1.5.0 to green interrupted, started 2025-01-01T12:00:00Z, took 42s',
      '  held by  deploy by ci@ci-3 (pid 4242) since 2025-01-01T12:00:00.000Z (no longer running)',
      'Run `ecs-crd rollback` with the same flags to restore the stable release.',
    ]);
  });

  it('status: an undeploy killed half-way says so, and to undeploy again or roll back', () => {
    const doc: StatusDocument = {
      ...SERVICE,
      phase: 'interrupted',
      live: { slot: 'blue', version: '1.4.0', release_id: 'orders-blue' },
      weights: {},
      last_deployment: null,
      lease: leaseOf('undeploy', 'dead'),
      paused: null,
    };
    const lines = statusLines(doc);
    expect(lines[1]).to.equal('  phase    interrupted: an undeploy stopped before it finished');
    expect(lines.at(-1)).to.equal(
      'Run `ecs-crd undeploy` with the same flags to finish removing it, or `ecs-crd rollback` to restore the stable release.',
    );
  });

  it('status: a lease not renewed in time shows as expired', () => {
    const doc: StatusDocument = {
      ...SERVICE,
      phase: 'interrupted',
      live: null,
      weights: {},
      last_deployment: null,
      lease: leaseOf('deploy', 'expired'),
      paused: null,
    };
    expect(statusLines(doc)).to.include(
      '  held by  deploy by ci@ci-3 (pid 4242) since 2025-01-01T12:00:00.000Z (its lease expired: not renewed in time, the run is gone)',
    );
  });

  it('status: a paused deployment, since and until when, and the candidate’s health', () => {
    const doc: StatusDocument = {
      ...SERVICE,
      phase: 'paused',
      live: { slot: 'blue', version: '1.4.0', release_id: 'orders-blue' },
      weights: { 'orders.example.com': { 'orders-blue': 90, 'orders-green': 10 } },
      last_deployment: { ...interrupted, outcome: 'paused' },
      lease: null,
      paused: {
        deployment_id: 'd-7',
        version: '1.5.0',
        since: '2025-01-01T12:02:20.000Z',
        weight: 10,
        step: 1,
        until: '2025-01-01T13:02:20.000Z',
        health: 'unknown: Rate exceeded',
      },
    };
    expect(statusLines(doc)).to.deep.equal([
      'shop/orders-api in prod (eu-west-1), stack shop-orders-api-prod-eu-west-1',
      '  phase      paused: `ecs-crd promote` goes on, `ecs-crd rollback` aborts',
      '  live       1.4.0 on blue (release orders-blue)',
      '  candidate  1.5.0 at 10 % (shift step 1, deployment d-7)',
      '  since      2025-01-01T12:02:20Z',
      '  until      2025-01-01T13:02:20Z',
      '  health     unknown: Rate exceeded',
      '  weights    orders.example.com: orders-blue 90 %, orders-green 10 %',
      '  last       1.5.0 to green paused, started 2025-01-01T12:00:00Z, took 42s',
    ]);
  });

  it('status: a service never deployed says so in one line', () => {
    const doc: StatusDocument = {
      ...SERVICE,
      phase: 'none',
      live: null,
      weights: {},
      last_deployment: null,
      lease: null,
      paused: null,
    };
    expect(statusLines(doc)).to.deep.equal([
      'shop/orders-api in prod (eu-west-1), stack shop-orders-api-prod-eu-west-1',
      '  phase  not deployed',
    ]);
  });

  it('history: a table, newest first, as given', () => {
    const deployed: DeploymentDocument = {
      ...interrupted,
      version: '1.4.0',
      outcome: 'deployed',
      started_at: '2024-05-01T10:00:00.000Z',
      duration_s: 300,
      slot: 'blue',
    };
    const rolledBack: DeploymentDocument = {
      ...interrupted,
      version: '1.6.0',
      outcome: 'rolled_back',
      reason: 'step 3 of 6: 2 of 2 targets unhealthy',
    };
    expect(historyLines([rolledBack, interrupted, deployed])).to.deep.equal([
      'VERSION  OUTCOME      STARTED               DURATION  SLOT   REASON',
      '1.6.0    rolled back  2025-01-01T12:00:00Z  42s       green  step 3 of 6: 2 of 2 targets unhealthy',
      '1.5.0    interrupted  2025-01-01T12:00:00Z  42s       green',
      '1.4.0    deployed     2024-05-01T10:00:00Z  5m 00s    blue',
    ]);
  });

  it('history: says so when there is none', () => {
    expect(historyLines([])).to.deep.equal(['No deployment recorded in the stack history.']);
  });

  it('columns: as wide as the widest cell, counting characters, no trailing spaces', () => {
    expect(
      alignColumns([
        ['a', 'bé', ''],
        ['ccc', 'd', 'e'],
      ]),
    ).to.deep.equal(['a    bé', 'ccc  d   e']);
  });
});
