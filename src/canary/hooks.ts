/**
 * What a hook is told, pure: the `ECS_CRD_*` environment of a command hook (the same facts as
 * the JSON `HookEvent` a webhook receives) and the candidate's direct address.
 */
import type { DeploymentConfig, HookPoint, HookSpec } from '../config/types.js';
import { type ProgressEvent, progressEvent } from './events.js';
import type { Environment, Slot } from './ports/aws.js';
import type { HookEvent, HookResult } from './ports/hooks.js';

/**
 * The variables a command hook gets on top of the inherited environment (from which the
 * runner removes the engine's secrets: `PULUMI_CONFIG_PASSPHRASE`, `PULUMI_ACCESS_TOKEN`…):
 * `ECS_CRD_HOOK`, `ECS_CRD_DEPLOYMENT_ID`, `ECS_CRD_PROJECT`, `ECS_CRD_SERVICE`,
 * `ECS_CRD_ENVIRONMENT`, `ECS_CRD_REGION`, `ECS_CRD_VERSION`, `ECS_CRD_SLOT`,
 * `ECS_CRD_RELEASE_ID`, `ECS_CRD_STABLE_VERSION` / `ECS_CRD_STABLE_SLOT` (empty on a first
 * deployment), `ECS_CRD_WEIGHT`, `ECS_CRD_STEP` (empty outside `after_step`), `ECS_CRD_STEPS`,
 * `ECS_CRD_CANDIDATE_URL`, `ECS_CRD_CANDIDATE_HOST`, `ECS_CRD_OUTCOME`, `ECS_CRD_REASON`
 * (empty before the end).
 */
export function hookEnvironment(event: HookEvent): Record<string, string> {
  const text = (value: string | number | null): string => (value === null ? '' : String(value));
  return {
    ECS_CRD_HOOK: event.hook,
    ECS_CRD_DEPLOYMENT_ID: event.deploymentId,
    ECS_CRD_PROJECT: event.project,
    ECS_CRD_SERVICE: event.service,
    ECS_CRD_ENVIRONMENT: event.environment,
    ECS_CRD_REGION: event.region,
    ECS_CRD_VERSION: event.version,
    ECS_CRD_SLOT: event.slot,
    ECS_CRD_RELEASE_ID: event.releaseId,
    ECS_CRD_STABLE_VERSION: text(event.stable?.version ?? null),
    ECS_CRD_STABLE_SLOT: text(event.stable?.slot ?? null),
    ECS_CRD_WEIGHT: text(event.weight),
    ECS_CRD_STEP: text(event.step),
    ECS_CRD_STEPS: text(event.steps),
    ECS_CRD_CANDIDATE_URL: event.candidate.url,
    ECS_CRD_CANDIDATE_HOST: event.candidate.host,
    ECS_CRD_OUTCOME: text(event.outcome),
    ECS_CRD_REASON: text(event.reason),
  };
}

/**
 * The candidate past DNS: `http(s)://<slot ALB DNS name>:<first listener port>`, and the Host
 * header its listener rule forwards (the first fqdn).
 */
export function candidateEndpoint(
  environment: Environment,
  slot: Slot,
  config: DeploymentConfig,
): HookEvent['candidate'] {
  // A resolved file always has a listener (HTTP:80 when it names none); the fallback is that default.
  const listener = config.listeners[0] ?? { protocol: 'HTTP', port: 80 };
  const scheme = listener.protocol === 'HTTPS' ? 'https' : 'http';
  const dnsName = environment.slots[slot].albDnsName;
  return { url: `${scheme}://${dnsName}:${listener.port}`, host: config.service.fqdn[0] ?? '' };
}

/**
 * How a hook is named in events and reasons: its command's argv[0] or its webhook's origin,
 * never the webhook's path, query or headers (they may hold tokens).
 */
export function hookTarget(spec: HookSpec): string {
  if (spec.kind === 'command') return spec.command[0] ?? '(empty command)';
  try {
    return new URL(spec.url).origin;
  } catch {
    return 'webhook';
  }
}

/** `title`: `Hook after_step (2/4)`, or `Hook after_rollback`. */
export function hookStartedEvent(title: string, point: HookPoint, spec: HookSpec): ProgressEvent {
  const target = hookTarget(spec);
  return progressEvent('hook.started', 'info', `${title}: ${target}`, { point, kind: spec.kind, target });
}

/** `Hook after_step (2/4): ./check.sh passed, exit code 0 (1.2 s)`; a failure warns, or is an error where it rolls back. */
export function hookFinishedEvent(
  title: string,
  point: HookPoint,
  spec: HookSpec,
  result: HookResult,
  gating: boolean,
): ProgressEvent {
  const target = hookTarget(spec);
  const verdict = result.ok ? 'passed' : 'failed';
  const seconds = (result.durationMs / 1000).toFixed(1);
  return progressEvent(
    'hook.finished',
    result.ok ? 'info' : gating ? 'error' : 'warn',
    `${title}: ${target} ${verdict}, ${result.detail} (${seconds} s)`,
    { point, kind: spec.kind, target, ok: result.ok, detail: result.detail, durationMs: result.durationMs },
  );
}

/** One line a command hook printed: for the log file, and the console with `--verbose`. */
export function hookOutputEvent(
  point: HookPoint,
  spec: HookSpec,
  stream: 'stdout' | 'stderr',
  line: string,
): ProgressEvent {
  return progressEvent('hook.output', 'debug', `${hookTarget(spec)}: ${line}`, { point, stream, line });
}
