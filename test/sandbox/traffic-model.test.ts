import { expect } from 'chai';
import {
  albHealthy,
  DEFAULT_LATENCY_MS,
  type RecordView,
  resolve,
  route,
  seededRandom,
  type TargetGroupView,
  type TargetState,
  type World,
} from '../../sandbox/traffic/model.js';

const BLUE = 'sandbox-blue.elb.example.com';
const GREEN = 'sandbox-green.elb.example.com';

/** Two ALBs, each with one rule per service: api on blue (live) and green (candidate), web on blue only. */
function world(
  states: { apiBlue?: TargetState[]; apiGreen?: TargetState[]; web?: TargetState[] } = {},
  evaluate = false,
): World {
  const record = (setIdentifier: string, weight: number, alb: string): RecordView => ({
    setIdentifier,
    weight,
    aliasDnsName: alb,
    evaluateTargetHealth: evaluate,
  });
  return {
    records: {
      'api.example.com': [record('blue', 90, BLUE), record('green', 10, GREEN)],
      'web.example.com': [record('blue', 100, BLUE), record('green', 0, GREEN)],
    },
    albs: [
      {
        dnsName: BLUE,
        dimension: 'app/sandbox-blue/1',
        listeners: [
          {
            port: 80,
            rules: [
              { priority: 2, hosts: ['web.example.com'], paths: [], targetGroupArn: 'tg-web' },
              { priority: 1, hosts: ['API.example.com'], paths: ['/*'], targetGroupArn: 'tg-api-blue' },
            ],
            defaultAction: { kind: 'fixed', status: 404 },
          },
        ],
      },
      {
        dnsName: GREEN,
        dimension: 'app/sandbox-green/2',
        listeners: [
          {
            port: 80,
            rules: [{ priority: 1, hosts: ['api.example.com'], paths: [], targetGroupArn: 'tg-api-green' }],
            defaultAction: { kind: 'fixed', status: 404 },
          },
        ],
      },
    ],
    targetGroups: {
      'tg-api-blue': group('tg-api-blue', 'api 1.0.0 (blue)', states.apiBlue ?? ['healthy', 'healthy']),
      'tg-api-green': group('tg-api-green', 'api 2.0.0 (green)', states.apiGreen ?? ['healthy']),
      'tg-web': group('tg-web', 'web 1.0.0 (blue)', states.web ?? ['healthy']),
    },
  };
}

function group(arn: string, release: string, targets: TargetState[]): TargetGroupView {
  return {
    arn,
    dimension: `targetgroup/${arn}/0`,
    release,
    targets,
    errorRate: 0,
    latencyMs: DEFAULT_LATENCY_MS,
  };
}

const VIA_BLUE = { alb: 'app/sandbox-blue/1' };
const VIA_GREEN = { alb: 'app/sandbox-green/2' };

function answers(w: World, name: string, count = 10_000): Record<string, number> {
  const random = seededRandom(42);
  const counts: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const alb = resolve(w, name, random) ?? 'none';
    counts[alb] = (counts[alb] ?? 0) + 1;
  }
  return counts;
}

describe('sandbox traffic model', () => {
  it('answers a name by its weights, never with a weight-0 record while another is available', () => {
    const api = answers(world(), 'api.example.com');
    expect((api[GREEN] ?? 0) / 10_000).to.be.within(0.08, 0.12);
    expect(answers(world(), 'web.example.com')).to.deep.equal({ [BLUE]: 10_000 });
    expect(answers(world(), 'nope.example.com', 10)).to.deep.equal({ none: 10 });
  });

  it('is the same for the same seed', () => {
    expect(answers(world(), 'api.example.com', 500)).to.deep.equal(answers(world(), 'api.example.com', 500));
  });

  it('routes by rule priority and host (case-insensitive), else the listener’s default action', () => {
    const w = world();
    expect(route(w, BLUE, 80, 'api.example.com', '/orders')).to.deep.equal({
      served: 'api 1.0.0 (blue)',
      ...VIA_BLUE,
      targetGroup: 'targetgroup/tg-api-blue/0',
    });
    expect(route(w, BLUE, 80, 'web.example.com', '/')).to.deep.equal({
      served: 'web 1.0.0 (blue)',
      ...VIA_BLUE,
      targetGroup: 'targetgroup/tg-web/0',
    });
    expect(route(w, GREEN, 80, 'web.example.com', '/')).to.deep.equal({ failed: 'no-rule', ...VIA_GREEN });
    expect(route(w, GREEN, 443, 'api.example.com', '/')).to.deep.equal({
      failed: 'no-listener',
      ...VIA_GREEN,
    });
    expect(route(w, 'gone.elb.example.com', 80, 'api.example.com', '/')).to.deep.equal({
      failed: 'no-load-balancer',
    });
  });

  it('sends new requests only to healthy targets; all-unhealthy fails open into 5xx; initial or draining only: none', () => {
    expect(
      route(world({ apiBlue: ['healthy', 'unhealthy'] }), BLUE, 80, 'api.example.com', '/'),
    ).to.deep.equal({
      served: 'api 1.0.0 (blue)',
      ...VIA_BLUE,
      targetGroup: 'targetgroup/tg-api-blue/0',
    });
    expect(route(world({ apiBlue: ['unhealthy'] }), BLUE, 80, 'api.example.com', '/')).to.deep.equal({
      failed: 'target-unhealthy',
      ...VIA_BLUE,
      targetGroup: 'targetgroup/tg-api-blue/0',
    });
    for (const states of [['draining'], ['initial'], []] as TargetState[][]) {
      expect(
        route(world({ apiBlue: states }), BLUE, 80, 'api.example.com', '/'),
        states.join(),
      ).to.deep.equal({
        failed: 'no-target',
        ...VIA_BLUE,
        targetGroup: 'targetgroup/tg-api-blue/0',
      });
    }
  });

  it('judges an ALB as Route 53 does: unhealthy when any target group with targets has no healthy one', () => {
    expect(albHealthy(world(), BLUE)).to.equal(true);
    expect(albHealthy(world({ apiBlue: ['unhealthy', 'initial'] }), BLUE)).to.equal(false);
    // A target group without targets does not count.
    expect(albHealthy(world({ apiBlue: [] }), BLUE)).to.equal(true);
  });

  it('shows why records must not evaluate target health on shared ALBs', () => {
    // api's candidate starts on blue (its targets not yet healthy); web is live on blue alone.
    const starting = { apiBlue: ['initial', 'unhealthy'] as TargetState[] };
    const evaluated = world(starting, true);
    // Route 53 now calls blue unhealthy, and answers web with its weight-0 record on green…
    expect(answers(evaluated, 'web.example.com', 100)).to.deep.equal({ [GREEN]: 100 });
    // …where web has no rule: every request of web fails.
    expect(route(evaluated, GREEN, 80, 'web.example.com', '/')).to.deep.equal({
      failed: 'no-rule',
      ...VIA_GREEN,
    });
    // Without evaluation, web's users stay on blue and are served.
    expect(answers(world(starting, false), 'web.example.com', 100)).to.deep.equal({ [BLUE]: 100 });
  });
});
