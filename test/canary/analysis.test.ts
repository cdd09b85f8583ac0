import { expect } from 'chai';
import fc from 'fast-check';
import {
  alarmProblems,
  dueWindow,
  errorRate,
  formatPercent,
  formatWindow,
  judgeWindow,
  observedShare,
  unreadWindow,
  windowCountsAsPassing,
} from '../../src/canary/analysis.js';
import type { ReleaseMetrics, WindowMeasurement } from '../../src/canary/ports/analysis.js';
import type { AnalysisConfig } from '../../src/config/types.js';
import { analysisConfig } from '../helpers/builders.js';

const START = Date.UTC(2025, 0, 1, 10, 31, 20);
const END = START + 10_000;
const WINDOW = 'in window 10:31:20–10:31:30';

const config = analysisConfig;

function release(overrides: Partial<ReleaseMetrics> = {}): ReleaseMetrics {
  return { requests: 1000, target5xx: 0, elb5xx: 0, p99Ms: 100, ...overrides };
}

function measure(
  candidate: Partial<ReleaseMetrics>,
  stable: Partial<ReleaseMetrics> | null = {},
  custom: Record<string, number | null> = {},
): WindowMeasurement {
  return {
    start: START,
    end: END,
    candidate: release(candidate),
    stable: stable === null ? null : release(stable),
    custom,
  };
}

