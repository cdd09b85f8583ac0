/**
 * The plan of a canary release: the deployment file's strategy turned into the ordered steps
 * the rollout walks through. Pure: no clock, no ports.
 */
import type { CanaryConfig, DeploymentConfig, HookPoint, StrategyStep } from '../config/types.js';
import { HOOK_POINTS } from '../config/types-hooks.js';
import { assertNever, EcsCrdError } from '../errors.js';

/** The bake step added when the strategy does not end at 100 %: the time before the old release goes. */
export const IMPLIED_FINAL_STEP: Readonly<StrategyStep> = Object.freeze({ weight: 100, wait: 60 });

/** One step of a rollout. Waits are in seconds, weights in percent of traffic to the candidate. */
export type PlanStep =
  /** One `up` adding the candidate release at weight 0; the stable release is untouched. */
  | { kind: 'provision' }
  /** Watch the freshly scaled candidate for `wait` seconds, then require it healthy. */
  | { kind: 'scale-wait'; wait: number }
  /**
   * One `up` changing only the two weights, then watch for `wait` seconds and require healthy.
   * `shift` counts the shift steps from 0 (it is `DeploymentMeta.step` once passed);
   * `implied` marks the bake step the file did not write. `pause`: after the wait (and the
   * `after_step` hooks), stop until promoted (`true`) or for that many more seconds.
   */
  | {
      kind: 'shift';
      shift: number;
      weight: number;
      wait: number;
      implied: boolean;
      pause: true | number | null;
    }
  /**
   * Keep the old release serving, the candidate at 100 % and watched, until `canary.drain` has
   * passed since the old release's weight reached 0 (the last shift's wait counts): clients
   * holding its DNS answer still reach it.
   */
  | { kind: 'drain'; wait: number }
  /** One `up` removing the old release; the candidate becomes the stable release. */
  | { kind: 'finalize' };

export type PlanStepKind = PlanStep['kind'];
export type ShiftStep = Extract<PlanStep, { kind: 'shift' }>;

export interface Plan {
  /** No stable release before this one: the candidate goes straight to 100 %. */
  firstDeployment: boolean;
  steps: PlanStep[];
  /** The hook points the file gives at least one hook, in the order they run. */
  hooks: HookPoint[];
  /** A first deployment skipped the strategy's pauses (nothing to compare the candidate with). */
  pausesSkipped: boolean;
}

/**
 * Turns the canary section into steps: provision → scale wait → one shift per strategy step
 * (plus the implied final `{weight: 100, wait: 60}`) → drain → finalize. A first deployment has
 * no release to protect, so it makes one shift to 100 % with the final step's wait, and has no
 * old release to drain, and never pauses.
 *
 * @throws EcsCrdError when the strategy breaks the rules the config layer enforces
 *   (weights 1–100 strictly increasing, waits ≥ 0): a bug upstream, not a user error.
 */
export function planRollout(
  canary: Pick<CanaryConfig, 'scale' | 'strategy' | 'drain'> & Partial<Pick<CanaryConfig, 'hooks'>>,
  options: { firstDeployment: boolean },
): Plan {
  assertStrategy(canary.strategy);
  const shifts = withFinalStep(canary.strategy);
  const first = options.firstDeployment;
  // Nothing to compare a first release with: it goes straight to 100 % without stopping.
  const chosen = first ? shifts.slice(-1).map((step) => ({ ...step, pause: null })) : shifts;
  const drain = first ? 0 : Math.max(0, canary.drain - (chosen.at(-1)?.wait ?? 0));
  return {
    firstDeployment: first,
    hooks: HOOK_POINTS.filter((point) => (canary.hooks?.[point]?.length ?? 0) > 0),
    pausesSkipped: first && canary.strategy.some((step) => step.pause !== undefined),
    steps: [
      { kind: 'provision' },
      { kind: 'scale-wait', wait: canary.scale.wait },
      ...chosen.map((step, shift): PlanStep => ({ kind: 'shift', shift, ...step })),
      ...(drain > 0 ? [{ kind: 'drain', wait: drain } as const] : []),
      { kind: 'finalize' },
    ],
  };
}

