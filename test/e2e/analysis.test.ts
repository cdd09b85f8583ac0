/**
 * `canary.analysis` through the CLI, the real engine and the sandbox's traffic: the candidate is
 * judged on the ALB metrics the traffic model publishes into the emulator's CloudWatch, next to
 * the stable release's, window after window (10 s windows read 2 s after they end).
 */
import { expect } from 'chai';
import { SandboxCli } from '../../sandbox/ecs-crd.js';
import { type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { describeTraffic } from '../../sandbox/traffic/run.js';

/** Windows short enough for a test, long enough for ~400 requests each at the traffic's 40/s. */
const WINDOWS = { interval: 10, delay: 2, min_requests: 20, timeout: 40 };

interface DeployJson {
  outcome: string;
  reason: string | null;
  steps: { weight: number; outcome: string; observed_share: number | null }[];
  analysis?: { windows: { verdict: string; declaredWeight: number; observedShare: number | null }[] };
}

describe('analysis: the candidate judged on CloudWatch next to the stable release', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;

  before(async () => {
    sandbox = await startSandbox();
    cli = new SandboxCli(sandbox);
    const first = await cli.run(['deploy', ...cli.flags(cli.release({ version: '1.0.0', latencyMs: 100 }))]);
    expect(first.code, first.stderr).to.equal(0);
  });

  after(async () => {
    cli?.cleanup();
    await sandbox?.stop();
  });

  async function deploy(
    options: Parameters<SandboxCli['release']>[0],
  ): Promise<{ code: number | null; doc: DeployJson; stderr: string }> {
    const mark = await sandbox.traffic.mark();
    const result = await cli.run(['deploy', ...cli.flags(cli.release(options), '--json')]);
    console.log(`      traffic: ${describeTraffic(sandbox.traffic.since(mark))}`);
    return { code: result.code, doc: JSON.parse(result.stdout) as DeployJson, stderr: result.stderr };
  }

  it('rolls back a candidate answering 20 % 5xx with healthy targets at its first step, on error_rate (exit 3)', async () => {
    const { code, doc, stderr } = await deploy({
      version: '2.0.0',
      errorRate: 0.2,
      latencyMs: 100,
      strategy: [
        { weight: 50, wait: 30 },
        { weight: 100, wait: 2 },
      ],
      analysis: { ...WINDOWS, error_rate: { max: 0.05 } },
    });
    expect(code, stderr).to.equal(3);
    expect(doc.outcome).to.equal('rolled_back');
    expect(doc.reason).to.match(/error_rate/);
    expect(doc.steps.map((s) => s.outcome)).to.deep.equal(['failed', 'not_run']);
    expect(doc.analysis?.windows.at(-1)?.verdict).to.equal('fail');
  });

  it('rolls back a candidate three times slower than the stable release, on latency', async () => {
    const { code, doc, stderr } = await deploy({
      version: '2.0.1',
      latencyMs: 300,
      strategy: [
        { weight: 50, wait: 30 },
        { weight: 100, wait: 2 },
      ],
      analysis: { ...WINDOWS, latency: { max_increase: 0.25 } },
    });
    expect(code, stderr).to.equal(3);
    expect(doc.reason).to.match(/latency/);
  });

  it('deploys a healthy candidate, the observed shares within 10 points of the declared weights', async () => {
    const { code, doc, stderr } = await deploy({
      version: '2.0.2',
      latencyMs: 100,
      strategy: [
        { weight: 20, wait: 10 },
        { weight: 50, wait: 10 },
        { weight: 100, wait: 2 },
      ],
      analysis: {
        ...WINDOWS,
        error_rate: { max: 0.01, max_increase: 0.005 },
        latency: { max_increase: 0.25 },
        observed_share: { min_ratio: 0.5 },
      },
    });
    expect(code, stderr).to.equal(0);
    expect(doc.outcome).to.equal('deployed');
    for (const step of doc.steps) {
      expect(step.observed_share, `step at ${step.weight} %`).to.be.a('number');
      expect(Math.abs((step.observed_share ?? -100) - step.weight), `step at ${step.weight} %`).to.be.at.most(
        10,
      );
    }
  });
});
