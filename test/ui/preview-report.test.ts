import { expect } from 'chai';
import type { PreviewDocument, UndeployDocument } from '../../src/ui/documents.js';
import { previewLines } from '../../src/ui/preview-report.js';
import { undeployLines } from '../../src/ui/stack-report.js';

const SERVICE = {
  service: 'orders-api',
  project: 'shop',
  environment: 'prod',
  region: 'eu-west-1',
  stack: 'shop-orders-api-prod-eu-west-1',
};

describe('preview and undeploy for a person', () => {
  const preview: PreviewDocument = {
    ...SERVICE,
    candidate: { slot: 'green', release_id: 'orders-green', version: '1.5.0' },
    stable: { slot: 'blue', release_id: 'orders-blue', version: '1.4.0' },
    changes: [
      { type: 'aws:ecs/service:Service', name: 'green-service', operation: 'create', diffs: [] },
      {
        type: 'aws:iam/rolePolicy:RolePolicy',
        name: 'green-task-policy',
        operation: 'replace',
        diffs: ['policy'],
      },
    ],
    summary: { create: 1, replace: 1 },
    timeline: [
      {
        number: 1,
        kind: 'provision',
        label: 'provision the candidate (weight 0)',
        weights: { candidate: 0, stable: 100 },
        wait_s: 0,
        pause: null,
        hooks: [],
        start_s: 0,
        end_s: 0,
        aws_estimate_s: 0,
        estimated_end_s: 0,
      },
      {
        number: 2,
        kind: 'scale-wait',
        label: 'scale wait (60 s)',
        weights: { candidate: 0, stable: 100 },
        wait_s: 60,
        pause: null,
        hooks: [],
        start_s: 0,
        end_s: 60,
        aws_estimate_s: 0,
        estimated_end_s: 60,
      },
      {
        number: 3,
        kind: 'shift',
        label: 'shift 10 % to the candidate, watch 120 s',
        weights: { candidate: 10, stable: 90 },
        wait_s: 120,
        pause: null,
        hooks: [],
        start_s: 60,
        end_s: 180,
        aws_estimate_s: 60,
        estimated_end_s: 240,
      },
    ],
    warnings: [],
  };

  it('preview: the releases, each change with its properties, the counts, then the timeline', () => {
    expect(previewLines(preview)).to.deep.equal([
      'Preview of shop/orders-api 1.5.0 in prod (eu-west-1), stack shop-orders-api-prod-eu-west-1',
      '  candidate: 1.5.0 on green (release orders-green)',
      '  stable:    1.4.0 on blue (release orders-blue)',
      '',
      'Resource changes of the first update (the candidate, at weight 0):',
      '  +   create   aws:ecs/service:Service        green-service',
      '  +-  replace  aws:iam/rolePolicy:RolePolicy  green-task-policy  policy',
      '  1 create, 1 replace',
      '',
      'Planned timeline (ELAPSED: the waits alone; ON AWS: an estimate with what AWS adds):',
      '  STEP  WHAT                                      CANDIDATE  STABLE  WAIT  ELAPSED  AWS ADDS  ON AWS',
      '  1     provision the candidate (weight 0)        0 %        100 %   0:00  0:00               ~0:00',
      '  2     scale wait (60 s)                         0 %        100 %   1:00  1:00               ~1:00',
      '  3     shift 10 % to the candidate, watch 120 s  10 %       90 %    2:00  3:00     ~1:00     ~4:00',
      '  (estimated: Route 53 takes about 60 s to propagate each weight change, which every update waits for; the old release drains for its deregistration delay before it is removed)',
    ]);
  });

  it('preview: a first deployment has no stable release, and may change nothing', () => {
    const lines = previewLines({ ...preview, stable: null, changes: [], summary: {} });
    expect(lines[2]).to.equal('  stable:    none (first deployment: straight to 100 %)');
    expect(lines.slice(4, 6)).to.deep.equal([
      'Resource changes of the first update (the candidate, at weight 0):',
      '  none',
    ]);
  });

  it('undeploy: what it destroyed, or that it destroyed nothing', () => {
    const done: UndeployDocument = { ...SERVICE, destroyed: true, live: null, changes: { delete: 14 } };
    expect(undeployLines(done)).to.deep.equal([
      'Destroyed 14 resources of shop/orders-api in prod (eu-west-1) and removed stack shop-orders-api-prod-eu-west-1.',
    ]);
    expect(undeployLines({ ...done, destroyed: false, changes: {} })).to.deep.equal([
      'Nothing destroyed: shop/orders-api in prod (eu-west-1) and stack shop-orders-api-prod-eu-west-1 are as they were.',
    ]);
  });
});
