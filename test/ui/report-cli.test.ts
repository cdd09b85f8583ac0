/**
 * `deploy --report` and `history --report` as a user runs them (the built CLI): a report path
 * that cannot be written is refused before anything else, and `history --report` renders the
 * data this machine kept, or says it kept none (exit 2), never with a stack trace.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { keepReport } from '../../src/app/report-store.js';
import { requireBuild, runCli } from '../commands/cli.js';
import { rolledBackReport } from './event-fixtures.js';

const SEED = ['-e', 'prod', '-r', 'eu-west-1', '-f', 'examples/seed.deploy.yml'];
const STACK = 'shop-catalog-prod-eu-west-1';

describe('ecs-crd deploy --report, history --report', function () {
  this.timeout(20_000);
  before(requireBuild);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-report-cli-'));
    env = { ECS_CRD_HOME: join(dir, 'home'), PULUMI_BACKEND_URL: '' };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deploy refuses a --report path that is a folder before anything else (exit 2)', () => {
    // No region: were the path checked later, the missing region would be the error.
    const { status, stderr } = runCli(
      ['deploy', '-e', 'prod', '-f', 'examples/seed.deploy.yml', '--report', dir],
      { env },
    );
    expect(status).to.equal(2);
    expect(stderr).to.contain(`--report ${dir}: is a folder, not a file`);
    expect(stderr).not.to.match(/\n\s+at /);
  });

  it('history --report says the data is kept on the machine that ran the deploy (exit 2)', () => {
    const { status, stderr } = runCli(['history', ...SEED, '--report', join(dir, 'r.html')], { env });
    expect(status, stderr).to.equal(2);
    expect(stderr).to.contain(`No report data of any deployment of ${STACK} is kept on this machine.`);
    expect(stderr).to.contain('on the machine that ran the deploy');
  });

  it('history --report renders the newest kept deployment, 0600, or the one --deployment names', () => {
    keepReport({ ...rolledBackReport(), stack: STACK }, 'd-0001', { ECS_CRD_HOME: env.ECS_CRD_HOME });
    const file = join(dir, 'r.html');
    const { status, stdout, stderr } = runCli(['history', ...SEED, '--report', file], { env });
    expect(status, stderr).to.equal(0);
    expect(stdout).to.contain(`Wrote the report of deployment d-0001 (2.0.0, rolled_back) to ${file}`);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    expect(readFileSync(file, 'utf8')).to.contain('outcome-rolled_back');
    const json = runCli(['history', ...SEED, '--report', file, '--deployment', 'd-0001', '--json'], { env });
    expect(JSON.parse(json.stdout)).to.deep.equal({
      report: file,
      deployment_id: 'd-0001',
      version: '2.0.0',
      outcome: 'rolled_back',
    });
    expect(
      runCli(['history', ...SEED, '--deployment', 'd-0001'], { env }).status,
      '--deployment needs --report',
    ).to.equal(2);
  });
});
