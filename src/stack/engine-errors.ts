/**
 * The engine's failures as ecs-crd's errors: a locked stack, a wrong passphrase, a state
 * bucket or key the engine cannot reach, each with what to do; anything else keeps the
 * engine's own error lines. And the torn reads a checkpoint being rewritten gives.
 */
import { EcsCrdError, StackLockedError, UsageError } from '../errors.js';

type Automation = typeof import('@pulumi/pulumi/automation/index.js');

/** What the engine says when it read a checkpoint another process was writing. */
const TORN_CHECKPOINT = /failed to load checkpoint: (?:unexpected )?EOF/;

/**
 * Any engine call beside a running `deploy` on a file backend (another terminal's `status`,
 * `history`, `preview`, even opening the stack) may catch the checkpoint while that run's
 * engine rewrites it: the engine's file store (gocloud fileblob) renames the checkpoint into
 * place but rewrites its `.attrs` sidecar in place (create, then write), and every read of the
 * checkpoint, its existence check included, decodes that sidecar. An empty one fails with
 * `failed to load checkpoint: EOF`: a torn read, not a broken stack. It is read again, a few
 * times, before the error is the user's.
 */
export async function beyondTornReads<T>(
  read: () => Promise<T>,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  attempts = 5,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts || !TORN_CHECKPOINT.test(engineText(err))) throw err;
      await sleep(200 * attempt);
    }
  }
}

/** Whether the engine said the stack does not exist (the error as `engine()` translated it, or raw). */
export function stackRemoved(err: unknown): boolean {
  const raw = err instanceof EcsCrdError ? err.cause : err;
  return raw !== undefined && /no stack named '[^']*' found/.test(engineText(raw));
}

function engineText(err: unknown): string {
  const result = (err as { commandResult?: { stdout?: string; stderr?: string } }).commandResult;
  if (result) return `${result.stderr ?? ''}\n${result.stdout ?? ''}`;
  return err instanceof Error ? err.message : String(err);
}

/** What the engine was opening, to name it in an error. */
export interface EngineContext {
  backendUrl?: string | undefined;
  /** The secrets provider asked for, if any (see resolveBackend). */
  secretsProvider?: string | undefined;
}

/**
 * A locked stack is exit 5 and names the holder; a wrong or missing passphrase, a state bucket
 * or a key that does not exist are the user's input (exit 2); AWS credentials or permissions
 * the engine lacks say what to set; anything else keeps the engine's own error lines.
 */
