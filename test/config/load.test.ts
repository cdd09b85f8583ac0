import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeploymentFileError, InvalidDeploymentError } from '../../src/config/errors.js';
import { deploymentFilePath, loadDeployment, requireDeployment } from '../../src/config/load.js';
import { ExitCode } from '../../src/exit-codes.js';
import { fileWith } from './fixtures.js';

describe('config/load', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-load-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('picks -f, else <environment>.deploy.yml in -d, else in the current directory', () => {
    assert.equal(deploymentFilePath({ environment: 'prod', file: 'x.yml', dir: 'd' }), 'x.yml');
    assert.equal(deploymentFilePath({ environment: 'qua', dir: 'deploy' }), join('deploy', 'qua.deploy.yml'));
    assert.equal(deploymentFilePath({ environment: 'dev' }), 'dev.deploy.yml');
  });

  it('reads and checks the file found in -d', async () => {
    writeFileSync(
      join(dir, 'stage.deploy.yml'),
      fileWith(() => {}),
    );
    const result = await loadDeployment({ environment: 'stage', dir, region: 'eu-west-1' });
    assert.ok(result.ok);
    assert.equal(result.file, join(dir, 'stage.deploy.yml'));
  });

  it('names the problems’ file as the user gave it', async () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'canary: 1\n');
    const result = await loadDeployment({ environment: 'prod', file });
    assert.ok(!result.ok && result.problems.every((p) => p.file === file));
  });

  it('says which path it tried when the file is missing (exit 2)', async () => {
    const error = await loadDeployment({ environment: 'prod', dir }).catch((e: unknown) => e);
    assert.ok(error instanceof DeploymentFileError);
    assert.equal(error.exitCode, ExitCode.Usage);
    assert.equal(error.message, `no deployment file at ${join(dir, 'prod.deploy.yml')}`);
    assert.equal(error.hint, 'pass -f FILE, or -d DIR for a directory holding prod.deploy.yml');
  });

  it('points at a .yaml file of the same name', async () => {
    writeFileSync(join(dir, 'prod.deploy.yaml'), '');
    const error = await loadDeployment({ environment: 'prod', dir }).catch((e: unknown) => e);
    assert.ok(error instanceof DeploymentFileError);
    assert.match(error.hint ?? '', /found .*prod\.deploy\.yaml/);
  });

  it('explains a directory given as the file', async () => {
    mkdirSync(join(dir, 'deploy'));
    const error = await loadDeployment({ environment: 'prod', file: join(dir, 'deploy') }).catch(
      (e: unknown) => e,
    );
    assert.ok(error instanceof DeploymentFileError);
    assert.match(error.message, /is a directory/);
    assert.match(error.hint ?? '', /-d /);
  });

  it('gives commands that need a valid file the config, or every problem in one error', async () => {
    const good = join(dir, 'good.yml');
    writeFileSync(
      good,
      fileWith(() => {}),
    );
    const { config } = await requireDeployment({ environment: 'prod', file: good, region: 'eu-west-1' });
    assert.equal(config.service.name, 'api');

    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      fileWith((f) => (f.canary.releases.green = 1)),
    );
    const error = await requireDeployment({ environment: 'prod', file: bad }).catch((e: unknown) => e);
    assert.ok(error instanceof InvalidDeploymentError);
    assert.equal(error.exitCode, ExitCode.Usage);
    assert.match(error.message, /has 1 problem:\n.*bad\.yml:\d+:\d+ canary\.releases\.green: must differ/);
  });
});
