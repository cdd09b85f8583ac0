/**
 * Scenarios through the CLI and the real engine that need no earlier deployment of the story in
 * deploy.test.ts, on their own sandbox: they run beside it.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeRulesCommand,
  ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { expect } from 'chai';
import { SandboxCli } from '../../sandbox/ecs-crd.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';

describe('deploy: names and backends, through the CLI and the real engine', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;
  let route53: Route53Client;
  let elbv2: ElasticLoadBalancingV2Client;

  before(async () => {
    sandbox = await startSandbox({ traffic: false });
    cli = new SandboxCli(sandbox);
    const config = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: FAKE_CREDENTIALS };
    route53 = new Route53Client(config);
    elbv2 = new ElasticLoadBalancingV2Client(config);
  });

  after(async () => {
    route53?.destroy();
    elbv2?.destroy();
    cli?.cleanup();
    await sandbox?.stop();
  });

  it('records of a name that no ecs-crd stack owns are refused (exit 2), and taken over with --adopt', async () => {
    const legacy = { name: 'legacy', fqdn: 'legacy.sandbox.example.com' };
    // What the original tool left: the two weighted alias records, and no ownership record.
    const { blue, green } = sandbox.fixtures.loadBalancers;
    await route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: sandbox.fixtures.hostedZoneId,
        ChangeBatch: {
          Changes: [blue, green].map((alb, index) => ({
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: legacy.fqdn,
              Type: 'A',
              SetIdentifier: index === 0 ? 'blue' : 'green',
              Weight: index === 0 ? 100 : 0,
              AliasTarget: {
                DNSName: alb.dnsName,
                HostedZoneId: alb.canonicalHostedZoneId,
                EvaluateTargetHealth: false,
              },
            },
          })),
        },
      }),
    );
    const file = cli.release({ version: '1.0.0', service: legacy });
    const refused = await cli.run(['deploy', ...cli.flags(file)]);
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.stderr).to.match(/legacy\.sandbox\.example\.com already has weighted records .* --adopt/);

    const adopted = await cli.run(['deploy', ...cli.flags(file, '--adopt')]);
    expect(adopted.code, adopted.stderr).to.equal(0);
    expect(adopted.stderr).to.match(/Taking over the records of legacy\.sandbox\.example\.com/);
    const owner = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: sandbox.fixtures.hostedZoneId,
        StartRecordName: `_ecs-crd.${legacy.fqdn}`,
        StartRecordType: 'TXT',
        MaxItems: 1,
      }),
    );
    expect(owner.ResourceRecordSets?.[0]?.ResourceRecords?.[0]?.Value).to.equal(
      '"heritage=ecs-crd,ecs-crd/stack=sandbox-legacy-dev-eu-west-1"',
    );
    // Its own name from now on: no --adopt needed, nothing refused.
    const again = await cli.run(['preview', ...cli.flags(file)]);
    expect(again.code, again.stderr).to.equal(0);
    const gone = await cli.run(['undeploy', ...cli.flags(file, '--yes')]);
    expect(gone.code, gone.stderr).to.equal(0);
  });

  it('two services deploying at once on the shared ALBs both deploy, their rules at different priorities', async () => {
    // Both look up the lowest free priority before either creates its rule: the one whose
    // CreateRule is refused (PriorityInUse) looks again and goes on (rollout.retried).
    const services = [
      { name: 'cart', fqdn: 'cart.sandbox.example.com' },
      { name: 'shop', fqdn: 'shop.sandbox.example.com' },
    ];
    const runs = await Promise.all(
      services.map((service) =>
        cli.run(['deploy', ...cli.flags(cli.release({ version: '1.0.0', service }), '--json')]),
      ),
    );
    for (const run of runs) {
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(JSON.parse(run.stdout).outcome).to.equal('deployed');
    }
    const rules = await elbv2.send(
      new DescribeRulesCommand({ ListenerArn: sandbox.fixtures.loadBalancers.blue.listenerArn }),
    );
    const hosts = (rule: Rule) =>
      (rule.Conditions ?? []).flatMap((c) => c.HostHeaderConfig?.Values ?? c.Values ?? []);
    const priorities = (rules.Rules ?? [])
      .filter((rule) => services.some((service) => hosts(rule).includes(service.fqdn)))
      .map((rule) => rule.Priority);
    expect(priorities).to.have.length(2);
    expect(new Set(priorities).size, `priorities ${priorities.join(', ')}`).to.equal(2);
  });

  it('with the default backend: a generated passphrase, private files, and no secret in state or log', async () => {
    const own = new SandboxCli(sandbox, { backend: 'default' });
    try {
      const file = own.release({ version: '1.0.0' });
      const secret = 'arn:aws:ssm:eu-west-1:123456789012:parameter/api/db-password';
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          '      memory: 128\n',
          `      memory: 128\n      secrets:\n        DB_PASSWORD: ${secret}\n`,
        ),
      );
      const log = join(own.home, 'deploy.log');
      const result = await own.run(['deploy', ...own.flags(file, '--json', '--log-file', log, '--verbose')]);
      expect(result.code, result.stderr).to.equal(0);

      const home = join(own.home, 'ecs-crd');
      const passphrase = readFileSync(join(home, 'passphrase'), 'utf8');
      expect(passphrase.length).to.be.at.least(32);
      expect(statSync(join(home, 'passphrase')).mode & 0o777).to.equal(0o600);
      for (const dir of [home, join(home, 'state')]) expect(statSync(dir).mode & 0o777).to.equal(0o700);
      expect(statSync(log).mode & 0o777).to.equal(0o600);

      const state = filesUnder(join(home, 'state')).map((f) => readFileSync(f, 'utf8'));
      expect(
        state.some((text) => text.includes(secret)),
        'the secret is kept as its reference (ARN)',
      ).to.equal(true);
      for (const text of [...state, readFileSync(log, 'utf8'), result.stdout, result.stderr]) {
        expect(text, 'the passphrase leaked').to.not.include(passphrase);
      }
      expect((await own.run(['undeploy', ...own.flags(file, '--yes')])).code).to.equal(0);
    } finally {
      own.cleanup();
    }
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}
