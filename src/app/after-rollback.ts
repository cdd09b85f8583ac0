/**
 * The file's `after_rollback` hooks once `ecs-crd rollback` changed something: they report
 * only, so a failure is a warning and never changes the command's outcome or exit code. (The
 * rollout runs its own after its own rollback; this is for the recovery of an unfinished one.)
 */

import type { EventSink } from '../canary/events.js';
import { candidateEndpoint, hookFinishedEvent, hookOutputEvent, hookStartedEvent } from '../canary/hooks.js';
import type { Environment, Slot } from '../canary/ports/aws.js';
import type { HookEvent, HookRunner } from '../canary/ports/hooks.js';
import type { StackIdentity, StackOutputs } from '../canary/ports/stack.js';
import type { DeploymentConfig } from '../config/types.js';

export interface AfterRollbackInput {
  config: DeploymentConfig;
  identity: StackIdentity;
  /** The outputs before the recovery: which deployment, which candidate. */
  before: StackOutputs | null;
  environment: Environment;
  /** Why the stack was recovered. */
  reason: string;
  reporter: EventSink;
}

/** Runs the hooks in order; the first failure stops the list (and is reported as a warning). */
export async function runAfterRollbackHooks(runner: HookRunner, input: AfterRollbackInput): Promise<void> {
  const specs = input.config.canary.hooks?.after_rollback ?? [];
  const event = hookEvent(input);
  const point = 'after_rollback';
  const title = 'Hook after_rollback';
  for (const spec of specs) {
    input.reporter(hookStartedEvent(title, point, spec));
    const result = await runner.run(
      spec,
      { ...event, at: new Date().toISOString() },
      { onOutput: (line, stream) => input.reporter(hookOutputEvent(point, spec, stream, line)) },
    );
    input.reporter(hookFinishedEvent(title, point, spec, result, false));
    if (!result.ok) return;
  }
}

function hookEvent(input: AfterRollbackInput): Omit<HookEvent, 'at'> & { at: string } {
  const { config, identity, before, environment } = input;
  const meta = before?.meta;
  const slot = meta?.candidateSlot ?? (meta?.liveSlot === 'blue' ? 'green' : 'blue');
  const candidateConfig = before?.releases[slot] ?? config;
  const stable =
    meta?.liveSlot && meta.liveVersion ? { version: meta.liveVersion, slot: meta.liveSlot } : null;
  const strategy = candidateConfig.canary.strategy;
  return {
    hook: 'after_rollback',
    deploymentId: meta?.deploymentId ?? 'unknown',
    project: identity.project,
    service: identity.name,
    environment: identity.environment,
    region: identity.region,
    version: meta?.candidateVersion ?? config.service.version,
    slot,
    releaseId: String(candidateConfig.canary.releases[slot]),
    stable,
    weight: 0,
    step: null,
    steps: strategy.length + (strategy.at(-1)?.weight === 100 ? 0 : 1),
    candidate: endpointOf(environment, slot, candidateConfig),
    outcome: 'rolled_back',
    reason: input.reason,
    at: '',
  };
}

/**
 * The candidate's direct address, as the rollout's hooks get it. After a rollback the
 * candidate is gone, so an address that cannot be worked out (a slot without a listener) must
 * not keep the hooks from running: they get the host alone.
 */
function endpointOf(environment: Environment, slot: Slot, config: DeploymentConfig): HookEvent['candidate'] {
  try {
    return candidateEndpoint(environment, slot, config);
  } catch {
    return { url: '', host: config.service.fqdn[0] ?? '' };
  }
}
