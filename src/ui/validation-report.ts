/** What `validate` shows a person: every problem, or the verdict. Pure. */
import type { CheckResult } from '../config/check.js';
import { formatProblem } from '../config/problems.js';

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
