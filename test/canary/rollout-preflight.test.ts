import { expect } from 'chai';
import { deployIn } from '../../src/app/deploy.js';
import { alarmRefusal } from '../../src/canary/preflight.js';
import { UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { openedService } from '../app/opened.js';
import { buildAnalysis, FakeMetricsSource, trafficFrom } from '../helpers/fake-metrics.js';
import { FakeClock, FakeStackRunner, RecordingReporter } from '../helpers/fakes.js';

describe('deploy: the alarms before the start (canary.analysis.alarms)', () => {
  const service = { environment: 'prod' as const, region: 'eu-west-1', pulumiVersion: '3.274.1' };

  function withAlarms(states: Record<string, 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | null>) {
    const clock = new FakeClock();
    const runner = new FakeStackRunner({ clock });
    const metrics = new FakeMetricsSource(clock, {
      window: trafficFrom(runner),
      alarms: (names) => pick(states, names),
    });
    const opened = openedService({ clock, runner, metrics });
    const { config } = opened.ctx;
    opened.ctx.config = {
      ...config,
      canary: { ...config.canary, analysis: buildAnalysis({ alarms: Object.keys(states) }) },
    };
    return { ...opened, runner, metrics };
  }

  it('refuses, before any change, a deployment whose alarm is in ALARM or does not exist', async () => {
    const o = withAlarms({ 'orders-5xx': 'ALARM', 'orders-latency': 'OK', 'orders-typo': null });
    const reports = new RecordingReporter();
    const error = await deployIn(o, { service, reporter: reports.reporter, clock: o.clock }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(UsageError);
    expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
    expect((error as UsageError).message).to.equal(
      'prod.deploy.yml: canary.analysis.alarms: orders-5xx is in ALARM\n' +
        '  canary.analysis.alarms: orders-typo does not exist in this account and region',
    );
    expect((error as UsageError).hint).to.match(/^Nothing was changed/);
    expect(o.runner.ups).to.deep.equal([]);
    expect(reports.codes()).to.deep.equal([]);
    expect(o.metrics.alarmReads.map((read) => read.names)).to.deep.equal([
      ['orders-5xx', 'orders-latency', 'orders-typo'],
    ]);
  });

  it('starts when every alarm is OK or has too little data', async () => {
    const o = withAlarms({ 'orders-5xx': 'OK', 'orders-latency': 'INSUFFICIENT_DATA' });
    const document = await deployIn(o, { service, reporter: () => {}, clock: o.clock });
    expect(document.outcome).to.equal('deployed');
    expect(o.runner.ups.length).to.be.above(0);
  });

  it('says nothing about alarms that are fine', () => {
    expect(alarmRefusal({ a: 'OK', b: 'INSUFFICIENT_DATA' })).to.equal(null);
    expect(alarmRefusal({})).to.equal(null);
  });
});

function pick<T>(states: Record<string, T>, names: string[]): Record<string, T> {
  return Object.fromEntries(names.map((name) => [name, states[name] as T]));
}
