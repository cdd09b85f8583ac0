import { expect } from 'chai';
import { previewIn, previewRelease } from '../../src/app/preview.js';
import type { ProgressEvent } from '../../src/canary/events.js';
import type { EngineEvent, PlannedChange } from '../../src/canary/ports/stack.js';
import { formatProblem } from '../../src/config/problems.js';
import { StackLockedError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { rejection } from '../aws/fixtures.js';
import {
  buildConfig,
  buildDesiredState,
  buildEnvironment,
  buildIdentity,
  buildMeta,
} from '../helpers/builders.js';
import { CLOCK_START, outputsOf } from '../helpers/fakes.js';
import { RecordingStackRunner } from '../helpers/recording-runner.js';
import { openedService, SECRET_WARNING } from './opened.js';

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
    expect(Object.keys(desired?.releases ?? {}).sort()).to.deep.equal(['blue', 'green']);
    expect(desired?.releases.green?.service.version).to.equal('1.5.0');
    expect(desired?.releases.blue?.service.version).to.equal('1.4.0');
    expect(desired?.weights).to.deep.equal({ blue: 100, green: 0 });
    expect(desired?.meta.phase).to.equal('deploying');

    expect(preview.candidate).to.deep.equal({ slot: 'green', release_id: 'orders-green', version: '1.5.0' });
    expect(preview.stable).to.deep.equal({ slot: 'blue', release_id: 'orders-blue', version: '1.4.0' });
    expect(preview.stack).to.equal('shop-orders-api-prod-eu-west-1');
  });

  it('lists each changed resource once, without the unchanged ones, and counts them', async () => {
    const runner = new RecordingStackRunner({ outputs: outputsOf(buildDesiredState()), planned: PLANNED });
    const preview = await previewRelease({ config: next, identity, environment, runner, now: CLOCK_START });
    expect(preview.changes).to.deep.equal([
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
    expect(preview.summary).to.deep.equal({ create: 2, replace: 1, update: 1 });
  });

  it('plans every step with its weights, wait and cumulative elapsed time (implied bake step included)', async () => {
    const runner = new RecordingStackRunner({ outputs: outputsOf(buildDesiredState()) });
    const { timeline } = await previewRelease({ config: next, identity, environment, runner });
    expect(
      timeline.map((s) => [
        s.number,
        s.kind,
        s.weights.candidate,
        s.weights.stable,
        s.wait_s,
        s.start_s,
        s.end_s,
      ]),
    ).to.deep.equal([
      [1, 'provision', 0, 100, 0, 0, 0],
      [2, 'scale-wait', 0, 100, 60, 0, 60],
      [3, 'shift', 10, 90, 120, 60, 180],
      [4, 'shift', 50, 50, 120, 180, 300],
      [5, 'shift', 100, 0, 60, 300, 360],
      [6, 'finalize', 100, 0, 0, 360, 360],
    ]);
    expect(timeline[4]?.label ?? '').to.match(/implied bake step/);
  });

  it('previews a first deployment on blue, going straight to 100 %', async () => {
    const runner = new RecordingStackRunner({ outputs: null });
    const preview = await previewRelease({ config: next, identity, environment, runner });
    expect(Object.keys(runner.previews[0]?.releases ?? {})).to.deep.equal(['blue']);
    expect(preview.candidate.slot).to.equal('blue');
    expect(preview.stable).to.equal(null);
    expect(preview.timeline.map((s) => [s.kind, s.weights.candidate])).to.deep.equal([
      ['provision', 0],
      ['scale-wait', 0],
      ['shift', 100],
      ['finalize', 100],
    ]);
  });

  it('changes nothing: no update, no destroy, only the outputs read and the preview', async () => {
    const runner = new RecordingStackRunner({ outputs: outputsOf(buildDesiredState()), planned: PLANNED });
    await previewRelease({ config: next, identity, environment, runner });
    expect(runner.calls).to.deep.equal(['outputs', 'preview']);
  });

  it('reports the preview and the engine’s events on the event stream, a warning as a warning', async () => {
    const warning: EngineEvent = { kind: 'diagnostic', severity: 'warning', message: 'deprecated' };
    const runner = new RecordingStackRunner({ outputs: null, events: [warning] });
    const seen: ProgressEvent[] = [];
    await previewRelease({ config: next, identity, environment, runner, reporter: (e) => seen.push(e) });
    expect(seen.map((e) => [e.code, e.level])).to.deep.equal([
      ['stack.update.started', 'info'],
      ['engine.event', 'warn'],
      ['stack.update.finished', 'info'],
    ]);
    expect(seen[1]?.data).to.deep.equal(warning);
    expect(seen[1]?.text).to.equal('warning: deprecated');
  });

  it('refuses, as deploy would and with its exit code, when the last deployment did not finish', async () => {
    const unfinished = outputsOf(
      buildDesiredState({ meta: buildMeta({ phase: 'deploying', outcome: null }) }),
    );
    const runner = new RecordingStackRunner({ outputs: unfinished });
    const error = await rejection(previewRelease({ config: next, identity, environment, runner }));
    expect(error).to.be.instanceOf(StackLockedError);
    expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
    expect((error as StackLockedError).hint ?? '').to.match(/ecs-crd rollback/);
    expect(runner.calls).to.deep.equal(['outputs']);
  });

  it('refuses, as deploy does, a stack whose deploy died before its first update was recorded (exit 5)', async () => {
    const runner = new RecordingStackRunner({ outputs: null, planned: PLANNED });
    const holder = { host: 'ci-3', pid: 4242, user: 'ci', command: 'deploy', since: '2025-01-01T12:00:00Z' };
    const error = await rejection(
      previewRelease({ config: next, identity, environment, runner, lease: { holder, liveness: 'dead' } }),
    );
    expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
    expect(error.message).to.match(/was interrupted: deploy by ci@ci-3 \(pid 4242\)/);
    expect(runner.calls).to.deep.equal(['outputs']);
  });
});

describe('preview: the deployment file’s warnings', () => {
  it('reports each warning once, before anything else, and carries them in the document', async () => {
    const runner = new RecordingStackRunner({ outputs: null, planned: PLANNED });
    const opened = openedService({ warnings: [SECRET_WARNING], runner });
    const events: ProgressEvent[] = [];
    const document = await previewIn(opened, { reporter: (event) => events.push(event) });

    expect(events.map((event) => event.code)).to.deep.equal([
      'config.warning',
      'stack.update.started',
      'stack.update.finished',
    ]);
    expect(events[0]?.level).to.equal('warn');
    expect(events[0]?.text).to.equal(formatProblem(SECRET_WARNING));
    expect(document.warnings).to.deep.equal([formatProblem(SECRET_WARNING)]);
  });

  it('reports them even when the preview is then refused', async () => {
    const unfinished = outputsOf(
      buildDesiredState({ meta: buildMeta({ phase: 'deploying', outcome: null }) }),
    );
    const opened = openedService({
      warnings: [SECRET_WARNING],
      runner: new RecordingStackRunner({ outputs: unfinished }),
    });
    const events: ProgressEvent[] = [];
    const error = await rejection(previewIn(opened, { reporter: (event) => events.push(event) }));
    expect(exitCodeOf(error)).to.equal(ExitCode.Locked);
    expect(events.map((event) => event.code)).to.deep.equal(['config.warning']);
  });
});