export function translateEngineError(
  err: unknown,
  auto: Pick<Automation, 'ConcurrentUpdateError'>,
  context: EngineContext = {},
): EcsCrdError {
  if (err instanceof EcsCrdError) return err;
  // The command result's own text echoes the whole command line (the update message included):
  // read what the engine said on its streams instead.
  const said = engineText(err);
  if (
    err instanceof auto.ConcurrentUpdateError ||
    /currently locked by|conflict: Another update/.test(said)
  ) {
    const holders = said
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => /created by|locked by/i.test(l) && !/currently locked by/.test(l));
    return new StackLockedError(
      `The stack is locked by another deployment${holders.length ? `: ${holders.join('; ')}` : '.'}`,
      {
        cause: err,
        hint: 'Wait for it to finish. If that process is gone (killed, machine lost), run `ecs-crd rollback`: it removes the stale lock and restores the stable release.',
      },
    );
  }
  if (/incorrect passphrase/.test(said)) {
    return new UsageError('The secrets passphrase is not the one this stack was created with.', {
      cause: err,
      hint: 'Set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to the passphrase of this stack’s backend (on the default backend, ~/.ecs-crd/passphrase holds it), or pass --backend-url for the backend you meant.',
    });
  }
  if (/passphrase must be set/.test(said)) {
    // Asked for a key: the stack is older than that choice (it keeps its provider).
    const asked = context.secretsProvider;
    const key = asked !== undefined && asked !== 'passphrase';
    return new UsageError(
      key
        ? `This stack’s secrets are sealed with a passphrase, not with ${asked} as asked, and no passphrase is set.`
        : 'This stack’s secrets are sealed with a passphrase, and none is set.',
      {
        cause: err,
        hint: `Set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE to the passphrase the stack was created with${key ? ' and pass --secrets-provider passphrase (a stack keeps the provider it was created with; `pulumi stack change-secrets-provider` moves it)' : ' (--secrets-provider only chooses how a new stack is sealed)'}.`,
      },
    );
  }
  if (TORN_CHECKPOINT.test(said)) {
    // What beyondTornReads could not read past: a save that lasted, or a sidecar left empty.
    return new EcsCrdError(
      'The stack’s state could not be read: its checkpoint’s metadata file was empty at every try (failed to load checkpoint: EOF).',
      {
        cause: err,
        hint: 'Another run may be saving it: run the command again. If it fails again with no other run going on, the `<stack>.json.attrs` file beside the checkpoint (in the backend’s `.pulumi/stacks/ecs-crd/` folder) was left empty, by a full disk say: remove that file (it holds only metadata) and run again.',
      },
    );
  }
  const aws = awsFailure(said, err, context);
  if (aws) return aws;
  const full = diskFull(err, said);
  if (full) return full;
  const lines = engineErrorLines(said);
  return new EcsCrdError(`The Pulumi engine failed${lines.length ? `: ${lines.join('; ')}` : '.'}`, {
    cause: err,
  });
}

/**
 * A full disk, whether the SDK hit it writing the run's work folder (Node's `ENOSPC`) or the
 * engine writing the state, its backups or its plugins' files ("no space left on device").
 */
function diskFull(err: unknown, said: string): EcsCrdError | undefined {
  const node = (err as NodeJS.ErrnoException).code === 'ENOSPC';
  if (!node && !/no space left on device/i.test(said)) return undefined;
  const where = node ? (err as NodeJS.ErrnoException).path : engineErrorLines(said)[0];
  return new EcsCrdError(`The disk is full${where ? `: ${where}` : ''}.`, {
    cause: err,
    hint: 'Free space where ecs-crd and the engine write: the temp folder (TMPDIR, the engine’s work folder), the state backend’s folder and ~/.ecs-crd (ECS_CRD_HOME). Then `ecs-crd status` says whether a deployment was left unfinished (`ecs-crd rollback` recovers it).',
  });
}

/** The distinct `error:` lines the engine printed, without their prefixes, at most five. */
export function engineErrorLines(text: string): string[] {
  const found = new Set<string>();
  for (const raw of text.split('\n')) {
    const at = raw.indexOf('error: ');
    if (at < 0) continue;
    const line = raw.slice(at + 'error: '.length).trim();
    // "update failed" only repeats that the lines before it are errors.
    if (line !== '' && !/^update failed$/.test(line)) found.add(line);
  }
  return [...found].slice(0, 5);
}

const CREDENTIALS_HINT =
  'The engine reads the AWS credential chain as every AWS call does: --profile / AWS_PROFILE, AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN), or an SSO login (`aws sso login`).';

/**
 * The engine's own AWS calls (its S3 backend, its KMS secrets provider) as the user's problem
 * when they are: a bucket or key that does not exist, credentials missing or refused, access
 * denied, a bucket in another region. The AWS SDK for Go words them `operation error S3:
 * ListObjectsV2, https response error StatusCode: 404, RequestID: …, NoSuchBucket: The
 * specified bucket does not exist` (`api error AccessDenied: …` for the codes it does not model).
 */
