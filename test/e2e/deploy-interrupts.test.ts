/**
 * Interruptions end to end, through the CLI and the real engine, from a service whose stable
 * release is on green (deploy-world.ts): Ctrl-C, a second deploy, SIGKILL and `rollback`.
 */
import { expect } from 'chai';
import type { SandboxCli } from '../../sandbox/ecs-crd.js';
import { waitForOutput } from '../../sandbox/ecs-crd.js';
import { describeTraffic } from '../../sandbox/traffic/run.js';
import { DeployWorld } from './deploy-world.js';

describe('deploy: interruptions and a second run, through the CLI and the real engine', function () {
  this.timeout(600_000);
  let w: DeployWorld;
  let cli: SandboxCli;

  before(async () => {
    w = await DeployWorld.start();
    ({ cli } = w);
    await w.stableOnGreen();
  });

  after(async () => {
    await w?.stop();
  });

  const weights = () => w.weights();
  const services = () => w.services();
  const status = (file: string) => w.status(file);
  const withTraffic = <T>(work: () => Promise<T>) => w.withTraffic(work);

  it('SIGINT during a wait: the update finishes, the deployment rolls back, exit 130', async () => {
    const file = cli.release({ version: '4.0.0', strategy: [{ weight: 10, wait: 120 }] });
    const { value: result, traffic } = await withTraffic(async () => {
      const run = cli.start(['deploy', ...cli.flags(file)]);
      await waitForOutput(run.output, /Traffic: .*10 %[\s\S]*wait\.started/);
      // Let the clients reach the candidate before the interrupt.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      run.child.kill('SIGINT');
      return run.done;
    });
    expect(result.code, result.stderr).to.equal(130);
    expect(traffic.failedTotal, describeTraffic(traffic)).to.equal(0);
    expect(traffic.served['api 4.0.0 (blue)'] ?? 0, describeTraffic(traffic)).to.be.above(0);
    expect(await weights()).to.deep.equal({ blue: 0, green: 100 });
    expect(Object.keys(await services())).to.deep.equal(['green']);
    expect((await status(file)).live).to.deep.equal({ slot: 'green', version: '2.0.0' });
  });

  it('a second deploy while one runs fails fast with exit 5, naming the holder', async () => {
    const file = cli.release({ version: '5.0.0', strategy: [{ weight: 10, wait: 120 }] });
    const first = cli.start(['deploy', ...cli.flags(file)]);
    await waitForOutput(first.output, /wait\.started/);
    const second = await cli.run(['deploy', ...cli.flags(file)]);
    expect(second.code, second.stderr).to.equal(5);
    expect(second.stderr).to.match(new RegExp(`deploy by .*\\(pid ${first.child.pid}\\)`));
    first.child.kill('SIGINT');
    expect((await first.done).code).to.equal(130);
  });

  it('SIGKILL during a step: status shows it interrupted, deploy refuses, rollback restores, twice is a no-op', async () => {
    const file = cli.release({ version: '6.0.0', strategy: [{ weight: 10, wait: 120 }] });
    const run = cli.start(['deploy', ...cli.flags(file)]);
    await waitForOutput(run.output, /Traffic: .*10 %[\s\S]*wait\.started/);
    run.child.kill('SIGKILL');
    await run.done;
    expect(await weights()).to.deep.equal({ blue: 10, green: 90 });

    expect((await status(file)).phase).to.equal('interrupted');
    const refused = await cli.run(['deploy', ...cli.flags(file)]);
    expect(refused.code, refused.stderr).to.equal(5);
    expect(refused.stderr).to.match(/ecs-crd rollback/);

    const rollback = await cli.run(['rollback', ...cli.flags(file, '--json')]);
    expect(rollback.code, rollback.stderr).to.equal(0);
    expect(JSON.parse(rollback.stdout).changed).to.equal(true);
    expect(await weights()).to.deep.equal({ blue: 0, green: 100 });
    expect(Object.keys(await services())).to.deep.equal(['green']);
    const after = await status(file);
    expect(after.live).to.deep.equal({ slot: 'green', version: '2.0.0' });

    const again = await cli.run(['rollback', ...cli.flags(file, '--json')]);
    expect(again.code, again.stderr).to.equal(0);
    expect(JSON.parse(again.stdout).changed).to.equal(false);
  });
});
