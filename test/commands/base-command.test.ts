import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Errors } from '@oclif/core';
import { captureOutput } from '@oclif/test';
import { BaseCommand, regionFrom } from '../../src/base-command.js';
import { RolledBackError } from '../../src/errors.js';
import { ROOT } from './cli.js';

class Boom extends BaseCommand<typeof Boom> {
  static override enableJsonFlag = true;
  async run(): Promise<void> {
    throw new TypeError('cannot read properties of undefined');
  }
}

class RolledBack extends BaseCommand<typeof RolledBack> {
  static override enableJsonFlag = true;
  async run(): Promise<void> {
    throw new RolledBackError('the candidate failed its health gate', {
      hint: 'see the target health above',
      cause: new Error('3 of 4 targets unhealthy'),
    });
  }
}

class NeedsRegion extends BaseCommand<typeof NeedsRegion> {
  async run(): Promise<void> {
    this.requireRegion(undefined);
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
    const { error, stderr, stdout } = await captureOutput(() => RolledBack.run([], LOAD));
    assert.equal(exitOf(error), 3);
    assert.equal(stdout, '');
    assert.equal(stderr, 'Error: the candidate failed its health gate\nHint: see the target health above\n');
  });

  it('shows the stack and its causes with --verbose', async () => {
    const { error, stderr } = await captureOutput(() => RolledBack.run(['--verbose'], LOAD));
    assert.equal(exitOf(error), 3);
    assert.match(stderr, /^\s+at /m);
    assert.match(stderr, /Error: 3 of 4 targets unhealthy/);
  });

  it('turns anything else into exit 1, still without a stack trace', async () => {
    const { error, stderr } = await captureOutput(() => Boom.run([], LOAD));
    assert.equal(exitOf(error), 1);
    assert.match(stderr, /^Error: unexpected error: cannot read properties of undefined\nHint: .*--verbose/);
    assert.doesNotMatch(stderr, /^\s+at /m);
  });

  it('prints one JSON error document with --json', async () => {
    const { error, stdout } = await captureOutput(() => RolledBack.run(['--json'], LOAD));
    assert.equal(exitOf(error), 3);
    assert.deepEqual(JSON.parse(stdout), {
      error: {
        exitCode: 3,
        name: 'RolledBackError',
        message: 'the candidate failed its health gate',
        hint: 'see the target health above',
      },
    });
  });

  it('leaves flag errors to oclif, with exit 2', async () => {
    const { error } = await captureOutput(() => RolledBack.run(['--nope'], LOAD));
    assert.ok(error instanceof Errors.CLIError);
    assert.equal(error.oclif.exit, 2);
  });

  it('takes the region from -r, else $AWS_REGION, else $AWS_DEFAULT_REGION', async () => {
    assert.equal(regionFrom('eu-west-3', { AWS_REGION: 'us-east-1' }), 'eu-west-3');
    assert.equal(
      regionFrom(undefined, { AWS_REGION: 'us-east-1', AWS_DEFAULT_REGION: 'us-west-2' }),
      'us-east-1',
    );
    assert.equal(regionFrom(undefined, { AWS_REGION: '', AWS_DEFAULT_REGION: 'us-west-2' }), 'us-west-2');
    assert.equal(regionFrom(undefined, {}), undefined);
    process.env.AWS_REGION = '';
    process.env.AWS_DEFAULT_REGION = '';
    const { error, stderr } = await captureOutput(() => NeedsRegion.run([], LOAD));
    assert.equal(exitOf(error), 2);
    assert.equal(stderr, 'Error: no AWS region\nHint: pass -r/--region, or set AWS_REGION\n');
  });
});