/** The shift steps of a plan, in order. */
export function shiftSteps(plan: Plan): ShiftStep[] {
  return plan.steps.filter((step): step is ShiftStep => step.kind === 'shift');
}

/** The candidate's share of traffic once the step's `up` has landed. */
export function candidateWeightAt(step: PlanStep): number {
  switch (step.kind) {
    case 'provision':
    case 'scale-wait':
      return 0;
    case 'shift':
      return step.weight;
    case 'drain':
    case 'finalize':
      return 100;
    default:
      return assertNever(step);
  }
}

/** Seconds the rollout watches the candidate during the step (0 for the `up`-only steps). */
export function waitOf(step: PlanStep): number {
  switch (step.kind) {
    case 'provision':
    case 'finalize':
      return 0;
    case 'scale-wait':
    case 'shift':
    case 'drain':
      return step.wait;
    default:
      return assertNever(step);
  }
}

/** A short human label, shared by events, `preview` and error messages. */
export function describeStep(step: PlanStep): string {
  switch (step.kind) {
    case 'provision':
      return 'provision the candidate (weight 0)';
    case 'scale-wait':
      return `scale wait (${step.wait} s)`;
    case 'shift':
      return `shift ${step.weight} % to the candidate${step.implied ? ' (implied bake step)' : ''}, watch ${step.wait} s${pauseText(step.pause)}`;
    case 'drain':
      return `drain the old release (${step.wait} s more at 100 %, watching the candidate)`;
    case 'finalize':
      return 'finalize (remove the old release)';
    default:
      return assertNever(step);
  }
}

function pauseText(pause: true | number | null): string {
  if (pause === null) return '';
  return pause === true ? ', then pause until promoted' : `, then pause ${pause} s (watching)`;
}

/** Seconds a step holds the candidate after its wait: a timed pause; 0 for none or until promoted. */
export function pauseSecondsOf(step: PlanStep): number {
  return step.kind === 'shift' && typeof step.pause === 'number' ? step.pause : 0;
}

/**
 * Route 53 propagates a change to all its name servers "generally within 60 seconds" (Route 53
 * Developer Guide, GetChange), and pulumi-aws waits for it (INSYNC) after every record change.
 */
export const ROUTE53_INSYNC_S = 60;

/** The longest deregistration delay of a release's target groups: how long its targets drain once removed. */
export function deregistrationDelayOf(release: Pick<DeploymentConfig, 'target_groups'>): number {
  return Math.max(0, ...release.target_groups.map((tg) => tg.deregistration_delay));
}

/** What the estimate of an update's time on AWS needs to know beyond the plan. */
export interface AwsTimes {
  /** The longest deregistration delay of the release's target groups: the removed release's service drains that long. */
  deregistrationDelayS: number;
}

/**
 * An estimate of the time AWS itself takes over a step's update, beyond the engine's calls:
 * the record changes' propagation, and the removed release's drain (its service is deleted
 * only once INSYNC … INACTIVE). Only an estimate: the sandbox runs these scaled down.
 */
function awsEstimateOf(step: PlanStep, plan: Plan, times: AwsTimes): number {
  switch (step.kind) {
    case 'provision':
      // The records of both slots are created with the first release only.
      return plan.firstDeployment ? ROUTE53_INSYNC_S : 0;
    case 'shift':
      return ROUTE53_INSYNC_S;
    case 'finalize':
      return times.deregistrationDelayS;
    case 'scale-wait':
    case 'drain':
      return 0;
    default:
      return assertNever(step);
  }
}

