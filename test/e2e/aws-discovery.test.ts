/**
 * Discovery against moto with the sandbox fixtures: two ALBs tagged CanaryGroup=sandbox /
 * CanaryRelease=blue|green with an HTTP:80 listener each, and the zone sandbox.example.com.
 */
import { CreateLoadBalancerCommand, CreateRuleCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { expect } from 'chai';
import { createAwsLookup } from '../../src/aws/discovery.js';
import { UsageError } from '../../src/errors.js';
import { deploymentConfig, rejection } from '../aws/fixtures.js';
import { type AwsSandbox, startAwsSandbox } from './aws-sandbox.js';

const FQDN = 'api.sandbox.example.com';

describe('aws discovery against the sandbox (moto)', () => {
  let aws: AwsSandbox;
  before(async () => {
    aws = await startAwsSandbox();
  });
  after(async () => {
    await aws?.stop();
  });
  // A reset takes seconds: only the tests that change the fixtures ask for one, afterwards.
  let changed = false;
  afterEach(async () => {
    if (changed) await aws.sandbox.reset();
    changed = false;
  });

  const lookup = () => createAwsLookup(aws.clients);

  /** A listener rule on the blue slot's HTTP:80 listener, for another service. */
  async function addBlueRule(priority: number): Promise<void> {
    changed = true;
    await aws.sdk.elbv2.send(
      new CreateRuleCommand({
        ListenerArn: aws.sandbox.fixtures.loadBalancers.blue.listenerArn,
        Priority: priority,
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: [`other-${priority}.sandbox.example.com`] } },
        ],
        Actions: [
          { Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain' } },
        ],
      }),
    );
  }

  it('finds the account, both slot ALBs with their listeners, and the hosted zone', async () => {
    const { fixtures } = aws.sandbox;
    const environment = await lookup().discover(deploymentConfig({ fqdn: [FQDN] }));
    expect(environment.accountId).to.equal(fixtures.accountId);
    expect(environment.region).to.equal(aws.sandbox.region);
    for (const slot of ['blue', 'green'] as const) {
      const fixture = fixtures.loadBalancers[slot];
      expect(environment.slots[slot]).to.deep.equal({
        slot,
        releaseId: slot,
        albArn: fixture.arn,
        albName: fixture.name,
        albDnsName: fixture.dnsName,
        albZoneId: fixture.canonicalHostedZoneId,
        vpcId: fixtures.vpcId,
        listeners: [{ port: 80, listenerArn: fixture.listenerArn, priority: 1 }],
      });
    }
    expect(environment.zones).to.deep.equal([
      { fqdn: FQDN, zoneId: fixtures.hostedZoneId, zoneName: fixtures.hostedZoneName },
    ]);
  });

  it('takes the lowest free priority beside existing rules, and refuses a taken one', async () => {
    await addBlueRule(1);
    await addBlueRule(2);
    await addBlueRule(4);
    const environment = await lookup().discover(deploymentConfig());
    expect(environment.slots.blue.listeners[0]?.priority).to.equal(3);
    expect(environment.slots.green.listeners[0]?.priority).to.equal(1);

    const config = deploymentConfig({
      listeners: [{ rule: { priority: 2, conditions: { host_header: [FQDN] } } }],
    });
    const error = await rejection(lookup().discover(config));
    expect(error).to.be.instanceOf(UsageError);
    expect(error.message).to.include('priority 2 on port 80 of load balancer sandbox-blue (the blue slot)');
  });

  it('reports a port the ALBs do not listen on without a listener', async () => {
    const environment = await lookup().discover(
      deploymentConfig({ listeners: [{ port: 443, protocol: 'HTTPS' }] }),
    );
    expect(environment.slots.blue.listeners).to.deep.equal([{ port: 443, priority: 1 }]);
  });

  it('refuses a slot claimed by two ALBs', async () => {
    const { fixtures } = aws.sandbox;
    changed = true;
    await aws.sdk.elbv2.send(
      new CreateLoadBalancerCommand({
        Name: 'sandbox-blue-2',
        Type: 'application',
        Subnets: fixtures.subnetIds,
        SecurityGroups: [fixtures.securityGroupId],
        Tags: [
          { Key: 'CanaryGroup', Value: 'sandbox' },
          { Key: 'CanaryRelease', Value: 'blue' },
        ],
      }),
    );
    const error = await rejection(lookup().discover(deploymentConfig()));
    expect(error).to.be.instanceOf(UsageError);
    expect(error.message).to.match(/^2 load balancers are tagged CanaryGroup=sandbox and CanaryRelease=blue/);
    expect(error.message).to.include('sandbox-blue-2');
  });

  it('refuses a group without ALBs and an fqdn outside every zone', async () => {
    const noGroup = await rejection(lookup().discover(deploymentConfig({ group: 'elsewhere' })));
    expect(noGroup).to.be.instanceOf(UsageError);
    expect(noGroup.message).to.include('CanaryGroup=elsewhere');
    const noZone = await rejection(lookup().discover(deploymentConfig({ fqdn: ['api.example.org'] })));
    expect(noZone).to.be.instanceOf(UsageError);
    expect(noZone.message).to.include('api.example.org').and.include('sandbox.example.com');
  });

  it('reads the live weights of the weighted alias records', async () => {
    const { fixtures } = aws.sandbox;
    const record = (name: string, slot: 'blue' | 'green', weight: number) => ({
      Action: 'UPSERT' as const,
      ResourceRecordSet: {
        Name: name,
        Type: 'A' as const,
        SetIdentifier: slot,
        Weight: weight,
        AliasTarget: {
          DNSName: fixtures.loadBalancers[slot].dnsName,
          HostedZoneId: fixtures.loadBalancers[slot].canonicalHostedZoneId,
          EvaluateTargetHealth: true,
        },
      },
    });
    changed = true;
    await aws.sdk.route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: fixtures.hostedZoneId,
        ChangeBatch: {
          Changes: [
            record(FQDN, 'blue', 90),
            record(FQDN, 'green', 10),
            record('web.sandbox.example.com', 'blue', 0),
            record('web.sandbox.example.com', 'green', 100),
          ],
        },
      }),
    );
    const discovery = lookup();
    const environment = await discovery.discover(
      deploymentConfig({ fqdn: [FQDN, 'www.sandbox.example.com'] }),
    );
    expect(await discovery.liveWeights(environment.zones)).to.deep.equal({
      [FQDN]: { blue: 90, green: 10 },
      'www.sandbox.example.com': {},
    });
  });
});
