/**
 * The priorities of a listener entry's further rules (`listeners[].rules`): the file's, this
 * service's own earlier rule's, else the lowest free, never another rule's nor one handed out.
 */
import { DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  DescribeRulesCommand,
  DescribeTagsCommand,
  ElasticLoadBalancingV2Client,
  type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { createAwsClients } from '../../src/aws/clients.js';
import { createAwsLookup } from '../../src/aws/discovery.js';
import { chooseRulePriorities, sameRuleConditions, type WantedRule } from '../../src/aws/rule-priorities.js';
import type { RuleCondition } from '../../src/config/types.js';
import { UsageError } from '../../src/errors.js';
import { buildConfig, buildListener } from '../helpers/builders.js';

const HOSTS: RuleCondition = { field: 'host-header', values: ['api.example.com'] };

function awsRule(
  arn: string,
  priority: number | 'default',
  paths: string[],
  extra: Rule['Conditions'] = [],
): Rule {
  return {
    RuleArn: arn,
    Priority: String(priority),
    IsDefault: priority === 'default',
    Conditions: [
      { Field: 'host-header', HostHeaderConfig: { Values: ['API.example.com'] } },
      { Field: 'path-pattern', PathPatternConfig: { Values: paths } },
      ...(extra ?? []),
    ],
  };
}

const wanted = (paths: string[], priority?: number): WantedRule => ({
  ...(priority === undefined ? {} : { priority }),
  conditions: [HOSTS, { field: 'path-pattern', values: paths }],
});

const context = (i: number) => ({
  where: 'port 443 of alb-blue (the blue slot)',
  key: `listeners[0].rules[${i}].priority`,
});

describe('aws: priorities of the further listener rules', () => {
  it('hands out the lowest free priorities, past the main rule’s and every other rule’s', () => {
    const rules = [
      awsRule('default', 'default', []),
      awsRule('other', 1, ['/other']),
      awsRule('x', 3, ['/x']),
    ];
    const reserved = new Set([2]);
    expect(
      chooseRulePriorities(rules, [wanted(['/a']), wanted(['/b'])], new Set(), reserved, context),
    ).to.deep.equal([4, 5]);
    expect([...reserved]).to.have.members([2, 4, 5]);
  });

  it('keeps this service’s own rule’s priority, but not another service’s rule with the same conditions', () => {
    const rules = [awsRule('mine', 12, ['/a']), awsRule('theirs', 13, ['/b'])];
    expect(
      chooseRulePriorities(rules, [wanted(['/a']), wanted(['/b'])], new Set(['mine']), new Set(), context),
    ).to.deep.equal([12, 1]);
  });

  it('takes the file’s priority when free, and names the holder when it is not', () => {
    const rules = [awsRule('theirs', 7, ['/b'])];
    expect(chooseRulePriorities(rules, [wanted(['/a'], 9)], new Set(), new Set(), context)).to.deep.equal([
      9,
    ]);
    expect(() => chooseRulePriorities(rules, [wanted(['/a'], 7)], new Set(), new Set(), context))
      .to.throw(
        UsageError,
        /priority 7 on port 443 of alb-blue \(the blue slot\) is already taken by rule theirs/,
      )
      .with.property('hint')
      .that.matches(/listeners\[0\]\.rules\[0\]\.priority \(the lowest free one is 1\)/);
    expect(() =>
      chooseRulePriorities([], [wanted(['/a'], 5), wanted(['/b'], 5)], new Set(), new Set(), context),
    ).to.throw(/already taken by another listener entry of this file/);
  });

  it('compares conditions as sets, host names without case, http headers by name, query strings as key=value', () => {
    const rule = awsRule(
      'r',
      4,
      ['/a', '/b'],
      [
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Env', Values: ['beta'] } },
        {
          Field: 'query-string',
          QueryStringConfig: { Values: [{ Key: 'v', Value: '2' }, { Value: 'debug' }] },
        },
      ],
    );
    const same: WantedRule = {
      conditions: [
        { field: 'query-string', values: ['debug', 'v=2'] },
        { field: 'http-header', http_header_name: 'x-env', values: ['beta'] },
        { field: 'path-pattern', values: ['/b', '/a'] },
        HOSTS,
      ],
    };
    expect(sameRuleConditions(rule, same)).to.equal(true);
    expect(sameRuleConditions(rule, { conditions: same.conditions.slice(1) })).to.equal(false);
  });
});

describe('aws: discovery hands each slot listener the priorities of the further rules', () => {
  const region = 'eu-west-1';
  const lbArnOf = (name: string) =>
    `arn:aws:elasticloadbalancing:${region}:123456789012:loadbalancer/app/${name}/0123`;
  const listenerOf = (name: string) =>
    `arn:aws:elasticloadbalancing:${region}:123456789012:listener/app/${name}/0123/80`;
  const ownRule =
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/alb-blue/0123/80/mine';
  const theirRule =
    'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/alb-blue/0123/80/theirs';
  let elb: AwsClientStub<ElasticLoadBalancingV2Client>;
  let route53: AwsClientStub<Route53Client>;
  let sts: AwsClientStub<STSClient>;
  let ecs: AwsClientStub<ECSClient>;
  before(() => {
    elb = mockClient(ElasticLoadBalancingV2Client);
    route53 = mockClient(Route53Client);
    sts = mockClient(STSClient);
    ecs = mockClient(ECSClient);
  });
  after(() => {
    for (const stub of [elb, route53, sts, ecs]) stub.restore();
  });

  it('keeps this service’s earlier rule’s priority (its tags name it), skips another service’s twin, then the lowest free', async () => {
    const tags: Record<string, { Key: string; Value: string }[]> = {
      [lbArnOf('alb-blue')]: [
        { Key: 'CanaryGroup', Value: 'sandbox' },
        { Key: 'CanaryRelease', Value: 'blue' },
      ],
      [lbArnOf('alb-green')]: [
        { Key: 'CanaryGroup', Value: 'sandbox' },
        { Key: 'CanaryRelease', Value: 'green' },
      ],
      [ownRule]: [
        { Key: 'ecs-crd:project', Value: 'shop' },
        { Key: 'ecs-crd:service', Value: 'orders-api' },
        { Key: 'ecs-crd:environment', Value: 'prod' },
      ],
      [theirRule]: [
        { Key: 'ecs-crd:project', Value: 'shop' },
        { Key: 'ecs-crd:service', Value: 'billing' },
        { Key: 'ecs-crd:environment', Value: 'prod' },
      ],
    };
    sts.on(GetCallerIdentityCommand).resolves({ Account: '123456789012' });
    ecs.on(DescribeClustersCommand).resolves({ clusters: [{ clusterName: 'sandbox', status: 'ACTIVE' }] });
    elb.on(DescribeLoadBalancersCommand).resolves({
      LoadBalancers: ['alb-blue', 'alb-green'].map((name) => ({
        LoadBalancerArn: lbArnOf(name),
        LoadBalancerName: name,
        Type: 'application',
        VpcId: 'vpc-0abc',
      })),
    });
    elb.on(DescribeTagsCommand).callsFake((input: { ResourceArns: string[] }) => ({
      TagDescriptions: input.ResourceArns.map((arn) => ({ ResourceArn: arn, Tags: tags[arn] ?? [] })),
    }));
    elb.on(DescribeListenersCommand).callsFake((input: { LoadBalancerArn: string }) => ({
      Listeners: [
        {
          ListenerArn: listenerOf(input.LoadBalancerArn.includes('blue') ? 'alb-blue' : 'alb-green'),
          Port: 80,
        },
      ],
    }));
    const fqdn = 'api.sandbox.example.com';
    const twin = (arn: string, priority: number, path: string): Rule => ({
      RuleArn: arn,
      Priority: String(priority),
      IsDefault: false,
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: [fqdn] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: [path] } },
      ],
    });
    elb.on(DescribeRulesCommand).callsFake((input: { ListenerArn: string }) => ({
      Rules: input.ListenerArn.includes('alb-blue')
        ? [twin(ownRule, 7, '/old/*'), twin(theirRule, 2, '/maintenance')]
        : [],
    }));
    route53.on(ListHostedZonesCommand).resolves({
      HostedZones: [
        {
          Id: '/hostedzone/Z1',
          Name: 'sandbox.example.com.',
          CallerReference: 'z',
          Config: { PrivateZone: false },
        },
      ],
      IsTruncated: false,
      Marker: '',
      MaxItems: 100,
    });
    const path = (value: string): RuleCondition[] => [
      { field: 'host-header', values: [fqdn] },
      { field: 'path-pattern', values: [value] },
    ];
    const config = buildConfig({
      canary: { group: 'sandbox', releases: { blue: 'blue', green: 'green' } },
      service: { fqdn: [fqdn], cluster: 'sandbox' },
      listeners: [
        buildListener({
          port: 80,
          protocol: 'HTTP',
          certificate_arns: [],
          rule: { conditions: { host_header: [fqdn] } },
          rules: [
            {
              conditions: path('/old/*'),
              actions: [{ type: 'redirect', status_code: 'HTTP_301', path: '/new' }],
            },
            { conditions: path('/maintenance'), actions: [{ type: 'fixed-response', status_code: '503' }] },
          ],
        }),
      ],
    });
    const environment = await createAwsLookup(createAwsClients({ region })).discover(config);
    // Blue: the main rule takes 1; the redirect keeps its own 7; the twin of billing's rule is not ours: 3.
    expect(environment.slots.blue.listeners[0]).to.include({ priority: 1 });
    expect(environment.slots.blue.listeners[0]?.rulePriorities).to.deep.equal([7, 3]);
    expect(environment.slots.green.listeners[0]?.rulePriorities).to.deep.equal([2, 3]);
  });
});
