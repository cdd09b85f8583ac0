/**
 * What a valid `canary.analysis` may say but probably should not (see `warnings.ts`): nothing
 * to judge; windows CloudWatch cannot fill on AWS; steps that end before a window is read.
 */
import type { PathProblem } from './problems.js';
import { defaultAnalysisInterval, isAnalysisPeriod } from './schema-analysis.js';
import { field, isRecord } from './templates.js';
import type { KeyPath } from './yaml-source.js';

const AT: KeyPath = ['canary', 'analysis'];

/** Every warning of `canary.analysis` (run on the data as written: any part may be invalid). */
export function analysisWarnings(data: unknown): PathProblem[] {
  const canary = field(data, 'canary');
  const analysis = field(canary, 'analysis');
  if (!isRecord(analysis)) return [];
  const health = field(canary, 'health');
  const healthInterval = field(health, 'interval') ?? 10;
  const interval =
    analysis.interval ??
    (typeof healthInterval === 'number' ? defaultAnalysisInterval(healthInterval) : undefined);
  return [
    ...nothingToJudge(analysis),
    ...awsTiming(analysis, interval),
    ...stepsTooShort(canary, analysis, interval),
  ];
}

function nothingToJudge(analysis: Record<string, unknown>): PathProblem[] {
  const listed = (key: string) => Array.isArray(analysis[key]) && (analysis[key] as unknown[]).length > 0;
  const checks = ['error_rate', 'latency', 'observed_share'].some((key) => analysis[key] !== undefined);
  if (checks || listed('alarms') || listed('metrics')) return [];
  return [
    {
      path: AT,
      message:
        'warning: nothing to judge: set error_rate, latency, alarms, metrics or observed_share (without any, analysis only counts requests)',
    },
  ];
}

/**
 * Windows shorter than the minute ALBs publish their metrics at (CloudWatch has ALB metrics per
 * minute only), and windows read before CloudWatch has them (about a minute late):
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html
 * Valid in the sandbox, which publishes per second.
 */
function awsTiming(analysis: Record<string, unknown>, interval: unknown): PathProblem[] {
  const found: PathProblem[] = [];
  if (typeof interval === 'number' && isAnalysisPeriod(interval) && interval < 60) {
    const written = analysis.interval === undefined ? ' (the default, from canary.health.interval)' : '';
    found.push({
      path: analysis.interval === undefined ? AT : [...AT, 'interval'],
      message: `warning: interval ${interval} s${written} is under a minute: on AWS, ALBs publish their metrics per minute, so most shorter windows hold no data and are inconclusive. Write interval: 60 (or a multiple of it) unless only high-resolution custom metrics are judged`,
    });
  }
  const delay = analysis.delay;
  if (typeof delay === 'number' && delay >= 0 && delay < 60) {
    found.push({
      path: [...AT, 'delay'],
      message: `warning: delay ${delay} s is under a minute: CloudWatch receives ALB metrics about a minute late, so a window read sooner is incomplete (too few requests, rates of part of it). Leave the default, 60`,
    });
  }
  return found;
}

/**
 * A step advances only on a passing window, read `delay` s after it ends; the first whole
 * window may start up to `interval` s after the step's update. A step whose wait plus
 * `timeout` is shorter than that can fail without a window ever read.
 */
function stepsTooShort(canary: unknown, analysis: Record<string, unknown>, interval: unknown): PathProblem[] {
  const delay = analysis.delay ?? 60;
  const timeout = analysis.timeout ?? field(field(canary, 'health'), 'timeout') ?? 300;
  if (typeof interval !== 'number' || typeof delay !== 'number' || typeof timeout !== 'number') return [];
  const strategy = field(canary, 'strategy') ?? [];
  if (!Array.isArray(strategy)) return [];
  // A step with a pause may leave its wait out: 0.
  const waits = strategy
    .map((step) => field(step, 'wait') ?? (field(step, 'pause') ? 0 : undefined))
    .filter((w): w is number => typeof w === 'number');
  // The implied last step {weight: 100, wait: 60} (or the first deployment's 100 % at once).
  if (field(strategy.at(-1), 'weight') !== 100) waits.push(60);
  const needed = 2 * interval + delay;
  const shortest = Math.min(...waits);
  if (shortest + timeout >= needed) return [];
  return [
    {
      path: analysis.timeout === undefined ? AT : [...AT, 'timeout'],
      message: `warning: a step's first whole window may be read only ${needed} s after its update (2 × interval + delay), but the shortest step lasts at most ${shortest + timeout} s (wait ${shortest} s + timeout ${timeout} s): it could fail without a window judged. Raise timeout to at least ${needed - shortest}`,
    },
  ];
}
