/**
 * What `deploy` prints on stdout for a person once the rollout returns: a short summary of
 * the same document `--json` prints. Pure.
 */
import type { RolloutOutcome, StepOutcome } from '../canary/rollout/types.js';
import { assertNever } from '../errors.js';
import { alignColumns } from './columns.js';
import type { DeployDocument } from './documents.js';
import { formatDuration, paint, type Style } from './format.js';
import { redact } from './redact.js';

/**
 * The human summary: the outcome in one line, the reason, each strategy step with its weight
 * (and, analysed, the share the candidate really got), wait and outcome, the manual instructions when the stack was left unfinished, and the
 * deployment id (to find the run in the log and the stack history).
 */
export function resultLines(
  result: DeployDocument,
  options: { color: boolean } = { color: false },
): string[] {
  const { color } = options;
  const [glyph, style] = OUTCOME_MARK[result.outcome];
  const lines = [`${paint(glyph, style, color)} ${paint(headline(result), 'bold', color)}`];
  if (result.reason !== null) lines.push(`  reason: ${redact(result.reason)}`);
  if (result.paused) {
    lines.push(
      '  run `ecs-crd promote` to go on (`--full`: straight to 100 %), or `ecs-crd rollback` to abort',
    );
  }
  if (result.steps.length > 0) lines.push(...stepTable(result, color));
  if (result.instructions.length > 0) {
    lines.push(paint('  Manual action needed:', 'yellow', color));
    lines.push(...result.instructions.map((line) => `    ${line}`));
  }
  lines.push(paint(`  deployment ${result.deployment_id}`, 'dim', color));
  return lines;
}

const OUTCOME_MARK: Record<RolloutOutcome, readonly [string, Style]> = {
  deployed: ['✔', 'green'],
  paused: ['‖', 'yellow'],
  rolled_back: ['✖', 'red'],
  rollback_failed: ['✖', 'red'],
  interrupted: ['■', 'yellow'],
};

/** How a step's outcome is marked, here and in the live view. */
export const STEP_MARK: Record<StepOutcome, readonly [glyph: string, style: Style]> = {
  passed: ['✔', 'green'],
  failed: ['✖', 'red'],
  interrupted: ['■', 'yellow'],
  not_run: ['·', 'dim'],
};

/** `passed`, `failed`, `interrupted`, `not run`. */
export function stepOutcomeText(outcome: StepOutcome): string {
  return outcome.replace('_', ' ');
}

function headline(result: DeployDocument): string {
  const { version, slot, previous } = result;
  const took = formatDuration(result.duration_s);
  const previousServes = previous ? `${previous.version} on ${previous.slot} serves all traffic` : null;
  switch (result.outcome) {
    case 'deployed': {
      const replacing = previous
        ? `, replacing ${previous.version} on ${previous.slot}`
        : ' (first deployment)';
      return `Deployed ${version} on ${slot}${replacing} in ${took}`;
    }
    case 'rolled_back':
      return `Rolled back ${version} after ${took}: ${previousServes ?? 'the candidate was removed'}`;
    case 'rollback_failed':
      return `Rollback of ${version} on ${slot} failed after ${took}: manual action needed`;
    case 'paused': {
      const at = result.paused
        ? ` at ${result.paused.weight} % (step ${result.paused.step} of ${result.steps.length}) since ${result.paused.since}`
        : '';
      return `Paused ${version} on ${slot}${at}`;
    }
    case 'interrupted': {
      // With instructions the stack was left mid-way: saying who serves traffic would be a guess.
      const state = result.instructions.length > 0 ? 'left unfinished' : previousServes;
      return `Interrupted the deployment of ${version} after ${took}${state ? `: ${state}` : ''}`;
    }
    default:
      return assertNever(result.outcome);
  }
}

/**
 * The steps as a small table, aligned like the other commands' (`status`, `history`, `preview`);
 * with `canary.analysis`, the share of requests the candidate really got next to its weight.
 */
function stepTable(result: DeployDocument, color: boolean): string[] {
  const analysed = result.analysis !== undefined;
  const steps = result.steps.map((step, index) => ({
    step,
    outcome: stepOutcomeText(step.outcome),
    figures: [
      String(index + 1),
      `${step.weight} %`,
      ...(analysed ? [step.observed_share === null ? '–' : `${step.observed_share} %`] : []),
      `${step.wait} s`,
    ],
  }));
  const [header = '', ...lines] = alignColumns([
    ['STEP', 'WEIGHT', ...(analysed ? ['OBSERVED'] : []), 'WAIT', 'OUTCOME'],
    ...steps.map(({ figures, outcome }) => [...figures, outcome]),
  ]);
  return [
    paint(`  ${header}`, 'dim', color),
    ...steps.map(({ step, outcome }, index) => {
      // The outcome ends the line: colour it after the alignment, which counts plain characters.
      const aligned = (lines[index] ?? '').slice(0, -outcome.length);
      return `  ${aligned}${paint(outcome, STEP_MARK[step.outcome][1], color)}`;
    }),
  ];
}
