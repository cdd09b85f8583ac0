/**
 * The human renderings of `status` and `history`: a few aligned lines from the same documents
 * `--json` prints, so the two never disagree. Pure.
 */
import { FINISH_UNDEPLOY } from '../canary/phase.js';
import { describeHolder, type Liveness } from '../canary/ports/lease.js';
import type { DeploymentOutcome, StatusPhase } from '../canary/status.js';
import { alignColumns } from './columns.js';
import type { DeploymentDocument, PausedDocument, StatusDocument } from './documents.js';
import { formatDuration } from './format.js';

const PHASE_TEXT: Record<StatusPhase, string> = {
  none: 'not deployed',
  stable: 'stable',
  deploying: 'deploying',
  paused: 'paused: `ecs-crd promote` goes on, `ecs-crd rollback` aborts',
  interrupted: 'interrupted: the last deployment stopped before it finished',
  rolled_back: 'rolled back: the last deployment was undone, the stable release serves',
};

const OUTCOME_TEXT: Record<DeploymentOutcome, string> = {
  deployed: 'deployed',
  paused: 'paused',
  rolled_back: 'rolled back',
  rollback_failed: 'rollback failed',
  interrupted: 'interrupted',
  in_progress: 'in progress',
};

const LIVENESS_TEXT: Record<Liveness, string> = {
  alive: 'running',
  dead: 'no longer running',
  expired: 'its lease expired: not renewed in time, the run is gone',
};

/** `status` for a person: the service, then one labelled line per fact. */
export function statusLines(doc: StatusDocument): string[] {
  const title = `${doc.project}/${doc.service} in ${doc.environment} (${doc.region}), stack ${doc.stack}`;
  const undeploying = doc.phase === 'interrupted' && doc.lease?.command === 'undeploy';
  const rows: string[][] = [
    ['phase', undeploying ? 'interrupted: an undeploy stopped before it finished' : PHASE_TEXT[doc.phase]],
  ];
  if (doc.live) {
    rows.push([
      'live',
      `${doc.live.version ?? 'unknown version'} on ${doc.live.slot} (release ${doc.live.release_id})`,
    ]);
  }
  if (doc.paused) rows.push(...pausedRows(doc.paused));
  Object.entries(doc.weights).forEach(([fqdn, weights], index) => {
    const split = Object.entries(weights)
      .map(([release, percent]) => `${release} ${percent} %`)
      .join(', ');
    rows.push([index === 0 ? 'weights' : '', `${fqdn}: ${split}`]);
  });
  if (doc.last_deployment) rows.push(['last', describeDeployment(doc.last_deployment)]);
  if (doc.lease)
    rows.push(['held by', `${describeHolder(doc.lease)} (${LIVENESS_TEXT[doc.lease.liveness]})`]);
  const lines = [title, ...alignColumns(rows).map((line) => `  ${line}`)];
  if (undeploying) {
    lines.push(FINISH_UNDEPLOY);
  } else if (doc.phase === 'interrupted' || doc.last_deployment?.outcome === 'rollback_failed') {
    lines.push('Run `ecs-crd rollback` with the same flags to restore the stable release.');
  }
  return lines;
}

/** Where the pause stands: the candidate, its weight, since and until when, its health now. */
function pausedRows(paused: PausedDocument): string[][] {
  const rows = [
    [
      'candidate',
      `${paused.version ?? 'unknown version'} at ${paused.weight} % (shift step ${paused.step}, deployment ${paused.deployment_id})`,
    ],
    ['since', shortTime(paused.since)],
    ['until', paused.until === null ? 'promoted' : shortTime(paused.until)],
  ];
  if (paused.health !== null) rows.push(['health', paused.health]);
  return rows;
}

/** `history` for a person: a table, newest first. */
export function historyLines(records: readonly DeploymentDocument[]): string[] {
  if (records.length === 0) return ['No deployment recorded in the stack history.'];
  return alignColumns([
    ['VERSION', 'OUTCOME', 'STARTED', 'DURATION', 'SLOT', 'REASON'],
    ...records.map((r) => [
      r.version ?? '?',
      OUTCOME_TEXT[r.outcome],
      shortTime(r.started_at),
      formatDuration(r.duration_s),
      r.slot ?? '',
      r.reason ?? '',
    ]),
  ]);
}

function describeDeployment(r: DeploymentDocument): string {
  const where = r.slot ? ` to ${r.slot}` : '';
  const duration = formatDuration(r.duration_s);
  const took = r.outcome === 'in_progress' ? `running for ${duration}` : `took ${duration}`;
  const why = r.reason ? `: ${r.reason}` : '';
  return `${r.version ?? 'unknown version'}${where} ${OUTCOME_TEXT[r.outcome]}, started ${shortTime(r.started_at)}, ${took}${why}`;
}

/** ISO-8601 to the second: the milliseconds are noise here. */
function shortTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}
