/**
 * Where stack state lives and how its secrets are sealed. The default is a local
 * file backend under `~/.ecs-crd/state`: no login, no account. Teams choose S3 or Pulumi
 * Cloud with `--backend-url` / `PULUMI_BACKEND_URL`.
 */
import { randomBytes } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  linkSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { makePrivateDirs } from '../private-dirs.js';
import { askedSecretsProvider, isKeyService } from './secrets-provider.js';

/** The folder ecs-crd keeps its own files in; `ECS_CRD_HOME` moves it (tests, CI caches). */
export function ecsCrdHome(env: NodeJS.ProcessEnv = process.env): string {
  // Set but empty is unset, as for every other variable: not the current folder.
  return resolve(env.ECS_CRD_HOME || join(homedir(), '.ecs-crd'));
}

/**
 * Creates a private folder (0700), tightening it when it already exists with wider rights.
 * One the system refuses (a path under /proc, a read-only disk) is the user's input (exit 2).
 */
export function ensurePrivateDir(dir: string): string {
  try {
    makePrivateDirs(dir);
    if ((statSync(dir).mode & 0o077) !== 0) chmodSync(dir, 0o700);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new UsageError(`The folder ${dir} cannot be created (${code}). Nothing was changed.`, {
      cause,
      hint: 'Point ECS_CRD_HOME, or a file:// --backend-url, at a folder this user can write.',
    });
  }
  return dir;
}

export interface Backend {
  url: string;
  /** True for the embedded `file://~/.ecs-crd/state` default. */
  isDefault: boolean;
  /**
   * The secrets provider asked for (`--secrets-provider`, `PULUMI_SECRETS_PROVIDER`): given to
   * the engine when it creates the stack, checked against what an existing stack records.
   * undefined: none asked (the engine's default; an existing stack keeps its own).
   */
  secretsProvider?: string | undefined;
  /** Environment for the engine: the backend URL and how to find the passphrase (never the passphrase itself). */
  env: Record<string, string>;
}

/**
 * Picks the backend (flag, then `PULUMI_BACKEND_URL`, then the default) and how its secrets are
 * sealed. With a key service (`awskms://…`) no passphrase is asked for, created or handed to
 * the engine. Otherwise the passphrase: `PULUMI_CONFIG_PASSPHRASE(_FILE)` when set; for the
 * default backend only, a random passphrase created once in `~/.ecs-crd/passphrase` (0600) and
 * handed to the engine as a file, so it never appears in an environment dump or a log.
 */
export function resolveBackend(
  flagUrl: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  secretsFlag?: string,
): Backend {
  const home = ecsCrdHome(env);
  const secretsProvider = askedSecretsProvider(secretsFlag, env);
  const chosen = flagUrl ?? env.PULUMI_BACKEND_URL;
  const isDefault = chosen === undefined || chosen === '';
  let url: string;
  if (isDefault) {
    url = `file://${ensurePrivateDir(join(ensurePrivateDir(home), 'state'))}`;
  } else {
    url = normaliseFileUrl(checkBackendUrl(chosen));
    if (url.startsWith('file://')) ensurePrivateDir(url.slice('file://'.length));
  }
  const out: Record<string, string> = { PULUMI_BACKEND_URL: url };
  const backend = { url, isDefault, ...(secretsProvider ? { secretsProvider } : {}), env: out };
  // A passphrase the user's environment may still hold is left alone: the engine never reads
  // it for a stack sealed by a key service (it takes the stack's own provider).
  if (isKeyService(secretsProvider)) return backend;
  if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return backend;
  if (env.PULUMI_CONFIG_PASSPHRASE_FILE !== undefined) {
    checkPassphraseFile(env.PULUMI_CONFIG_PASSPHRASE_FILE);
    return backend;
  }
  // Pulumi Cloud seals with its own keys unless a passphrase is asked for.
  const isCloud = /^https?:\/\//.test(url);
  if (isDefault) {
    out.PULUMI_CONFIG_PASSPHRASE_FILE = defaultPassphraseFile(home);
  } else if (!isCloud || secretsProvider === 'passphrase') {
    throw new UsageError(`The state backend ${url} needs a secrets passphrase.`, {
      hint: 'Set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (the same value every run and for every teammate), or seal the secrets with a key instead: --secrets-provider awskms://alias/NAME (or PULUMI_SECRETS_PROVIDER).',
    });
  }
  return backend;
}

