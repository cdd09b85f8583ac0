import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { convertDeployment } from '../../src/config/convert.js';
import { deploymentJsonSchema } from '../../src/config/json-schema.js';
import { isStatistic } from '../../src/config/schema-analysis.js';
import { renderRuntime } from '../../src/config/templates.js';
import { analysisConfig } from '../helpers/builders.js';
import { check, config, fileWith, type LooseFile, problems } from './fixtures.js';

const withAnalysis = (analysis: unknown, edit: (f: LooseFile) => void = () => {}) =>
  fileWith((f) => {
    f.canary.analysis = analysis;
    edit(f);
  });

const warningsOf = (text: string) => (check(text).warnings ?? []).map((w) => `${w.path}: ${w.message}`);

describe('config: canary.analysis', () => {
  describe('defaults and normalisation', () => {
    it('is absent from the resolved config when the file has none', () => {
      expect(config(fileWith(() => {})).canary).not.to.have.property('analysis');
    });

    it('`analysis: {}` resolves to every default', () => {
      expect(config(withAnalysis({})).canary.analysis).to.deep.equal(analysisConfig());
    });

    it('interval defaults to health.interval rounded up to a CloudWatch period; timeout to health.timeout', () => {
      const cases: [number, number][] = [
        [1, 10],
        [10, 10],
        [11, 20],
        [25, 30],
        [31, 60],
        [60, 60],
        [61, 120],
        [3600, 3600],
      ];
      for (const [health, expected] of cases) {
        const resolved = config(
          withAnalysis({}, (f) => (f.canary.health = { interval: health, timeout: 3600 })),
        ).canary.analysis;
        expect(resolved?.interval, `health.interval ${health}`).to.equal(expected);
        expect(resolved?.timeout).to.equal(3600);
      }
    });

    it('error_rate.elb_5xx defaults to true; limits left out stay out', () => {
      const resolved = config(withAnalysis({ error_rate: { max: 0.01 }, latency: { max_increase: 0.25 } }))
        .canary.analysis;
      expect(resolved?.error_rate).to.deep.equal({ max: 0.01, elb_5xx: true });
      expect(resolved?.latency).to.deep.equal({ max_increase: 0.25 });
    });

    it('resolves a full example as written', () => {
      const analysis = {
        interval: 60,
        delay: 90,
        min_requests: 100,
        failure_limit: 1,
        inconclusive: 'pass',
        timeout: 600,
        error_rate: { max: 0.01, max_increase: 0.005, elb_5xx: false },
        latency: { p99_max_ms: 800, max_increase: 0.25 },
        alarms: ['orders-5xx', '{{name}}-latency'],
        metrics: [
          {
            name: 'checkout-failures',
            query: {
              namespace: 'Shop',
              metric_name: 'CheckoutFailures',
              dimensions: { LoadBalancer: '{{load_balancer}}', TargetGroup: '{{target_group}}' },
              stat: 'Sum',
            },
            max: 0,
          },
          {
            name: 'orders',
            query: { expression: "SELECT SUM(Orders) FROM Shop WHERE LoadBalancer = '{{load_balancer}}'" },
            min: 1,
          },
        ],
        observed_share: { min_ratio: 0.5 },
      };
      const text = withAnalysis(analysis);
      expect(config(text).canary.analysis).to.deep.equal({
        ...analysis,
        alarms: ['orders-5xx', 'api-latency'],
      });
      expect(warningsOf(text)).to.deep.equal([]);
    });

    it("the Fargate example judges on one-minute windows, its keys in the contract's order", () => {
      const text = readFileSync('examples/fargate.deploy.yml', 'utf8');
      const resolved = config(text).canary.analysis;
      expect(Object.keys(resolved ?? {})).to.deep.equal([
        'interval',
        'delay',
        'min_requests',
        'failure_limit',
        'inconclusive',
        'timeout',
        'error_rate',
        'latency',
        'alarms',
        'metrics',
        'observed_share',
      ]);
      expect(resolved).to.deep.include({
        interval: 60,
        delay: 60,
        timeout: 600,
        alarms: ['checkout-prod-5xx'],
      });
      expect(check(text).warnings).to.deep.equal([]);
    });

    it('a metric query without dimensions resolves with an empty map', () => {
      const resolved = config(
        withAnalysis({
          metrics: [{ name: 'm', query: { namespace: 'N', metric_name: 'M', stat: 'p99.9' }, max: 1 }],
        }),
      ).canary.analysis;
      expect(resolved?.metrics[0]?.query).to.deep.equal({
        namespace: 'N',
        metric_name: 'M',
        dimensions: {},
        stat: 'p99.9',
      });
    });
  });

  describe('problems, each at its key path', () => {
    const metric = (query: unknown, limits: LooseFile = { max: 0 }) => ({ name: 'm', query, ...limits });
    const simple = { namespace: 'N', metric_name: 'M', stat: 'Sum' };
    const cases: [string, unknown, string[]][] = [
      [
        'interval not a CloudWatch period',
        { interval: 15 },
        [
          'canary.analysis.interval: must be a CloudWatch period: 10, 20, 30 or a multiple of 60 (seconds; GetMetricData takes no other)',
        ],
      ],
      ['interval 0', { interval: 0 }, ['canary.analysis.interval: must be between 1 and 86400']],
      ['delay negative', { delay: -1 }, ['canary.analysis.delay: must be between 0 and 3600']],
      ['min_requests 0', { min_requests: 0 }, ['canary.analysis.min_requests: must be at least 1']],
      [
        'failure_limit negative',
        { failure_limit: -1 },
        ['canary.analysis.failure_limit: must be at least 0'],
      ],
      [
        'inconclusive misspelt',
        { inconclusive: 'pas' },
        ['canary.analysis.inconclusive: must be one of `fail`, `pass`: did you mean `pass`?'],
      ],
      ['timeout 0', { timeout: 0 }, ['canary.analysis.timeout: must be between 1 and 86400']],
      [
        'error_rate.max as a percent',
        { error_rate: { max: 5 } },
        ['canary.analysis.error_rate.max: must be between 0 and 1 (a share: 0.01 is 1 %)'],
      ],
      [
        'error_rate.max_increase negative',
        { error_rate: { max_increase: -0.01 } },
        ['canary.analysis.error_rate.max_increase: must be between 0 and 1 (a share: 0.01 is 1 %)'],
      ],
      [
        'error_rate without a limit',
        { error_rate: { elb_5xx: false } },
        ['canary.analysis.error_rate: sets no limit: write `max` or `max_increase` (or leave the block out)'],
      ],
      [
        'latency without a limit',
        { latency: {} },
        [
          'canary.analysis.latency: sets no limit: write `p99_max_ms` or `max_increase` (or leave the block out)',
        ],
      ],
      [
        'latency.max_increase negative',
        { latency: { max_increase: -0.5 } },
        [
          'canary.analysis.latency.max_increase: must be at least 0 (0.25 = 25 % slower than the stable release)',
        ],
      ],
      [
        'latency.p99_max_ms 0',
        { latency: { p99_max_ms: 0 } },
        ['canary.analysis.latency.p99_max_ms: must be above 0 (milliseconds)'],
      ],
      [
        'a custom metric without max or min',
        { metrics: [metric(simple, {})] },
        [
          'canary.analysis.metrics[0]: sets no limit: write `max` (fails above it) and/or `min` (fails below it)',
        ],
      ],
      [
        'a custom metric with min above max',
        { metrics: [metric(simple, { min: 5, max: 1 })] },
        ['canary.analysis.metrics[0].max: must be at least min (5): no value could pass'],
      ],
      [
        'duplicate metric names',
        { metrics: [metric(simple), metric(simple)] },
        ['canary.analysis.metrics[1].name: a metric named `m` is already listed (item 1): list each once'],
      ],
      [
        'a query that is neither kind',
        { metrics: [metric({})] },
        [
          'canary.analysis.metrics[0].query: must be a metric {namespace, metric_name, dimensions, stat} or a Metrics Insights {expression}',
        ],
      ],
      [
        'a query missing its stat',
        { metrics: [metric({ namespace: 'N', metric_name: 'M' })] },
        [
          'canary.analysis.metrics[0].query.stat: is required: a metric query names its namespace, metric_name and stat (or write it as one `expression`)',
        ],
      ],
      [
        'a query mixing both kinds',
        { metrics: [metric({ expression: 'SELECT AVG(x) FROM y', stat: 'Sum' })] },
        [
          'canary.analysis.metrics[0].query.stat: goes with a metric query, not with `expression` (a Metrics Insights query names its own metric): write one or the other',
        ],
      ],
      [
        'an expression that is not a Metrics Insights query',
        { metrics: [metric({ expression: 'm1 * 100' })] },
        [
          'canary.analysis.metrics[0].query.expression: must be a CloudWatch Metrics Insights query (SELECT …) returning one series',
        ],
      ],
      [
        'a statistic CloudWatch does not know',
        { metrics: [metric({ ...simple, stat: 'average' })] },
        [
          'canary.analysis.metrics[0].query.stat: is not a CloudWatch statistic (did you mean `Average`?): write Sum, Average, Minimum, Maximum, SampleCount, a percentile such as p99 or p99.9, or tm90, wm99, tc90, ts90, TM(10%:90%)',
        ],
      ],
      [
        'a statistic spelt as elsewhere',
        { metrics: [metric({ ...simple, stat: 'avg' })] },
        [
          'canary.analysis.metrics[0].query.stat: is not a CloudWatch statistic (did you mean `Average`?): write Sum, Average, Minimum, Maximum, SampleCount, a percentile such as p99 or p99.9, or tm90, wm99, tc90, ts90, TM(10%:90%)',
        ],
      ],
      [
        'a percentile above 100',
        { metrics: [metric({ ...simple, stat: 'p101' })] },
        [
          'canary.analysis.metrics[0].query.stat: is not a CloudWatch statistic: write Sum, Average, Minimum, Maximum, SampleCount, a percentile such as p99 or p99.9, or tm90, wm99, tc90, ts90, TM(10%:90%)',
        ],
      ],
      [
        'an unknown key in a query, with did-you-mean',
        { metrics: [metric({ ...simple, metricname: 'x' })] },
        [
          'canary.analysis.metrics[0].query.metricname: unknown key `metricname`: did you mean `metric_name`?',
        ],
      ],
      [
        'an empty alarm name',
        { alarms: [''] },
        ['canary.analysis.alarms[0]: must not be empty: a CloudWatch alarm name is 1 to 255 characters'],
      ],
      [
        'an alarm name too long',
        { alarms: ['a'.repeat(256)] },
        ['canary.analysis.alarms[0]: is too long: a CloudWatch alarm name is at most 255 characters'],
      ],
      [
        'an alarm listed twice',
        { alarms: ['orders-5xx', 'x', 'orders-5xx'] },
        ['canary.analysis.alarms[2]: alarm `orders-5xx` is already listed (item 1): list each once'],
      ],
      [
        'min_ratio 0',
        { observed_share: { min_ratio: 0 } },
        [
          'canary.analysis.observed_share.min_ratio: must be above 0 and at most 1 (a share of the declared weight: 0.5 = half)',
        ],
      ],
      [
        'min_ratio above 1',
        { observed_share: { min_ratio: 1.5 } },
        [
          'canary.analysis.observed_share.min_ratio: must be above 0 and at most 1 (a share of the declared weight: 0.5 = half)',
        ],
      ],
      [
        'an unknown key, with did-you-mean',
        { intervall: 60 },
        ['canary.analysis.intervall: unknown key `intervall`: did you mean `interval`?'],
      ],
      [
        'an unknown key of error_rate',
        { error_rate: { max: 0.01, elb5xx: false } },
        ['canary.analysis.error_rate.elb5xx: unknown key `elb5xx`: did you mean `elb_5xx`?'],
      ],
      ['analysis not a map', 'yes', ['canary.analysis: must be a map, not the string "yes"']],
    ];
    for (const [name, analysis, expected] of cases) {
      it(name, () => {
        expect(problems(withAnalysis(analysis))).to.deep.equal(expected);
      });
    }

    it('reports every problem at once, each at its own line', () => {
      const text = [
        'canary:',
        '  group: g',
        '  releases: {blue: a, green: b}',
        '  analysis:',
        '    interval: 45',
        '    error_rate:',
        '      max: 2',
        '    alarms: [a, a]',
        'service:',
        '  project: p',
        '  name: n',
        '  cluster: c',
        '  fqdn: n.example.com',
        '  version: "1"',
        '  containers: [{name: web, port_mappings: [{container_port: 80}]}]',
      ].join('\n');
      const result = check(text);
      if (result.ok) expect.fail('the file was accepted');
      expect(result.problems.map((p) => `${p.line}:${p.column} ${p.path}`)).to.deep.equal([
        '5:5 canary.analysis.interval',
        '7:7 canary.analysis.error_rate.max',
        '8:17 canary.analysis.alarms[1]',
      ]);
    });

    it('accepts the statistics CloudWatch knows', () => {
      for (const stat of [
        'Sum',
        'Average',
        'Minimum',
        'Maximum',
        'SampleCount',
        'IQM',
        'p50',
        'p99.9',
        'p100',
        'p0',
        'tm90',
        'wm99',
        'tc90',
        'ts99.5',
        'TM(10%:90%)',
        'PR(:300)',
        'TC(0.005:0.030)',
      ]) {
        const text = withAnalysis({
          metrics: [{ name: 'm', query: { namespace: 'N', metric_name: 'M', stat }, max: 1 }],
        });
        expect(problems(text), stat).to.deep.equal([]);
      }
    });
  });

  it('is a key `convert` knows: a file with it converts without an unknown key', () => {
    const result = convertDeployment(readFileSync('examples/fargate.deploy.yml', 'utf8'));
    if (!result.ok) expect.fail('not converted');
    expect(result.notConverted.map((n) => n.path).filter((path) => path.includes('analysis'))).to.deep.equal(
      [],
    );
  });

  describe('JSON Schema', () => {
    // biome-ignore lint/suspicious/noExplicitAny: walking the generated document.
    const analysis = (deploymentJsonSchema() as any).properties.canary.properties.analysis;

    it('tells editors the statistics validate accepts, and no others', () => {
      const pattern = new RegExp(analysis.properties.metrics.items.properties.query.properties.stat.pattern);
      for (const stat of [
        'Sum',
        'IQM',
        'p99.9',
        'tm90',
        'TM(10%:90%)',
        'PR(:300)',
        'average',
        'p101',
        'p99.',
        'Sum ',
        'tm',
      ]) {
        expect(pattern.test(stat), stat).to.equal(isStatistic(stat));
      }
    });

    it('tells editors the periods an interval may be', () => {
      expect(analysis.properties.interval.anyOf).to.deep.equal([{ enum: [10, 20, 30] }, { multipleOf: 60 }]);
    });
  });

  describe('run-time templates', () => {
    it('leaves {{load_balancer}} and {{target_group}} as written inside a metric query', () => {
      const resolved = config(
        withAnalysis({
          metrics: [
            {
              name: 'm',
              query: {
                namespace: 'AWS/ApplicationELB',
                metric_name: 'HTTPCode_Target_4XX_Count',
                dimensions: { LoadBalancer: '{{load_balancer}}', TargetGroup: '{{ target_group }}' },
                stat: 'Sum',
              },
              max: 10,
            },
          ],
        }),
      ).canary.analysis;
      expect(resolved?.metrics[0]?.query).to.deep.include({
        dimensions: { LoadBalancer: '{{load_balancer}}', TargetGroup: '{{ target_group }}' },
      });
    });

    it('renderRuntime fills them in (the rollout’s part), leaving other braces alone', () => {
      const values = { load_balancer: 'app/blue/0123', target_group: 'targetgroup/api-blue/4567' };
      expect(
        renderRuntime("LB = '{{ load_balancer }}' AND TG = '{{target_group}}' {{.Other}}", values),
      ).to.equal("LB = 'app/blue/0123' AND TG = 'targetgroup/api-blue/4567' {{.Other}}");
    });

    it('refuses them anywhere else, saying where they belong', () => {
      expect(problems(withAnalysis({ alarms: ['{{load_balancer}}-5xx'] }))).to.deep.equal([
        "canary.analysis.alarms[0]: {{load_balancer}} is known only at run time, inside canary.analysis.metrics[].query (the candidate's ALB as CloudWatch names it); it cannot be used here",
      ]);
      expect(problems(fileWith((f) => (f.canary.group = '{{target_group}}')))).to.deep.equal([
        "canary.group: {{target_group}} is known only at run time, inside canary.analysis.metrics[].query (the candidate's target group as CloudWatch names it); it cannot be used here",
      ]);
    });

    it('still refuses unknown variables inside a query, with the run-time ones suggested', () => {
      const [problem] = problems(
        withAnalysis({
          metrics: [
            { name: 'm', query: { expression: "SELECT SUM(x) FROM y WHERE a = '{{load_balncer}}'" }, max: 1 },
          ],
        }),
      );
      expect(problem).to.match(
        /^canary\.analysis\.metrics\[0\]\.query\.expression: unknown template variable \{\{load_balncer\}\}: did you mean \{\{load_balancer\}\}\? \(known: .*load_balancer, target_group\)$/,
      );
    });
  });

  describe('warnings', () => {
    it('warns of an analysis that judges nothing', () => {
      expect(warningsOf(withAnalysis({ interval: 60 }))).to.deep.equal([
        'canary.analysis: warning: nothing to judge: set error_rate, latency, alarms, metrics or observed_share (without any, analysis only counts requests)',
      ]);
    });

    it('warns of windows under a minute, written or defaulted, and of a delay under a minute', () => {
      expect(warningsOf(withAnalysis({ interval: 30, delay: 10, alarms: ['a'] }))).to.deep.equal([
        'canary.analysis.interval: warning: interval 30 s is under a minute: on AWS, ALBs publish their metrics per minute, so most shorter windows hold no data and are inconclusive. Write interval: 60 (or a multiple of it) unless only high-resolution custom metrics are judged',
        'canary.analysis.delay: warning: delay 10 s is under a minute: CloudWatch receives ALB metrics about a minute late, so a window read sooner is incomplete (too few requests, rates of part of it). Leave the default, 60',
      ]);
      expect(warningsOf(withAnalysis({ alarms: ['a'] }))).to.deep.equal([
        'canary.analysis: warning: interval 10 s (the default, from canary.health.interval) is under a minute: on AWS, ALBs publish their metrics per minute, so most shorter windows hold no data and are inconclusive. Write interval: 60 (or a multiple of it) unless only high-resolution custom metrics are judged',
      ]);
    });

    it('does not warn of an interval that is wrong anyway (the error says it)', () => {
      expect(warningsOf(withAnalysis({ interval: 15, alarms: ['a'] }))).to.deep.equal([]);
    });

    it('warns of a step that could end before its first window is read', () => {
      // The fixture's steps wait 70 and 50 s; the implied last step 60 s.
      const text = withAnalysis({ interval: 120, timeout: 100, alarms: ['a'] });
      expect(warningsOf(text)).to.deep.equal([
        "canary.analysis.timeout: warning: a step's first whole window may be read only 300 s after its update (2 × interval + delay), but the shortest step lasts at most 150 s (wait 50 s + timeout 100 s): it could fail without a window judged. Raise timeout to at least 250",
      ]);
      expect(warningsOf(withAnalysis({ interval: 120, timeout: 250, alarms: ['a'] }))).to.deep.equal([]);
      // timeout defaults to canary.health.timeout.
      const short = withAnalysis(
        { interval: 120, alarms: ['a'] },
        (f) => (f.canary.health = { timeout: 30 }),
      );
      expect(warningsOf(short)).to.have.length(1);
      expect(warningsOf(short)[0]).to.match(/^canary\.analysis: warning: .*wait 50 s \+ timeout 30 s/);
    });

    it('a warned file stays valid', () => {
      expect(check(withAnalysis({ interval: 10, delay: 2, error_rate: { max: 0.01 } })).ok).to.equal(true);
    });
  });
});
