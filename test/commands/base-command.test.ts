import { readFileSync } from 'node:fs';
import { Errors } from '@oclif/core';
import { captureOutput } from '@oclif/test';
import { expect } from 'chai';
import { regionOf } from '../../src/app/service.js';
import { BaseCommand, regionFrom } from '../../src/base-command.js';
import { RollbackFailedError } from '../../src/errors.js';
import { ROOT } from './cli.js';

class Boom extends BaseCommand<typeof Boom> {
  static override enableJsonFlag = true;
  async run(): Promise<void> {
    throw new TypeError('cannot read properties of undefined');
  }
}

class RollbackFailed extends BaseCommand<typeof RollbackFailed> {
  static override enableJsonFlag = true;
  async run(): Promise<void> {
    throw new RollbackFailedError('the rollback failed: the stable release could not be restored', {
      hint: 'see the target health above',
      cause: new Error('3 of 4 targets unhealthy'),
    });
  }
}

class NeedsRegion extends BaseCommand<typeof NeedsRegion> {
  async run(): Promise<void> {
    regionOf({ region: regionFrom(undefined, {}) });
  }
}

// The project's config without its commands: these tests are about the base class alone.
const pjson = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8'));
const LOAD = { root: ROOT, pjson: { ...pjson, oclif: { ...pjson.oclif, commands: undefined } } };

const exitOf = (error: Error | undefined) =>
  error instanceof Errors.ExitError ? error.oclif.exit : undefined;

describe('base command', () => {
  let saved: NodeJS.ProcessEnv;
  beforeEach(() => {
    saved = { ...process.env };
  });
  afterEach(() => {
    process.env = saved;
  });

  it('renders an EcsCrdError as its message and hint, exit code from the table, no stack trace', async () => {
    const { error, stderr, stdout } = await captureOutput(() => RollbackFailed.run([], LOAD));
    expect(exitOf(error)).to.equal(4);
    expect(stdout).to.equal('');
    expect(stderr).to.equal(
      'Error: the rollback failed: the stable release could not be restored\nHint: see the target health above\n',
    );
  });

  it('shows the stack and its causes with --verbose', async () => {
    const { error, stderr } = await captureOutput(() => RollbackFailed.run(['--verbose'], LOAD));
    expect(exitOf(error)).to.equal(4);
    expect(stderr).to.match(/^\s+at /m);
    expect(stderr).to.match(/Error: 3 of 4 targets unhealthy/);
  });

  it('turns anything else into exit 1, still without a stack trace', async () => {
    const { error, stderr } = await captureOutput(() => Boom.run([], LOAD));
    expect(exitOf(error)).to.equal(1);
    expect(stderr).to.match(
      /^Error: unexpected error: cannot read properties of undefined\nHint: .*--verbose/,
    );
    expect(stderr).to.not.match(/^\s+at /m);
  });

  it('prints one JSON error document with --json', async () => {
    const { error, stdout } = await captureOutput(() => RollbackFailed.run(['--json'], LOAD));
    expect(exitOf(error)).to.equal(4);
    expect(JSON.parse(stdout)).to.deep.equal({
      error: {
        exitCode: 4,
        name: 'RollbackFailedError',
        message: 'the rollback failed: the stable release could not be restored',
        hint: 'see the target health above',
      },
    });
  });

  it('leaves flag errors to oclif, with exit 2', async () => {
    const { error } = await captureOutput(() => RollbackFailed.run(['--nope'], LOAD));
    expect(error).to.be.instanceOf(Errors.CLIError);
    expect((error as Errors.CLIError).oclif.exit).to.equal(2);
  });

  it('takes the region from -r, else $AWS_REGION, else $AWS_DEFAULT_REGION', async () => {
    expect(regionFrom('eu-west-3', { AWS_REGION: 'us-east-1' })).to.equal('eu-west-3');
    expect(regionFrom(undefined, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' })).to.equal(
      'us-east-1',
    );
    expect(regionFrom(undefined, { AWS_REGION: '', AWS_DEFAULT_REGION: 'us-west-2' })).to.equal('us-west-2');
    expect(regionFrom(undefined, {})).to.equal(undefined);
    process.env.AWS_REGION = '';
    process.env.AWS_DEFAULT_REGION = '';
    const { error, stderr } = await captureOutput(() => NeedsRegion.run([], LOAD));
    expect(exitOf(error)).to.equal(2);
    expect(stderr).to.equal('Error: no AWS region\nHint: pass -r/--region, or set AWS_REGION\n');
  });
});
