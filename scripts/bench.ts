/**
 * `npm run bench`: the performance benchmarks, in one run on one machine, against the sandbox (moto on
 * 127.0.0.1, the stand-in aws provider, the pinned Pulumi CLI, a file backend in a temp dir):
 *   (a) per-step overhead: a weights-only step through ecs-crd's StackRunner next to a minimal
 *       Automation API program making the same change (bar 1.5×, goal 1.2×);
 *   (b) rollback latency: failing observation → stable back at 100 %;
 *   (c) total overhead of a 3-step canary with zero waits;
 *   (d) with the sandbox's traffic model: the wall time of canary.drain, and the blast radius of
 *       a candidate failing at 20 % (failed requests / requests, and for how long);
 *   (e) a candidate going wrong at 50 %: 5xx with healthy targets (caught by canary.analysis on
 *       the ALB metrics in the emulator's CloudWatch) next to unhealthy targets (the health
 *       gate), each from the break to the stable release back at 100 %.
 * Prints a table and a verdict per figure; exits 1 when (a) misses its bar. Not a test: the
 * figures are for reading (and for quoting in a change that moves them), and vary with the machine.
 *
 *   node --import tsx scripts/bench.ts [--steps N] [--rollbacks N] [--canaries N]
 */
import { setMaxListeners } from 'node:events';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ANALYSIS, measureDetection } from './bench/analysis.js';
import { measureCanary, PHASES } from './bench/canary.js';
import { type BenchEnv, openBenchEnv } from './bench/env.js';
import { measureRollback, type RollbackCase } from './bench/rollback.js';
import { ms, type Summary, table } from './bench/stats.js';
import { measureStep } from './bench/step.js';
import { DRAIN_S, measureBlastRadius, measureDrain } from './bench/traffic.js';

// The SDK's Node 20 notice is noise here; set before any client exists.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const STEP_BAR = 1.5;
const STEP_GOAL = 1.2;

interface Runs {
  steps: number;
  rollbacks: number;
  canaries: number;
}

/** The command line: how many runs of each measurement. */
function parseRuns(): Runs {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '7' },
      rollbacks: { type: 'string', default: '3' },
      canaries: { type: 'string', default: '3' },
    },
  });
  const count = (name: keyof Runs): number => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`--${name} must be a whole number ≥ 1, got ${values[name]}`);
    return n;
  };
  return { steps: count('steps'), rollbacks: count('rollbacks'), canaries: count('canaries') };
}

const row = (label: string, s: Summary): string[] => [label, ms(s.median), ms(s.min), ms(s.max), String(s.n)];
const HEADER = ['', 'median', 'min', 'max', 'n'];
const signed = (value: number): string => `${value < 0 ? '−' : '+'}${ms(Math.abs(value))}`;
const load = (): string => loadavg()[0]?.toFixed(2) ?? '?';
const seconds = (value: number): string => `${(value / 1000).toFixed(1)} s`;
const log = (text = ''): void => {
  process.stdout.write(`${text}\n`);
};
const progress = (text: string): void => {
  process.stderr.write(`… ${text}\n`);
};

let env: BenchEnv | undefined;
let closing: Promise<void> | undefined;
/** Stops the sandbox and removes the temp dir, once, whichever way the run ends. */
const cleanup = (): Promise<void> => {
  closing ??= env?.close() ?? Promise.resolve();
  return closing;
};

/**
 * Ctrl-C / SIGTERM: the first one cancels the engine run under way (the Automation API sends
 * the CLI SIGINT, so it stops cleanly instead of writing into a folder being removed) and the
 * run unwinds through the cleanup below; a second one, or 20 s without an end, cleans up and
 * exits at once.
 */
const stop = new AbortController();
// Every `up` of the run listens on it: dozens of listeners are expected, not a leak.
setMaxListeners(0, stop.signal);
const hardExit = (): void => {
  void cleanup().finally(() => process.exit(130));
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted) return hardExit();
    progress(`${signal}: stopping the engine, then cleaning up (again to stop at once)`);
    stop.abort(new Error(`interrupted by ${signal}`));
    setTimeout(hardExit, 20_000).unref();
  });
}

