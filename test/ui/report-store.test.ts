/**
 * Where the report goes: `--report FILE` checked before anything (a folder, or under a file,
 * is a usage error), written 0600 at the end of every kind of run, missing folders 0700; the
 * data of every deployment kept under $ECS_CRD_HOME/reports (0600 in 0700, the 20 newest);
 * `history --report`'s reading of it, with a clear error when this machine kept nothing.
 */
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { recordedRun } from '../../src/app/report.js';
import {
  checkReportPath,
  KEPT_PER_STACK,
  keepReport,
  type ReportShelf,
  readKeptReport,
  readShelvedReport,
  reportsDir,
} from '../../src/app/report-store.js';
import { UsageError } from '../../src/errors.js';
import { fileLeaseStore } from '../../src/stack/lease.js';
import { openedService } from '../app/opened.js';
import { FakeControl, pausedOutputs } from '../app/paused.js';
import { buildConfig } from '../helpers/builders.js';
import { conditionScript, FakeHealthProbe, FakeStackRunner, RecordingReporter } from '../helpers/fakes.js';
import { RecordingStackRunner } from '../helpers/recording-runner.js';
import { rolledBackReport, started, T0 } from './event-fixtures.js';

const mode = (path: string) => statSync(path).mode & 0o777;
const service = { environment: 'prod' as const, region: 'eu-west-1', pulumiVersion: '3.274.1' };

