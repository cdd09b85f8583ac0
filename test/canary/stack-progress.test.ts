import { expect } from 'chai';
import type { ProgressEvent } from '../../src/canary/events.js';
import type { ChangeSummary, EngineEvent, RunOptions } from '../../src/canary/ports/stack.js';
import { engineProgress, reportedRun } from '../../src/canary/stack-progress.js';
import { plainLines } from '../../src/ui/plain.js';
import { rejection } from '../aws/fixtures.js';

const URN = 'urn:pulumi:s::ecs-crd::aws:ecs/service:Service::blue-service';

describe('stack progress: engine events on the event stream', () => {
  const deleted: EngineEvent = {
    kind: 'resource-done',
    urn: URN,
    type: 'aws:ecs/service:Service',
    name: 'blue-service',
    operation: 'delete',
    durationMs: 4200,
  };

  it('a changed resource: operation, type, name and how long it took; a line only when resources are asked for', () => {
    expect(engineProgress(deleted, true)).to.include({
      code: 'engine.event',
      level: 'info',
      text: 'delete aws:ecs/service:Service blue-service (4.2 s)',
    });
    // In a preview or a rollout step the changes are not the story: --verbose only.
    expect(engineProgress(deleted, false).level).to.equal('debug');
    expect(engineProgress({ ...deleted, operation: 'same' }, true).level).to.equal('debug');
    expect(engineProgress({ ...deleted, kind: 'resource-start' }, true).level).to.equal('debug');
    expect(engineProgress({ ...deleted, type: 'pulumi:pulumi:Stack' }, true).level).to.equal('debug');
  });

  it('warnings and errors are always worth a line, named by resource; informational noise is debug', () => {
    const warning: EngineEvent = {
      kind: 'diagnostic',
      severity: 'warning',
      urn: URN,
      name: 'blue-service',
      message: 'retrying',
    };
    expect(engineProgress(warning, false)).to.include({
      level: 'warn',
      text: 'warning: blue-service: retrying',
    });
    expect(engineProgress({ ...warning, severity: 'error' }, false).level).to.equal('error');
    expect(engineProgress({ ...warning, severity: 'info' }, true).level).to.equal('debug');
    expect(engineProgress({ kind: 'summary', message: '3 delete' }, true).level).to.equal('debug');
    const failed = engineProgress(
      { kind: 'resource-failed', operation: 'delete', type: 'aws:iam/role:Role', name: 'task-role' },
      false,
    );
    expect(failed).to.include({ level: 'error', text: 'failed: delete aws:iam/role:Role task-role' });
  });

  it('a secret the engine quotes is redacted by the reporters', () => {
    const leaky = engineProgress(
      { kind: 'diagnostic', severity: 'warning', message: 'retrying with AWS_SECRET_ACCESS_KEY=abcd1234' },
      false,
    );
    const [line] = plainLines(leaky, 0, false);
    expect(line).to.match(/warning: retrying with AWS_SECRET_ACCESS_KEY=\[redacted\]$/);
  });

  it('reports the start, every engine event and line, then what the operation changed', async () => {
    const seen: ProgressEvent[] = [];
    let now = 1000;
    const call = async (options: RunOptions): Promise<ChangeSummary> => {
      options.onEvent?.(deleted);
      options.onOutput?.('Destroying (dev):');
      now += 2500;
      return { changes: { delete: 14 } };
    };
    const summary = await reportedRun(
      (e) => seen.push(e),
      'destroy',
      call,
      (s) => s.changes,
      {
        now: () => now,
        resources: true,
      },
    );
    expect(summary).to.deep.equal({ changes: { delete: 14 } });
    expect(seen.map((e) => [e.code, e.level, e.text])).to.deep.equal([
      ['stack.update.started', 'info', 'Destroying the stack'],
      ['engine.event', 'info', 'delete aws:ecs/service:Service blue-service (4.2 s)'],
      ['engine.output', 'debug', 'Destroying (dev):'],
      ['stack.update.finished', 'info', 'Stack destroyed in 2500 ms: 14 delete'],
    ]);
    expect(seen.at(-1)?.data).to.deep.equal({
      purpose: 'destroy',
      durationMs: 2500,
      error: null,
      changes: { delete: 14 },
    });
  });

  it('says a warning the engine repeats within one operation once; the repeats go to --verbose', async () => {
    const seen: ProgressEvent[] = [];
    const warning: EngineEvent = {
      kind: 'diagnostic',
      severity: 'warning',
      message: 'using a plugin from $PATH',
    };
    await reportedRun(
      (e) => seen.push(e),
      'shift',
      async (options: RunOptions) => {
        options.onEvent?.(warning);
        options.onEvent?.(warning);
        return { changes: {} };
      },
      (s) => s.changes,
      { now: () => 0 },
    );
    expect(seen.filter((e) => e.code === 'engine.event').map((e) => e.level)).to.deep.equal([
      'warn',
      'debug',
    ]);
  });

  it('reports a failed operation as an error, then rethrows it', async () => {
    const seen: ProgressEvent[] = [];
    const failure = new Error('AccessDenied: iam:DeleteRole');
    const error = await rejection(
      reportedRun(
        (e) => seen.push(e),
        'remove-candidate',
        () => Promise.reject(failure),
        () => ({}),
        {
          now: () => 0,
        },
      ),
    );
    expect(error).to.equal(failure);
    expect(seen.at(-1)).to.deep.include({
      code: 'stack.update.finished',
      level: 'error',
      text: 'Stack update failed (remove-candidate): AccessDenied: iam:DeleteRole',
    });
  });
});
