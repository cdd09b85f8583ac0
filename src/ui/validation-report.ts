/**
 * What `validate` shows: the `--json` document and the human lines, from the check's result.
 */
import type { CheckResult } from '../config/check.js';
import { formatProblem } from '../config/problems.js';
import type { ConfigProblem, DeploymentConfig } from '../config/types.js';

/** The `validate --json` document (a contract: snapshot-tested). */
export interface ValidationReport {
  valid: boolean;
  file: string;
  errors: ConfigProblem[];
  config: DeploymentConfig | null;
}

export function validationReport(result: CheckResult): ValidationReport {
  return result.ok
    ? { valid: true, file: result.file, errors: [], config: result.config }
    : { valid: false, file: result.file, errors: result.problems, config: null };
}

/**
 * The same document for a failure before any checking (an unreadable file, a bad flag): one
 * error with line and column 0, meaning "not at a place in the file".
 */
export function failureReport(file: string, message: string): ValidationReport {
  return { valid: false, file, errors: [{ file, line: 0, column: 0, path: '', message }], config: null };
}

/** One `FILE:LINE:COL PATH: MESSAGE` line per problem, then a count (or the verdict). */
export function validationLines(result: CheckResult): string[] {
  if (result.ok) {
    const { service, canary } = result.config;
    const summary = [
      plural(service.containers.length, 'container'),
      plural(canary.strategy.length, 'traffic step'),
    ];
    return [`${result.file}: valid (${service.name} ${service.version}: ${summary.join(', ')})`];
  }
  return [
    ...result.problems.map(formatProblem),
    `${plural(result.problems.length, 'problem')} in ${result.file}`,
  ];
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
