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
  const rows = [
    ['STEP', 'WHAT', 'CANDIDATE', 'STABLE', 'WAIT', 'ELAPSED', 'AWS ADDS', 'ON AWS'],
    ...doc.timeline.map((step) => [
      String(step.number),
      step.label,
      `${step.weights.candidate} %`,
      `${step.weights.stable} %`,
      formatClock(step.wait_s),
      formatClock(step.end_s),
      step.aws_estimate_s > 0 ? `~${formatClock(step.aws_estimate_s)}` : '',
      `~${formatClock(step.estimated_end_s)}`,
    ]),
  ];
  lines.push(...alignColumns(rows).map((line) => `  ${line}`));
  lines.push(
    '  (estimated: Route 53 takes about 60 s to propagate each weight change, which every update waits for; the old release drains for its deregistration delay before it is removed)',
  );
  return lines;
}

function release(r: PreviewRelease): string {
  return `${r.version} on ${r.slot} (release ${r.release_id})`;
}