/**
 * Where ecs-crd keeps `name` (leases, reports) beside a backend's state, for messages:
 * `s3://bucket/prefix/.ecs-crd/leases` (the URL's query, a region say, left out).
 */
export function besideState(backendUrl: string, name: string): string {
  return `${backendUrl.replace(/[?#].*$/, '').replace(/\/+$/, '')}/.ecs-crd/${name}`;
}

/**
 * A passphrase file the engine could not read fails its first call with "The Pulumi engine
 * failed" (exit 1): refused here instead, before anything is opened, its content never shown.
 */
function checkPassphraseFile(file: string): void {
  try {
    // Not read: a pipe (`<(pass show …)`) would be drained before the engine reads it.
    if (statSync(file).isDirectory()) throw Object.assign(new Error(file), { code: 'EISDIR' });
    accessSync(file, constants.R_OK);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new UsageError(`PULUMI_CONFIG_PASSPHRASE_FILE names ${file}, which cannot be read (${code}).`, {
      cause,
      hint: 'Point it at the file that holds the passphrase of this backend, or set PULUMI_CONFIG_PASSPHRASE.',
    });
  }
}

/** The schemes of the engine's state backends: its file store (gocloud), Pulumi Cloud, Postgres. */
const BACKEND_SCHEMES = ['file', 's3', 'gs', 'azblob', 'https', 'http', 'postgres'];

/**
 * Refuses (exit 2) a URL the engine has no backend for, or a `file://` naming no folder (it
 * would have meant the current folder), before anything is opened; gives the scheme in lower case.
 */
function checkBackendUrl(url: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme === undefined || !BACKEND_SCHEMES.includes(scheme)) {
    throw new UsageError(`${url} is not a state backend URL.`, {
      hint: 'Use file:///path/to/folder (or file://~/folder), s3://bucket/prefix, gs://bucket, azblob://container, https://api.pulumi.com, or postgres://…, in --backend-url or PULUMI_BACKEND_URL.',
    });
  }
  if (scheme === 'file' && url.slice('file://'.length).trim() === '') {
    throw new UsageError(`${url} names no folder.`, {
      hint: 'Give the folder of the state: file:///path/to/folder, or file://~/folder.',
    });
  }
  // The engine reads the scheme in any case, but looks for `file://` in lower case alone.
  return `${scheme}${url.slice(scheme.length)}`;
}

/** `file://~/x` and relative `file://x` become absolute: the engine resolves them against its own cwd. */
function normaliseFileUrl(url: string): string {
  if (!url.startsWith('file://')) return url;
  const path = url.slice('file://'.length);
  if (path.startsWith('~/')) return `file://${join(homedir(), path.slice(2))}`;
  return `file://${resolve(path)}`;
}

function defaultPassphraseFile(home: string): string {
  const file = join(home, 'passphrase');
  if (!existsSync(file)) {
    createWhole(file, randomBytes(32).toString('base64url'));
  } else if ((statSync(file).mode & 0o077) !== 0) {
    chmodSync(file, 0o600);
  }
  if (readFileSync(file, 'utf8').trim() === '') {
    throw new UsageError(`The passphrase file ${file} is empty.`, {
      hint: 'Restore it from your backup; without it the secrets in the stack state cannot be decrypted.',
    });
  }
  return file;
}

/**
 * Creates `file` with `content` unless it exists, so that no reader ever sees it empty: two first
 * runs at once (CI jobs sharing a HOME) must agree on one passphrase, and neither may read the
 * other's file between its creation and its write. The content goes to a file of this process's
 * own, then `link` creates the name with it whole, or fails when another run got there first.
 */
function createWhole(file: string, content: string): void {
  const own = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(own, content, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(own, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(own, { force: true });
  }
}
