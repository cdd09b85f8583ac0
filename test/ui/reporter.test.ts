import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { PROGRESS_EVENT_CODES, progressEvent } from '../../src/canary/events.js';
import { type LogFile, openLogFile } from '../../src/ui/log-file.js';
import { chooseReporterMode, createReporter, type ReporterMode } from '../../src/ui/reporter.js';
import { runScenario } from '../helpers/rollout-harness.js';
import { ONE_OF_EACH, T0, throughFirstShift } from './event-fixtures.js';

const ESC = '\u001b';

class FakeStderr {
  readonly writes: string[] = [];
  readonly columns = 80;
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.writes.push(chunk);
    return true;
  }
  get text(): string {
    return this.writes.join('');
  }
}

describe('ui/reporter', () => {
  let dir: string;
  let logPath: string;
  let logFile: LogFile;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ecs-crd-reporter-'));
    logPath = join(dir, 'deploy.log');
    logFile = openLogFile(logPath, () => new Date(T0));
  });
  afterEach(() => {
    logFile.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const logText = () => readFileSync(logPath, 'utf8');

  /** Feeds every sample event through a reporter of `mode`, closing it afterwards. */
  function feedAll(mode: ReporterMode, stderr: FakeStderr, verbose = false): void {
    const reporter = createReporter({ mode, verbose, stderr, logFile, now: () => T0, color: false });
    try {
      for (const event of Object.values(ONE_OF_EACH)) reporter.report(event);
    } finally {
      reporter.close();
    }
  }

  describe('chooseReporterMode', () => {
    it('is json with --json, the live view on a terminal, plain lines elsewhere', () => {
      const env = { TERM: 'xterm-256color' };
      expect(chooseReporterMode({ json: true, stderr: new FakeStderr(true), env })).to.equal('json');
      expect(chooseReporterMode({ json: false, stderr: new FakeStderr(true), env })).to.equal('tty');
      expect(chooseReporterMode({ json: false, stderr: new FakeStderr(false), env })).to.equal('plain');
      expect(
        chooseReporterMode({ json: false, stderr: new FakeStderr(true), env: { TERM: 'dumb' } }),
      ).to.equal('plain');
    });
  });

  describe('the log file', () => {
    for (const mode of ['tty', 'plain', 'json'] as const) {
      it(`receives every event, debug and engine output included, in ${mode} mode`, () => {
        feedAll(mode, new FakeStderr(mode === 'tty'));
        const log = logText();
        for (const code of PROGRESS_EVENT_CODES) expect(log, code).to.include(` ${code}  `);
        expect(log).to.include('2026-11-27T10:00:00.000Z DEBUG engine.output  Updating (dev):');
        expect(log).to.include('2026-11-27T10:00:00.000Z DEBUG wait.tick  42 s left');
        expect(log).to.include(
          '2026-11-27T10:00:00.000Z INFO rollout.started    step 1: provision the candidate',
        );
        expect(log).not.to.include(ESC);
      });
    }

    it('keeps a whole real rollout, one or more lines per event', async () => {
      const { reports } = await runScenario();
      const reporter = createReporter({ mode: 'json', verbose: false, stderr: new FakeStderr(), logFile });
      for (const event of reports.events) reporter.report(event);
      reporter.close();
      const lines = logText().trimEnd().split('\n');
      expect(lines.length).to.be.at.least(reports.events.length);
      const codes = lines.map((line) => line.split(' ')[2]);
      expect(codes.filter((code) => code === 'step.finished')).to.have.length(
        reports.of('step.finished').length,
      );
    });

    it('never holds a secret from the engine output', () => {
      const reporter = createReporter({ mode: 'plain', verbose: true, stderr: new FakeStderr(), logFile });
      for (const line of [
        'PULUMI_CONFIG_PASSPHRASE=correct horse battery staple',
        'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      ]) {
        reporter.report(progressEvent('engine.output', 'debug', line, { line }));
      }
      reporter.close();
      expect(logText()).not.to.match(/correct horse|wJalrXUtnFEMI/);
      expect(logText()).to.include('PULUMI_CONFIG_PASSPHRASE=[redacted]');
    });

    it('gets the event even when the display fails', () => {
      const broken = {
        write: (): never => {
          throw new Error('EPIPE');
        },
      };
      const reporter = createReporter({ mode: 'plain', verbose: false, stderr: broken, logFile });
      expect(() => reporter.report(ONE_OF_EACH['step.started'])).to.throw('EPIPE');
      expect(logText()).to.include('step.started  Step 3/5');
    });
  });

  describe('json mode', () => {
    it('writes nothing to stderr or stdout during the run', () => {
      const stderr = new FakeStderr(true);
      const originalStdout = process.stdout.write;
      const originalStderr = process.stderr.write;
      const leaked: string[] = [];
      const spy = (chunk: string | Uint8Array): boolean => {
        leaked.push(String(chunk));
        return true;
      };
      process.stdout.write = spy as typeof process.stdout.write;
      process.stderr.write = spy as typeof process.stderr.write;
      try {
        feedAll('json', stderr, true);
      } finally {
        process.stdout.write = originalStdout;
        process.stderr.write = originalStderr;
      }
      expect(stderr.writes).to.deep.equal([]);
      expect(leaked).to.deep.equal([]);
    });
  });

  describe('plain mode', () => {
    it('writes one timestamped line per info event to stderr, no ANSI', () => {
      const stderr = new FakeStderr();
      const reporter = createReporter({ mode: 'plain', verbose: false, stderr, now: () => T0 });
      for (const event of throughFirstShift()) reporter.report(event);
      reporter.close();
      const lines = stderr.text.trimEnd().split('\n');
      const shown = throughFirstShift().filter((event) => event.level !== 'debug');
      expect(lines).to.have.length(shown.length);
      expect(lines[1]).to.equal('2026-11-27T10:00:00.000Z INFO  step.started  Step 1/5: provision');
      expect(stderr.text).not.to.include(ESC);
    });

    it('adds the debug events with --verbose', () => {
      const quiet = new FakeStderr();
      const verbose = new FakeStderr();
      feedAll('plain', quiet);
      feedAll('plain', verbose, true);
      expect(quiet.text).not.to.include('engine.output');
      expect(verbose.text).to.include('DEBUG engine.output  Updating (dev):');
    });
  });

  describe('tty mode', () => {
    it('draws the live view on stderr and erases it on close', async () => {
      const stderr = new FakeStderr(true);
      const reporter = createReporter({
        mode: 'tty',
        verbose: false,
        stderr,
        now: () => T0 + 68_000,
        color: false,
      });
      try {
        for (const event of throughFirstShift()) reporter.report(event);
        await new Promise((resolve) => setTimeout(resolve, 150));
      } finally {
        reporter.close();
      }
      expect(stderr.text).to.include('step 3 of 5 · shift to 30 % · 2.0.0 → green\n');
      expect(stderr.text).to.include('wait 0:42 left\n');
      expect(stderr.writes.at(-1)).to.match(new RegExp(`^${ESC}\\[\\d+A\\r${ESC}\\[J$`));
    });

    it('has no colour when NO_COLOR is set', () => {
      const saved = process.env.NO_COLOR;
      process.env.NO_COLOR = '1';
      try {
        const stderr = new FakeStderr(true);
        const reporter = createReporter({ mode: 'tty', verbose: false, stderr, now: () => T0 });
        for (const event of throughFirstShift()) reporter.report(event);
        reporter.close();
        expect(stderr.text).not.to.match(new RegExp(`${ESC}\\[\\d+m`));
      } finally {
        if (saved === undefined) delete process.env.NO_COLOR;
        else process.env.NO_COLOR = saved;
      }
    });
  });
});