function awsFailure(said: string, cause: unknown, context: EngineContext): EcsCrdError | undefined {
  if (
    /get credentials:|failed to retrieve credentials|no EC2 IMDS role found|NoCredentialProviders/.test(said)
  ) {
    return new EcsCrdError(
      'The Pulumi engine found no AWS credentials (for the state in S3, the KMS key or the AWS provider).',
      {
        cause,
        hint: CREDENTIALS_HINT,
      },
    );
  }
  const unreachable =
    /operation error (S3|KMS): (\w+),.*?((?:dial tcp|lookup) [^\n]*?(?:connection refused|no such host|i\/o timeout))/.exec(
      said,
    );
  if (unreachable) {
    const [, service, operation, how] = unreachable as unknown as [string, string, string, string];
    return new EcsCrdError(`The Pulumi engine could not reach AWS ${service} (${operation}): ${how}.`, {
      cause,
      hint: 'Check the network, --endpoint-url / AWS_ENDPOINT_URL and the region (the backend URL’s ?region=, else AWS_REGION, else the deploy region).',
    });
  }
  const found =
    /operation error (S3|KMS): (\w+), https response error StatusCode: \d+, RequestID: [^,]*, (?:HostID: [^,]*, )?(?:api error )?(\w+): ([^\n]*)/.exec(
      said,
    );
  if (!found) return undefined;
  const [, service, operation, code, message] = found as unknown as [string, string, string, string, string];
  const words = `${code}: ${message.trim()}`;
  if (code === 'NoSuchBucket') {
    const bucket = /^s3:\/\/([^/?]+)/.exec(context.backendUrl ?? '')?.[1];
    return new UsageError(
      `The state bucket${bucket ? ` ${bucket}` : ''} does not exist (S3 ${operation}: ${words}).`,
      {
        cause,
        hint: 'Create it first (`aws s3api create-bucket --bucket NAME`; versioning on keeps every past state), or correct --backend-url / PULUMI_BACKEND_URL. It is looked up with the same credentials, region and --endpoint-url / AWS_ENDPOINT_URL as every AWS call.',
      },
    );
  }
  if (
    service === 'S3' &&
    /^(PermanentRedirect|AuthorizationHeaderMalformed|IllegalLocationConstraintException)$/.test(code)
  ) {
    return new UsageError(
      `The state bucket is in another region than the engine asked (S3 ${operation}: ${words}).`,
      {
        cause,
        hint: 'Name the bucket’s region in the backend URL (s3://BUCKET/PREFIX?region=REGION) or in AWS_REGION; without either, the engine uses the deploy region.',
      },
    );
  }
  if (service === 'KMS' && code === 'NotFoundException') {
    return new UsageError(
      `The KMS key of the secrets provider does not exist (KMS ${operation}: ${words}).`,
      {
        cause,
        hint: 'Create the key and its alias in the account and region the URL names (`aws kms create-key`, then `aws kms create-alias --alias-name alias/NAME --target-key-id KEY-ID`; the region is the URL’s ?region=, else AWS_REGION, else the deploy region), or correct --secrets-provider / PULUMI_SECRETS_PROVIDER.',
      },
    );
  }
  if (
    /^(InvalidAccessKeyId|SignatureDoesNotMatch|ExpiredToken|ExpiredTokenException|InvalidClientTokenId|UnrecognizedClientException|InvalidSignatureException)$/.test(
      code,
    )
  ) {
    return new EcsCrdError(
      `AWS refused the credentials the Pulumi engine used (${service} ${operation}: ${words}).`,
      {
        cause,
        hint: CREDENTIALS_HINT,
      },
    );
  }
  if (/^AccessDenied(Exception)?$/.test(code)) {
    return new EcsCrdError(`AWS denied the Pulumi engine ${service} ${operation} (${words}).`, {
      cause,
      hint:
        service === 'S3'
          ? 'The identity needs s3:ListBucket on the state bucket and s3:GetObject, s3:PutObject, s3:DeleteObject on its objects (under the prefix of --backend-url).'
          : 'The identity needs kms:Encrypt and kms:Decrypt on the key of the secrets provider (in the key policy or an IAM policy).',
    });
  }
  return undefined;
}
