/**
 * Checks that need both the file and what discovery found, made before the first change.
 * Pure.
 */
import type { DeploymentConfig } from '../config/types.js';
import { alarmProblems } from './analysis.js';
import type { AlarmState } from './ports/analysis.js';
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

/**
 * Why the deployment may not start on these alarm states (`canary.analysis.alarms`): one in
 * ALARM means something is already wrong, and a name CloudWatch does not know would never
 * guard anything. INSUFFICIENT_DATA is tolerated (a quiet metric). null when all is well.
 */
export function alarmRefusal(states: Record<string, AlarmState | null>): string | null {
  const { inAlarm, missing } = alarmProblems(states);
  if (inAlarm.length === 0 && missing.length === 0) return null;
  const lines = [
    ...inAlarm.map((name) => `canary.analysis.alarms: ${name} is in ALARM`),
    ...missing.map((name) => `canary.analysis.alarms: ${name} does not exist in this account and region`),
  ];
  return lines.join('\n  ');
}

/** What to do about a refusal of `alarmRefusal`. */
export const ALARM_REFUSAL_HINT =
  'Nothing was changed. Deploy once the alarms are OK (or INSUFFICIENT_DATA); check the names in canary.analysis.alarms.';
