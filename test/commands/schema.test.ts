import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { requireBuild, runCli } from './cli.js';

describe('ecs-crd schema', () => {
  before(requireBuild);

  it('prints the committed JSON Schema', () => {
    const { status, stdout } = runCli(['schema']);
    expect(status).to.equal(0);
    expect(JSON.parse(stdout)).to.deep.equal(JSON.parse(readFileSync('schema/deploy.schema.json', 'utf8')));
  });

  it('tells how to use it from an editor', () => {
    expect(runCli(['schema', '--help']).stdout).to.match(/# yaml-language-server: \$schema=/);
  });
});
