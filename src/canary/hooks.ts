/**
 * What a hook is told, pure: the `ECS_CRD_*` environment of a command hook (the same facts as
 * the JSON `HookEvent` a webhook receives) and the candidate's direct address.
 */
import type { DeploymentConfig } from '../config/types.js';
import { EcsCrdError } from '../errors.js';
import type { Environment, Slot } from './ports/aws.js';
import type { HookEvent } from './ports/hooks.js';

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
  throw new EcsCrdError(`internal error: hookEnvironment not implemented (${event.hook})`);
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
  throw new EcsCrdError(
    `internal error: candidateEndpoint not implemented (${environment.region}, ${slot}, ${config.service.name})`,
  );
}
