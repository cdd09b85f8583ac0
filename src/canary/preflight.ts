/**
 * Checks that need both the file and what discovery found, made before the first change.
 * Pure.
 */
import type { DeploymentConfig } from '../config/types.js';
import { type Environment, SLOTS } from './ports/aws.js';

/**
 * An HTTPS listener the stack must create (the slot's ALB has none on that port) needs
 * certificates; one the ALB already has brings its own.
 */
export function listenerProblems(config: DeploymentConfig, environment: Environment): string[] {
  const problems: string[] = [];
  config.listeners.forEach((listener, index) => {
    if (listener.protocol !== 'HTTPS' || listener.certificate_arns.length > 0) return;
    for (const slot of SLOTS) {
      const info = environment.slots[slot];
      if (info.listeners[index]?.listenerArn === undefined) {
        problems.push(
          `listeners[${index}]: the ALB ${info.albName} (${slot}) has no listener on port ${listener.port}, so the stack would create an HTTPS listener, which needs certificate_arns`,
        );
      }
    }
  });
  return problems;
}
