/**
 * The engine's work folder: one per run, private, gone when the process exits.
 *
 * A folder shared by the runs of one stack on one machine cannot be made safe: the engine
 * rewrites `Pulumi.yaml`, `Pulumi.<stack>.yaml` (`config set-all`, the secrets salt) and its
 * `~/.pulumi/workspaces/…-workspace.json` (`stack select`) in place, so a `status` or a
 * `promote` beside a `deploy --wait` could make the deploy's next step read a torn file
 * ("expected project to be an object, was '<nil>'") and roll back. Nothing in the folder is
 * worth keeping: the project settings are constants, the stack's config is set again by every
 * run, its secrets settings come from the state. So every run gets a fresh one, as the
 * Automation API itself does for an inline program given no work dir.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

const folders = new Set<{ dir: string; bookkeeping: string }>();
let removedAtExit = false;

/**
 * A new private (0700) folder for this run's engine calls on a stack of `project`, in `parent`
 * (default the system's temp folder, `TMPDIR`), removed at exit along with the engine's note of
 * the stack it selected there. `pulumiHome`: where the engine keeps its bookkeeping
 * (`PULUMI_HOME`, else `~/.pulumi`).
 */
export function runWorkspace(
  project: string,
  stack: string,
  where: { pulumiHome?: string | undefined; parent?: string } = {},
): string {
  const parent = where.parent ?? tmpdir();
  // Its real path: the engine names its note after the real path of the folder it runs in, so a
  // relative or symlinked TMPDIR would leave the note behind.
  const dir = realpathSync(makeFolder(parent, `${project}-${stack}-`));
  folders.add({ dir, bookkeeping: selectedStackNote(project, dir, where.pulumiHome) });
  if (!removedAtExit) {
    removedAtExit = true;
    // Synchronous on purpose: 'exit' runs after an interrupt's graceful end and after errors alike.
    process.once('exit', removeRunWorkspaces);
  }
  return dir;
}

function makeFolder(parent: string, name: string): string {
  try {
    return mkdtempSync(join(parent, name));
  } catch (cause) {
    throw unusable(parent, cause);
  }
}

/**
 * Refuses (exit 2) a temp folder that is missing or not writable, before the Pulumi SDK is
 * loaded: the SDK resolves it as it loads and would fail with a stack trace.
 */
export function checkTempFolder(parent: string = tmpdir()): void {
  try {
    accessSync(realpathSync(parent), constants.W_OK | constants.X_OK);
  } catch (cause) {
    throw unusable(parent, cause);
  }
}

function unusable(parent: string, cause: unknown): UsageError {
  const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
  // Before any engine call of the run: nothing has changed yet.
  return new UsageError(
    `The engine's work folder cannot be created in ${parent} (${code}). Nothing was changed.`,
    {
      cause,
      hint: 'Point TMPDIR at a writable folder with free space, then run the command again.',
    },
  );
}

/**
 * The file `pulumi stack select` writes for a work folder: `<PULUMI_HOME>/workspaces/<project>-
 * <sha1 of the folder's Pulumi.yaml path>-workspace.json` (pulumi sdk/go/common/workspace,
 * `projectWorkspace.settingsPath`). Without removing it, each run would leave one behind.
 */
export function selectedStackNote(project: string, dir: string, pulumiHome?: string): string {
  const digest = createHash('sha1').update(join(dir, 'Pulumi.yaml')).digest('hex');
  return join(pulumiHome ?? join(homedir(), '.pulumi'), 'workspaces', `${project}-${digest}-workspace.json`);
}

/** Removes every run folder made so far (also called by tests that outlive many runners). */
export function removeRunWorkspaces(): void {
  for (const folder of folders) {
    folders.delete(folder);
    try {
      rmSync(folder.dir, { recursive: true, force: true });
      rmSync(folder.bookkeeping, { force: true });
    } catch {
      // Best effort, at exit: what an engine process still held is left to the OS's temp cleaning.
    }
  }
}