async function main(): Promise<number> {
  const runs = parseRuns();
  const started = performance.now();
  progress('starting the sandbox');
  env = await openBenchEnv(stop.signal);
  const fromSource = process.env.SANDBOX_PROVIDER_FROM_SOURCE === '1';
  log(
    `ecs-crd bench — Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'cpu'}, Pulumi CLI ${env.pulumiVersion}, moto sandbox at ${env.sandbox.endpoint}, load average ${load()}` +
      (fromSource ? ' (stand-in provider run from source through tsx: dist/ is stale, `npm run build`)' : ''),
  );

  progress(`(a) per-step overhead: provisioning, then ${runs.steps} interleaved steps each`);
  const step = await measureStep(env, runs.steps);
  const ratio = step.ecsCrd.median / step.minimal.median;
  log();
  log(`(a) per-step overhead: a weights-only step (candidate 10 % ↔ 20 %), ${runs.steps} interleaved runs`);
  log(
    table(HEADER, [
      row(`ecs-crd StackRunner.up (${step.ecsCrdResources} resources, 2 updates)`, step.ecsCrd),
      row('  same program, bare stack.up (no runner)', step.direct),
      row('minimal inline program (2 resources, 2 updates)', step.minimal),
    ]),
  );
  const stepVerdict =
    ratio <= STEP_GOAL
      ? 'meets the goal'
      : ratio <= STEP_BAR
        ? 'within the bar, above the goal'
        : 'MISSES the bar';
  log(
    `verdict (a): ${ratio.toFixed(2)}× the minimal up (${signed(step.ecsCrd.median - step.minimal.median)}; per-run pairs: median ${step.pairedRatio.median.toFixed(2)}×) — ${stepVerdict} (bar ${STEP_BAR}×, goal ${STEP_GOAL}×); ` +
      `the runner's own share ${signed(step.ecsCrd.median - step.direct.median)}, the larger program's ${signed(step.direct.median - step.minimal.median)}`,
  );

  progress(`(b) rollback latency: ${runs.rollbacks} rollouts of each failing candidate`);
  const rollback = await measureRollback(env, runs.rollbacks);
  const rows = (name: string, c: RollbackCase): string[][] => [
    ...(c.toStable ? [row(`${name}: failing observation → stable at 100 %`, c.toStable)] : []),
    ...(c.toRestoreStart
      ? [row('    of which: deciding, until restore-traffic up starts', c.toRestoreStart)]
      : []),
    ...(c.restoreUp ? [row('    of which: the restore-traffic up', c.restoreUp)] : []),
    row(`${name}: failing observation → candidate removed`, c.toRemoved),
  ];
  log();
  log(
    '(b) rollback latency: real rollouts (runRollout, real runner and probe, system clock), from their events',
  );
  log(
    table(HEADER, [
      ...rows('breaks at 10 %', rollback.afterTraffic),
      ...rows('SANDBOX_HEALTH=unhealthy (fails the 0 % gate)', rollback.beforeTraffic),
    ]),
  );
  const after = rollback.afterTraffic;
  const toStable = after.toStable as Summary;
  log(
    `verdict (b): stable back at 100 % ${ms(toStable.median)} after the failing observation: ` +
      `${ms((after.toRestoreStart as Summary).median)} to decide, then one weights-only up (${ms((after.restoreUp as Summary).median)}; (a) timed those at ${ms(step.ecsCrd.median)}); ` +
      `a candidate failing before traffic never moves it (rollback done ${ms(rollback.beforeTraffic.toRemoved.median)} after the failing observation)`,
  );

  progress(`(c) 3-step canary, zero waits: ${runs.canaries} deploys, each next to 5 minimal ups`);
  const canary = await measureCanary(env, runs.canaries);
  log();
  log(`(c) 3-step canary with zero waits: whole deploys (deployService), ${runs.canaries} runs`);
  log(
    table(HEADER, [
      row('deploy, wall time', canary.total),
      ...PHASES.map((phase) => row(`  ${phase}`, canary.phases[phase])),
      row('deploy minus its 5 ups (time outside the updates)', canary.overhead),
      row('minimal program, 5 bare ups (provision, 3 shifts, finalize)', canary.minimal),
      row('  one bare up', canary.minimalUps),
    ]),
  );
  log(
    `verdict (c): a zero-wait 3-step canary takes ${seconds(canary.total.median)}, ${(canary.total.median / canary.minimal.median).toFixed(2)}× five bare ups; ` +
      `${seconds(canary.overhead.median)} of it is outside the ups (${ms(canary.overhead.median / 5)} per up)`,
  );

  progress(
    `(d) the drain's wall time (${runs.canaries} pairs of zero-wait canaries) and a failing canary's blast radius`,
  );
  const drain = await measureDrain(env, runs.canaries);
  const blast = await measureBlastRadius(env);
  log();
  log(
    `(d) with the traffic model: canary.drain ${DRAIN_S} s, and a candidate breaking 1 s after it got 20 %`,
  );
  log(
    table(HEADER, [
      row('zero-wait 3-step canary, canary.drain 0', drain.without),
      row(`zero-wait 3-step canary, canary.drain ${DRAIN_S} s`, drain.with),
    ]),
  );
  const { traffic } = blast;
  log(
    `verdict (d): the drain adds ${signed(drain.with.median - drain.without.median)} to a deploy whose last step waits 0 s (the drain is ${DRAIN_S} s; a last step's wait would count toward it); ` +
      `a candidate breaking at 20 % ended ${blast.outcome} with ${traffic.failedTotal} of ${traffic.requests} requests failed ` +
      `(${((100 * traffic.failedTotal) / Math.max(1, traffic.requests)).toFixed(1)} %, all ${Object.keys(traffic.failed).join(', ') || 'none'}), failing for ${ms(blast.failingMs)}`,
  );

  progress(
    `(e) a release going wrong at 50 %: ${runs.rollbacks} rollouts broken by a metric, as many by health`,
  );
  const detection = await measureDetection(env, runs.rollbacks);
  log();
  log(
    `(e) from the break to the stable release at 100 % (analysis: ${ANALYSIS.interval} s windows read ${ANALYSIS.delay} s after they end; health.interval 1 s)`,
  );
  log(
    table(HEADER, [
      row('20 % 5xx, targets healthy (canary.analysis.error_rate)', detection.metric),
      row('    of which: until the failing window was judged', detection.metricJudged),
      row('targets unhealthy (the health gate)', detection.health),
    ]),
  );
  log(
    `verdict (e): a metric failure is out of traffic ${seconds(detection.metric.median)} after it began, a health failure ${seconds(detection.health.median)}: ` +
      `the difference is the analysis window (the break lands inside one, then it is read ${ANALYSIS.delay} s after its end); on AWS, with 60 s windows read 60 s late, expect about 1.5–2 minutes`,
  );
  log();
  // Other work on the machine moves every figure: the load says how much to trust this run.
  log(`bench finished in ${seconds(performance.now() - started)}, load average ${load()}`);
  return ratio <= STEP_BAR ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (stop.signal.aborted) {
    progress('interrupted');
    process.exitCode = 130;
  } else {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 2;
  }
} finally {
  await cleanup();
}
