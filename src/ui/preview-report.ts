/**
 * The human rendering of `preview`: the release it would deploy, each resource change of the
 * first update, then the planned timeline. Pure; the same document `--json` prints.
 */
import { formatChanges } from '../canary/ports/stack.js';
import { alignColumns } from './columns.js';
import type { PreviewChange, PreviewDocument, PreviewRelease } from './documents.js';
import { formatClock } from './format.js';

const SIGN: Record<PreviewChange['operation'], string> = {
  create: '+',
  update: '~',
  replace: '+-',
  delete: '-',
};

/** `preview` for a person: the releases, the resource changes, then the timeline. */
export function previewLines(doc: PreviewDocument): string[] {
  const { candidate, stable } = doc;
  const lines = [
    `Preview of ${doc.project}/${doc.service} ${candidate.version} in ${doc.environment} (${doc.region}), stack ${doc.stack}`,
    `  candidate: ${release(candidate)}`,
    `  stable:    ${stable ? release(stable) : 'none (first deployment: straight to 100 %)'}`,
    '',
    'Resource changes of the first update (the candidate, at weight 0):',
  ];
  if (doc.changes.length === 0) {
    lines.push('  none');
  } else {
    const rows = doc.changes.map((c) => [SIGN[c.operation], c.operation, c.type, c.name, c.diffs.join(', ')]);
    lines.push(...alignColumns(rows).map((line) => `  ${line}`));
    lines.push(`  ${formatChanges({ changes: doc.summary })}`);
  }
  lines.push('', 'Planned timeline (ELAPSED: the waits alone; ON AWS: an estimate with what AWS adds):');
  const steps = doc.timeline;
  // The two columns only for a file that has pauses or hooks: the others read as before.
  const pauses = steps.some((step) => step.pause !== null);
  const hooks = steps.some((step) => step.hooks.length > 0);
  const rows = [
    [
      'STEP',
      'WHAT',
      'CANDIDATE',
      'STABLE',
      'WAIT',
      ...(pauses ? ['PAUSE'] : []),
      'ELAPSED',
      'AWS ADDS',
      'ON AWS',
      ...(hooks ? ['HOOKS'] : []),
    ],
    ...steps.map((step) => [
      String(step.number),
      step.label,
      `${step.weights.candidate} %`,
      `${step.weights.stable} %`,
      formatClock(step.wait_s),
      ...(pauses ? [pauseText(step.pause)] : []),
      formatClock(step.end_s),
      step.aws_estimate_s > 0 ? `~${formatClock(step.aws_estimate_s)}` : '',
      `~${formatClock(step.estimated_end_s)}`,
      ...(hooks ? [step.hooks.join(', ')] : []),
    ]),
  ];
  lines.push(...alignColumns(rows).map((line) => `  ${line}`));
  if (pauses) {
    lines.push(
      '  (a pause until promoted stops the deployment there, exit 0: `ecs-crd promote` goes on, `ecs-crd rollback` aborts; ELAPSED does not count it)',
    );
  }
  if (hooks) lines.push('  (HOOKS: the canary.hooks points that run at the end of the step, in that order)');
  lines.push(
    '  (estimated: Route 53 takes about 60 s to propagate each weight change, which every update waits for; the old release drains for its deregistration delay before it is removed)',
  );
  return lines;
}

/** `until promoted`, `600 s`, or nothing. */
function pauseText(pause: true | number | null): string {
  if (pause === null) return '';
  return pause === true ? 'until promoted' : `${pause} s`;
}

function release(r: PreviewRelease): string {
  return `${r.version} on ${r.slot} (release ${r.release_id})`;
}
