import { expect } from 'chai';
import type { DesiredState } from '../../src/canary/ports/stack.js';
import type { ListenerRuleConfig } from '../../src/config/types.js';
import {
  buildConfig,
  buildDesiredState,
  buildEnvironment,
  buildListener,
  buildSlotListener,
  buildTargetGroup,
  SAMPLE_FQDNS,
} from '../helpers/builders.js';
import { declaredInputs } from '../helpers/program-run.js';

type Inputs = Record<string, unknown>;

const declared = declaredInputs;

const RULES: ListenerRuleConfig[] = [
  {
    conditions: [
      { field: 'host-header', values: [...SAMPLE_FQDNS] },
      { field: 'path-pattern', values: ['/old/*'] },
    ],
    actions: [{ type: 'redirect', status_code: 'HTTP_301', path: '/new/#{path}' }],
  },
  {
    priority: 40,
    conditions: [
      { field: 'host-header', values: ['orders.example.com'] },
      { field: 'http-header', http_header_name: 'X-Env', values: ['beta'] },
      { field: 'query-string', values: ['v=2', 'debug'] },
      { field: 'source-ip', values: ['10.0.0.0/8'] },
    ],
    actions: [
      {
        type: 'authenticate-cognito',
        order: 1,
        user_pool_arn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc',
        user_pool_client_id: 'client',
        user_pool_domain: 'shop',
        session_timeout: 3600,
      },
      {
        type: 'fixed-response',
        order: 2,
        status_code: '503',
        content_type: 'application/json',
        message_body: '{}',
      },
    ],
  },
];

function stateWithRules(): DesiredState {
  const release = buildConfig({
    target_groups: [
      buildTargetGroup({
        port: 80,
        attributes: {
          'stickiness.enabled': 'true',
          'stickiness.type': 'app_cookie',
          'stickiness.app_cookie.cookie_name': 'session',
          'stickiness.app_cookie.duration_seconds': '600',
          'slow_start.duration_seconds': '60',
          'load_balancing.algorithm.type': 'least_outstanding_requests',
          'load_balancing.cross_zone.enabled': 'false',
          'target_group_health.dns_failover.minimum_healthy_targets.count': '2',
        },
        health_check: { ...buildTargetGroup().health_check, protocol: 'HTTPS' },
      }),
    ],
    listeners: [buildListener({ rules: RULES })],
  });
  const slotListener = (slot: 'blue' | 'green') => [
    buildSlotListener(slot, { priority: 10, rulePriorities: slot === 'blue' ? [11, 40] : [12, 40] }),
  ];
  return buildDesiredState({
    releases: { blue: release },
    environment: buildEnvironment({
      slots: { blue: { listeners: slotListener('blue') }, green: { listeners: slotListener('green') } },
    }),
  });
}

describe('program: target groups and further listener rules', () => {
  it('declares the target group’s port, attributes and health check protocol as pulumi-aws inputs', async () => {
    const resources = await declared(stateWithRules());
    const tg = resources.get('blue-tg-web-8080') ?? {};
    expect(tg.port).to.equal(80);
    expect(tg.stickiness).to.deep.equal({
      type: 'app_cookie',
      enabled: true,
      cookieDuration: 600,
      cookieName: 'session',
    });
    expect(tg.slowStart).to.equal(60);
    expect(tg.loadBalancingAlgorithmType).to.equal('least_outstanding_requests');
    expect(tg.loadBalancingCrossZoneEnabled).to.equal('false');
    expect(tg.targetGroupHealth).to.deep.equal({ dnsFailover: { minimumHealthyTargetsCount: '2' } });
    expect((tg.healthCheck as Inputs).protocol).to.equal('HTTPS');
  });

  it('declares each further rule at its priority, with its conditions and actions, tagged like the main rule', async () => {
    const resources = await declared(stateWithRules());
    const main = resources.get('blue-rule-443') ?? {};
    const first = resources.get('blue-rule-443-1') ?? {};
    const second = resources.get('blue-rule-443-2') ?? {};
    expect(first.priority).to.equal(11);
    expect(second.priority).to.equal(40);
    expect(first.listenerArn).to.equal(main.listenerArn);
    expect(first.tags).to.deep.equal(main.tags);
    expect(first.conditions).to.deep.equal([
      { hostHeader: { values: SAMPLE_FQDNS } },
      { pathPattern: { values: ['/old/*'] } },
    ]);
    expect(first.actions).to.deep.equal([
      { type: 'redirect', redirect: { statusCode: 'HTTP_301', path: '/new/#{path}' } },
    ]);
    expect(second.conditions).to.deep.equal([
      { hostHeader: { values: ['orders.example.com'] } },
      { httpHeader: { httpHeaderName: 'X-Env', values: ['beta'] } },
      { queryStrings: [{ key: 'v', value: '2' }, { value: 'debug' }] },
      { sourceIp: { values: ['10.0.0.0/8'] } },
    ]);
    expect(second.actions).to.deep.equal([
      {
        type: 'authenticate-cognito',
        order: 1,
        authenticateCognito: {
          userPoolArn: 'arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_abc',
          userPoolClientId: 'client',
          userPoolDomain: 'shop',
          sessionTimeout: 3600,
        },
      },
      {
        type: 'fixed-response',
        order: 2,
        fixedResponse: { statusCode: '503', contentType: 'application/json', messageBody: '{}' },
      },
    ]);
  });

  it('declares a release recorded without the new keys exactly as before: no attribute input, no further rule', async () => {
    const resources = await declared(buildDesiredState());
    const tg = resources.get('blue-tg-web-8080') ?? {};
    for (const key of [
      'stickiness',
      'slowStart',
      'loadBalancingAlgorithmType',
      'loadBalancingCrossZoneEnabled',
      'targetGroupHealth',
    ]) {
      expect(tg, key).not.to.have.property(key);
    }
    expect(tg.port).to.equal(8080);
    expect((tg.healthCheck as Inputs).protocol).to.equal('HTTP');
    expect([...resources.keys()].filter((name) => name.startsWith('blue-rule-'))).to.deep.equal([
      'blue-rule-443',
    ]);
  });
});
