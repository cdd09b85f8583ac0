import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { openInAccount, regionOf, type ServiceOptions } from '../../src/app/service.js';
import { InvalidDeploymentError } from '../../src/config/errors.js';
import { UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { rejection } from '../aws/fixtures.js';

/** The sandbox's file with two mistakes: a weight above 100 and an unquoted version. */
const BROKEN = readFileSync(join(import.meta.dirname, '../../examples/sandbox.deploy.yml'), 'utf8')
  .replace('weight: 10\n', 'weight: 150\n')
  .replace('version: "1.0.0"', 'version: 1.10');

describe('app/service: what prepare checks first', () => {
  let dir: string;
  const saved = { ...process.env };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-service-'));
    // No AWS anywhere: any call to it would fail (or hang on the instance metadata service).
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE', 'AWS_REGION']) {
      delete process.env[key];
    }
    process.env.AWS_EC2_METADATA_DISABLED = 'true';
    process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, 'none');
    process.env.AWS_CONFIG_FILE = join(dir, 'none');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    process.env = { ...saved };
  });

  function options(text: string, region: string | undefined): ServiceOptions {
    const file = join(dir, 'dev.deploy.yml');
    writeFileSync(file, text);
    return {
      environment: 'dev',
      region,
      file,
      endpointUrl: 'http://127.0.0.1:9',
      pulumiVersion: '3.274.1',
    };
  }

  it('reports every problem of the file before asking AWS anything (no credentials): exit 2', async () => {
    const error = await rejection(openInAccount(options(BROKEN, 'eu-west-1')));
    expect(error, error.message).to.be.instanceOf(InvalidDeploymentError);
    expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
    expect(error.message).to.match(/canary\.strategy\[0\]\.weight/);
    expect(error.message).to.match(/service\.version/);
  });

  it('reports the file’s problems before a missing region', async () => {
    const error = await rejection(openInAccount(options(BROKEN, undefined)));
    expect(error, error.message).to.be.instanceOf(InvalidDeploymentError);
  });

  it('then refuses a missing region (exit 2), still before any AWS call', async () => {
    const valid = BROKEN.replace('weight: 150\n', 'weight: 10\n').replace('version: 1.10', 'version: "1.10"');
    const error = await rejection(openInAccount(options(valid, undefined)));
    expect(error).to.be.instanceOf(UsageError);
    expect(error.message).to.equal('no AWS region');
  });

  it('refuses a region that is no region’s name (exit 2): a typo would name another stack', async () => {
    const valid = BROKEN.replace('weight: 150\n', 'weight: 10\n').replace('version: 1.10', 'version: "1.10"');
    for (const region of ['eu west 1', 'eu-west1', 'EU-WEST-1', 'eu-west-1 ', 'local']) {
      const error = await rejection(openInAccount(options(valid, region)));
      expect(exitCodeOf(error), region).to.equal(ExitCode.Usage);
      expect(error.message).to.equal(`${JSON.stringify(region)} is not an AWS region name.`);
    }
    for (const region of ['eu-west-1', 'ap-southeast-4', 'us-gov-west-1', 'us-isob-east-1', 'il-central-1']) {
      expect(() => regionOf({ region }), region).to.not.throw();
    }
  });
});
