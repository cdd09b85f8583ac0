import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { deployIn, lostPriorityRace, PRIORITY_ROUNDS } from '../../src/app/deploy.js';
import type { LeaseStore } from '../../src/canary/ports/lease.js';
import type { RolloutResult, StepOutcome } from '../../src/canary/rollout/types.js';
import { formatProblem } from '../../src/config/problems.js';
import { UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { fileLeaseStore } from '../../src/stack/lease.js';
import { rejection } from '../aws/fixtures.js';
import { FakeClock, FakeStackRunner, RecordingReporter } from '../helpers/fakes.js';
import { openedService, SECRET_WARNING } from './opened.js';
import { FakeControl } from './paused.js';

describe('deploy: the deployment file’s warnings', () => {
  const service = { environment: 'prod' as const, region: 'eu-west-1', pulumiVersion: '3.274.1' };

  it('reports each warning once, before anything else, and carries them in the document', async () => {
    const other = { ...SECRET_WARNING, line: 32, path: 'service.containers[0].environment.API_KEY' };
    const opened = openedService({ warnings: [SECRET_WARNING, other] });
    const reports = new RecordingReporter();
    const document = await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock });

    expect(document.outcome).to.equal('deployed');
    expect(reports.codes().slice(0, 3)).to.deep.equal([
      'config.warning',
      'config.warning',
      'rollout.started',
    ]);
    const warnings = reports.of('config.warning');
    expect(warnings.map((event) => event.level)).to.deep.equal(['warn', 'warn']);
    expect(warnings.map((event) => event.text)).to.deep.equal([
      formatProblem(SECRET_WARNING),
      formatProblem(other),
    ]);
    expect(warnings[0]?.data).to.deep.equal({
      file: 'prod.deploy.yml',
      line: 31,
      column: 9,
      path: 'service.containers[0].environment.DB_PASSWORD',
    });
    expect(document.warnings).to.deep.equal([formatProblem(SECRET_WARNING), formatProblem(other)]);
  });

  it('reports them even when the deployment is then refused', async () => {
    const opened = openedService({ warnings: [SECRET_WARNING] });
    opened.aws.lookup.discover = async () => {
      throw new Error('no ALB is tagged CanaryGroup=orders');
    };
    const reports = new RecordingReporter();
    const error = await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(Error);
    expect(reports.codes()).to.deep.equal(['config.warning']);
  });

  it('has none to report for a file without any', async () => {
    const opened = openedService();
    const reports = new RecordingReporter();
    const document = await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock });
    expect(reports.of('config.warning')).to.deep.equal([]);
    expect(document.warnings).to.deep.equal([]);
  });
});

describe('deploy: --wait, hooks and the control channel', () => {
  let leases: string;
  beforeEach(() => {
    leases = mkdtempSync(join(tmpdir(), 'ecs-crd-deploy-'));
  });
  afterEach(() => rmSync(leases, { recursive: true, force: true }));
  const service = { environment: 'prod' as const, region: 'eu-west-1', pulumiVersion: '3.274.1' };

  it('--wait on a backend without a lease folder: exit 2 before anything changes, saying why', async () => {
    const opened = openedService();
    const reports = new RecordingReporter();
    const error = await rejection(
      deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock, wait: true }),
    );
    expect(error).to.be.instanceOf(UsageError);
    expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
    expect(error.message).to.match(
      /--wait needs a control channel, and the backend file:\/\/\/nowhere keeps none/,
    );
    expect((error as UsageError).hint).to.match(/Deploy without --wait/);
    expect(reports.codes()).to.not.include('rollout.started');
    expect((opened.ctx.runner as FakeStackRunner).ups).to.deep.equal([]);
  });

  it('opens the control channel of the stack when the strategy may pause, and the hook runner in the file’s folder', async () => {
    const opened = openedService();
    opened.ctx.file = 'deploy/prod.deploy.yml';
    opened.ctx.leases = fileLeaseStore(leases);
    opened.ctx.config.canary.strategy = [{ weight: 10, wait: 60, pause: true }];
    opened.ctx.config.canary.hooks = {
      after_deploy: [{ kind: 'command', command: ['./done.sh'], timeout: 300 }],
    };
    const opens: [LeaseStore | undefined, string][] = [];
    const hookDirs: string[] = [];
    const control = new FakeControl();
    await deployIn(opened, {
      service,
      reporter: new RecordingReporter().reporter,
      clock: opened.clock,
      toolVersion: '9.9.9',
      openControl: (leases, stack) => {
        opens.push([leases, stack]);
        return control;
      },
      hookRunner: async (cwd, version) => {
        hookDirs.push(`${cwd} ${version}`);
        return { run: async () => ({ ok: true, detail: 'exit code 0', durationMs: 1 }) };
      },
    });
    expect(opens).to.deep.equal([[opened.ctx.leases, opened.ctx.stack]]);
    expect(hookDirs).to.deep.equal(['deploy 9.9.9']);
  });

  it('opens neither without pauses or hooks', async () => {
    const opened = openedService();
    let opened_ = 0;
    await deployIn(opened, {
      service,
      reporter: new RecordingReporter().reporter,
      clock: opened.clock,
      openControl: () => {
        opened_++;
        return new FakeControl();
      },
      hookRunner: async () => expect.fail('no hooks in the file'),
    });
    expect(opened_).to.equal(0);
  });
});

