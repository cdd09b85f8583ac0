/**
 * How a stack's secrets are sealed: `passphrase` (the engine's default on a file or S3 backend)
 * or a key service named by a Pulumi secrets-provider URL (`awskms://alias/team?region=…`).
 * Chosen with `--secrets-provider` / `PULUMI_SECRETS_PROVIDER` when a stack is created; the
 * stack's state records it from then on.
 */
import { UsageError } from '../errors.js';

/** The key services the engine can seal secrets with (gocloud.dev secrets URL schemes). */
const KEY_SERVICE_URL = /^(awskms|gcpkms|azurekeyvault|hashivault):\/\/[^\s]+$/;

const ACCEPTED =
  'Use `passphrase`, or the URL of a key: awskms://alias/NAME?region=REGION (or awskms://KEY-ID), gcpkms://projects/…/cryptoKeys/NAME, azurekeyvault://VAULT.vault.azure.net/keys/NAME, hashivault://NAME.';

/**
 * The provider asked for (flag, then `PULUMI_SECRETS_PROVIDER`): `passphrase`, a key URL, or
 * undefined when none was asked (the engine's default: passphrase; Pulumi Cloud's own keys there).
 */
export function askedSecretsProvider(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  const fromEnv = flag === undefined;
  const value = (flag ?? env.PULUMI_SECRETS_PROVIDER)?.trim();
  if (value === undefined || (fromEnv && value === '')) return undefined;
  if (value === 'passphrase' || KEY_SERVICE_URL.test(value)) return value;
  const source = fromEnv ? 'PULUMI_SECRETS_PROVIDER' : '--secrets-provider';
  throw new UsageError(`${source} "${value}" is not a secrets provider ecs-crd knows.`, { hint: ACCEPTED });
}

/** True for a key service URL: the engine seals with it, no passphrase is involved. */
export function isKeyService(provider: string | undefined): provider is string {
  return provider !== undefined && provider !== 'passphrase';
}

interface RecordedProviders {
  type?: unknown;
  state?: { url?: unknown } | undefined;
}

/**
 * The provider a stack's state records (its `secrets_providers`), as the user would name it:
 * `passphrase`, the key URL, `service` (Pulumi Cloud's own), or undefined when the stack has
 * never been updated (the engine writes it with the first checkpoint).
 */
export function recordedSecretsProvider(deployment: unknown): string | undefined {
  const providers = (deployment as { secrets_providers?: RecordedProviders } | undefined)?.secrets_providers;
  if (providers?.type === 'cloud') {
    return typeof providers.state?.url === 'string' ? providers.state.url : undefined;
  }
  return typeof providers?.type === 'string' ? providers.type : undefined;
}

/**
 * Refuses a stack sealed by another provider than the one asked (exit 2, before any change).
 * Not a warning: the engine would go on with the state's provider, so a team that moved to KMS
 * would keep sealing this stack with a passphrase (or another key, with its own access policy)
 * while believing otherwise; and a passphrase stack opened "with KMS" would fail later for a
 * passphrase nobody was asked for. Asking nothing accepts what the state records.
 */
export function checkSecretsProvider(
  stack: string,
  asked: string | undefined,
  recorded: string | undefined,
): void {
  if (asked === undefined || recorded === undefined || asked === recorded) return;
  const how =
    recorded === 'service'
      ? 'Omit --secrets-provider and PULUMI_SECRETS_PROVIDER'
      : `Pass --secrets-provider ${recorded} (or set PULUMI_SECRETS_PROVIDER to it)`;
  throw new UsageError(
    `The stack ${stack} seals its secrets with ${describe(recorded)}, not with ${describe(asked)} as asked.`,
    {
      hint: `${how}: a stack keeps the secrets provider it was created with. To move it to another, run \`pulumi stack change-secrets-provider\` on it first.`,
    },
  );
}

function describe(provider: string): string {
  if (provider === 'passphrase') return 'a passphrase';
  if (provider === 'service') return 'Pulumi Cloud’s own keys';
  return provider;
}
