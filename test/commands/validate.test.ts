import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { validFile } from '../config/fixtures.js';
import { requireBuild, runCli } from './cli.js';

const STACK_FRAME = /^\s+at /m;

describe('ecs-crd validate', () => {
  let dir: string;
  before(requireBuild);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-validate-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, file: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof file === 'string' ? file : stringify(file));
    return path;
  };
  const invalid = () => {
    const file = validFile();
    file.canary.releases.green = 1;
    file.canary.strategy[1].weight = 5;
    return file;
  };

  it('exits 0 on a valid file, with one line saying so', () => {
    const { status, stdout, stderr } = runCli(['validate', '-e', 'prod', '-f', 'examples/seed.deploy.yml']);
    expect(status, stderr).to.equal(0);
    expect(stdout).to.equal(
      'examples/seed.deploy.yml: valid (catalog 1.10.0: 1 container, 2 traffic steps)\n',
    );
    expect(stderr).to.equal('');
  });

  it('exits 2 on an invalid file: FILE:LINE:COL PATH: MESSAGE per problem, then the count', () => {
    const file = write('bad.yml', invalid());
    const { status, stdout, stderr } = runCli(['validate', '-e', 'prod', '-f', file]);
    expect(status).to.equal(2);
    expect(stdout).to.equal(
      [
        `${file}:5:5 canary.releases.green: must differ from releases.blue (both are "1")`,
        `${file}:9:7 canary.strategy[1].weight: must be greater than the previous step's weight (10)`,
        `2 problems in ${file}`,
        '',
      ].join('\n'),
    );
    expect(stdout + stderr).to.not.match(STACK_FRAME);
  });

  it('--json never prints a webhook token from the pipeline, nor the path of a webhook URL', () => {
    const file = validFile() as ReturnType<typeof validFile> & { canary: Record<string, unknown> };
    file.canary.hooks = {
      after_deploy: [
        {
          webhook: 'https://hooks.slack.com/services/T1/B2/{{env.SLACK_PATH}}',
          headers: { Authorization: 'Bearer {{env.HOOK_TOKEN}}' },
        },
      ],
    };
    const path = write('hooks.yml', file);
    const env = { HOOK_TOKEN: 'tok-3f9a1c', SLACK_PATH: 'slk-77d2e0' };
    const { status, stdout, stderr } = runCli(['validate', '-e', 'prod', '-f', path, '--json'], { env });
    expect(status, stderr).to.equal(0);
    expect(stdout + stderr)
      .to.not.include('tok-3f9a1c')
      .and.not.include('slk-77d2e0');
    const hook = JSON.parse(stdout).config.canary.hooks.after_deploy[0];
    expect(hook).to.include({ url: 'https://hooks.slack.com/(hidden)' });
    expect(hook.headers).to.deep.equal({ Authorization: '(hidden)' });
  });

  it('prints exactly one JSON document with --json, valid or not', () => {
    const valid = runCli(['validate', '-e', 'prod', '-f', 'examples/fargate.deploy.yml', '--json']);
    expect(valid.status).to.equal(0);
    const report = JSON.parse(valid.stdout);
    expect(Object.keys(report)).to.deep.equal([
      'valid',
      'file',
      'errors',
      'config',
      'error_count',
      'warnings',
    ]);
    expect(report.valid).to.equal(true);
    expect(report.errors).to.deep.equal([]);
    expect(report.config.service.launch_type).to.equal('FARGATE');
    expect(report.config.service.network_mode).to.equal('awsvpc');
    expect(report.config.canary.scale.desired).to.equal(3);

    const file = write('bad.yml', invalid());
    const bad = runCli(['validate', '-e', 'prod', '-f', file, '--json']);
    expect(bad.status).to.equal(2);
    expect(JSON.parse(bad.stdout)).to.deep.equal({
      valid: false,
      file,
      errors: [
        {
          file,
          line: 5,
          column: 5,
          path: 'canary.releases.green',
          message: 'must differ from releases.blue (both are "1")',
        },
        {
          file,
          line: 9,
          column: 7,
          path: 'canary.strategy[1].weight',
          message: "must be greater than the previous step's weight (10)",
        },
      ],
      config: null,
      error_count: 2,
      warnings: [],
    });
  });

  it('reports a YAML syntax error at its place, without a stack trace', () => {
    const file = write('broken.yml', 'canary:\n  group: [a\nservice: {}\n');
    const { status, stdout, stderr } = runCli(['validate', '-e', 'prod', '-f', file]);
    expect(status).to.equal(2);
    expect(stdout).to.match(new RegExp(`^${file}:\\d+:\\d+: .+\n1 problem in ${file}\n$`));
    expect(stdout + stderr).to.not.match(STACK_FRAME);
  });

  it('finds <environment>.deploy.yml in -d, and in the current directory', () => {
    write('qua.deploy.yml', validFile());
    expect(runCli(['validate', '-e', 'qua', '-d', dir]).status).to.equal(0);
    const here = runCli(['validate', '-e', 'qua'], { cwd: dir });
    expect(here.status, here.stderr).to.equal(0);
    expect(here.stdout).to.match(/^qua\.deploy\.yml: valid/);
  });

  it('exits 2 naming the path it tried when the file is missing', () => {
    const { status, stdout, stderr } = runCli(['validate', '-e', 'prod', '-d', dir]);
    expect(status).to.equal(2);
    expect(stdout).to.equal('');
    expect(stderr).to.equal(
      `Error: no deployment file at ${join(dir, 'prod.deploy.yml')}\nHint: pass -f FILE, or -d DIR for a directory holding prod.deploy.yml\n`,
    );
    const json = runCli(['validate', '-e', 'prod', '-d', dir, '--json']);
    expect(json.status).to.equal(2);
    const report = JSON.parse(json.stdout);
    expect(report.valid).to.equal(false);
    expect(report.file).to.equal(join(dir, 'prod.deploy.yml'));
    expect(report.errors[0].message).to.match(/^no deployment file at /);
  });

  it('exits 2 on usage errors: a bad or missing -e, an unknown flag, a bad account id', () => {
    for (const args of [
      ['-e', 'production', '-f', 'examples/seed.deploy.yml'],
      ['-f', 'examples/seed.deploy.yml'],
      ['-e', 'prod', '--colour'],
      ['-e', 'prod', '-f', 'examples/seed.deploy.yml', '--account-id', '12'],
    ]) {
      const { status, stderr } = runCli(['validate', ...args]);
      expect(status, `${args.join(' ')}: ${stderr}`).to.equal(2);
      expect(stderr).to.not.match(STACK_FRAME);
    }
    const json = runCli(['validate', '-e', 'production', '--json']);
    expect(json.status).to.equal(2);
    const report = JSON.parse(json.stdout);
    expect(report.valid).to.equal(false);
    expect(report.errors[0].message).to.match(
      /Expected --environment=production to be one of: dev, qua, stage, preprod, prod/,
    );
  });

  it('renders {{region}} from -r or $AWS_REGION, {{account_id}} from --account-id, else leaves them', () => {
    const image = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      JSON.parse(
        runCli(['validate', '-e', 'prod', '-f', 'examples/seed.deploy.yml', '--json', ...args], { env })
          .stdout,
      ).config.service.containers[0].image;
    expect(image([])).to.equal('{{account_id}}.dkr.ecr.{{region}}.amazonaws.com/catalog:1.10.0');
    expect(image([], { AWS_DEFAULT_REGION: 'us-east-1' })).to.equal(
      '{{account_id}}.dkr.ecr.us-east-1.amazonaws.com/catalog:1.10.0',
    );
    expect(image(['-r', 'eu-west-3', '--account-id', '123456789012'], { AWS_REGION: 'us-east-1' })).to.equal(
      '123456789012.dkr.ecr.eu-west-3.amazonaws.com/catalog:1.10.0',
    );
  });

  it('keeps every line in --log-file, timestamped, in a file only its owner reads', () => {
    const log = join(dir, 'logs', 'validate.log');
    const file = write('bad.yml', invalid());
    const { status } = runCli(['validate', '-e', 'prod', '-f', file, '--log-file', log]);
    expect(status).to.equal(2);
    expect(statSync(log).mode & 0o777).to.equal(0o600);
    expect(statSync(join(dir, 'logs')).mode & 0o777).to.equal(0o700);
    const lines = readFileSync(log, 'utf8').trimEnd().split('\n');
    for (const line of lines)
      expect(line).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARN|ERROR) /);
    expect(lines.some((line) => line.endsWith(`INFO 2 problems in ${file}`))).to.equal(true);
  });

  it('adds detail with --verbose, on stderr', () => {
    const { status, stdout, stderr } = runCli([
      'validate',
      '-e',
      'prod',
      '-f',
      'examples/seed.deploy.yml',
      '--verbose',
      '--json',
    ]);
    expect(status).to.equal(0);
    expect(JSON.parse(stdout).valid).to.equal(true);
    expect(stderr).to.match(/environment prod, region unknown, account unknown/);
  });

  describe('on a hostile file', () => {
    const badNames = (count: number) => {
      const file = validFile();
      file.service.containers[0].environment = Object.fromEntries(
        // `=` ends a name in the environment: the one thing a variable name may not hold.
        Array.from({ length: count }, (_, i) => [`V=${i}`, 'x']),
      );
      return file;
    };

    it('prints the first 50 problems and how many there are in all; --json carries the count', () => {
      const file = write('many.yml', badNames(3962));
      const { status, stdout } = runCli(['validate', '-e', 'prod', '-f', file]);
      expect(status).to.equal(2);
      const lines = stdout.trimEnd().split('\n');
      expect(lines).to.have.length(51);
      expect(lines.at(-1)).to.equal(`… and 3,912 more problems (3,962 in all) in ${file}`);
      const json = JSON.parse(runCli(['validate', '-e', 'prod', '-f', file, '--json']).stdout);
      expect(json.errors).to.have.length(50);
      expect(json.error_count).to.equal(3962);
    });

    it('refuses a file over 1 MiB at once, saying why, without a stack trace', () => {
      const file = write('huge.yml', `# ${'x'.repeat(5 * 1024 * 1024)}\n`);
      const { status, stdout, stderr } = runCli(['validate', '-e', 'prod', '-f', file]);
      expect(status).to.equal(2);
      expect(stdout).to.equal('');
      expect(stderr).to.match(
        new RegExp(`^Error: ${file} is larger than 1 MiB: a deployment file describes one service`),
      );
      expect(stdout + stderr).to.not.match(STACK_FRAME);
    });

    it('reports 1,000 levels of nesting as too deep, at its line, not as a stack overflow', () => {
      const file = write('deep.yml', `canary:\n  group: ${'['.repeat(1000)}${']'.repeat(1000)}\n`);
      const { status, stdout, stderr } = runCli(['validate', '-e', 'prod', '-f', file]);
      expect(status).to.equal(2);
      expect(stdout).to.match(
        new RegExp(`^${file}:2:\\d+: maps and lists nest more than 64 levels deep here`),
      );
      expect(stdout + stderr).to.not.match(/call stack/);
      expect(stdout + stderr).to.not.match(STACK_FRAME);
    });

    it('warns about a secret in environment, and still says the file is valid', () => {
      const file = validFile();
      file.service.containers[0].environment = { DB_PASSWORD: 'hunter2' };
      const path = write('secret.yml', file);
      const { status, stdout } = runCli(['validate', '-e', 'prod', '-f', path]);
      expect(status).to.equal(0);
      const [warning, verdict] = stdout.trimEnd().split('\n');
      expect(warning).to.match(
        new RegExp(
          `^${path}:\\d+:\\d+ service\\.containers\\[0\\]\\.environment\\.DB_PASSWORD: warning: its name says it holds a secret`,
        ),
      );
      expect(verdict).to.match(/: valid \(/);
      const json = JSON.parse(runCli(['validate', '-e', 'prod', '-f', path, '--json']).stdout);
      expect(json.valid).to.equal(true);
      expect(json.warnings.map((w: { path: string }) => w.path)).to.deep.equal([
        'service.containers[0].environment.DB_PASSWORD',
      ]);
    });
  });
});
