/**
 * A last line of defence for the promise that no credential, secret or passphrase is ever
 * printed or logged. Events carry no secret by design, but the engine's own output and diagnostics are
 * free text from Pulumi and the AWS provider: every line the reporters write passes here.
 */

/** What a hidden value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Key names whose value is a secret, in the spellings of environment variables, JSON, YAML and
 * flags: `PULUMI_CONFIG_PASSPHRASE`, `aws_secret_access_key`, `"secretAccessKey"`,
 * `sessionToken`, `--password`…
 */
const SECRET_KEY = String.raw`[\w.-]*?(?:passphrase|password|passwd|secret[_-]?access[_-]?key|session[_-]?token|access[_-]?token|auth[_-]?token|api[_-]?key|private[_-]?key)[\w.-]*`;

/**
 * `KEY=value`, `KEY: value`, `"key": "value"`: group 1 is everything before the value. An
 * unquoted value runs to the end of the line, since neither an environment dump nor YAML quotes
 * a passphrase with spaces; hiding a little too much is the safe side.
 */
const ASSIGNMENT = new RegExp(
  String.raw`((["']?)\b${SECRET_KEY}\2\s*[:=][ \t]*)("[^"\n]*"|'[^'\n]*'|[^\s"'][^\n]*)`,
  'gi',
);

/** The password of a URL's user info: `s3://user:secret@host`. */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi;

/**
 * A bare AWS secret access key: exactly 40 base64 characters, mixing upper case, lower case and
 * a digit or `/`/`+`. Requiring the mix keeps hex digests (git SHA-1s, image digests) intact.
 */
const AWS_SECRET_KEY =
  /(?<![A-Za-z0-9/+=])(?=[A-Za-z0-9/+]*[A-Z])(?=[A-Za-z0-9/+]*[a-z])(?=[A-Za-z0-9/+]*[0-9/+])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

/** An AWS access key id (long-lived `AKIA…` or temporary `ASIA…`): half of a credential. */
const AWS_ACCESS_KEY_ID = /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g;

/** A Pulumi Cloud access token. */
const PULUMI_TOKEN = /\bpul-[0-9a-f]{40}\b/g;

/**
 * `line` with every value that looks like a secret replaced by `[redacted]`. Pure and
 * idempotent; ordinary deployment output (ARNs, URNs, digests, record names) passes unchanged.
 */
export function redact(line: string): string {
  return line
    .replace(ASSIGNMENT, (_match, key: string, _quote: string, value: string) => {
      const quote = value.startsWith('"') || value.startsWith("'") ? value.charAt(0) : '';
      return `${key}${quote}${REDACTED}${quote}`;
    })
    .replace(URL_PASSWORD, `$1${REDACTED}@`)
    .replace(AWS_SECRET_KEY, REDACTED)
    .replace(AWS_ACCESS_KEY_ID, REDACTED)
    .replace(PULUMI_TOKEN, REDACTED);
}
