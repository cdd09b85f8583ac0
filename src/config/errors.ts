import { UsageError } from '../errors.js';
import { formatProblem, MAX_PROBLEMS_SHOWN, moreProblems } from './problems.js';
import type { ConfigProblem } from './types.js';

/** The deployment file cannot be read at all (missing, a directory, not readable): exit 2. */
export class DeploymentFileError extends UsageError {
  readonly file: string;

  constructor(file: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options);
    this.file = file;
  }
}

/** The deployment file was read but has problems: exit 2, the first `MAX_PROBLEMS_SHOWN` in the message. */
export class InvalidDeploymentError extends UsageError {
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: readonly ConfigProblem[]) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length.toLocaleString('en-US')} problems`;
    const shown = problems.slice(0, MAX_PROBLEMS_SHOWN).map(formatProblem);
    const more = moreProblems(problems.length);
    super(`${file} has ${count}:\n${[...shown, ...(more ? [more] : [])].join('\n')}`, {
      hint: `run \`ecs-crd validate -f ${file}\` while you fix it`,
    });
    this.file = file;
    this.problems = problems;
  }
}
