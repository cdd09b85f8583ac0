import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { requireBuild, runCli } from './cli.js';

describe('ecs-crd schema', () => {
  before(requireBuild);

  it('prints the committed JSON Schema', () => {
    const { status, stdout } = runCli(['schema']);
    assert.equal(status, 0);
    assert.deepEqual(JSON.parse(stdout), JSON.parse(readFileSync('schema/deploy.schema.json', 'utf8')));
  });

  it('tells how to use it from an editor', () => {
    assert.match(runCli(['schema', '--help']).stdout, /# yaml-language-server: \$schema=/);
  });
});