/** One row of the planned timeline `preview` prints. */
export interface TimelineEntry {
  /** 1-based position in the plan. */
  number: number;
  kind: PlanStepKind;
  label: string;
  /** Percent of traffic once the step's `up` has landed (`stable` is 0 on a first deployment's empty slot). */
  weights: { candidate: number; stable: number };
  waitS: number;
  /** After the wait: a pause until promoted (`true`), or of that many seconds; null: none. */
  pause: true | number | null;
  /**
   * The hook points that run at or right after this step, in order: `before_traffic` after the
   * scale wait, `after_step` after each shift, `before_finalize` after the drain (or the last
   * shift), `after_deploy` after finalize. Only points the file gives hooks.
   */
  hooks: HookPoint[];
  /**
   * Seconds of waiting before the step starts and when it ends (`up` durations excluded:
   * unknown; a timed pause counted, a pause until promoted not).
   */
  startS: number;
  endS: number;
  /** An estimate of what AWS adds to the step's update (see `awsEstimateOf`). */
  awsEstimateS: number;
  /** The step's estimated end on AWS: the waits and every estimate so far. */
  estimatedEndS: number;
}

/** The plan as `preview` shows it: each step's weights, wait, cumulative elapsed seconds, and the AWS estimate. */
export function timeline(plan: Plan, times: AwsTimes = { deregistrationDelayS: 0 }): TimelineEntry[] {
  let elapsed = 0;
  let estimated = 0;
  return plan.steps.map((step, index) => {
    const candidate = candidateWeightAt(step);
    const waitS = waitOf(step);
    const heldS = waitS + pauseSecondsOf(step);
    const awsEstimateS = awsEstimateOf(step, plan, times);
    estimated += heldS + awsEstimateS;
    const entry: TimelineEntry = {
      number: index + 1,
      kind: step.kind,
      label: describeStep(step),
      weights: { candidate, stable: 100 - candidate },
      waitS,
      pause: step.kind === 'shift' ? step.pause : null,
      hooks: hooksAfter(plan, index),
      startS: elapsed,
      endS: elapsed + heldS,
      awsEstimateS,
      estimatedEndS: estimated,
    };
    elapsed += heldS;
    return entry;
  });
}

/** The configured hook points that run at or right after step `index` of `plan`, in order. */
export function hooksAfter(plan: Plan, index: number): HookPoint[] {
  const step = plan.steps[index];
  if (!step) return [];
  const next = plan.steps[index + 1];
  const points: HookPoint[] = [];
  if (step.kind === 'scale-wait') points.push('before_traffic');
  if (step.kind === 'shift') points.push('after_step');
  // Right before the finalize `up`: after the drain, or after the last shift when none.
  if (next?.kind === 'finalize' && step.kind !== 'provision') points.push('before_finalize');
  if (step.kind === 'finalize') points.push('after_deploy');
  return points.filter((point) => plan.hooks.includes(point));
}

type PlannedShift = { weight: number; wait: number; implied: boolean; pause: true | number | null };

function withFinalStep(strategy: readonly StrategyStep[]): PlannedShift[] {
  const steps: PlannedShift[] = strategy.map((step) => ({
    weight: step.weight,
    wait: step.wait,
    implied: false,
    pause: step.pause ?? null,
  }));
  if (steps.at(-1)?.weight !== 100) steps.push({ ...IMPLIED_FINAL_STEP, implied: true, pause: null });
  return steps;
}

function assertStrategy(strategy: readonly StrategyStep[]): void {
  let previous = 0;
  for (const [index, step] of strategy.entries()) {
    const valid =
      Number.isInteger(step.weight) &&
      step.weight > previous &&
      step.weight <= 100 &&
      Number.isFinite(step.wait) &&
      step.wait >= 0 &&
      (step.pause === undefined || step.pause === true || (Number.isInteger(step.pause) && step.pause >= 1));
    if (!valid) {
      throw new EcsCrdError(
        `internal error: canary.strategy[${index}] ${JSON.stringify(step)} breaks the plan's rules ` +
          '(weights 1–100 strictly increasing, waits ≥ 0, pause true or whole seconds ≥ 1); the configuration layer should have refused it',
      );
    }
    previous = step.weight;
  }
}
