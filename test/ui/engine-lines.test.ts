import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { EngineEvent } from '../../src/stack/types.js';
import { confirm } from '../../src/ui/confirm.js';
import { engineEventLine, engineEventPrinter } from '../../src/ui/engine-lines.js';

const URN = 'urn:pulumi:s::ecs-crd::aws:ecs/service:Service::blue-service';

describe('engine events as plain lines', () => {
  const deleted: EngineEvent = {
    kind: 'resource-done',
    urn: URN,
    type: 'aws:ecs/service:Service',
    name: 'blue-service',
    operation: 'delete',
    durationMs: 4200,
  };

  it('a changed resource: operation, type, name and how long it took', () => {
    assert.equal(
      engineEventLine(deleted, { resources: true }),
      'delete aws:ecs/service:Service blue-service (4.2 s)',
    );
    assert.equal(engineEventLine({ ...deleted, operation: 'same' }, { resources: true }), undefined);
    assert.equal(engineEventLine({ ...deleted, kind: 'resource-start' }, { resources: true }), undefined);
    assert.equal(
      engineEventLine({ ...deleted, type: 'pulumi:pulumi:Stack' }, { resources: true }),
      undefined,
    );
    // In a preview the changes are the result: no line per resource.
    assert.equal(engineEventLine(deleted, { resources: false }), undefined);
  });

  it('warnings and errors, named by resource and redacted; no informational noise', () => {
    const warning: EngineEvent = {
      kind: 'diagnostic',
      severity: 'warning',
      urn: URN,
      message: 'retrying with AWS_SECRET_ACCESS_KEY=abcd1234',
    };
    assert.equal(
      engineEventLine(warning, { resources: false }),
      'warning: blue-service: retrying with AWS_SECRET_ACCESS_KEY=[redacted]',
    );
    assert.equal(engineEventLine({ ...warning, severity: 'info' }, { resources: true }), undefined);
    assert.equal(engineEventLine({ kind: 'summary', message: '3 delete' }, { resources: true }), undefined);
  });

  it('a printer writes only the events that have a line', () => {
    const lines: string[] = [];
    const print = engineEventPrinter((line) => lines.push(line), { resources: true });
    print(deleted);
    print({ ...deleted, operation: 'same' });
    print({ kind: 'resource-failed', operation: 'delete', type: 'aws:iam/role:Role', name: 'task-role' });
    assert.deepEqual(lines, [
      'delete aws:ecs/service:Service blue-service (4.2 s)',
      'failed: delete aws:iam/role:Role task-role',
    ]);
  });
});

describe('confirmation prompt', () => {
  async function ask(answer: string | null): Promise<{ yes: boolean; shown: string }> {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (chunk: Buffer) => {
      shown += chunk.toString('utf8');
    });
    const pending = confirm('Destroy it?', { input, output });
    if (answer === null) input.end();
    else input.write(`${answer}\n`);
    return { yes: await pending, shown };
  }

  it('asks on the output, [y/N]', async () => {
    assert.equal((await ask('y')).shown, 'Destroy it? [y/N] ');
  });

  for (const answer of ['y', 'Y', 'yes', ' YES ']) {
    it(`takes ${JSON.stringify(answer)} for yes`, async () => {
      assert.equal((await ask(answer)).yes, true);
    });
  }

  for (const answer of ['', 'n', 'no', 'yep', 'sure']) {
    it(`takes ${JSON.stringify(answer)} for no`, async () => {
      assert.equal((await ask(answer)).yes, false);
    });
  }

  it('takes the end of input for no', async () => {
    assert.equal((await ask(null)).yes, false);
  });
});
