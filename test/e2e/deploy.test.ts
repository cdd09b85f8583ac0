/**
 * The canary release end to end, as a user runs it: the built CLI, the real Pulumi engine,
 * the stand-in aws provider and moto (the sandbox's scenarios). One service is taken through
 * its life in order — preview, first deployment, canary, names others claim, a second
 * environment, undeploy — so each scenario starts from the state the previous one left, as in
 * production. Failures and interruptions start from a deployed service of their own, in
 * deploy-failures.test.ts and deploy-interrupts.test.ts, so that the three files run side by side.
 */
import { readFileSync } from 'node:fs';
import {
  CreateServiceCommand,
  DeleteServiceCommand,
  DescribeServicesCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { DescribeTargetGroupsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { expect } from 'chai';
import type { SandboxCli } from '../../sandbox/ecs-crd.js';
import type { Sandbox } from '../../sandbox/harness.js';
import { describeTraffic } from '../../sandbox/traffic/run.js';
import { DeployWorld, FQDN, deployDoc as json } from './deploy-world.js';

describe('deploy: canary releases through the CLI and the real engine', function () {
  this.timeout(600_000);
  let w: DeployWorld;
  let sandbox: Sandbox;
  let cli: SandboxCli;

  before(async () => {
    w = await DeployWorld.start();
    ({ sandbox, cli } = w);
  });

  after(async () => {
    await w?.stop();
  });

  const weights = () => w.weights();
  const services = () => w.services();
  const status = (file: string) => w.status(file);
  const withTraffic = <T>(work: () => Promise<T>) => w.withTraffic(work);

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
    const both = await w.ecs.send(
      new DescribeServicesCommand({
        cluster: sandbox.fixtures.clusterName,
        services: ['sandbox-api-dev-green', 'sandbox-api-qua-blue'],
      }),
    );
    expect(both.services?.map((service) => service.status)).to.deep.equal(['ACTIVE', 'ACTIVE']);
    const gone = await cli.run(['undeploy', ...cli.flagsIn('qua', file, '--yes')]);
    expect(gone.code, gone.stderr).to.equal(0);

    // A service someone made by hand under the name prod's blue release would take.
    const definition = await w.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'by-hand',
        containerDefinitions: [{ name: 'web', image: 'nginx', memory: 128, essential: true }],
      }),
    );
    await w.ecs.send(
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
    await w.ecs.send(
      new DeleteServiceCommand({
        cluster: sandbox.fixtures.clusterName,
        service: 'sandbox-api-prod-blue',
        force: true,
      }),
    );
  });

  it('undeploy removes every resource of the service from the emulator', async () => {
    const file = cli.release({ version: '2.0.0' });
    const result = await cli.run(['undeploy', ...cli.flags(file, '--yes')]);
    expect(result.code, result.stderr).to.equal(0);
    expect(await weights()).to.deep.equal({});
    expect(await services()).to.deep.equal({});
    const groups = await w.elbv2.send(new DescribeTargetGroupsCommand({}));
    expect(groups.TargetGroups ?? []).to.deep.equal([]);
    expect((await status(file)).phase).to.equal('none');
  });
});
