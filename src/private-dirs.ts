/**
 * `mkdir -p` for ecs-crd's own folders (its home, a file backend, kept reports, a log file's
 * folder), each folder it makes private (0700).
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Makes the missing folders of `dir`, one level at a time. Never Node's recursive mkdir: it
 * retries for ever where a folder cannot be made under one that exists (`/proc/x`: mkdir says
 * ENOENT, the parent exists, mkdir again), and a run given ECS_CRD_HOME=/proc/x hung at full
 * CPU. Throws the error of the level that failed (its `path` names it); an existing level that
 * is no folder is `ENOTDIR`. A level another run made meanwhile is as good.
 */
export function makePrivateDirs(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    const stats = statSync(at, { throwIfNoEntry: false });
    if (stats) {
      if (stats.isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), {
        code: 'ENOTDIR',
        path: at,
      });
    }
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing) {
    try {
      mkdirSync(level, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
}
