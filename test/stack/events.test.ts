import { expect } from 'chai';
import { EngineEventTranslator, operationOf, plannedChanges, summaryOf } from '../../src/stack/events.js';

const urn = (name: string, type = 'aws:route53/record:Record') => `urn:pulumi:s::ecs-crd::${type}::${name}`;

describe('engine events', () => {
  it('folds the engine step kinds onto create/update/replace/delete', () => {
    expect(operationOf('create')).to.equal('create');
    expect(operationOf('create-replacement')).to.equal('replace');
    expect(operationOf('discard')).to.equal('delete');
    expect(operationOf('same')).to.equal('same');
  });

  it('reports a resource done with the time since it started', () => {
    let now = 1_000;
    const t = new EngineEventTranslator(() => now);
    const metadata = {
      op: 'update',
      urn: urn('api-blue'),
      type: 'aws:route53/record:Record',
      diffs: ['weightedRoutingPolicies'],
    };
    expect(t.translate({ resourcePreEvent: { metadata } })).to.deep.include({
      kind: 'resource-start',
      name: 'api-blue',
      operation: 'update',
    });
    now = 1_450;
    expect(t.translate({ resOutputsEvent: { metadata } })).to.deep.include({
      kind: 'resource-done',
      durationMs: 450,
    });
  });

  it('keeps diagnostics but drops ephemeral progress and unknown events', () => {
    const t = new EngineEventTranslator();
    expect(t.translate({ diagnosticEvent: { message: 'boom\n', severity: 'error' } })).to.deep.equal({
      kind: 'diagnostic',
      severity: 'error',
      message: 'boom',
    });
    expect(t.translate({ diagnosticEvent: { message: 'x', severity: 'info', ephemeral: true } })).to.equal(
      undefined,
    );
    expect(t.translate({})).to.equal(undefined);
  });

  it('lists the planned changes of a preview without the stack itself', () => {
    const changes = plannedChanges([
      {
        resourcePreEvent: {
          metadata: { op: 'create', urn: urn('s', 'pulumi:pulumi:Stack'), type: 'pulumi:pulumi:Stack' },
        },
      },
      {
        resourcePreEvent: {
          metadata: { op: 'create', urn: urn('api-blue'), type: 'aws:route53/record:Record' },
        },
      },
      { summaryEvent: { resourceChanges: { create: 2 } } },
    ]);
    expect(changes).to.deep.equal([
      {
        urn: urn('api-blue'),
        type: 'aws:route53/record:Record',
        name: 'api-blue',
        operation: 'create',
        diffs: [],
      },
    ]);
  });

  it('counts a replacement once, not with its create and delete halves', () => {
    expect(
      summaryOf({ replace: 1, 'create-replacement': 1, 'delete-replaced': 1, same: 4, update: 0 }),
    ).to.deep.equal({
      changes: { replace: 1, same: 4 },
    });
  });
});
