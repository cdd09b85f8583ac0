/**
 * (c) Total overhead of a 3-step canary with zero waits: whole `deploy` runs (`deployService`,
 * what `ecs-crd deploy` calls once its flags are parsed: file, STS, discovery, stack outputs,
 * drift check, lease, then the rollout), split by phase from the rollout's own events, next to
 * the five bare `up`s of the minimal program a canary amounts to (provision, 3 shifts, finalize).
 */
import { deployService } from '../../src/app/deploy.js';
import type { ProgressEvent, StackOperation } from '../../src/canary/events.js';
import { type BenchEnv, type BenchService, ENVIRONMENT, type ReleaseFile } from './env.js';
import { openMinimalStack } from './minimal.js';
import type { StampedEvent } from './rollout.js';
import { type Summary, summarize } from './stats.js';
import { weightsFor } from './step.js';

/** scale.wait 0, three steps with wait 0, no drain, health.interval 1 (the file's). */
export const CANARY: Omit<ReleaseFile, 'version'> = {
  scaleWait: 0,
  drain: 0,
  strategy: [
    { weight: 10, wait: 0 },
    { weight: 50, wait: 0 },
    { weight: 100, wait: 0 },
  ],
};

/** The phases a deploy's wall time is split into; they add up to the total. */
export const PHASES = [
  'prepare',
  'up: provision',
  'up: shift ×3',
  'up: finalize',
  'between ups',
  'after the last up',
] as const;
export type Phase = (typeof PHASES)[number];

export interface CanaryResult {
  total: Summary;
  ups: Summary;
  overhead: Summary;
  phases: Record<Phase, Summary>;
  /** Five bare `up`s of the minimal program, summed per run. */
  minimal: Summary;
  minimalUps: Summary;
}

export async function measureCanary(env: BenchEnv, runs: number): Promise<CanaryResult> {
  const service = env.service('bench-canary');
  await deploy(env, service, { version: '1.0.0', ...CANARY });
  const minimal = await openMinimalStack(env, 'bench-canary-minimal');
  await minimal.up(weightsFor(100, 'blue'));

  const totals: number[] = [];
  const ups: number[] = [];
  const phases = Object.fromEntries(PHASES.map((p) => [p, [] as number[]])) as Record<Phase, number[]>;
  const bare: number[] = [];
  const bareUps: number[] = [];
  for (let i = 0; i < runs; i++) {
    const run = await deploy(env, service, { version: `2.0.${i}`, ...CANARY });
    const split = splitPhases(run);
    totals.push(run.total);
    ups.push(split.ups);
    for (const phase of PHASES) phases[phase].push(split.phases[phase]);

    // The same life on the minimal stack: candidate at 0, 10, 50, 100, then finalize (no
    // resource to remove there, so its last `up` changes nothing), alternating slots like `deploy`.
    const candidate = i % 2 === 0 ? 'green' : 'blue';
    let sum = 0;
    for (const weight of [0, 10, 50, 100, 100]) {
      const { ms } = await minimal.up(weightsFor(weight, candidate));
      sum += ms;
      bareUps.push(ms);
    }
    bare.push(sum);
  }
  return {
    total: summarize(totals),
    ups: summarize(ups),
    overhead: summarize(totals.map((t, i) => t - (ups[i] as number))),
    phases: Object.fromEntries(PHASES.map((p) => [p, summarize(phases[p])])) as Record<Phase, Summary>,
    minimal: summarize(bare),
    minimalUps: summarize(bareUps),
  };
}

export interface DeployRun {
  started: number;
  finished: number;
  total: number;
  events: StampedEvent[];
}

export async function deploy(env: BenchEnv, service: BenchService, release: ReleaseFile): Promise<DeployRun> {
  const file = service.file(release);
  const events: StampedEvent[] = [];
  env.signal.throwIfAborted();
  const started = performance.now();
  const result = await deployService({
    hardStop: env.signal,
    service: {
      environment: ENVIRONMENT,
      region: env.sandbox.region,
      file,
      endpointUrl: env.sandbox.endpoint,
      pulumiVersion: env.pulumiVersion,
    },
    reporter: (event: ProgressEvent) => events.push({ at: performance.now(), event }),
  });
  const finished = performance.now();
  if (result.outcome !== 'deployed') {
    throw new Error(`deploy of ${release.version}: ${result.outcome} (${result.reason})`);
  }
  return { started, finished, total: finished - started, events };
}

/** Splits one deploy's wall time by its events: before the rollout, each `up`, the gaps, the end. */
function splitPhases(run: DeployRun): { ups: number; phases: Record<Phase, number> } {
  const phases = Object.fromEntries(PHASES.map((p) => [p, 0])) as Record<Phase, number>;
  const rolloutStarted = run.events.find((e) => e.event.code === 'rollout.started')?.at;
  if (rolloutStarted === undefined) throw new Error('the deploy reported no rollout.started');
  phases.prepare = rolloutStarted - run.started;
  let ups = 0;
  let lastUpEnd = rolloutStarted;
  let openUp: { at: number; purpose: StackOperation } | undefined;
  for (const { at, event } of run.events) {
    if (event.code === 'stack.update.started') {
      phases['between ups'] += at - lastUpEnd;
      openUp = { at, purpose: event.data.purpose };
    } else if (event.code === 'stack.update.finished' && openUp) {
      const elapsed = at - openUp.at;
      ups += elapsed;
      phases[phaseOf(openUp.purpose)] += elapsed;
      lastUpEnd = at;
      openUp = undefined;
    }
  }
  phases['after the last up'] = run.finished - lastUpEnd;
  return { ups, phases };
}

function phaseOf(purpose: StackOperation): Phase {
  switch (purpose) {
    case 'provision':
      return 'up: provision';
    case 'shift':
      return 'up: shift ×3';
    case 'finalize':
      return 'up: finalize';
    default:
      throw new Error(`a successful canary ran a ${purpose} update`);
  }
}
