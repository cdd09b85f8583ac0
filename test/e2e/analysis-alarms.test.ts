/**
 * `canary.analysis` alarms and inconclusive windows through the CLI and the real engine: an
 * alarm already in ALARM refuses the deploy before any change, one moved to ALARM during a wait
 * rolls back at once, and too little traffic never passes a step by default. The rollback's
 * evidence goes to `--report`'s page.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ECSClient } from '@aws-sdk/client-ecs';
import { expect } from 'chai';
import { SandboxCli, waitForOutput } from '../../sandbox/ecs-crd.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { activeSlots as slotsOf } from './deploy-world.js';

const ALARM = 'orders-5xx';
const WINDOWS = { interval: 10, delay: 2, min_requests: 20 };

describe('analysis: alarms and inconclusive windows through the CLI', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;
  let ecs: ECSClient;

  before(async () => {
    sandbox = await startSandbox();
    cli = new SandboxCli(sandbox);
    ecs = new ECSClient({
      endpoint: sandbox.endpoint,
      region: sandbox.region,
      credentials: FAKE_CREDENTIALS,
    });
    const first = await cli.run(['deploy', ...cli.flags(cli.release({ version: '1.0.0' }))]);
    expect(first.code, first.stderr).to.equal(0);
  });

  after(async () => {
    ecs?.destroy();
    cli?.cleanup();
    await sandbox?.stop();
  });

  const activeSlots = () => slotsOf(ecs, sandbox.fixtures.clusterName);

  async function live(file: string): Promise<{ phase: string; version: string | undefined }> {
    const result = await cli.run(['status', ...cli.flags(file, '--json')]);
    expect(result.code, result.stderr).to.equal(0);
    const doc = JSON.parse(result.stdout) as { phase: string; live: { version: string } | null };
    return { phase: doc.phase, version: doc.live?.version };
  }

  it('refuses to start while a named alarm is in ALARM: exit 2, nothing changed', async () => {
    await sandbox.putAlarm(ALARM, 'ALARM');
    const file = cli.release({ version: '2.0.0', analysis: { ...WINDOWS, alarms: [ALARM] } });
    const result = await cli.run(['deploy', ...cli.flags(file)]);
    expect(result.code, result.stderr).to.equal(2);
    expect(result.stderr).to.include(ALARM).and.to.match(/ALARM/);
    expect(await activeSlots()).to.deep.equal(['blue']);
    expect(await live(file)).to.deep.equal({ phase: 'stable', version: '1.0.0' });
  });

  it('rolls back at once when an alarm goes to ALARM during a wait, and the report page carries it', async () => {
    await sandbox.setAlarmState(ALARM, 'OK');
    const report = join(cli.home, 'reports', 'alarm.html');
    const file = cli.release({
      version: '2.0.1',
      strategy: [
        { weight: 20, wait: 120 },
        { weight: 100, wait: 2 },
      ],
      analysis: { ...WINDOWS, alarms: [ALARM] },
    });
    const run = cli.start(['deploy', ...cli.flags(file, '--report', report)]);
    await waitForOutput(run.output, /green 20 %/, 180_000);
    const movedAt = Date.now();
    await sandbox.setAlarmState(ALARM, 'ALARM');
    const result = await run.done;
    expect(result.code, result.stderr).to.equal(3);
    expect(result.stdout + result.stderr).to.match(new RegExp(`alarm ${ALARM} is in ALARM`));
    // Noticed at the next observation (health.interval 1 s), not at the end of the 120 s wait.
    expect(Date.now() - movedAt).to.be.below(90_000);
    expect(await activeSlots()).to.deep.equal(['blue']);
    expect(statSync(report).mode & 0o777).to.equal(0o600);
    const page = readFileSync(report, 'utf8');
    expect(page).to.include(ALARM).and.to.include('2.0.1');
  });

  it('never passes a step on too little traffic by default, and does with inconclusive: pass', async () => {
    const strategy = [
      { weight: 20, wait: 2 },
      { weight: 100, wait: 2 },
    ];
    const starved = { ...WINDOWS, min_requests: 1_000_000, timeout: 25, error_rate: { max: 0.05 } };
    const failed = await cli.run([
      'deploy',
      ...cli.flags(cli.release({ version: '2.0.2', strategy, analysis: starved }), '--json'),
    ]);
    expect(failed.code, failed.stderr).to.equal(3);
    const doc = JSON.parse(failed.stdout) as { reason: string; analysis: { windows: { verdict: string }[] } };
    expect(doc.reason).to.match(/no analysis window passed within canary\.analysis\.timeout/);
    expect(doc.analysis.windows.length).to.be.above(0);
    expect(doc.analysis.windows.every((w) => w.verdict === 'inconclusive')).to.equal(true);

    // One step is enough to show it: each step with traffic waits for a window.
    const passed = await cli.run([
      'deploy',
      ...cli.flags(
        cli.release({
          version: '2.0.3',
          strategy: [{ weight: 100, wait: 2 }],
          analysis: { ...starved, inconclusive: 'pass' },
        }),
        '--json',
      ),
    ]);
    expect(passed.code, passed.stdout + passed.stderr).to.equal(0);
    expect(await activeSlots()).to.deep.equal(['green']);
  });
});
