/**
 * (a) Per-step overhead: a weights-only canary step through ecs-crd's `StackRunner.up`, next to
 * the minimal program making the same change, interleaved in one process.
 *
 * The ecs-crd side is the state a real shift step declares: stable (1.0.0) on blue and the
 * candidate (2.0.0) on green, both provisioned once beforehand; each measured `up` then moves
 * the candidate between 10 % and 20 %, which changes exactly the two weighted records of the
 * fqdn. The minimal side moves its own two records between the same weights. A third side runs
 * ecs-crd's program on its stack through a bare `stack.up`, to tell the runner's own cost from
 * the cost of declaring a whole deployment.
 */
import { randomUUID } from 'node:crypto';
import { LocalWorkspace } from '@pulumi/pulumi/automation/index.js';
import { pinnedPulumiCommand } from '../../sandbox/engine.js';
import { SLOTS, type Slot } from '../../src/canary/ports/aws.js';
import type { DeploymentMeta, DesiredState, StackRunner } from '../../src/canary/ports/stack.js';
import { stackName } from '../../src/stack/naming.js';
import { deploymentProgram } from '../../src/stack/program.js';
import { openStackRunner, PULUMI_PROJECT } from '../../src/stack/runner.js';
import { updateMessage } from '../../src/stack/state.js';
import { runWorkspace } from '../../src/stack/workspace.js';
import type { BenchEnv, BenchService } from './env.js';
import { openMinimalStack } from './minimal.js';
import { type Summary, summarize } from './stats.js';

export interface StepResult {
  /** Through `StackRunner.up`, as the rollout calls it. */
  ecsCrd: Summary;
  /** ecs-crd's own program on the same stack through a bare `stack.up`: the runner's share. */
  direct: Summary;
  minimal: Summary;
  /** Per run, ecs-crd's step over the minimal one next to it: robust to load that drifts over the runs. */
  pairedRatio: Summary;
  /** Resources each ecs-crd step's program declares (the minimal one declares 2). */
  ecsCrdResources: number;
}

const CANDIDATE: Slot = 'green';
/** The two weights the candidate alternates between. */
const FLIP = [10, 20] as const;

type Side = 'ecsCrd' | 'direct' | 'minimal';
const SIDES: readonly Side[] = ['ecsCrd', 'direct', 'minimal'];

export async function measureStep(env: BenchEnv, runs: number): Promise<StepResult> {
  const service = env.service('bench-step');
  const { runner, desired } = await provisionCanary(env, service);
  const direct = await openDirectStack(env, service);
  const minimal = await openMinimalStack(env, 'bench-step-minimal');
  await minimal.up(weightsFor(0));

  // Each `up` moves its stack to the other weight of FLIP, so every one is a real change;
  // `runner` and `direct` share ecs-crd's stack and so share its current weight.
  let ecsWeight = 0;
  let minimalWeight = 0;
  let resources = 0;
  const stepOnce = async (side: Side, step: number): Promise<number> => {
    if (side === 'minimal') {
      minimalWeight = minimalWeight === FLIP[0] ? FLIP[1] : FLIP[0];
      const { ms, changes } = await minimal.up(weightsFor(minimalWeight));
      weightsOnly(side, changes);
      return ms;
    }
    ecsWeight = ecsWeight === FLIP[0] ? FLIP[1] : FLIP[0];
    const state = desired(ecsWeight, step);
    env.signal.throwIfAborted();
    const started = performance.now();
    const changes =
      side === 'ecsCrd' ? (await runner.up(state, { signal: env.signal })).changes : await direct.up(state);
    const elapsed = performance.now() - started;
    resources = weightsOnly(side, changes);
    return elapsed;
  };

  // One unmeasured step each: the first `up` after provisioning pays one-time costs (the
  // second workspace's first CLI calls, caches) that a real rollout pays at provision.
  for (const side of SIDES) await stepOnce(side, -1);

  const samples: Record<Side, number[]> = { ecsCrd: [], direct: [], minimal: [] };
  for (let i = 0; i < runs; i++) {
    // A rotating order, so that no side always runs on the heels of the same other one.
    for (let k = 0; k < SIDES.length; k++) {
      const side = SIDES[(i + k) % SIDES.length] as Side;
      samples[side].push(await stepOnce(side, i));
    }
  }
  return {
    ecsCrd: summarize(samples.ecsCrd),
    direct: summarize(samples.direct),
    minimal: summarize(samples.minimal),
    pairedRatio: summarize(samples.ecsCrd.map((t, i) => t / (samples.minimal[i] as number))),
    ecsCrdResources: resources,
  };
}

