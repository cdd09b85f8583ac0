/**
 * The lease store of a `file://` backend (`LeaseStore`, src/canary/ports/lease.ts): one file
 * per stack beside the state, `<state>/.ecs-crd/leases/<stack>.json` (0600, folder 0700).
 * Created exclusively (open 'wx'); replaced by a write to a temporary file renamed over it, and
 * removed, only while its content is still the version the caller read, checked under a lock
 * file (also 'wx') so that of two runs replacing one version exactly one succeeds. Its age is
 * its mtime against now.
 * The control channel's requests live in the same folder (./control.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseHolder, UNREADABLE_HOLDER } from '../canary/lease.js';
import type { LeaseStore, StoredLease } from '../canary/ports/lease.js';
import { makePrivateDirs } from '../private-dirs.js';
import { fileControlChannel } from './control.js';

/** The folder of leases for a backend URL; undefined for backends without one. */
export function leaseDir(backendUrl: string): string | undefined {
  return backendUrl.startsWith('file://')
    ? join(backendUrl.slice('file://'.length), '.ecs-crd', 'leases')
    : undefined;
}

/** The lease store of the folder `dir` (see `leaseDir`). */
export function fileLeaseStore(dir: string): LeaseStore {
  const fileOf = (stack: string) => join(dir, `${stack}.json`);
  return {
    location: dir,
    checksPids: true,
    read: (stack) => readStored(fileOf(stack)),
    async create(stack, holder) {
      makePrivateDirs(dir);
      const text = JSON.stringify(holder);
      try {
        await writeFile(fileOf(stack), text, { mode: 0o600, flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
        throw err;
      }
      return digest(text);
    },
    replace: (stack, holder, version) =>
      underLock(fileOf(stack), async (file) => {
        const current = await readText(file);
        if (current === undefined || digest(current) !== version) return undefined;
        const text = JSON.stringify(holder);
        // A rename is atomic: a reader sees the old holder or the new one, never half of one.
        const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        try {
          await writeFile(temporary, text, { mode: 0o600, flag: 'wx' });
          await rename(temporary, file);
        } catch (err) {
          await rm(temporary, { force: true });
          throw err;
        }
        return digest(text);
      }),
    remove: (stack, version) =>
      underLock(fileOf(stack), async (file) => {
        const text = await readText(file);
        if (text === undefined || digest(text) !== version) return false;
        await rm(file, { force: true });
        return true;
      }),
    control: (stack) => fileControlChannel(dir, stack),
  };
}

/** A lock file older than this was left by a run killed between its check and its write. */
const STALE_LOCK_MS = 10_000;
const LOCK_RETRY_MS = 5;

/**
 * Runs `work` holding `<file>.lock` (created 'wx'): a check of the version and the write that
 * follows it are one step for every writer of this folder, on this machine or another.
 */
async function underLock<T>(file: string, work: (file: string) => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { mode: 0o600, flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const since = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (since > STALE_LOCK_MS) await rm(lock, { force: true });
    else await new Promise((resolve) => setTimeout(resolve, LOCK_RETRY_MS));
  }
  try {
    return await work(file);
  } finally {
    await rm(lock, { force: true });
  }
}

async function readStored(file: string): Promise<StoredLease | undefined> {
  let text: string;
  let mtimeMs: number;
  try {
    [text, { mtimeMs }] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
  } catch {
    return undefined;
  }
  // A file being written this instant reads empty: it is held, by a run about to say who; a
  // damaged one expires like any other.
  const holder = parseHolder(text) ?? UNREADABLE_HOLDER;
  return { holder, version: digest(text), ageMs: Math.max(0, Date.now() - mtimeMs) };
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** The lease's content as its version: a renewal changes it (its `renewed` time). */
function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
