/** What `validate` shows a person: the warnings, then every problem, or the verdict. Pure. */
import type { CheckResult } from '../config/check.js';
import { formatProblem, MAX_PROBLEMS_SHOWN, moreProblems } from '../config/problems.js';

/**
 * One `FILE:LINE:COL PATH: MESSAGE` line per warning, then per problem (the first
 * `MAX_PROBLEMS_SHOWN`: a file can have thousands), then the count of all (or the verdict).
 */
export function validationLines(result: CheckResult): string[] {
  const warnings = (result.warnings ?? []).map(formatProblem);
  if (result.ok) {
    const { service, canary } = result.config;
    const summary = [
      plural(service.containers.length, 'container'),
      plural(canary.strategy.length, 'traffic step'),
    ];
    return [...warnings, `${result.file}: valid (${service.name} ${service.version}: ${summary.join(', ')})`];
  }
  const total = result.problems.length;
  return [
    ...warnings,
    ...result.problems.slice(0, MAX_PROBLEMS_SHOWN).map(formatProblem),
    `${moreProblems(total) ?? plural(total, 'problem')} in ${result.file}`,
  ];
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