describe('deploy: another deployment on the shared ALBs took the rule priority it had chosen', () => {
  const service = { environment: 'prod' as const, region: 'eu-west-1', pulumiVersion: '3.274.1' };
  const priorityInUse = () => new Error('The Pulumi engine failed: The specified priority is in use.');

  function setup(failing: (index: number) => boolean) {
    const clock = new FakeClock();
    const runner = new FakeStackRunner({
      clock,
      failUp: (_desired, index) => (failing(index) ? priorityInUse() : undefined),
    });
    const opened = openedService({ runner, clock });
    let lookups = 0;
    const discover = opened.aws.lookup.discover;
    opened.aws.lookup.discover = async (config) => {
      lookups += 1;
      return discover(config);
    };
    return { opened, runner, lookups: () => lookups };
  }

  it('looks the priorities up again and deploys, as the same deployment, saying why', async () => {
    // The first provision is refused; its rollback (the candidate's removal) lands; the second round deploys.
    const { opened, runner, lookups } = setup((index) => index === 0);
    const reports = new RecordingReporter();
    const document = await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock });
    expect(document.outcome).to.equal('deployed');
    expect(lookups()).to.equal(2);
    const retried = reports.of('rollout.retried');
    expect(retried.map((event) => [event.level, event.data.attempt, event.data.of])).to.deep.equal([
      ['warn', 2, PRIORITY_ROUNDS],
    ]);
    const ids = new Set(runner.ups.map((up) => up.desired.meta.deploymentId));
    expect(ids.size, 'one deployment id for both rounds').to.equal(1);
    expect(reports.of('rollout.started')).to.have.length(2);
  });

  it(`gives up after ${PRIORITY_ROUNDS} rounds, rolled back (exit 3)`, async () => {
    const { opened, lookups } = setup((index) => index % 2 === 0);
    const reports = new RecordingReporter();
    const document = await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock });
    expect(document.outcome).to.equal('rolled_back');
    expect(document.reason).to.match(/priority is in use/);
    expect(lookups()).to.equal(PRIORITY_ROUNDS);
    expect(reports.of('rollout.retried')).to.have.length(PRIORITY_ROUNDS - 1);
  });

  it('never starts again for another failure, nor once the candidate had traffic', () => {
    const result = (reason: string, outcomes: StepOutcome[]): RolloutResult => ({
      outcome: 'rolled_back',
      deploymentId: 'd-1',
      version: '2.0.0',
      slot: 'green',
      previous: { slot: 'blue', version: '1.0.0' },
      steps: outcomes.map((outcome) => ({ weight: 50, wait: 1, outcome, observedShare: null })),
      reason,
      durationS: 10,
      instructions: [],
    });
    const lost =
      'Step 1/5: the stack update failed: The Pulumi engine failed: The specified priority is in use.';
    expect(lostPriorityRace(result(lost, ['not_run', 'not_run']))).to.equal(true);
    expect(lostPriorityRace(result(lost, ['failed', 'not_run']))).to.equal(false);
    expect(lostPriorityRace(result('Step 2/5: 1 unhealthy target', ['not_run']))).to.equal(false);
    expect(lostPriorityRace({ ...result(lost, ['not_run']), outcome: 'rollback_failed' })).to.equal(false);
  });
});
