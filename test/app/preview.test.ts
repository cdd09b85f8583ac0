import assert from 'node:assert/strict';
import { previewRelease } from '../../src/app/preview.js';
import { UsageError } from '../../src/errors.js';
import type { EngineEvent, PlannedChange } from '../../src/stack/types.js';
import {
  buildConfig,
  buildDesiredState,
  buildEnvironment,
  buildIdentity,
  buildMeta,
} from '../helpers/builders.js';
import { CLOCK_START, outputsOf } from '../helpers/fakes.js';
import { RecordingStackRunner } from '../helpers/recording-runner.js';

const URN = 'urn:pulumi:shop-orders-api-prod-eu-west-1::ecs-crd::';
const change = (type: string, name: string, operation: PlannedChange['operation'], diffs: string[] = []) => ({
  urn: `${URN}${type}::${name}`,
  type,
  name,
  operation,
  diffs,
});

/** What the engine reports for a second release: creates, an unchanged role, a replacement in three steps. */
const PLANNED: PlannedChange[] = [
  change('aws:ecs/taskDefinition:TaskDefinition', 'green-task-definition', 'create'),
  change('aws:iam/role:Role', 'task-role', 'same'),
  change('aws:ecs/service:Service', 'green-service', 'create'),
  change('aws:iam/rolePolicy:RolePolicy', 'green-task-policy', 'replace', ['policy']),
  change('aws:iam/rolePolicy:RolePolicy', 'green-task-policy', 'replace', ['policy']),
  change('aws:iam/rolePolicy:RolePolicy', 'green-task-policy', 'replace', ['policy']),
  change('aws:route53/record:Record', 'record-orders.example.com-green', 'update', [
    'weightedRoutingPolicies',
  ]),
];

describe('preview: the next deployment’s first update and its timeline', () => {
  const identity = buildIdentity();
  const environment = buildEnvironment();
  const next = buildConfig({ service: { version: '1.5.0' } });

  it('previews the provision update over the live release: both releases, candidate at weight 0', async () => {
    const runner = new RecordingStackRunner({ outputs: outputsOf(buildDesiredState()), planned: PLANNED });
    const preview = await previewRelease({ config: next, identity, environment, runner, now: CLOCK_START });

    const [desired] = runner.previews;
    assert.deepEqual(Object.keys(desired?.releases ?? {}).sort(), ['blue', 'green']);
    assert.equal(desired?.releases.green?.service.version, '1.5.0');
    assert.equal(desired?.releases.blue?.service.version, '1.4.0');
    assert.deepEqual(desired?.weights, { blue: 100, green: 0 });
    assert.equal(desired?.meta.phase, 'deploying');

    assert.deepEqual(preview.candidate, { slot: 'green', release_id: 'orders-green', version: '1.5.0' });
    assert.deepEqual(preview.stable, { slot: 'blue', release_id: 'orders-blue', version: '1.4.0' });
    assert.equal(preview.stack, 'shop-orders-api-prod-eu-west-1');
  });

  it('lists each changed resource once, without the unchanged ones, and counts them', async () => {
    const runner = new RecordingStackRunner({ outputs: outputsOf(buildDesiredState()), planned: PLANNED });
    const preview = await previewRelease({ config: next, identity, environment, runner, now: CLOCK_START });
    assert.deepEqual(preview.changes, [
      {
        type: 'aws:ecs/taskDefinition:TaskDefinition',
        name: 'green-task-definition',
        operation: 'create',
        diffs: [],
      },
      { type: 'aws:ecs/service:Service', name: 'green-service', operation: 'create', diffs: [] },
      {
        type: 'aws:iam/rolePolicy:RolePolicy',
        name: 'green-task-policy',
        operation: 'replace',
        diffs: ['policy'],
      },
      {
        type: 'aws:route53/record:Record',
        name: 'record-orders.example.com-green',
        operation: 'update',
        diffs: ['weightedRoutingPolicies'],
      },
    ]);
    assert.deepEqual(preview.summary, { create: 2, replace: 1, update: 1 });
  });

  it('plans every step with its weights, wait and cumulative elapsed time (implied bake step included)', async () => {
    const runner = new RecordingStackRunner({ outputs: outputsOf(buildDesiredState()) });
    const { timeline } = await previewRelease({ config: next, identity, environment, runner });
    assert.deepEqual(
      timeline.map((s) => [
        s.number,
        s.kind,
        s.weights.candidate,
        s.weights.stable,
        s.wait_s,
        s.start_s,
        s.end_s,
      ]),
      [
        [1, 'provision', 0, 100, 0, 0, 0],
        [2, 'scale-wait', 0, 100, 60, 0, 60],
        [3, 'shift', 10, 90, 120, 60, 180],
        [4, 'shift', 50, 50, 120, 180, 300],
        [5, 'shift', 100, 0, 60, 300, 360],
        [6, 'finalize', 100, 0, 0, 360, 360],
      ],
    );
    assert.match(timeline[4]?.label ?? '', /implied bake step/);
  });

  it('previews a first deployment on blue, going straight to 100 %', async () => {
    const runner = new RecordingStackRunner({ outputs: null });
    const preview = await previewRelease({ config: next, identity, environment, runner });
    assert.deepEqual(Object.keys(runner.previews[0]?.releases ?? {}), ['blue']);
    assert.equal(preview.candidate.slot, 'blue');
    assert.equal(preview.stable, null);
    assert.deepEqual(
      preview.timeline.map((s) => [s.kind, s.weights.candidate]),
      [
        ['provision', 0],
        ['scale-wait', 0],
        ['shift', 100],
        ['finalize', 100],
      ],
    );
  });

  it('changes nothing: no update, no destroy, only the outputs read and the preview', async () => {
    const runner = new RecordingStackRunner({ outputs: outputsOf(buildDesiredState()), planned: PLANNED });
    await previewRelease({ config: next, identity, environment, runner });
    assert.deepEqual(runner.calls, ['outputs', 'preview']);
  });

  it('hands the engine’s events to onEvent', async () => {
    const warning: EngineEvent = { kind: 'diagnostic', severity: 'warning', message: 'deprecated' };
    const runner = new RecordingStackRunner({ outputs: null, events: [warning] });
    const seen: EngineEvent[] = [];
    await previewRelease({ config: next, identity, environment, runner, onEvent: (e) => seen.push(e) });
    assert.deepEqual(seen, [warning]);
  });

  it('refuses, as deploy would, when the last deployment did not finish', async () => {
    const unfinished = outputsOf(
      buildDesiredState({ meta: buildMeta({ phase: 'deploying', outcome: null }) }),
    );
    const runner = new RecordingStackRunner({ outputs: unfinished });
    await assert.rejects(previewRelease({ config: next, identity, environment, runner }), (error) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.hint ?? '', /ecs-crd rollback/);
      return true;
    });
    assert.deepEqual(runner.calls, ['outputs']);
  });
});
