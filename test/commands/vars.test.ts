/**
 * `--var NAME=VALUE` as a user types it: on every command that reads the deployment file, a
 * malformed one is exit 2 with a message naming the flag, before the file or AWS is touched.
 */
import { expect } from 'chai';
import { requireBuild, runCli } from './cli.js';

const SEED = ['-e', 'prod', '-r', 'eu-west-1', '-f', 'examples/seed.deploy.yml'];
const STACK_FRAME = /^\s+at /m;

describe('--var on the commands that read the deployment file', () => {
  before(requireBuild);

  for (const command of [
    'validate',
    'preview',
    'deploy',
    'promote',
    'rollback',
    'undeploy',
    'status',
    'history',
  ]) {
    it(`${command}: --var without = is exit 2, naming the flag`, () => {
      const { status, stderr } = runCli([command, ...SEED, '--var', 'tag']);
      expect(status, stderr).to.equal(2);
      expect(stderr).to.match(/--var tag/);
      expect(stderr).to.match(/NAME=VALUE/);
      expect(stderr).to.not.match(STACK_FRAME);
    });
  }

  it('the same name twice is exit 2', () => {
    const { status, stderr } = runCli(['validate', ...SEED, '--var', 'tag=1', '--var', 'tag=2']);
    expect(status).to.equal(2);
    expect(stderr).to.match(/--var tag.*twice/);
  });

  it('a name that is not one is exit 2, with --json an error document', () => {
    const { status, stdout } = runCli(['deploy', ...SEED, '--var', '1tag=x', '--json']);
    expect(status).to.equal(2);
    const { error } = JSON.parse(stdout) as { error: { exitCode: number; name: string; message: string } };
    expect(error.exitCode).to.equal(2);
    expect(error.name).to.equal('UsageError');
    expect(error.message).to.match(/--var 1tag/);
  });

  it('well-formed values (holding =, or empty) are taken: validate passes', () => {
    const { status, stderr } = runCli(['validate', ...SEED, '--var', 'url=a=b', '--var', 'empty=']);
    expect(status, stderr).to.equal(0);
  });
});