/** The resources of a step; throws unless it updated exactly the two records and nothing else. */
function weightsOnly(side: Side, changes: Partial<Record<string, number>>): number {
  const { update = 0, same = 0, ...others } = changes;
  // A step that changed anything else measures something else: refuse it.
  if (update !== 2 || Object.values(others).some((n) => (n ?? 0) > 0)) {
    throw new Error(`a ${side} step was not weights-only: ${JSON.stringify(changes)}`);
  }
  return update + same;
}

export function weightsFor(candidateWeight: number, candidate: Slot = CANDIDATE): Record<Slot, number> {
  const other = SLOTS.find((slot) => slot !== candidate) as Slot;
  return { [candidate]: candidateWeight, [other]: 100 - candidateWeight } as Record<Slot, number>;
}

/** Provisions stable + candidate (candidate at 0 %), as the rollout's provision step does. */
async function provisionCanary(
  env: BenchEnv,
  service: BenchService,
): Promise<{ runner: StackRunner; desired: (weight: number, step: number) => DesiredState }> {
  const [stable, candidate, environment] = await Promise.all([
    service.load({ version: '1.0.0' }),
    service.load({ version: '2.0.0' }),
    service.discover(),
  ]);
  const runner = await openStackRunner({
    identity: service.identity,
    pulumiVersion: env.pulumiVersion,
    backend: env.backend,
    provider: env.provider,
  });
  const deploymentId = randomUUID();
  const startedAt = new Date().toISOString();
  const desired = (weight: number, step: number): DesiredState => {
    const meta: DeploymentMeta = {
      phase: 'deploying',
      liveSlot: 'blue',
      liveVersion: '1.0.0',
      deploymentId,
      candidateVersion: '2.0.0',
      candidateSlot: CANDIDATE,
      step,
      startedAt,
      outcome: null,
      reason: null,
    };
    return {
      identity: service.identity,
      environment,
      listeners: {},
      releases: { blue: stable, green: candidate },
      weights: weightsFor(weight),
      meta,
    };
  };
  env.signal.throwIfAborted();
  await runner.up(desired(0, -1), { signal: env.signal });
  return { runner, desired };
}

/**
 * ecs-crd's stack opened a second time, the way the runner opens it (same work dir, project,
 * backend, CLI, config already set), driven with a bare `stack.up` of `deploymentProgram`:
 * the same engine work as `runner.up`, without the runner around it.
 */
async function openDirectStack(
  env: BenchEnv,
  service: BenchService,
): Promise<{ up(state: DesiredState): Promise<Partial<Record<string, number>>> }> {
  const name = stackName(service.identity);
  const stack = await LocalWorkspace.selectStack(
    { stackName: name, projectName: PULUMI_PROJECT, program: async () => ({}) },
    {
      workDir: runWorkspace(PULUMI_PROJECT, name),
      pulumiCommand: await pinnedPulumiCommand(),
      projectSettings: { name: PULUMI_PROJECT, runtime: 'nodejs', backend: { url: env.backend.url } },
      envVars: {
        PULUMI_SKIP_UPDATE_CHECK: 'true',
        PULUMI_FALLBACK_TO_STATE_SECRETS_MANAGER: 'true',
        ...env.backend.env,
      },
    },
  );
  return {
    async up(state) {
      const result = await stack.up({
        program: deploymentProgram(state),
        message: updateMessage(state.meta),
        signal: env.signal,
      });
      return result.summary.resourceChanges ?? {};
    },
  };
}
