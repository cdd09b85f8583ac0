/**
 * The live view on a terminal: a small block at the bottom of stderr, redrawn in
 * place, showing the current step, a bar of the two weights, the candidate's health, its latest
 * analysis window (`canary.analysis`), the countdown of the wait and what the engine is doing; finished steps and warnings scroll above
 * it as permanent lines.
 *
 * Built as a pure reducer (`reduceLiveView`: events → state) and a pure renderer
 * (`renderLiveView`: state, time, width → lines), both tested without a terminal;
 * `createLiveView` (./live-terminal.ts) is the thin glue that owns the cursor and the timers.
 */
import type { ProgressEvent, StackOperation } from '../canary/events.js';
import type { GateVerdict } from '../canary/gate.js';
import type { PlanStepKind } from '../canary/plan.js';
import type { Slot } from '../canary/ports/aws.js';
import type { ResourceOperation } from '../canary/ports/stack.js';
import { splitWeights } from '../canary/rollout/desired.js';
import { assertNever } from '../errors.js';
import { formatClock, paint, type Style, truncate } from './format.js';
import { analysisLines, type LiveAnalysis, reduceAnalysis } from './live-analysis.js';
import { redact } from './redact.js';
import { STEP_MARK, stepOutcomeText } from './render-result.js';

/** Fixed for a run. */
export interface LiveViewOptions {
  /**
   * Every event scrolls above the block (the routine ones dimmed), except the countdown ticks and
   * the engine's raw output, which only the log file keeps.
   */
  verbose: boolean;
  color: boolean;
}

/** The step under way, as `step.started` announced it. */
export interface LiveStep {
  number: number;
  total: number;
  kind: PlanStepKind;
  candidateWeight: number;
}

/** The candidate's last observation. */
export interface LiveHealth {
  verdict: GateVerdict;
  reason: string;
  healthy: number;
  total: number;
  running: number | null;
  desired: number | null;
}

/** Everything the block shows; plain data, replaced (never changed) by each event. */
export interface LiveViewState {
  readonly options: LiveViewOptions;
  /** Set by `rollout.started`; the block stays empty until then. */
  readonly release: { version: string; candidateSlot: Slot } | null;
  readonly step: LiveStep | null;
  /** The declared weights of the two slots. */
  readonly weights: Record<Slot, number> | null;
  readonly health: LiveHealth | null;
  /** The last probe error, until the next observation succeeds. */
  readonly probeError: string | null;
  /** The latest analysis window, the alarms not OK, a CloudWatch error (`canary.analysis`). */
  readonly analysis: LiveAnalysis | null;
  /** Epoch milliseconds at which the running wait ends; null outside a wait. */
  readonly waitEndsAt: number | null;
  /** The stack update under way and the engine's current operation in it. */
  readonly update: { purpose: StackOperation; operation: string | null } | null;
  /** Why the rollout is rolling back; null while it goes forward. */
  readonly rollbackReason: string | null;
  /** The pause the rollout waits at (a timed one counts down as a wait); null outside one. */
  readonly pause: { weight: number; timed: boolean } | null;
  /** The hook under way; null when none runs. */
  readonly hook: { point: string; target: string } | null;
  /** `rollout.finished` came: the block is gone, the result summary follows. */
  readonly finished: boolean;
  /** The permanent lines the last event added above the block, in order (the glue prints them once). */
  readonly emitted: readonly string[];
}

/** The state before any event. */
export function initialLiveView(options: LiveViewOptions): LiveViewState {
  return {
    options,
    release: null,
    step: null,
    weights: null,
    health: null,
    probeError: null,
    analysis: null,
    waitEndsAt: null,
    update: null,
    rollbackReason: null,
    pause: null,
    hook: null,
    finished: false,
    emitted: [],
  };
}

/** The view after one more event. Pure. */
export function reduceLiveView(state: LiveViewState, event: ProgressEvent): LiveViewState {
  return { ...apply(state, event), emitted: scrolledLines(state, event) };
}

/**
 * The block for `state` at `now` (epoch ms, for the countdown) in a terminal `width` columns
 * wide. Every line is shorter than `width`, so none wraps and the glue can count lines to
 * erase. Outside a rollout (`preview`, `undeploy`, `rollback`) only the engine's current
 * operation; empty when nothing runs and after the end.
 */