describe('analysis verdicts (pure)', () => {
  describe('judgeWindow: tables of verdicts', () => {
    const cases: Array<{
      name: string;
      config: Partial<AnalysisConfig>;
      m: WindowMeasurement;
      weight?: number;
      verdict: 'pass' | 'fail' | 'inconclusive';
      code: string;
      reason?: string;
    }> = [
      {
        name: 'error_rate over the absolute max (the issue example)',
        config: { error_rate: { max: 0.01, elb_5xx: true } },
        m: measure({ requests: 1000, target5xx: 198 }, { requests: 1000, target5xx: 2 }),
        verdict: 'fail',
        code: 'judged',
        reason: `error_rate 19.8 % > max 1 % (stable 0.2 %) ${WINDOW}`,
      },
      {
        name: 'error_rate at the absolute max passes',
        config: { error_rate: { max: 0.01, elb_5xx: true } },
        m: measure({ requests: 1000, target5xx: 10 }),
        verdict: 'pass',
        code: 'judged',
        reason: `1 check held ${WINDOW}`,
      },
      {
        name: 'error_rate just over the max shows the decimals that tell them apart',
        config: { error_rate: { max: 0.01, elb_5xx: true } },
        m: measure({ requests: 10_000, target5xx: 104 }, null),
        verdict: 'fail',
        code: 'judged',
        reason: `error_rate 1.04 % > max 1 % ${WINDOW}`,
      },
      {
        name: 'ELB 5xx count by default',
        config: { error_rate: { max: 0.01, elb_5xx: true } },
        m: measure({ requests: 1000, target5xx: 5, elb5xx: 20 }, { requests: 1000 }),
        verdict: 'fail',
        code: 'judged',
        reason: `error_rate 2.5 % > max 1 % (stable 0 %) ${WINDOW}`,
      },
      {
        name: 'ELB 5xx left out with elb_5xx: false',
        config: { error_rate: { max: 0.01, elb_5xx: false } },
        m: measure({ requests: 1000, target5xx: 5, elb5xx: 20 }, { requests: 1000 }),
        verdict: 'pass',
        code: 'judged',
      },
      {
        name: 'error_rate above stable + max_increase',
        config: { error_rate: { max_increase: 0.005, elb_5xx: true } },
        m: measure({ requests: 1000, target5xx: 30 }, { requests: 1000, target5xx: 10 }),
        verdict: 'fail',
        code: 'judged',
        reason: `error_rate 3 % > stable + 0.5 % (stable 1 %) ${WINDOW}`,
      },
      {
        name: 'error_rate within stable + max_increase',
        config: { error_rate: { max_increase: 0.005, elb_5xx: true } },
        m: measure({ requests: 1000, target5xx: 14 }, { requests: 1000, target5xx: 10 }),
        verdict: 'pass',
        code: 'judged',
      },
      {
        name: 'error_rate exactly at stable + max_increase passes (no float surprise)',
        config: { error_rate: { max_increase: 0.005, elb_5xx: true } },
        m: measure({ requests: 1000, target5xx: 14 }, { requests: 1000, target5xx: 9 }),
        verdict: 'pass',
        code: 'judged',
      },
      {
        name: 'max_increase skipped when the stable release has too few requests',
        config: { error_rate: { max_increase: 0.005, elb_5xx: true } },
        m: measure({ requests: 1000, target5xx: 300 }, { requests: 10 }),
        verdict: 'pass',
        code: 'judged',
        reason: `0 checks held, 1 not judged ${WINDOW}`,
      },
      {
        name: 'max_increase skipped on a first deployment (no stable release)',
        config: {
          error_rate: { max_increase: 0.005, elb_5xx: true },
          latency: { max_increase: 0.25 },
        },
        m: measure({ requests: 1000, target5xx: 300, p99Ms: 5000 }, null),
        verdict: 'pass',
        code: 'judged',
        reason: `0 checks held, 2 not judged ${WINDOW}`,
      },
      {
        name: 'first deployment: absolute limits still judged',
        config: { error_rate: { max: 0.01, elb_5xx: true }, latency: { p99_max_ms: 800 } },
        m: measure({ requests: 1000, p99Ms: 1200 }, null),
        verdict: 'fail',
        code: 'judged',
        reason: `latency p99 1200 ms > 800 ms ${WINDOW}`,
      },
      {
        name: 'latency over the absolute p99 limit',
        config: { latency: { p99_max_ms: 800 } },
        m: measure({ p99Ms: 1234.4 }, { p99Ms: 410 }),
        verdict: 'fail',
        code: 'judged',
        reason: `latency p99 1234 ms > 800 ms (stable 410 ms) ${WINDOW}`,
      },
      {
        name: 'latency relative to the stable release',
        config: { latency: { max_increase: 0.25 } },
        m: measure({ p99Ms: 300 }, { p99Ms: 100 }),
        verdict: 'fail',
        code: 'judged',
        reason: `latency p99 300 ms > stable + 25 % (stable 100 ms) ${WINDOW}`,
      },
      {
        name: 'latency within stable + 25 %',
        config: { latency: { max_increase: 0.25 } },
        m: measure({ p99Ms: 125 }, { p99Ms: 100 }),
        verdict: 'pass',
        code: 'judged',
      },
      {
        name: 'latency without data is not judged',
        config: { latency: { p99_max_ms: 800 } },
        m: measure({ p99Ms: null }),
        verdict: 'pass',
        code: 'judged',
        reason: `0 checks held, 1 not judged ${WINDOW}`,
      },
      {
        name: 'custom metric above its max',
        config: { metrics: [{ name: 'checkout-failures', query: { expression: 'SELECT 1' }, max: 0 }] },
        m: measure({}, {}, { 'checkout-failures': 3 }),
        verdict: 'fail',
        code: 'judged',
        reason: `metric:checkout-failures 3 > max 0 ${WINDOW}`,
      },
      {
        name: 'custom metric below its min',
        config: { metrics: [{ name: 'orders', query: { expression: 'SELECT 1' }, min: 5, max: 100 }] },
        m: measure({}, {}, { orders: 2 }),
        verdict: 'fail',
        code: 'judged',
        reason: `metric:orders 2 < min 5 ${WINDOW}`,
      },
      {
        name: 'custom metric within its limits',
        config: { metrics: [{ name: 'orders', query: { expression: 'SELECT 1' }, min: 5, max: 100 }] },
        m: measure({}, {}, { orders: 50 }),
        verdict: 'pass',
        code: 'judged',
      },
      {
        name: 'custom metric without a data point is not a failure',
        config: { metrics: [{ name: 'orders', query: { expression: 'SELECT 1' }, min: 5 }] },
        m: measure({}, {}, { orders: null }),
        verdict: 'pass',
        code: 'judged',
        reason: `0 checks held, 1 not judged ${WINDOW}`,
      },
      {
        name: 'too few candidate requests: inconclusive even when a check would fail',
        config: { error_rate: { max: 0.01, elb_5xx: true } },
        m: measure({ requests: 12, target5xx: 12 }),
        verdict: 'inconclusive',
        code: 'too-few-requests',
        reason: `12 candidate requests < min_requests 50 ${WINDOW}`,
      },
      {
        name: 'observed share below min_ratio × weight: inconclusive',
        config: { observed_share: { min_ratio: 0.5 } },
        m: measure({ requests: 50 }, { requests: 950 }),
        weight: 20,
        verdict: 'inconclusive',
        code: 'share-below-ratio',
        reason: `observed share 5 % < 10 % (min_ratio 0.5 × weight 20 %) ${WINDOW}`,
      },
      {
        name: 'observed share at min_ratio × weight passes',
        config: { observed_share: { min_ratio: 0.5 } },
        m: measure({ requests: 100 }, { requests: 900 }),
        weight: 20,
        verdict: 'pass',
        code: 'judged',
      },
      {
        name: 'a failing check wins over a share below the ratio',
        config: { observed_share: { min_ratio: 0.5 }, latency: { p99_max_ms: 800 } },
        m: measure({ requests: 50, p99Ms: 900 }, { requests: 950 }),
        weight: 20,
        verdict: 'fail',
        code: 'judged',
        reason: `latency p99 900 ms > 800 ms (stable 100 ms) ${WINDOW}`,
      },
      {
        name: 'several failing checks are all named',
        config: { error_rate: { max: 0.01, elb_5xx: true }, latency: { p99_max_ms: 800 } },
        m: measure({ target5xx: 100, p99Ms: 900 }, null),
        verdict: 'fail',
        code: 'judged',
        reason: `error_rate 10 % > max 1 %; latency p99 900 ms > 800 ms ${WINDOW}`,
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const result = judgeWindow(config(c.config), c.m, c.weight ?? 20);
        expect(result.verdict, result.reason).to.equal(c.verdict);
        expect(result.code).to.equal(c.code);
        if (c.reason !== undefined) expect(result.reason).to.equal(c.reason);
      });
    }

    it('carries both releases values and the limit in each check', () => {
      const result = judgeWindow(
        config({ error_rate: { max: 0.01, max_increase: 0.005, elb_5xx: true } }),
        measure({ requests: 1000, target5xx: 198 }, { requests: 1000, target5xx: 2 }),
        20,
      );
      expect(result.checks).to.deep.equal([
        { name: 'error_rate', candidate: 0.198, stable: 0.002, limit: 'max 1 %', passed: false },
        {
          name: 'error_rate',
          candidate: 0.198,
          stable: 0.002,
          limit: 'stable + 0.5 %',
          passed: false,
        },
      ]);
      expect(result.observedShare).to.equal(50);
    });

    it('with too few requests the checks keep their values but are not judged', () => {
      const result = judgeWindow(
        config({ latency: { p99_max_ms: 800 } }),
        measure({ requests: 3, p99Ms: 900 }),
        20,
      );
      expect(result.checks).to.deep.equal([
        { name: 'latency', candidate: 900, stable: 100, limit: 'p99 ≤ 800 ms', passed: null },
      ]);
    });

    it('an analysis with no check passes on requests alone', () => {
      const result = judgeWindow(config(), measure({}), 20);
      expect(result).to.include({ verdict: 'pass', reason: `0 checks held ${WINDOW}` });
    });
  });

  describe('judgeWindow: properties', () => {
    const metrics = fc.record({
      requests: fc.integer({ min: 0, max: 5000 }),
      target5xx: fc.integer({ min: 0, max: 500 }),
      elb5xx: fc.integer({ min: 0, max: 500 }),
      p99Ms: fc.option(fc.double({ min: 1, max: 5000, noNaN: true }), { nil: null }),
    });
    const analysis = fc.record({
      min_requests: fc.integer({ min: 1, max: 200 }),
      error_rate: fc.option(
        fc.record({
          max: fc.double({ min: 0, max: 1, noNaN: true }),
          max_increase: fc.double({ min: 0, max: 1, noNaN: true }),
          elb_5xx: fc.boolean(),
        }),
        { nil: undefined },
      ),
      latency: fc.option(
        fc.record({
          p99_max_ms: fc.double({ min: 1, max: 5000, noNaN: true }),
          max_increase: fc.double({ min: 0, max: 3, noNaN: true }),
        }),
        { nil: undefined },
      ),
      observed_share: fc.option(fc.record({ min_ratio: fc.double({ min: 0.01, max: 1, noNaN: true }) }), {
        nil: undefined,
      }),
    });

    it('the verdict follows from the checks, and every failure names its window', () => {
      fc.assert(
        fc.property(
          analysis,
          metrics,
          fc.option(metrics, { nil: null }),
          fc.integer({ min: 1, max: 100 }),
          (a, c, st, weight) => {
            const cfg = config(
              Object.fromEntries(
                Object.entries(a).filter(([, v]) => v !== undefined),
              ) as Partial<AnalysisConfig>,
            );
            const result = judgeWindow(
              cfg,
              { start: START, end: END, candidate: c, stable: st, custom: {} },
              weight,
            );
            const judged = result.checks.filter((check) => check.name !== 'observed_share');
            const share = result.checks.find((check) => check.name === 'observed_share');
            if (c.requests < cfg.min_requests) {
              return (
                result.code === 'too-few-requests' && result.checks.every((check) => check.passed === null)
              );
            }
            if (judged.some((check) => check.passed === false)) {
              return result.verdict === 'fail' && result.reason.endsWith(WINDOW);
            }
            if (share?.passed === false) return result.code === 'share-below-ratio';
            return result.verdict === 'pass';
          },
        ),
      );
    });

    it('comparisons with a stable release under min_requests are never judged', () => {
      fc.assert(
        fc.property(
          metrics,
          metrics,
          fc.integer({ min: 100, max: 5000 }),
          fc.integer({ min: 0, max: 99 }),
          (c0, st0, cr, sr) => {
            const [c, st] = [
              { ...c0, requests: cr },
              { ...st0, requests: sr },
            ];
            const cfg = config({
              min_requests: 100,
              error_rate: { max_increase: 0, elb_5xx: true },
              latency: { max_increase: 0 },
            });
            const result = judgeWindow(
              cfg,
              { start: START, end: END, candidate: c, stable: st, custom: {} },
              50,
            );
            return result.checks.every((check) => check.passed === null) && result.verdict === 'pass';
          },
        ),
      );
    });
  });

  describe('what lets a step advance', () => {
    const fewRequests = measure({ requests: 3 });
    const lowShare = measure({ requests: 60 }, { requests: 940 });
    const share = { observed_share: { min_ratio: 0.5 } };
    const cases: [string, Partial<AnalysisConfig>, WindowMeasurement, boolean][] = [
      ['a pass', {}, measure({}), true],
      ['too few requests, inconclusive: fail (the default)', {}, fewRequests, false],
      ['too few requests, inconclusive: pass', { inconclusive: 'pass' }, fewRequests, true],
      [
        'a share below the ratio, even with inconclusive: pass',
        { ...share, inconclusive: 'pass' },
        lowShare,
        false,
      ],
      ['a failure', { latency: { p99_max_ms: 1 } }, measure({}), false],
    ];
    for (const [name, overrides, m, expected] of cases) {
      it(name, () => {
        const c = config(overrides);
        expect(windowCountsAsPassing(c, judgeWindow(c, m, 20))).to.equal(expected);
      });
    }
    it('an unread window is inconclusive, says why, and never lets a step advance', () => {
      const result = unreadWindow({ start: START, end: END }, 'Throttling: Rate exceeded');
      expect(result).to.deep.equal({
        verdict: 'inconclusive',
        code: 'no-data',
        reason: `CloudWatch could not be read (Throttling: Rate exceeded) ${WINDOW}`,
        checks: [],
        observedShare: null,
      });
      expect(windowCountsAsPassing(config({ inconclusive: 'pass' }), result)).to.equal(false);
    });
  });

  describe('helpers', () => {
    it('errorRate: target + ELB 5xx over requests, null without requests', () => {
      expect(errorRate(release({ requests: 200, target5xx: 2, elb5xx: 2 }), true)).to.equal(0.02);
      expect(errorRate(release({ requests: 200, target5xx: 2, elb5xx: 2 }), false)).to.equal(0.01);
      expect(errorRate(release({ requests: 0 }), true)).to.equal(null);
    });
    it('formatPercent: one decimal, more rather than showing a non-zero as 0', () => {
      expect(formatPercent(0.198)).to.equal('19.8 %');
      expect(formatPercent(0.01)).to.equal('1 %');
      expect(formatPercent(0)).to.equal('0 %');
      expect(formatPercent(0.0001)).to.equal('0.01 %');
    });
    it('formatWindow: UTC times', () => {
      expect(formatWindow({ start: START, end: END })).to.equal('10:31:20–10:31:30');
    });
    it('observedShare: percent with one decimal, null without requests', () => {
      expect(observedShare(1, 2)).to.equal(33.3);
      expect(observedShare(10, 0)).to.equal(100);
      expect(observedShare(0, 10)).to.equal(0);
      expect(observedShare(0, 0)).to.equal(null);
    });
    it('alarmProblems: ALARM and missing named, INSUFFICIENT_DATA tolerated', () => {
      expect(
        alarmProblems({ a: 'OK', b: 'ALARM', c: 'INSUFFICIENT_DATA', d: null, e: 'ALARM' }),
      ).to.deep.equal({ inAlarm: ['b', 'e'], missing: ['d'] });
      expect(alarmProblems({})).to.deep.equal({ inAlarm: [], missing: [] });
    });
  });

  describe('dueWindow: the window arithmetic', () => {
    const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);
    const intervals = fc.constantFrom(10, 20, 30, 60, 120, 300);
    const times = fc.integer({ min: T0, max: T0 + 3_600_000 });

    it('is null until the first whole window after notBefore has ended plus the delay', () => {
      const notBefore = T0 + 5_000;
      expect(dueWindow(T0 + 80_000 - 1, 10, 60, notBefore, null)).to.equal(null);
      expect(dueWindow(T0 + 80_000, 10, 60, notBefore, null)).to.deep.equal({
        start: T0 + 10_000,
        end: T0 + 20_000,
      });
    });

    it('is aligned to the interval, never before notBefore, never due before end + delay', () => {
      fc.assert(
        fc.property(intervals, fc.integer({ min: 0, max: 300 }), times, times, (i, d, a, b) => {
          const [notBefore, now] = a <= b ? [a, b] : [b, a];
          const w = dueWindow(now, i, d, notBefore, null);
          if (w === null) {
            // Nothing due: the first aligned window after notBefore is not yet readable.
            const first = Math.ceil(notBefore / (i * 1000)) * i * 1000;
            return first + i * 1000 + d * 1000 > now;
          }
          return (
            w.start % (i * 1000) === 0 &&
            w.end - w.start === i * 1000 &&
            w.start >= notBefore &&
            w.end + d * 1000 <= now
          );
        }),
      );
    });

    it('never overlaps the previous window, and walks forward without gaps', () => {
      fc.assert(
        fc.property(
          intervals,
          fc.integer({ min: 0, max: 120 }),
          times,
          fc.array(fc.integer({ min: 0, max: 90_000 }), { minLength: 1, maxLength: 60 }),
          (i, d, notBefore, steps) => {
            let now = notBefore;
            let last: { start: number; end: number } | null = null;
            for (const step of steps) {
              now += step;
              // The rollout reads every due window before it sleeps again.
              for (;;) {
                const w = dueWindow(now, i, d, notBefore, last);
                if (w === null) break;
                if (last !== null && w.start !== last.end) return false;
                if (w.start < notBefore || w.end + d * 1000 > now) return false;
                last = w;
              }
            }
            // Caught up: the next window is not due yet.
            const next = last === null ? null : { start: last.end, end: last.end + i * 1000 };
            return next === null || next.end + d * 1000 > now;
          },
        ),
      );
    });

    it('a previous window that ends after notBefore moves the start past it', () => {
      const w = dueWindow(T0 + 600_000, 30, 60, T0, { start: T0 + 60_000, end: T0 + 90_000 });
      expect(w).to.deep.equal({ start: T0 + 90_000, end: T0 + 120_000 });
    });
  });
});
