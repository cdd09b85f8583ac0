import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DeploymentFileError, InvalidDeploymentError } from '../../src/config/errors.js';
import { deploymentFilePath, loadDeployment, requireDeployment } from '../../src/config/load.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { fileWith } from './fixtures.js';

describe('config/load', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-load-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('picks -f, else <environment>.deploy.yml in -d, else in the current directory', () => {
    expect(deploymentFilePath({ environment: 'prod', file: 'x.yml', dir: 'd' })).to.equal('x.yml');
    expect(deploymentFilePath({ environment: 'qua', dir: 'deploy' })).to.equal(
      join('deploy', 'qua.deploy.yml'),
    );
    expect(deploymentFilePath({ environment: 'dev' })).to.equal('dev.deploy.yml');
  });

  it('reads and checks the file found in -d', async () => {
    writeFileSync(
      join(dir, 'stage.deploy.yml'),
      fileWith(() => {}),
    );
    const result = await loadDeployment({ environment: 'stage', dir, region: 'eu-west-1' });
    expect(result.ok).to.equal(true);
    expect(result.file).to.equal(join(dir, 'stage.deploy.yml'));
  });

  it('passes --var values and the environment through to the templates', async () => {
    const file = join(dir, 'qua.deploy.yml');
    writeFileSync(
      file,
      fileWith((f) => {
        f.service.version = '{{env.GIT_SHA}}';
        f.service.name = 'api-{{var.suffix}}';
      }),
    );
    const { config } = await requireDeployment({
      environment: 'qua',
      file,
      region: 'eu-west-1',
      env: { GIT_SHA: 'f00d' },
      vars: { suffix: 'pr-7' },
    });
    expect([config.service.version, config.service.name]).to.deep.equal(['f00d', 'api-pr-7']);
    const error = await requireDeployment({ environment: 'qua', file, env: {}, vars: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(InvalidDeploymentError);
    expect((error as InvalidDeploymentError).problems.map((p) => p.message)).to.deep.equal([
      '{{var.suffix}}: no `--var suffix=…` was given: pass it to every command that reads this file',
      '{{env.GIT_SHA}}: the environment variable GIT_SHA is not set: export it, or set it in the CI job',
    ]);
  });

  it('names the problems’ file as the user gave it', async () => {
    const file = join(dir, 'bad.yml');
    writeFileSync(file, 'canary: 1\n');
    const result = await loadDeployment({ environment: 'prod', file });
    expect(!result.ok && result.problems.every((p) => p.file === file)).to.equal(true);
  });

  it('says which path it tried when the file is missing (exit 2)', async () => {
    const error = await loadDeployment({ environment: 'prod', dir }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DeploymentFileError);
    expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
    expect((error as DeploymentFileError).message).to.equal(
      `no deployment file at ${join(dir, 'prod.deploy.yml')}`,
    );
    expect((error as DeploymentFileError).hint).to.equal(
      'pass -f FILE, or -d DIR for a directory holding prod.deploy.yml',
    );
  });

  it('says -f needs a path when it is given empty (exit 2), instead of a blank one', async () => {
    const error = await loadDeployment({ environment: 'prod', file: '' }).catch((e: unknown) => e);
    expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
    expect((error as DeploymentFileError).message).to.equal('-f/--file needs the path of a deployment file');
  });

  it('points at a .yaml file of the same name', async () => {
    writeFileSync(join(dir, 'prod.deploy.yaml'), '');
    const error = await loadDeployment({ environment: 'prod', dir }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(DeploymentFileError);
    expect((error as DeploymentFileError).hint ?? '').to.match(/found .*prod\.deploy\.yaml/);
  });

  it('explains a directory given as the file', async () => {
    mkdirSync(join(dir, 'deploy'));
    const error = await loadDeployment({ environment: 'prod', file: join(dir, 'deploy') }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(DeploymentFileError);
    expect((error as DeploymentFileError).message).to.match(/is a directory/);
    expect((error as DeploymentFileError).hint ?? '').to.match(/-d /);
  });

  it('gives commands that need a valid file the config, or every problem in one error', async () => {
    const good = join(dir, 'good.yml');
    writeFileSync(
      good,
      fileWith(() => {}),
    );
    const { config } = await requireDeployment({ environment: 'prod', file: good, region: 'eu-west-1' });
    expect(config.service.name).to.equal('api');

    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      fileWith((f) => (f.canary.releases.green = 1)),
    );
    const error = await requireDeployment({ environment: 'prod', file: bad }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(InvalidDeploymentError);
    expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
    expect((error as InvalidDeploymentError).message).to.match(
      /has 1 problem:\n.*bad\.yml:\d+:\d+ canary\.releases\.green: must differ/,
    );
  });

  it('gives them the file’s warnings too, so that deploy and preview show what validate shows', async () => {
    const good = join(dir, 'good.yml');
    writeFileSync(
      good,
      fileWith(() => {}),
    );
    expect((await requireDeployment({ environment: 'prod', file: good })).warnings).to.deep.equal([]);

    const leaky = join(dir, 'leaky.yml');
    writeFileSync(
      leaky,
      fileWith((f) => (f.service.containers[0].environment = { DB_PASSWORD: 'hunter2' })),
    );
    const { warnings } = await requireDeployment({ environment: 'prod', file: leaky });
    expect(warnings.map((w) => w.path)).to.deep.equal(['service.containers[0].environment.DB_PASSWORD']);
    expect(warnings[0]?.message).to.match(/^warning: its name says it holds a secret/);
  });
});