describe('deployment report: files', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-report-store-'));
    env = { ECS_CRD_HOME: join(dir, 'home') };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('--report FILE, checked before the deployment', () => {
    it('refuses a folder, and a path under a file, with a usage error', () => {
      expect(() => checkReportPath(dir)).to.throw(UsageError, /is a folder/);
      writeFileSync(join(dir, 'file'), '');
      expect(() => checkReportPath(join(dir, 'file', 'report.html'))).to.throw(UsageError, /is not a folder/);
    });

    it('refuses an empty path, a device, and a place where no file can be made, leaving nothing there', () => {
      expect(() => checkReportPath('')).to.throw(UsageError, /needs the path of a file/);
      // Written beside it and renamed over it, the page would replace the device itself.
      expect(() => checkReportPath('/dev/null')).to.throw(UsageError, /not a regular file/);
      // access() lets root through where no file can be made: a pseudo file system.
      expect(() => checkReportPath('/proc/report.html')).to.throw(UsageError, /\/proc is not writable/);
      const existing = join(dir, 'old.html');
      writeFileSync(existing, 'old');
      expect(checkReportPath(existing)).to.equal(existing);
      expect(readdirSync(dir).sort()).to.deep.equal(['old.html']);
    });

    it('accepts a file in missing folders without creating them yet', () => {
      const path = checkReportPath(join(dir, 'a', 'b', 'report.html'));
      expect(path).to.equal(join(dir, 'a', 'b', 'report.html'));
      expect(existsSync(join(dir, 'a'))).to.equal(false);
    });
  });

  describe('the data kept of every deployment', () => {
    it('is 0600 in 0700 folders, and reads back as it was kept', () => {
      const data = rolledBackReport();
      const file = keepReport(data, 'd-0001', env);
      expect(file).to.equal(join(dir, 'home', 'reports', data.stack, 'd-0001.json'));
      expect(mode(file)).to.equal(0o600);
      expect(
        [join(dir, 'home'), join(dir, 'home', 'reports'), reportsDir(data.stack, env)].map(mode),
      ).to.deep.equal([0o700, 0o700, 0o700]);
      expect(readKeptReport(data.stack, 'd-0001', env)).to.deep.equal(data);
    });

    it(`keeps the ${KEPT_PER_STACK} newest per stack, and reads the newest by default`, () => {
      const data = rolledBackReport();
      for (let i = 0; i < KEPT_PER_STACK + 3; i += 1) {
        const file = keepReport({ ...data, error: `run ${i}` }, `d-${i}`, env);
        const time = new Date(Date.UTC(2026, 0, 1, 0, i));
        utimesSync(file, time, time);
      }
      // The last one is pruned only on the next keep: keep one more, newest of all.
      keepReport({ ...data, error: 'run last' }, 'd-last', env);
      const kept = readdirSync(reportsDir(data.stack, env)).sort();
      expect(kept).to.have.length(KEPT_PER_STACK);
      expect(kept).not.to.include('d-0.json').and.not.to.include('d-3.json');
      expect(kept).to.include('d-4.json').and.include('d-last.json');
      expect(readKeptReport(data.stack, undefined, env).error).to.equal('run last');
    });

    it('says the data is kept on the machine that ran the deploy when there is none (exit 2)', () => {
      expect(() => readKeptReport('shop-orders-api-prod-eu-west-1', undefined, env))
        .to.throw(
          UsageError,
          /No report data of any deployment of shop-orders-api-prod-eu-west-1 is kept on this machine/,
        )
        .with.property('hint')
        .that.contains('on the machine that ran the deploy');
      keepReport(rolledBackReport(), 'd-0001', env);
      expect(() => readKeptReport('shop-orders-api-prod-eu-west-1', 'd-9999', env)).to.throw(
        UsageError,
        /deployment d-9999/,
      );
      expect(() => readKeptReport('shop-orders-api-prod-eu-west-1', '../../etc/passwd', env)).to.throw(
        UsageError,
        /not a deployment id/,
      );
    });
  });

  describe('deploy --report', () => {
    it('writes the page 0600 (its missing folder 0700) and keeps the data of a deployed run', async () => {
      const opened = openedService();
      const file = join(dir, 'out', 'report.html');
      const run = recordedRun(file, { env, open: async () => opened });
      const reports = new RecordingReporter();
      const document = await run.deploy({ service, reporter: reports.reporter, clock: opened.clock });
      expect(document.outcome).to.equal('deployed');
      expect(reports.events.some((e) => e.code === 'engine.event' || e.code === 'rollout.finished')).to.equal(
        true,
      );
      expect(mode(file)).to.equal(0o600);
      expect(mode(join(dir, 'out'))).to.equal(0o700);
      expect(readFileSync(file, 'utf8')).to.contain('outcome-deployed').and.contain(document.deployment_id);
      expect(run.notes).to.deep.equal([`Report written to ${file}`]);
      const kept = readKeptReport(opened.ctx.stack, document.deployment_id, env);
      expect(kept.document).to.deep.equal(document);
      expect(kept.events.map((e) => e.code))
        .to.include('rollout.finished')
        .and.not.include('engine.event');
    });

    it('writes it for a rolled-back run, and keeps the data without --report', async () => {
      const opened = openedService();
      opened.aws.probe = new FakeHealthProbe(
        opened.clock,
        conditionScript(opened.ctx.config.canary.scale.desired, () => 'unhealthy'),
      );
      const file = join(dir, 'rolled-back.html');
      const document = await recordedRun(file, { env, open: async () => opened }).deploy({
        service,
        reporter: () => {},
        clock: opened.clock,
      });
      expect(document.outcome).to.equal('rolled_back');
      expect(readFileSync(file, 'utf8')).to.contain('outcome-rolled_back');

      const again = openedService();
      const quiet = await recordedRun(undefined, { env, open: async () => again }).deploy({
        service,
        reporter: () => {},
        clock: again.clock,
      });
      expect(readKeptReport(again.ctx.stack, quiet.deployment_id, env).document?.outcome).to.equal(
        'deployed',
      );
    });

    it('on a backend with a shelf (S3), keeps the data there too, for the other machines; a shelf that refuses is a warning', async () => {
      const shelved = new Map<string, string>();
      const shelf: ReportShelf = {
        location: 's3://team-state/ecs-crd/.ecs-crd/reports',
        keep: async (stack, id, text) => {
          shelved.set(`${stack}/${id}`, text);
        },
        read: async (stack, id) => shelved.get(`${stack}/${id}`) ?? null,
      };
      const opened = openedService();
      opened.ctx.reports = shelf;
      const run = recordedRun(undefined, { env, open: async () => opened });
      const document = await run.deploy({ service, reporter: () => {}, clock: opened.clock });
      expect(run.notes).to.deep.equal([]);
      const back = await readShelvedReport(shelf, opened.ctx.stack, document.deployment_id);
      expect(back).to.deep.equal(readKeptReport(opened.ctx.stack, document.deployment_id, env));
      expect(await readShelvedReport(shelf, opened.ctx.stack, 'd-none')).to.equal(null);
      expect(await readShelvedReport(shelf, opened.ctx.stack, '../escape')).to.equal(null);

      const refused = openedService();
      refused.ctx.reports = {
        ...shelf,
        keep: async () => {
          throw new Error('S3 refused PutObject: AccessDenied');
        },
      };
      const second = recordedRun(undefined, { env, open: async () => refused });
      const quiet = await second.deploy({ service, reporter: () => {}, clock: refused.clock });
      expect(quiet.outcome).to.equal('deployed');
      expect(second.notes).to.deep.equal([
        "Warning: could not keep this deployment's report data: S3 refused PutObject: AccessDenied",
      ]);
    });

    it('writes it when the run throws after it began, and rethrows the error', async () => {
      const opened = openedService();
      opened.ctx.runner = new FakeStackRunner({
        clock: opened.clock,
        failBeforeChange: () => new Error('engine crashed'),
      });
      const file = join(dir, 'failed.html');
      const error = await recordedRun(file, { env, open: async () => opened })
        .deploy({ service, reporter: () => {}, clock: opened.clock })
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(Error);
      const page = readFileSync(file, 'utf8');
      expect(page).to.contain('outcome-failed').and.contain('engine crashed');
    });

    it('writes nothing for a run refused before its rollout began', async () => {
      const opened = openedService();
      opened.aws.lookup.discover = async () => {
        throw new UsageError('no ALB is tagged CanaryGroup=orders');
      };
      const file = join(dir, 'refused.html');
      const error = await recordedRun(file, { env, open: async () => opened })
        .deploy({ service, reporter: () => {}, clock: opened.clock })
        .catch((e: unknown) => e);
      expect(error).to.be.instanceOf(UsageError);
      expect(existsSync(file)).to.equal(false);
      expect(existsSync(join(dir, 'home', 'reports'))).to.equal(false);
    });

    it('turns a page it cannot write at the end into a warning, not a failure of the run', async () => {
      const opened = openedService();
      const file = join(dir, 'late', 'report.html');
      const run = recordedRun(file, { env, open: async () => opened });
      mkdirSync(join(dir, 'late', 'report.html'), { recursive: true });
      const document = await run.deploy({ service, reporter: () => {}, clock: opened.clock });
      expect(document.outcome).to.equal('deployed');
      expect(run.notes).to.have.length(1);
      expect(run.notes[0]).to.match(/^Warning: could not write the report /);
    });
  });

  describe('promote --report', () => {
    /** A stack paused at 10 % by deployment d-paused, whose run kept what it did up to the pause. */
    function pausedHere() {
      const opened = openedService({ runner: new RecordingStackRunner({ outputs: pausedOutputs() }) });
      opened.ctx.config = buildConfig({ service: { version: '1.5.0' } });
      opened.ctx.leases = fileLeaseStore(join(dir, 'leases'));
      const { project, name, environment, region } = opened.ctx.identity;
      keepReport(
        {
          document: null,
          identity: { project, name, environment, region },
          stack: opened.ctx.stack,
          events: [{ ...started, time: T0 }],
          error: null,
        },
        'd-paused',
        env,
      );
      return opened;
    }
    const promote = {
      service,
      reporter: () => {},
      by: 'ana@laptop (pid 4242)',
      openControl: () => new FakeControl(),
    };

    it('writes the page and keeps the data of the whole deployment: the paused run’s events, then the promotion’s', async () => {
      const opened = pausedHere();
      const file = join(dir, 'promoted.html');
      const run = recordedRun(file, { env, open: async () => opened });
      const result = await run.promote({ ...promote, clock: opened.clock });
      if (result.kind !== 'resumed') expect.fail('resumed');
      expect(result.document.outcome).to.equal('deployed');
      expect(run.notes).to.deep.equal([`Report written to ${file}`]);
      const kept = readKeptReport(opened.ctx.stack, 'd-paused', env);
      const codes = kept.events.map((e) => e.code);
      // The paused run's start (at T0), then the resumed rollout's own start and resumption.
      expect(kept.events[0]).to.deep.include({ code: 'rollout.started', time: T0 });
      expect(codes.slice(1, 3)).to.deep.equal(['rollout.started', 'rollout.resumed']);
      expect(codes.at(-1)).to.equal('rollout.finished');
      expect(kept.document).to.deep.equal(result.document);
      expect(readFileSync(file, 'utf8')).to.contain('outcome-deployed').and.contain('d-paused');
    });

    it('keeps the promotion’s own part when the pause was kept on another machine', async () => {
      const opened = pausedHere();
      rmSync(reportsDir(opened.ctx.stack, env), { recursive: true });
      await recordedRun(undefined, { env, open: async () => opened }).promote({
        ...promote,
        clock: opened.clock,
      });
      const codes = readKeptReport(opened.ctx.stack, 'd-paused', env).events.map((e) => e.code);
      // The resumed rollout's own start, then its resumption: nothing from before the pause.
      expect(codes.slice(0, 2)).to.deep.equal(['rollout.started', 'rollout.resumed']);
    });

    it('writes nothing when the run that holds the stack goes on, and says who keeps the data', async () => {
      const opened = pausedHere();
      // This process as a deploy waiting at the pause: it holds the stack, so promote hands it on.
      mkdirSync(join(dir, 'leases'), { recursive: true });
      writeFileSync(
        join(dir, 'leases', `${opened.ctx.stack}.json`),
        JSON.stringify({
          host: hostname(),
          user: 'ci',
          pid: process.pid,
          command: 'deploy',
          since: new Date().toISOString(),
        }),
      );
      const file = join(dir, 'handed.html');
      const run = recordedRun(file, { env, open: async () => opened });
      const result = await run.promote({ ...promote, clock: opened.clock });
      expect(result.kind).to.equal('handed');
      expect(existsSync(file)).to.equal(false);
      expect(run.notes).to.have.length(1);
      expect(run.notes[0]).to.match(
        /^No report written to .*handed\.html: deploy by ci@.* goes on and keeps the deployment's data/,
      );
    });
  });
});
