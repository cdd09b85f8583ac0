/** The human renderings of `undeploy`'s and `rollback`'s results. Pure. */
import type { RollbackDocument, UndeployDocument } from './documents.js';

/** One line: what was destroyed, or that nothing was. */
export function undeployLines(doc: UndeployDocument): string[] {
  const service = `${doc.project}/${doc.service} in ${doc.environment} (${doc.region})`;
  if (!doc.destroyed) return [`Nothing destroyed: ${service} and stack ${doc.stack} are as they were.`];
  const count = doc.changes.delete ?? 0;
  return [
    `Destroyed ${count} resource${count === 1 ? '' : 's'} of ${service} and removed stack ${doc.stack}.`,
  ];
}

/** Whether anything was recovered and why, what was done, and who serves now. */
export function rollbackLines(doc: RollbackDocument): string[] {
  const lines = [doc.changed ? `Recovered: ${doc.reason}.` : `Nothing to do: ${doc.reason}.`];
  for (const action of doc.actions) lines.push(`  - ${action}`);
  if (doc.live) lines.push(`Live: ${doc.live.slot} (${doc.live.version ?? 'unknown version'}) at 100 %.`);
  return lines;
}
