/**
 * The JSON documents the program hands to AWS as strings: ECS container definitions and IAM
 * policies. A release's own are built in config (`config/container-definitions.ts`,
 * `config/iam-policies.ts`), which measures them against ECS's and IAM's size quotas. Pure,
 * with a fixed key and element order, so the same release always renders the same text and
 * the engine sees no change.
 */
import { POLICY_VERSION, type PolicyDocument, secretArns } from '../config/iam-policies.js';
import type { ServiceConfig } from '../config/types.js';

export {
  type ContainerDefinition,
  containerDefinitions,
  type LogDestination,
} from '../config/container-definitions.js';
export { type PolicyDocument, secretArns, secretsPolicy, taskPolicy } from '../config/iam-policies.js';

/**
 * Every ARN the execution role reads when a task of the release starts: the containers'
 * `secrets` and their log drivers' `secret_options`, once each, sorted (config's `secretArns`
 * knows only the first).
 */
export function executionSecretArns(service: Pick<ServiceConfig, 'containers'>): string[] {
  const logSecrets = service.containers.flatMap((c) =>
    Object.values(c.log_configuration?.secret_options ?? {}),
  );
  return [...new Set([...secretArns(service), ...logSecrets])].sort();
}

/** Who may assume the execution and task roles: ECS tasks. */
export function ecsTasksTrustPolicy(): string {
  const document: PolicyDocument = {
    Version: POLICY_VERSION,
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  };
  return JSON.stringify(document);
}
