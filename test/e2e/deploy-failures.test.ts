/**
 * Failing candidates end to end, through the CLI and the real engine, from a service whose
 * stable release is on green (deploy-world.ts): each is rolled back, the stable release and a
 * service sharing the ALBs untouched, and the traffic's clients see what the spec allows.
 */
import { AddTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { expect } from 'chai';
import type { SandboxCli } from '../../sandbox/ecs-crd.js';
import { waitForOutput } from '../../sandbox/ecs-crd.js';
import type { Sandbox } from '../../sandbox/harness.js';
import { describeTraffic } from '../../sandbox/traffic/run.js';
import { emulatorWorld } from '../../sandbox/traffic/world.js';
import { DeployWorld, deployDoc as json, WEB } from './deploy-world.js';

describe('deploy: failing candidates are rolled back, through the CLI and the real engine', function () {
  this.timeout(600_000);
  let w: DeployWorld;
  let sandbox: Sandbox;
  let cli: SandboxCli;

  before(async () => {
    // The candidate broken at 20 % fails only between the break and the restore (a few seconds),
    // on its share of api's half of the traffic: at the default 40 requests a second that was
    // sometimes no request at all, and the blast radius could not be seen.
    w = await DeployWorld.start({ ratePerSecond: 120 });
    ({ sandbox, cli } = w);
    await w.stableOnGreen();
  });

  after(async () => {
    await w?.stop();
  });

  const weights = () => w.weights();
  const services = () => w.services();
  const status = (file: string) => w.status(file);
  const withTraffic = <T>(work: () => Promise<T>) => w.withTraffic(work);

  it('an unhealthy candidate is rolled back (exit 3), the stable release and a service sharing the ALBs untouched', async () => {
    // The other service is deployed with one ELBv2, Route 53 and ECS call in ten throttled: retries carry it.
    await sandbox.throttle(0.1, 7);
    const web = await cli
      .run(['deploy', ...cli.flags(cli.release({ version: '1.0.0', service: WEB }))])
      .finally(() => sandbox.throttle(0));
    expect(web.code, web.stderr).to.equal(0);
    const stable = await services();
    const file = cli.release({ version: '3.0.0', health: 'unhealthy', health_timeout: 10 });
    const { value: result, traffic } = await withTraffic(() =>
      cli.run(['deploy', ...cli.flags(file, '--json')]),
    );
    expect(result.code, result.stderr).to.equal(3);
    // api's candidate on blue is never healthy: neither api's users nor web's (live on blue) see a failure.
    expect(traffic.failedTotal, describeTraffic(traffic)).to.equal(0);
    expect(traffic.served['web 1.0.0 (blue)'] ?? 0).to.be.above(0);
    expect(json(result.stdout).outcome).to.equal('rolled_back');
    expect(await services()).to.deep.equal(stable);
    expect(await weights()).to.deep.equal({ blue: 0, green: 100 });
    const now = await status(file);
    expect(now.phase).to.equal('rolled_back');
    expect(now.live).to.deep.equal({ slot: 'green', version: '2.0.0' });
  });

  it('a candidate that never runs fails within health.timeout (exit 3)', async () => {
    const file = cli.release({ version: '3.0.1', health: 'crash', health_timeout: 8 });
    const started = Date.now();
    const result = await cli.run(['deploy', ...cli.flags(file, '--json')]);
    expect(result.code, result.stderr).to.equal(3);
    expect(json(result.stdout).outcome).to.equal('rolled_back');
    // provision + 8 s of watching + two rollback updates, with room for a slow machine
    expect(Date.now() - started, `took ${Date.now() - started} ms`).to.be.below(60_000);
    expect(Object.keys(await services())).to.deep.equal(['green']);
  });

  it('a candidate whose targets turn unhealthy at 20 %: failures only on its share, until traffic is restored', async () => {
    const file = cli.release({ version: '7.0.0', strategy: [{ weight: 20, wait: 120 }] });
    const { value: result, traffic } = await withTraffic(async () => {
      const run = cli.start(['deploy', ...cli.flags(file)]);
      await waitForOutput(run.output, /Traffic: .*20 %[\s\S]*wait\.started/);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const world = await emulatorWorld(sandbox.endpoint, sandbox.region).read();
      const candidate = Object.values(world.targetGroups).find(
        (group) => group.release === 'api 7.0.0 (blue)',
      );
      if (!candidate) expect.fail('the candidate’s target group is not in the emulator');
      await w.elbv2.send(
        new AddTagsCommand({
          ResourceArns: [candidate.arn],
          Tags: [{ Key: 'sandbox:health', Value: 'unhealthy' }],
        }),
      );
      return run.done;
    });
    expect(result.code, result.stderr).to.equal(3);
    expect(traffic.served['api 2.0.0 (green)'] ?? 0).to.be.above(0);
    // The blast radius: the candidate's share (of api's requests, fewer of all), from the break until the restore and the TTL.
    expect(Object.keys(traffic.failed)).to.deep.equal(['target-unhealthy']);
    expect(traffic.failedTotal / traffic.requests, describeTraffic(traffic)).to.be.below(0.2);
    expect(await weights()).to.deep.equal({ blue: 0, green: 100 });
  });

  it('an update AWS refuses mid-canary (a record change at 50 %) is rolled back (exit 3), with no failed request', async () => {
    const file = cli.release({
      version: '8.0.0',
      strategy: [
        { weight: 10, wait: 1 },
        { weight: 50, wait: 1 },
      ],
    });
    // The 10 % step changes the two records; the first change of the 50 % step is refused.
    await sandbox.failCall('ChangeResourceRecordSets', 2);
    const { value: result, traffic } = await withTraffic(() =>
      cli.run(['deploy', ...cli.flags(file, '--json')]),
    );
    expect(result.code, result.stderr).to.equal(3);
    const doc = JSON.parse(result.stdout) as { outcome: string; reason: string };
    expect(doc.outcome).to.equal('rolled_back');
    expect(doc.reason).to.match(/sandbox: injected failure/);
    expect(traffic.failedTotal, describeTraffic(traffic)).to.equal(0);
    expect(await weights()).to.deep.equal({ blue: 0, green: 100 });
    expect((await status(file)).live).to.deep.equal({ slot: 'green', version: '2.0.0' });
  });
});