export function renderLiveView(state: LiveViewState, now: number, width: number): string[] {
  const { release } = state;
  const usable = Math.max(1, width - 1);
  const { color } = state.options;
  const shown = (text: string, style?: Style): string => {
    const line = truncate(text, usable);
    return style ? paint(line, style, color) : line;
  };
  if (state.finished) return [];
  if (!release) return state.update ? [shown(updateLine(state.update), 'cyan')] : [];
  const lines = [
    state.rollbackReason === null
      ? shown(
          `${state.step ? stepTitle(state.step) : 'starting'} · ${release.version} → ${release.candidateSlot}`,
          'bold',
        )
      : shown(`rolling back · ${state.rollbackReason}`, 'yellow'),
  ];
  if (state.weights) lines.push(weightBar(state.weights, usable, color));
  const health = healthLine(state);
  if (health) lines.push(shown(health.text, health.style));
  for (const line of analysisLines(state.analysis)) lines.push(shown(line.text, line.style));
  if (state.pause) lines.push(shown(pauseLine(state.pause), 'yellow'));
  if (state.waitEndsAt !== null) {
    const left = Math.ceil((state.waitEndsAt - now) / 1000);
    // Past its wait, an analysed step may still be waiting for a passing window.
    const checking = state.analysis?.window ? 'checking health and analysis' : 'checking health';
    const what = state.pause ? 'pause' : 'wait';
    lines.push(shown(left > 0 ? `${what} ${formatClock(left)} left` : `${what} over · ${checking}`));
  }
  if (state.hook) lines.push(shown(`hook ${state.hook.point}: ${state.hook.target}…`, 'cyan'));
  if (state.update) lines.push(shown(updateLine(state.update), 'cyan'));
  return lines;
}

function pauseLine(pause: NonNullable<LiveViewState['pause']>): string {
  const next = pause.timed
    ? '`ecs-crd promote` goes on now'
    : 'until `ecs-crd promote` (or `ecs-crd rollback`)';
  return `paused at ${pause.weight} % · ${next}`;
}

function updateLine(update: NonNullable<LiveViewState['update']>): string {
  const operation =
    update.operation ??
    (update.purpose === 'preview' ? 'previewing the stack' : `updating the stack (${update.purpose})`);
  return `${operation}…`;
}

/** `step 2 of 4 · shift to 30 %`. */
export function stepTitle(step: LiveStep): string {
  return `step ${step.number} of ${step.total} · ${stepAction(step)}`;
}

/** Wider bars say nothing more; the cap keeps the block compact on a wide terminal. */
const MAX_BAR = 24;
/** Below this the bar says nothing; the line falls back to words. */
const MIN_BAR = 4;

/**
 * `blue ████████████░░░░ green  70 % / 30 %`: blue always on the left so the bar does not flip
 * between deployments; the two parts always fill the bar exactly.
 */
export function weightBar(weights: Record<Slot, number>, width: number, color: boolean): string {
  const figures = `${weights.blue} % / ${weights.green} %`;
  // Sized for the widest figures, so the bar keeps its length as the weights change.
  const cells = Math.min(MAX_BAR, width - 'blue  green  100 % / 0 %'.length);
  if (cells < MIN_BAR) return truncate(`blue ${weights.blue} % / green ${weights.green} %`, width);
  const blue = Math.round((weights.blue / 100) * cells);
  const bar = paint('█'.repeat(blue), 'blue', color) + paint('░'.repeat(cells - blue), 'green', color);
  return `blue ${bar} green  ${figures}`;
}

// ---------------------------------------------------------------- the reducer's parts

function apply(s: LiveViewState, event: ProgressEvent): LiveViewState {
  switch (event.code) {
    case 'rollout.started': {
      const { version, candidateSlot } = event.data;
      return {
        ...initialLiveView(s.options),
        release: { version, candidateSlot },
        weights: splitWeights(candidateSlot, 0),
      };
    }
    case 'step.started': {
      const { number, total, kind, candidateWeight } = event.data;
      return {
        ...s,
        step: { number, total, kind, candidateWeight },
        waitEndsAt: null,
        update: null,
        pause: null,
      };
    }
    case 'step.finished':
    case 'rollback.started':
      return {
        ...s,
        waitEndsAt: null,
        rollbackReason: event.code === 'rollback.started' ? redact(event.data.reason) : s.rollbackReason,
      };
    case 'stack.update.started':
      return { ...s, update: { purpose: event.data.purpose, operation: null }, waitEndsAt: null };
    case 'stack.update.finished':
      return { ...s, update: null };
    case 'weights.changed':
      return { ...s, weights: event.data.weights };
    case 'wait.started':
    case 'wait.tick':
      return { ...s, waitEndsAt: event.data.endsAt };
    case 'health.observed': {
      const { verdict, reason, healthy, total, running, desired } = event.data;
      return { ...s, health: { verdict, reason, healthy, total, running, desired }, probeError: null };
    }
    case 'health.probe-failed':
      return { ...s, probeError: event.data.error };
    case 'rollout.finished':
      return { ...s, finished: true, waitEndsAt: null, update: null };
    case 'engine.event': {
      const { kind, operation, name, type } = event.data;
      // Unchanged resources flash by in every update: show only what the update really does.
      const changes = operation !== undefined && operation !== 'same';
      if (!s.update || kind !== 'resource-start' || !changes || type === 'pulumi:pulumi:Stack') return s;
      return {
        ...s,
        update: { ...s.update, operation: `${VERB[operation]} ${name ?? type ?? 'a resource'}` },
      };
    }
    case 'analysis.window':
    case 'analysis.alarm':
    case 'analysis.probe-failed':
      return { ...s, analysis: reduceAnalysis(s.analysis, event) };
    case 'rollout.paused': {
      const { weight, until } = event.data;
      return { ...s, pause: { weight, timed: until !== null }, waitEndsAt: until };
    }
    case 'rollout.resumed':
      return { ...s, pause: null, waitEndsAt: null };
    case 'hook.started':
      return { ...s, hook: { point: event.data.point, target: redact(event.data.target) } };
    case 'hook.finished':
      return { ...s, hook: null };
    case 'interrupt.received':
    case 'rollout.retried':
    case 'hook.output':
    case 'recovery.started':
    case 'recovery.step':
    case 'names.adopted':
    case 'config.warning':
    case 'image.unchecked':
    case 'notification.sent':
    case 'notification.failed':
    case 'lease.notice':
    case 'engine.output':
      return s;
    default:
      return assertNever(event);
  }
}

