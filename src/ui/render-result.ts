/**
 * What `deploy` prints once the rollout returns, on stdout: the `--json` document (a contract
 * scripts rely on, issue 6) or a short human summary. Pure.
 */
import { assertNever } from '../canary/plan.js';
import type { Slot } from '../canary/ports.js';
import type { RolloutOutcome, RolloutResult, StepOutcome } from '../canary/rollout.js';
import { alignColumns } from './columns.js';
import { formatDuration, paint, type Style } from './format.js';
import { redact } from './redact.js';

/** One strategy step in `deploy --json`. */
export interface DeployStepDocument {
  /** Percent of traffic to the candidate. */
  weight: number;
  /** Seconds watched. */
  wait: number;
  outcome: StepOutcome;
}

/**
 * The `deploy --json` document. The first six fields are the contract of issue 6, in that
 * order; the others are additions.
 */
export interface DeployDocument {
  outcome: RolloutOutcome;
  /** The candidate's version and slot. */
  version: string;
  slot: Slot;
  steps: DeployStepDocument[];
  reason: string | null;
  duration_s: number;
  deployment_id: string;
  /** The release live when the run started; null on a first deployment. */
  previous: { slot: Slot; version: string } | null;
  /** What to do by hand when the stack was left unfinished; empty otherwise. */
  instructions: string[];
}

/** The `deploy --json` document of a result. */
export function deployDocument(result: RolloutResult): DeployDocument {
  return {
    outcome: result.outcome,
    version: result.version,
    slot: result.slot,
    steps: result.steps.map(({ weight, wait, outcome }) => ({ weight, wait, outcome })),
    // The reason may quote the engine's error text: the one free text in the document.
    reason: result.reason === null ? null : redact(result.reason),
    duration_s: result.durationS,
    deployment_id: result.deploymentId,
    previous: result.previous ? { ...result.previous } : null,
    instructions: [...result.instructions],
  };
}

/**
 * The human summary: the outcome in one line, the reason, each strategy step with its weight,
 * wait and outcome, the manual instructions when the stack was left unfinished, and the
 * deployment id (to find the run in the log and the stack history).
 */
export function resultLines(result: RolloutResult, options: { color: boolean } = { color: false }): string[] {
  const { color } = options;
  const [glyph, style] = OUTCOME_MARK[result.outcome];
  const lines = [`${paint(glyph, style, color)} ${paint(headline(result), 'bold', color)}`];
  if (result.reason !== null) lines.push(`  reason: ${redact(result.reason)}`);
  if (result.steps.length > 0) lines.push(...stepTable(result, color));
  if (result.instructions.length > 0) {
    lines.push(paint('  Manual action needed:', 'yellow', color));
    lines.push(...result.instructions.map((line) => `    ${line}`));
  }
  lines.push(paint(`  deployment ${result.deploymentId}`, 'dim', color));
  return lines;
}

const OUTCOME_MARK: Record<RolloutOutcome, readonly [string, Style]> = {
  deployed: ['✔', 'green'],
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

function headline(result: RolloutResult): string {
  const { version, slot, previous } = result;
  const took = formatDuration(result.durationS);
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
    case 'interrupted': {
      // With instructions the stack was left mid-way: saying who serves traffic would be a guess.
      const state = result.instructions.length > 0 ? 'left unfinished' : previousServes;
      return `Interrupted the deployment of ${version} after ${took}${state ? `: ${state}` : ''}`;
    }
    default:
      return assertNever(result.outcome);
  }
}

/** The steps as a small table, aligned like the other commands' (`status`, `history`, `preview`). */
function stepTable(result: RolloutResult, color: boolean): string[] {
  const steps = result.steps.map((step, index) => ({
    step,
    outcome: stepOutcomeText(step.outcome),
    figures: [String(index + 1), `${step.weight} %`, `${step.wait} s`],
  }));
  const [header = '', ...lines] = alignColumns([
    ['STEP', 'WEIGHT', 'WAIT', 'OUTCOME'],
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
