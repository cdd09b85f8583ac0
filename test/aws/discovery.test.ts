import { DescribeClustersCommand, DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  type LoadBalancer,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import {
  type HostedZone,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { createAwsClients } from '../../src/aws/clients.js';
import { choosePriority, createAwsLookup } from '../../src/aws/discovery.js';
import { matchZone, normalizeDnsName } from '../../src/aws/zones.js';
import type { AwsLookup } from '../../src/canary/ports/aws.js';
import type { ListenerConfig } from '../../src/config/types.js';
import { EcsCrdError, UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf } from '../../src/exit-codes.js';
import { deploymentConfig, lbArn, loadBalancer, REGION, rejection, rule, slotTags } from './fixtures.js';

// Created in before(): a stub made at load time would also catch the other files' real calls.
let elb: AwsClientStub<ElasticLoadBalancingV2Client>;
let route53: AwsClientStub<Route53Client>;
let sts: AwsClientStub<STSClient>;
let ecs: AwsClientStub<ECSClient>;

const listenerArn = (lb: string, port: number) =>
  `arn:aws:elasticloadbalancing:${REGION}:123456789012:listener/app/${lb}/0123/${port}`;

const zone = (id: string, name: string, privateZone = false): HostedZone => ({
  Id: `/hostedzone/${id}`,
  Name: name,
  CallerReference: id,
  Config: { PrivateZone: privateZone },
});

/** The usual account: the two slots of `sandbox` with an HTTP:80 listener each, and two zones. */
function standardWorld(
  options: { loadBalancers?: LoadBalancer[]; tags?: Record<string, ReturnType<typeof slotTags>> } = {},
) {
  const loadBalancers = options.loadBalancers ?? [loadBalancer('alb-blue'), loadBalancer('alb-green')];
  const tags = options.tags ?? {
    'alb-blue': slotTags('sandbox', 'blue'),
    'alb-green': slotTags('sandbox', 'green'),
  };
  sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
  ecs.on(DescribeClustersCommand).callsFake((input: { clusters: string[] }) => ({
    clusters: input.clusters.map((name) => ({ clusterName: name, status: 'ACTIVE' })),
  }));
  elb.on(DescribeLoadBalancersCommand).resolves({ LoadBalancers: loadBalancers });
  elb.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
    TagDescriptions: input.ResourceArns.map((arn) => ({
      ResourceArn: arn,
      Tags: Object.entries(tags).find(([name]) => lbArn(name) === arn)?.[1] ?? [],
    })),
  }));
  elb.on(DescribeListenersCommand).callsFake((input: { LoadBalancerArn: string }) => {
    const name =
      loadBalancers.find((lb) => lb.LoadBalancerArn === input.LoadBalancerArn)?.LoadBalancerName ?? '';
    return { Listeners: [{ ListenerArn: listenerArn(name, 80), Port: 80, Protocol: 'HTTP' }] };
  });
  elb.on(DescribeRulesCommand).resolves({ Rules: [rule('default')] });
  route53.on(ListHostedZonesCommand).resolves({
    HostedZones: [zone('ZEXAMPLE', 'example.com.'), zone('ZSANDBOX', 'sandbox.example.com.')],
    IsTruncated: false,
    Marker: '',
    MaxItems: 100,
  });
}

function lookup(options: { privateZone?: boolean; requireCluster?: boolean } = {}): AwsLookup {
  return createAwsLookup(createAwsClients({ region: REGION }), options);
}

