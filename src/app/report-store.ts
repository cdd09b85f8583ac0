/**
 * Where deployment reports go: the page `--report FILE.html` names (checked before the
 * deployment starts, written 0600 at its end), and the data of every deployment, kept as JSON
 * under `$ECS_CRD_HOME/reports/<stack>/<deploymentId>.json` (0600 in 0700 folders, the 20
 * newest per stack) so that `history --report` can render a past run on this machine; on an S3
 * backend also beside the state (`ReportShelf`), so that any machine of the team can.
 */

import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { AwsClientOptions } from '../aws/clients.js';
import { UsageError } from '../errors.js';
import { makePrivateDirs } from '../private-dirs.js';
import { besideState, ecsCrdHome, ensurePrivateDir } from '../stack/backend.js';
import type { ReportData } from '../ui/report-data.js';

/** How many deployments' data is kept per stack. */
export const KEPT_PER_STACK = 20;

/** The format of a kept file; a future change of `ReportData` bumps it. */
const FORMAT = 'ecs-crd-report/1';

/** A deployment id as ecs-crd makes them (a UUID): nothing that could climb out of the folder. */
const DEPLOYMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/**
 * The absolute path `--report` will write, refused now (exit 2) when it cannot be: empty, a
 * folder, a device or anything but a regular file, under a file, or where this user cannot
 * create a file (the page is written beside it, then renamed over it: so a file is made and
 * removed there now, which catches read-only and pseudo file systems that `access` lets
 * through). Missing folders are created at the end.
 */
export function checkReportPath(file: string): string {
  const hint = { hint: 'Pass the path of a file to write, e.g. --report deploy-report.html.' };
  if (file.trim() === '') throw new UsageError('--report needs the path of a file to write', hint);
  const path = resolve(file);
  const existing = statOf(path);
  if (existing?.isDirectory()) throw new UsageError(`--report ${file}: is a folder, not a file`, hint);
  if (existing && !existing.isFile())
    throw new UsageError(`--report ${file}: is not a regular file (a device, a pipe or a socket)`, hint);
  let dir = dirname(path);
  while (statOf(dir) === null && dirname(dir) !== dir) dir = dirname(dir);
  if (!statOf(dir)?.isDirectory()) throw new UsageError(`--report ${file}: ${dir} is not a folder`, hint);
  const probe = join(dir, `.ecs-crd-report-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    if (existing) accessSync(path, constants.W_OK);
    writeFileSync(probe, '', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`--report ${file}: ${existing ? path : dir} is not writable (${code})`, hint);
  } finally {
    rmSync(probe, { force: true });
  }
  return path;
}

function statOf(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/** The report data a backend keeps for every machine of the team (S3: beside the state). */
export interface ReportShelf {
  readonly location: string;
  keep(stack: string, deploymentId: string, text: string): Promise<void>;
  /** That deployment's data, else the newest of the stack; null when none is kept. */
  read(stack: string, deploymentId?: string): Promise<string | null>;
}

/** The shelf of an `s3://` backend (the S3 SDK loaded on first use); undefined for every other backend. */
export function reportShelfFor(backendUrl: string, aws: AwsClientOptions): ReportShelf | undefined {
  if (!backendUrl.startsWith('s3://')) return undefined;
  const shelf = import('../aws/report-shelf-s3.js').then(({ s3ReportShelf }) =>
    s3ReportShelf(backendUrl, aws, KEPT_PER_STACK),
  );
  // Never rejected unobserved: a bad URL fails where the shelf is used.
  shelf.catch(() => {});
  return {
    location: besideState(backendUrl, 'reports'),
    keep: async (stack, id, text) => (await shelf).keep(stack, id, text),
    read: async (stack, id) => (await shelf).read(stack, id),
  };
}

/** The text a deployment's data is kept as, here and on a shelf. */
export function keptText(data: ReportData): string {
  return JSON.stringify({ format: FORMAT, ...data });
}

/**
 * A deployment's data from the backend's shelf (that id, else the newest); null when the shelf
 * keeps none or holds what this ecs-crd cannot read (the machine's own copy is read then).
 */
export async function readShelvedReport(
  shelf: ReportShelf,
  stack: string,
  deploymentId?: string,
): Promise<ReportData | null> {
  if (deploymentId !== undefined && !DEPLOYMENT_ID.test(deploymentId)) return null;
  const text = await shelf.read(stack, deploymentId);
  const parsed = text === null ? null : parseKept(text);
  if (parsed?.format !== FORMAT) return null;
  const { format: _format, ...data } = parsed;
  return data;
}

/** Writes `content` to `path` as a private file (0600), its missing folders 0700, atomically. */
export function writePrivateFile(path: string, content: string): void {
  makePrivateDirs(dirname(path));
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, path);
}

/** The folder of a stack's kept reports. */
export function reportsDir(stack: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(ecsCrdHome(env), 'reports', stack);
}

/** Keeps one deployment's data, then drops the oldest beyond `KEPT_PER_STACK`. Returns the file. */
export function keepReport(
  data: ReportData,
  deploymentId: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  if (!DEPLOYMENT_ID.test(deploymentId)) throw new Error(`not a deployment id: ${deploymentId}`);
  const home = ensurePrivateDir(ecsCrdHome(env));
  ensurePrivateDir(join(home, 'reports'));
  const dir = ensurePrivateDir(reportsDir(data.stack, env));
  const file = join(dir, `${deploymentId}.json`);
  writePrivateFile(file, keptText(data));
  for (const old of keptFiles(dir).slice(KEPT_PER_STACK)) rmSync(join(dir, old), { force: true });
  return file;
}

/** The kept files of a stack's folder, newest first (by when they were written). */
function keptFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
  const time = (name: string) => statOf(join(dir, name))?.mtimeMs ?? 0;
  return names
    .map((name) => ({ name, time: time(name) }))
    .sort((a, b) => b.time - a.time || b.name.localeCompare(a.name))
    .map((entry) => entry.name);
}

/**
 * A stack's kept deployment: that id, else the newest. A clear error (exit 2) when none is kept
 * here: the data lives on the machine that ran the deploy.
 */
export function readKeptReport(
  stack: string,
  deploymentId?: string,
  env: NodeJS.ProcessEnv = process.env,
): ReportData {
  const dir = reportsDir(stack, env);
  const where = {
    hint: `Report data is kept in ${dir} on the machine that ran the deploy; run history --report there.`,
  };
  if (deploymentId !== undefined && !DEPLOYMENT_ID.test(deploymentId)) {
    throw new UsageError(`--deployment ${deploymentId}: not a deployment id`, {
      hint: 'A deployment id is the `deployment_id` of `deploy --json` (a UUID); `history --json` lists them.',
    });
  }
  const name = deploymentId === undefined ? keptFiles(dir)[0] : `${deploymentId}.json`;
  const text = name === undefined ? null : readText(join(dir, name));
  if (text === null) {
    const what =
      deploymentId === undefined ? `any deployment of ${stack}` : `deployment ${deploymentId} of ${stack}`;
    throw new UsageError(`No report data of ${what} is kept on this machine.`, where);
  }
  const parsed = parseKept(text);
  if (parsed?.format !== FORMAT) {
    throw new UsageError(`${join(dir, name ?? '')}: not report data this ecs-crd can read`, where);
  }
  const { format: _format, ...data } = parsed;
  return data;
}

function parseKept(text: string): ({ format?: unknown } & ReportData) | null {
  try {
    return JSON.parse(text) as { format?: unknown } & ReportData;
  } catch {
    return null;
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
