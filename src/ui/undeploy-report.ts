/** The human rendering of `undeploy`'s result. Pure. */
import type { UndeployDocument } from '../app/undeploy.js';

/** One line: what was destroyed, or that nothing was. */
export function undeployLines(doc: UndeployDocument): string[] {
  const service = `${doc.project}/${doc.service} in ${doc.environment} (${doc.region})`;
  if (!doc.destroyed) return [`Nothing destroyed: ${service} and stack ${doc.stack} are as they were.`];
  const count = doc.changes.delete ?? 0;
  return [
    `Destroyed ${count} resource${count === 1 ? '' : 's'} of ${service} and removed stack ${doc.stack}.`,
  ];
}
