/**
 * The canary release end to end, as a user runs it: the built CLI, the real Pulumi engine,
 * the stand-in aws provider and moto (the sandbox's scenarios). One service is taken
 * through its life in order — first deployment, canary, failures, interruptions, undeploy —
 * so each scenario starts from the state the previous one left, as in production.
 */
import { readFileSync } from 'node:fs';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import {
  AddTagsCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { expect } from 'chai';
import { SandboxCli, waitForOutput } from '../../sandbox/ecs-crd.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';
import { describeTraffic, type TrafficReport } from '../../sandbox/traffic/run.js';
import { emulatorWorld } from '../../sandbox/traffic/world.js';

const FQDN = 'api.sandbox.example.com';
/** A second service on the same two ALBs. */
const WEB = { name: 'web', fqdn: 'web.sandbox.example.com' };

describe('deploy: canary releases through the CLI and the real engine', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;
  let route53: Route53Client;
  let ecs: ECSClient;
  let elbv2: ElasticLoadBalancingV2Client;

  before(async () => {
    sandbox = await startSandbox();
    cli = new SandboxCli(sandbox);
    const config = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: FAKE_CREDENTIALS };
    route53 = new Route53Client(config);
    ecs = new ECSClient(config);
    elbv2 = new ElasticLoadBalancingV2Client(config);
  });

  after(async () => {
    cli?.cleanup();
    await sandbox?.stop();
  });

  /** Set identifier → weight of the service's weighted records, as Route 53 has them. */
  async function weights(): Promise<Record<string, number>> {
    const out = await route53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: sandbox.fixtures.hostedZoneId }),
    );
    return Object.fromEntries(
      (out.ResourceRecordSets ?? [])
        .filter((r) => r.Name === `${FQDN}.` && r.Type === 'A')
        .map((r) => [r.SetIdentifier ?? '', r.Weight ?? -1]),
    );
  }

  /** The task definition of each ACTIVE service of the sandbox's `api` (project sandbox, environment dev), by slot. */
  async function services(): Promise<Record<string, string>> {
    const out = await ecs.send(
      new DescribeServicesCommand({
        cluster: sandbox.fixtures.clusterName,
        services: ['sandbox-api-dev-blue', 'sandbox-api-dev-green'],
      }),
    );
    return Object.fromEntries(
      (out.services ?? [])
        .filter((s) => s.status === 'ACTIVE')
        .map((s) => [(s.serviceName ?? '').replace(/^sandbox-api-dev-/, ''), s.taskDefinition ?? '']),
    );
  }

  async function status(
    file: string,
  ): Promise<{ phase: string; live: { slot: string; version: string } | null }> {
    const result = await cli.run(['status', ...cli.flags(file, '--json')]);
    expect(result.code, result.stderr).to.equal(0);
    const doc = JSON.parse(result.stdout) as {
      phase: string;
      live: { slot: string; version: string } | null;
    };
    return { phase: doc.phase, live: doc.live && { slot: doc.live.slot, version: doc.live.version } };
  }

  /**
   * Runs `work` while the sandbox's own traffic (simulated clients sending requests to every
   * name with records, a 1 s DNS TTL: the sandbox's scaled 60 s) flows, and prints what they saw
   * meanwhile: the failed-request figure of the scenario.
   */
  async function withTraffic<T>(work: () => Promise<T>): Promise<{ value: T; traffic: TrafficReport }> {
    const mark = await sandbox.traffic.mark();
    const value = await work();
    const traffic = sandbox.traffic.since(mark);
    console.log(`      traffic: ${describeTraffic(traffic)}`);
    // Judged against a fresh picture of the emulator (read every 500 ms), never a stale one.
    expect(traffic.worldReads, 'reads of the emulator').to.be.at.least(traffic.durationS);
    expect(traffic.worldReadErrors, 'failed reads of the emulator').to.be.at.most(traffic.worldReads / 10);
    return { value, traffic };
  }

  function json(stdout: string): {
    outcome: string;
    slot: string;
    version: string;
    steps: { weight: number; outcome: string }[];
  } {
    return JSON.parse(stdout);
  }

  it('preview of a new service lists what the first update creates, and changes nothing', async () => {
    const file = cli.release({ version: '1.0.0' });
    const result = await cli.run(['preview', ...cli.flags(file, '--json')]);
    expect(result.code, result.stderr).to.equal(0);
    const doc = JSON.parse(result.stdout) as {
      changes: { type: string; operation: string }[];
      timeline: { weights: { candidate: number } }[];
    };
    const created = doc.changes.filter((c) => c.operation === 'create').map((c) => c.type);
    for (const type of [
      'aws:ecs/taskDefinition:TaskDefinition',
      'aws:ecs/service:Service',
      'aws:lb/targetGroup:TargetGroup',
      'aws:lb/listenerRule:ListenerRule',
      'aws:route53/record:Record',
      'aws:cloudwatch/logGroup:LogGroup',
      'aws:iam/role:Role',
    ]) {
      expect(created, `preview creates no ${type}: ${created.join(', ')}`).to.include(type);
    }
    // Two weighted records and the TXT record saying which stack owns the name.
    expect(created.filter((t) => t === 'aws:route53/record:Record').length).to.equal(3);
    expect(doc.timeline.at(-1)?.weights.candidate).to.equal(100);
    expect(await weights()).to.deep.equal({});
    expect(await services()).to.deep.equal({});
    expect((await status(file)).phase).to.equal('none');
  });

  it('first deployment, one of whose tasks fails to start and is replaced: straight to 100 % on blue', async () => {
    // A transient failure (a role not yet usable) is below the circuit breaker's limit.
    const file = cli.release({ version: '1.0.0', health: 'flaky-start' });
    const result = await cli.run(['deploy', ...cli.flags(file, '--json')]);
    expect(result.code, result.stderr).to.equal(0);
    const doc = json(result.stdout);
    expect(doc.outcome).to.equal('deployed');
    expect(doc.slot).to.equal('blue');
    expect(doc.steps.map((s) => s.weight)).to.deep.equal([100]);
    expect(await weights()).to.deep.equal({ blue: 100, green: 0 });
    expect(Object.keys(await services())).to.deep.equal(['blue']);
    expect((await status(file)).live).to.deep.equal({ slot: 'blue', version: '1.0.0' });
  });

  it('canary 1.0.0 → 2.0.0 (slow to start, healthy within health.timeout): each step changes only the two records, finalize removes blue', async () => {
    // Its targets stay `initial` for two minutes of AWS time before they answer their checks.
    const file = cli.release({ version: '2.0.0', health: 'slow-start' });
    const log = `${cli.home}/deploy-2.log`;
    const { value: result, traffic } = await withTraffic(() =>
      cli.run(['deploy', ...cli.flags(file, '--json', '--log-file', log)]),
    );
    expect(result.code, result.stderr).to.equal(0);
    // Zero downtime, measured: every request served, by both releases along the way.
    expect(traffic.failedTotal, describeTraffic(traffic)).to.equal(0);
    expect(traffic.served['api 1.0.0 (blue)'] ?? 0).to.be.above(0);
    expect(traffic.served['api 2.0.0 (green)'] ?? 0).to.be.above(0);
    const doc = json(result.stdout);
    expect(doc.outcome).to.equal('deployed');
    expect(doc.slot).to.equal('green');
    expect(doc.steps.map((s) => [s.weight, s.outcome])).to.deep.equal([
      [10, 'passed'],
      [50, 'passed'],
      [100, 'passed'],
    ]);
    const updates = readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line.includes('Stack updated (shift)'));
    expect(updates.length, `three weight steps, got:\n${updates.join('\n')}`).to.equal(3);
    for (const line of updates) {
      expect(line, line).to.match(/\b2 update\b/);
      expect(line, line).to.not.match(/create|delete|replace/);
    }
    expect(await weights()).to.deep.equal({ blue: 0, green: 100 });
    expect(Object.keys(await services())).to.deep.equal(['green']);
    expect((await status(file)).live).to.deep.equal({ slot: 'green', version: '2.0.0' });
  });

  it('a second service claiming the first one’s fqdn is refused (exit 2), the first one untouched', async () => {
    const before = await weights();
    const claim = cli.release({ version: '1.0.0', service: { name: 'api2', fqdn: FQDN } });
    for (const command of ['preview', 'deploy']) {
      const result = await cli.run([command, ...cli.flags(claim)]);
      expect(result.code, `${command}: ${result.stderr}`).to.equal(2);
      expect(result.stderr).to.match(
        /api\.sandbox\.example\.com belongs to the ecs-crd stack sandbox-api-dev-eu-west-1/,
      );
    }
    // Not even --adopt takes a name another stack owns.
    const adopt = await cli.run(['deploy', ...cli.flags(claim, '--adopt')]);
    expect(adopt.code, adopt.stderr).to.equal(2);
    // Its own fqdn, but a rule for api's host name: api's rule (tagged) names its owner.
    const rule = cli.release({
      version: '1.0.0',
      service: { name: 'api2', fqdn: 'api2.sandbox.example.com' },
      hosts: [FQDN],
    });
    const ruled = await cli.run(['deploy', ...cli.flags(rule)]);
    expect(ruled.code, ruled.stderr).to.equal(2);
    expect(ruled.stderr).to.match(
      /already routes these host names for the ecs-crd service sandbox\/api \(environment dev\)/,
    );
    expect(await weights()).to.deep.equal(before);
    expect((await status(cli.release({ version: '2.0.0' }))).live).to.deep.equal({
      slot: 'green',
      version: '2.0.0',
    });
  });

  it('two environments of one service live side by side in one cluster; a same-named service of no stack is refused', async () => {
    const file = cli.release({
      version: '1.0.0',
      service: { name: 'api', fqdn: 'api-{{environment}}.sandbox.example.com' },
    });
    const qua = await cli.run(['deploy', ...cli.flagsIn('qua', file)]);
    expect(qua.code, qua.stderr).to.equal(0);
    const both = await ecs.send(
      new DescribeServicesCommand({
        cluster: sandbox.fixtures.clusterName,
        services: ['sandbox-api-dev-green', 'sandbox-api-qua-blue'],
      }),
    );
    expect(both.services?.map((service) => service.status)).to.deep.equal(['ACTIVE', 'ACTIVE']);
    const gone = await cli.run(['undeploy', ...cli.flagsIn('qua', file, '--yes')]);
    expect(gone.code, gone.stderr).to.equal(0);

    // A service someone made by hand under the name prod's blue release would take.
    const definition = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'by-hand',
        containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128, essential: true }],
      }),
    );
    await ecs.send(
      new CreateServiceCommand({
        cluster: sandbox.fixtures.clusterName,
        serviceName: 'sandbox-api-prod-blue',
        taskDefinition: definition.taskDefinition?.taskDefinitionArn,
        desiredCount: 0,
      }),
    );
    const refused = await cli.run(['deploy', ...cli.flagsIn('prod', file)]);
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.stderr).to.match(
      /ECS service sandbox-api-prod-blue already exists in cluster sandbox \(ACTIVE\)/,
    );
    await ecs.send(
      new DeleteServiceCommand({
        cluster: sandbox.fixtures.clusterName,
        service: 'sandbox-api-prod-blue',
        force: true,
      }),
    );
  });

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
      await elbv2.send(
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

  it('undeploy removes every resource of the service from the emulator', async () => {
    const file = cli.release({ version: '2.0.0' });
    const result = await cli.run(['undeploy', ...cli.flags(file, '--yes')]);
    expect(result.code, result.stderr).to.equal(0);
    const web = await cli.run([
      'undeploy',
      ...cli.flags(cli.release({ version: '1.0.0', service: WEB }), '--yes'),
    ]);
    expect(web.code, web.stderr).to.equal(0);
    expect(await weights()).to.deep.equal({});
    expect(await services()).to.deep.equal({});
    const groups = await elbv2.send(new DescribeTargetGroupsCommand({}));
    expect(groups.TargetGroups ?? []).to.deep.equal([]);
    expect((await status(file)).phase).to.equal('none');
  });
});