describe('aws/discovery', () => {
  before(() => {
    elb = mockClient(ElasticLoadBalancingV2Client);
    route53 = mockClient(Route53Client);
    sts = mockClient(STSClient);
    ecs = mockClient(ECSClient);
  });
  beforeEach(() => {
    elb.reset();
    route53.reset();
    sts.reset();
    ecs.reset();
  });
  after(() => {
    elb.restore();
    route53.restore();
    sts.restore();
    ecs.restore();
  });

  describe('discover', () => {
    it('finds the account, both slot ALBs with their listeners, and the zone', async () => {
      standardWorld();
      const environment = await lookup().discover(deploymentConfig());
      expect(environment).to.deep.equal({
        accountId: '123456789012',
        region: REGION,
        slots: {
          blue: {
            slot: 'blue',
            releaseId: 'blue',
            albArn: lbArn('alb-blue'),
            albName: 'alb-blue',
            albDnsName: `alb-blue-1234.${REGION}.elb.amazonaws.com`,
            albZoneId: 'Z32O12XQLNTSW2',
            vpcId: 'vpc-0abc',
            listeners: [{ port: 80, listenerArn: listenerArn('alb-blue', 80), priority: 1 }],
          },
          green: {
            slot: 'green',
            releaseId: 'green',
            albArn: lbArn('alb-green'),
            albName: 'alb-green',
            albDnsName: `alb-green-1234.${REGION}.elb.amazonaws.com`,
            albZoneId: 'Z32O12XQLNTSW2',
            vpcId: 'vpc-0abc',
            listeners: [{ port: 80, listenerArn: listenerArn('alb-green', 80), priority: 1 }],
          },
        },
        zones: [{ fqdn: 'api.sandbox.example.com', zoneId: 'ZSANDBOX', zoneName: 'sandbox.example.com' }],
      });
    });

    it('asks STS once for both accountId() and discover()', async () => {
      standardWorld();
      const aws = lookup();
      expect(await aws.accountId()).to.equal('123456789012');
      await aws.discover(deploymentConfig());
      expect(sts.commandCalls(GetCallerIdentityCommand)).to.have.length(1);
    });

    it('follows DescribeLoadBalancers markers to the last page', async () => {
      standardWorld();
      elb
        .on(DescribeLoadBalancersCommand)
        .resolvesOnce({ LoadBalancers: [loadBalancer('other-1')], NextMarker: 'm1' })
        .resolvesOnce({ LoadBalancers: [loadBalancer('alb-blue')], NextMarker: 'm2' })
        .resolvesOnce({ LoadBalancers: [loadBalancer('alb-green')] });
      const environment = await lookup().discover(deploymentConfig());
      expect(environment.slots.green.albName).to.equal('alb-green');
      expect(
        elb.commandCalls(DescribeLoadBalancersCommand).map((call) => call.args[0].input.Marker),
      ).to.deep.equal([undefined, 'm1', 'm2']);
    });

    it('reads the tags of every load balancer, 20 ARNs per DescribeTags call', async () => {
      const others = Array.from({ length: 43 }, (_, i) => loadBalancer(`other-${i}`));
      standardWorld({ loadBalancers: [...others, loadBalancer('alb-blue'), loadBalancer('alb-green')] });
      await lookup().discover(deploymentConfig());
      const batches = elb
        .commandCalls(DescribeTagsCommand)
        .map((call) => call.args[0].input.ResourceArns ?? []);
      expect(batches.map((arns) => arns.length)).to.deep.equal([20, 20, 5]);
      expect(batches.flat()).to.include(lbArn('alb-green'));
    });

    it('fails with a UsageError listing the group when a slot has no ALB', async () => {
      standardWorld({
        tags: { 'alb-blue': slotTags('sandbox', 'blue'), 'alb-green': slotTags('sandbox', 'gren') },
      });
      const error = await rejection(lookup().discover(deploymentConfig()));
      expect(error).to.be.instanceOf(UsageError);
      expect(error.message).to.include(
        'No load balancer is tagged CanaryGroup=sandbox and CanaryRelease=green',
      );
      expect(error.message).to.include('alb-green (CanaryRelease=gren)');
      expect((error as UsageError).hint).to.include('canary.releases.green');
    });

    it('says so when no load balancer carries the group at all', async () => {
      standardWorld();
      const error = await rejection(lookup().discover(deploymentConfig({ group: 'nowhere' })));
      expect(error).to.be.instanceOf(UsageError);
      expect(error.message).to.include(`No load balancer in ${REGION} is tagged CanaryGroup=nowhere`);
    });

    it('fails with a UsageError naming both when two ALBs claim one slot', async () => {
      standardWorld({
        loadBalancers: [loadBalancer('alb-blue'), loadBalancer('alb-blue-2'), loadBalancer('alb-green')],
        tags: {
          'alb-blue': slotTags('sandbox', 'blue'),
          'alb-blue-2': slotTags('sandbox', 'blue'),
          'alb-green': slotTags('sandbox', 'green'),
        },
      });
      const error = await rejection(lookup().discover(deploymentConfig()));
      expect(error).to.be.instanceOf(UsageError);
      expect(error.message).to.match(
        /^2 load balancers are tagged CanaryGroup=sandbox and CanaryRelease=blue/,
      );
      expect(error.message).to.include(lbArn('alb-blue-2'));
    });

    it('fails with a UsageError when a slot is not an application load balancer', async () => {
      standardWorld({ loadBalancers: [loadBalancer('alb-blue'), loadBalancer('alb-green', 'network')] });
      const error = await rejection(lookup().discover(deploymentConfig()));
      expect(error).to.be.instanceOf(UsageError);
      expect(error.message).to.include('alb-green').and.include('is of type network');
    });

    it('reports a listener port the ALB lacks without an ARN, with the file priority or 1', async () => {
      standardWorld();
      const config = deploymentConfig({
        listeners: [
          { port: 443, protocol: 'HTTPS' },
          { port: 8443, rule: { priority: 7, conditions: { host_header: [] } } },
        ],
      });
      const environment = await lookup().discover(config);
      expect(environment.slots.blue.listeners).to.deep.equal([
        { port: 443, priority: 1 },
        { port: 8443, priority: 7 },
      ]);
      expect(elb.commandCalls(DescribeRulesCommand)).to.have.length(0);
    });

    it('takes the lowest free priority over every page of DescribeRules', async () => {
      standardWorld();
      elb
        .on(DescribeRulesCommand)
        .resolvesOnce({ Rules: [rule(1), rule(2)], NextMarker: 'r1' })
        .resolvesOnce({ Rules: [rule(4), rule('default')] })
        .resolvesOnce({ Rules: [rule(2)] })
        .resolvesOnce({ Rules: [] });
      const environment = await lookup().discover(deploymentConfig());
      const priorities = [environment.slots.blue, environment.slots.green].map(
        (s) => s.listeners[0]?.priority,
      );
      expect(priorities.sort()).to.deep.equal([1, 3]);
      expect(elb.commandCalls(DescribeRulesCommand).map((call) => call.args[0].input.Marker)).to.include(
        'r1',
      );
    });

    it('reports the ECS services of those names the cluster holds, ten per call, INACTIVE ones as free', async () => {
      const names = Array.from({ length: 12 }, (_, index) => `svc-${index}`);
      ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
        services: input.services.flatMap((name) =>
          name === 'svc-1'
            ? [{ serviceName: name, status: 'ACTIVE' }]
            : name === 'svc-11'
              ? [{ serviceName: name, status: 'DRAINING' }]
              : name === 'svc-2'
                ? [{ serviceName: name, status: 'INACTIVE' }]
                : [],
        ),
      }));
      expect(await lookup().serviceStatuses('main', names)).to.deep.equal({
        'svc-1': 'ACTIVE',
        'svc-11': 'DRAINING',
      });
      expect(
        ecs.commandCalls(DescribeServicesCommand).map((call) => call.args[0].input.services?.length),
      ).to.deep.equal([10, 2]);
    });

    it('names the ecs-crd service whose tags a rule of exactly these conditions carries', async () => {
      standardWorld();
      const same = rule(7, ['api.sandbox.example.com']);
      const unowned = rule(8, ['api.sandbox.example.com']);
      elb.on(DescribeRulesCommand).resolves({ Rules: [same, rule('default')] });
      const owner = [
        { Key: 'ecs-crd:project', Value: 'sandbox' },
        { Key: 'ecs-crd:service', Value: 'api2' },
        { Key: 'ecs-crd:environment', Value: 'dev' },
      ];
      elb.on(DescribeTagsCommand, { ResourceArns: [same.RuleArn ?? ''] }).resolves({
        TagDescriptions: [{ ResourceArn: same.RuleArn, Tags: owner }],
      });
      const environment = await lookup().discover(deploymentConfig());
      expect(environment.slots.green.listeners[0]?.existingRule).to.deep.equal({
        ruleArn: same.RuleArn,
        owner: { project: 'sandbox', name: 'api2', environment: 'dev' },
      });
      // A rule without ecs-crd's tags is nobody's; a rule of other hosts is not looked at.
      elb.on(DescribeRulesCommand).resolves({ Rules: [unowned, rule(9), rule('default')] });
      elb.on(DescribeTagsCommand, { ResourceArns: [unowned.RuleArn ?? ''] }).resolves({
        TagDescriptions: [{ ResourceArn: unowned.RuleArn, Tags: [] }],
      });
      const again = await lookup().discover(deploymentConfig());
      expect(again.slots.blue.listeners[0]?.existingRule).to.deep.equal({
        ruleArn: unowned.RuleArn,
        owner: null,
      });
    });

    it('fails with a UsageError when the file priority is taken', async () => {
      standardWorld();
      elb.on(DescribeRulesCommand).resolves({ Rules: [rule(1), rule(10, ['shop.example.com'])] });
      const config = deploymentConfig({
        listeners: [{ rule: { priority: 10, conditions: { host_header: ['api.sandbox.example.com'] } } }],
      });
      const error = await rejection(lookup().discover(config));
      expect(error).to.be.instanceOf(UsageError);
      expect(error.message).to.include('priority 10 on port 80 of load balancer alb-');
      expect(error.message).to.include('host-header shop.example.com');
      expect((error as UsageError).hint)
        .to.include('listeners[0].rule.priority')
        .and.include('lowest free one is 2');
    });

    it('wraps other AWS failures as system errors', async () => {
      standardWorld();
      const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
      elb.on(DescribeLoadBalancersCommand).rejects(denied);
      const error = await rejection(lookup().discover(deploymentConfig()));
      expect(error).to.be.instanceOf(EcsCrdError).and.not.instanceOf(UsageError);
      expect(exitCodeOf(error)).to.equal(ExitCode.Unexpected);
      expect(error.message).to.equal('AWS ELBv2 DescribeLoadBalancers failed: AccessDenied: not authorized');
      expect((error as EcsCrdError).hint).to.include('elasticloadbalancing:DescribeLoadBalancers');
    });
  });

  describe('the ECS cluster', () => {
    it('refuses a cluster that does not exist before any change (exit 2), naming it, the region and what to do', async () => {
      standardWorld();
      ecs.on(DescribeClustersCommand).resolves({
        clusters: [],
        failures: [{ arn: `arn:aws:ecs:${REGION}:123456789012:cluster/sandbox`, reason: 'MISSING' }],
      });
      const error = await rejection(lookup().discover(deploymentConfig()));
      expect(error).to.be.instanceOf(UsageError);
      expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
      expect(error.message).to.match(/ECS cluster sandbox \(service\.cluster\) does not exist in /);
      expect(error.message).to.include(REGION);
      expect(error.message).to.match(/Nothing was changed/);
      expect((error as UsageError).hint).to.match(/correct service\.cluster/);
    });

    it('refuses a deleted (INACTIVE) cluster', async () => {
      standardWorld();
      ecs
        .on(DescribeClustersCommand)
        .resolves({ clusters: [{ clusterName: 'sandbox', status: 'INACTIVE' }] });
      const error = await rejection(lookup().discover(deploymentConfig()));
      expect(error.message).to.match(/ECS cluster sandbox \(service\.cluster\) is INACTIVE in /);
    });

    it('accepts the cluster by ARN, and is not asked when the caller does without (rollback)', async () => {
      standardWorld();
      const arn = `arn:aws:ecs:${REGION}:123456789012:cluster/main`;
      ecs
        .on(DescribeClustersCommand)
        .resolves({ clusters: [{ clusterName: 'main', clusterArn: arn, status: 'ACTIVE' }] });
      const config = deploymentConfig();
      await lookup().discover({ ...config, service: { ...config.service, cluster: arn } });
      ecs.reset();
      ecs.on(DescribeClustersCommand).rejects(new Error('must not be called'));
      await lookup({ requireCluster: false }).discover(config);
    });
  });

  describe('choosePriority', () => {
    const context = {
      where: 'port 80 of load balancer alb (the blue slot)',
      key: 'listeners[0].rule.priority',
    };
    const wanted = (
      priority?: number,
      hosts = ['api.example.com'],
      paths?: string[],
    ): Pick<ListenerConfig, 'rule'> => ({
      rule: {
        ...(priority === undefined ? {} : { priority }),
        conditions: { host_header: hosts, path_pattern: paths },
      },
    });
    const none = new Set<number>();

    it('picks the lowest free priority, ignoring the default rule', () => {
      expect(choosePriority([rule('default'), rule(1), rule(3)], wanted(), none, context)).to.equal(2);
    });

    it('keeps the file priority when it is free', () => {
      expect(choosePriority([rule(1)], wanted(5), none, context)).to.equal(5);
    });

    it("keeps this service's own rule priority (same host names) when the file gives none", () => {
      const ours = rule(12, ['API.example.com']);
      expect(choosePriority([rule(1), ours], wanted(), none, context)).to.equal(12);
    });

    it("allows the file priority held by this service's own rule", () => {
      expect(choosePriority([rule(12, ['api.example.com'])], wanted(12), none, context)).to.equal(12);
    });

    it('treats a rule with other path patterns as someone else’s', () => {
      const theirs: Rule = {
        ...rule(1, ['api.example.com']),
        Conditions: [
          { Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } },
          { Field: 'path-pattern', PathPatternConfig: { Values: ['/admin/*'] } },
        ],
      };
      expect(
        choosePriority([theirs], wanted(undefined, ['api.example.com'], ['/api/*']), none, context),
      ).to.equal(2);
      expect(() => choosePriority([theirs], wanted(1), none, context)).to.throw(
        UsageError,
        /already taken by rule/,
      );
    });

    it('never hands out a priority reserved by another entry of the same listener', () => {
      expect(choosePriority([], wanted(), new Set([1, 2]), context)).to.equal(3);
      expect(() => choosePriority([], wanted(2), new Set([2]), context)).to.throw(
        UsageError,
        /taken by another listener entry of this file/,
      );
    });
  });

  describe('hosted zones', () => {
    const zones = [
      { id: 'Z1', name: 'example.com', private: false },
      { id: 'Z2', name: 'sandbox.example.com', private: false },
      { id: 'Z3', name: 'sandbox.example.com', private: true },
      { id: 'Z4', name: 'internal.example.com', private: true },
    ];

    it('chooses the longest suffix at a label boundary', () => {
      expect(matchZone('api.sandbox.example.com', zones, false).zoneId).to.equal('Z2');
      expect(matchZone('api.other.example.com', zones, false).zoneId).to.equal('Z1');
      expect(matchZone('sandbox.example.com.', zones, false).zoneId).to.equal('Z2');
      expect(() => matchZone('api.badexample.com', zones, false)).to.throw(UsageError);
    });

    it('matches case-insensitively and keeps the fqdn as written', () => {
      expect(matchZone('API.Sandbox.Example.com', zones, false)).to.deep.equal({
        fqdn: 'API.Sandbox.Example.com',
        zoneId: 'Z2',
        zoneName: 'sandbox.example.com',
      });
    });

    it('uses private zones only when asked', () => {
      expect(matchZone('api.sandbox.example.com', zones, true).zoneId).to.equal('Z3');
      // The private internal.example.com is not a candidate: the public parent zone is.
      expect(matchZone('db.internal.example.com', zones, false).zoneId).to.equal('Z1');
      expect(() => matchZone('db.internal.example.org', zones, false)).to.throw(
        UsageError,
        /No public hosted zone of this account contains db\.internal\.example\.org \(public zones: example\.com, sandbox\.example\.com; private zones: sandbox\.example\.com, internal\.example\.com\)/,
      );
    });

    it('refuses to guess between two zones of the same name', () => {
      const twins = [...zones, { id: 'Z5', name: 'sandbox.example.com', private: false }];
      expect(() => matchZone('api.sandbox.example.com', twins, false)).to.throw(UsageError, /Z2, Z5/);
    });

    it('reads every page of ListHostedZones and strips the /hostedzone/ prefix', async () => {
      standardWorld();
      route53
        .on(ListHostedZonesCommand)
        .resolvesOnce({
          HostedZones: [zone('ZEXAMPLE', 'example.com.')],
          IsTruncated: true,
          NextMarker: 'z1',
          Marker: '',
          MaxItems: 1,
        })
        .resolvesOnce({
          HostedZones: [zone('ZPRIVATE', 'sandbox.example.com.', true)],
          IsTruncated: true,
          NextMarker: 'z2',
          Marker: 'z1',
          MaxItems: 1,
        })
        .resolvesOnce({
          HostedZones: [zone('ZSANDBOX', 'sandbox.example.com.')],
          IsTruncated: false,
          Marker: 'z2',
          MaxItems: 1,
        });
      const environment = await lookup().discover(
        deploymentConfig({ fqdn: ['a.sandbox.example.com', 'example.com'] }),
      );
      expect(environment.zones).to.deep.equal([
        { fqdn: 'a.sandbox.example.com', zoneId: 'ZSANDBOX', zoneName: 'sandbox.example.com' },
        { fqdn: 'example.com', zoneId: 'ZEXAMPLE', zoneName: 'example.com' },
      ]);
      expect(
        route53.commandCalls(ListHostedZonesCommand).map((call) => call.args[0].input.Marker),
      ).to.deep.equal([undefined, 'z1', 'z2']);
    });

    it('passes the privateZone option through discover()', async () => {
      standardWorld();
      route53.on(ListHostedZonesCommand).resolves({
        HostedZones: [zone('ZPUB', 'sandbox.example.com.'), zone('ZPRIV', 'sandbox.example.com.', true)],
        IsTruncated: false,
        Marker: '',
        MaxItems: 100,
      });
      const environment = await lookup({ privateZone: true }).discover(deploymentConfig());
      expect(environment.zones[0]?.zoneId).to.equal('ZPRIV');
    });

    it('fails discovery with a UsageError when an fqdn has no zone', async () => {
      standardWorld();
      const error = await rejection(lookup().discover(deploymentConfig({ fqdn: ['api.example.org'] })));
      expect(error).to.be.instanceOf(UsageError);
      expect(error.message).to.include('api.example.org').and.include('example.com, sandbox.example.com');
    });

    it('normalises names as Route 53 writes them', () => {
      expect(normalizeDnsName('\\052.Sandbox.Example.COM.')).to.equal('*.sandbox.example.com');
    });
  });

  describe('liveWeights', () => {
    const weighted = (name: string, setIdentifier: string, weight: number): ResourceRecordSet => ({
      Name: name,
      Type: 'A',
      SetIdentifier: setIdentifier,
      Weight: weight,
      AliasTarget: { DNSName: 'alb.example.com', HostedZoneId: 'Z32O12XQLNTSW2', EvaluateTargetHealth: true },
    });
    const info = { fqdn: 'api.sandbox.example.com', zoneId: 'ZSANDBOX', zoneName: 'sandbox.example.com' };

    it('reads the weights of the weighted A records of each fqdn', async () => {
      route53
        .on(ListResourceRecordSetsCommand, { StartRecordName: 'api.sandbox.example.com' })
        .resolves({
          ResourceRecordSets: [
            weighted('api.sandbox.example.com.', 'blue', 90),
            weighted('api.sandbox.example.com.', 'green', 10),
            { Name: 'api.sandbox.example.com.', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"x"' }] },
          ],
          IsTruncated: true,
          NextRecordName: 'web.sandbox.example.com.',
          NextRecordType: 'A',
          MaxItems: 3,
        })
        .on(ListResourceRecordSetsCommand, { StartRecordName: '*.sandbox.example.com' })
        .resolves({
          ResourceRecordSets: [weighted('\\052.sandbox.example.com.', 'green', 100)],
          IsTruncated: false,
          MaxItems: 100,
        });
      const weights = await lookup().liveWeights([info, { ...info, fqdn: '*.sandbox.example.com' }]);
      expect(weights).to.deep.equal({
        'api.sandbox.example.com': { blue: 90, green: 10 },
        '*.sandbox.example.com': { green: 100 },
      });
      // The first page ended past the fqdn's A records: no need for the next one.
      expect(route53.commandCalls(ListResourceRecordSetsCommand)).to.have.length(2);
    });

    it('follows the next record name, type and identifier while the records continue', async () => {
      route53
        .on(ListResourceRecordSetsCommand)
        .resolvesOnce({
          ResourceRecordSets: [weighted('api.sandbox.example.com.', 'blue', 0)],
          IsTruncated: true,
          NextRecordName: 'api.sandbox.example.com.',
          NextRecordType: 'A',
          NextRecordIdentifier: 'green',
          MaxItems: 1,
        })
        .resolvesOnce({
          ResourceRecordSets: [weighted('api.sandbox.example.com.', 'green', 100)],
          IsTruncated: false,
          MaxItems: 1,
        });
      expect(await lookup().liveWeights([info])).to.deep.equal({
        'api.sandbox.example.com': { blue: 0, green: 100 },
      });
      const inputs = route53.commandCalls(ListResourceRecordSetsCommand).map((call) => call.args[0].input);
      expect(inputs[0]).to.include({
        HostedZoneId: 'ZSANDBOX',
        StartRecordName: 'api.sandbox.example.com',
        StartRecordType: 'A',
      });
      expect(inputs[1]).to.include({
        StartRecordName: 'api.sandbox.example.com.',
        StartRecordType: 'A',
        StartRecordIdentifier: 'green',
      });
    });

    it('returns no weights for an fqdn without records', async () => {
      route53
        .on(ListResourceRecordSetsCommand)
        .resolves({ ResourceRecordSets: [], IsTruncated: false, MaxItems: 100 });
      expect(await lookup().liveWeights([info])).to.deep.equal({ 'api.sandbox.example.com': {} });
    });
  });
});