const VERB: Record<ResourceOperation, string> = {
  create: 'creating',
  update: 'updating',
  replace: 'replacing',
  delete: 'deleting',
  same: 'checking',
  read: 'reading',
  refresh: 'refreshing',
};

/** What scrolls above the block for `event`, seen from the state before it. */
function scrolledLines(before: LiveViewState, event: ProgressEvent): string[] {
  const { color } = before.options;
  const text = redact(event.text);
  switch (event.code) {
    case 'rollout.started':
      return [paint(text, 'bold', color)];
    // Outside a rollout, what the command does is the story: always worth a line.
    case 'recovery.started':
    case 'recovery.step':
    // Who was told the outcome: worth a line after the result, as a failure to tell is.
    case 'notification.sent':
    // A pause and its end, and what each hook did, are the story of the run.
    case 'rollout.paused':
    case 'rollout.resumed':
      return event.level === 'info' ? [text] : byLevel(event, text, before.options);
    case 'hook.finished':
      return event.level === 'info'
        ? [`${paint('✔', 'green', color)} ${text}`]
        : byLevel(event, text, before.options);
    // A resource the command was asked to report (undeploy, rollback): as the plain lines show it.
    case 'engine.event':
      return event.level === 'info' ? [text] : byLevel(event, text, before.options);
    case 'step.finished': {
      const { number, total, kind, outcome } = event.data;
      // The weight is only in `step.started`; a finished step is normally the one under way.
      const current = before.step?.number === number ? before.step : null;
      const step = current ?? { number, total, kind, candidateWeight: 0 };
      const [glyph, style] = STEP_MARK[outcome];
      return [`${paint(glyph, style, color)} ${stepTitle(step)} · ${stepOutcomeText(outcome)}`];
    }
    // The result summary follows the block; the health and analysis lines show probe errors without repeating them.
    case 'rollout.finished':
    case 'health.probe-failed':
    case 'analysis.probe-failed':
    // Too chatty for the terminal even with --verbose: the block shows the countdown, the log keeps the output.
    case 'wait.tick':
    case 'engine.output':
      return [];
    default:
      return byLevel(event, text, before.options);
  }
}

/** Warnings and errors always scroll, marked; the routine only with --verbose, dimmed. */
function byLevel(event: ProgressEvent, text: string, { color, verbose }: LiveViewOptions): string[] {
  if (event.level === 'warn') return [`${paint('!', 'yellow', color)} ${text}`];
  if (event.level === 'error') return [`${paint('✖', 'red', color)} ${text}`];
  return verbose ? [paint(`  ${text}`, 'dim', color)] : [];
}

function stepAction(step: LiveStep): string {
  switch (step.kind) {
    case 'provision':
      return 'provision the candidate';
    case 'scale-wait':
      return 'scale wait';
    case 'shift':
      return `shift to ${step.candidateWeight} %`;
    case 'drain':
      return 'drain the old release';
    case 'finalize':
      return 'finalize';
    default:
      return assertNever(step.kind);
  }
}

function healthLine(s: LiveViewState): { text: string; style: Style } | null {
  const { health, probeError } = s;
  if (!health && probeError === null) return null;
  const parts: string[] = [];
  let style: Style = 'yellow';
  if (health) {
    parts.push(`healthy ${health.healthy}/${health.total} targets`);
    if (health.running !== null) parts.push(`running ${health.running}/${health.desired ?? '?'}`);
    if (health.verdict === 'pass') style = 'green';
    else parts.push(health.reason);
    if (health.verdict === 'fail') style = 'red';
  } else {
    parts.push('health unknown');
  }
  if (probeError !== null) {
    parts.push(`probe failed: ${redact(probeError)}`);
    style = 'yellow';
  }
  return { text: parts.join(' · '), style };
}
