/**
 * From a command's parsed flags to the options of `openService`: the one mapping every
 * command that opens a service's stack shares, so flag names live in one place.
 */
import type { EnvironmentName } from '../config/types.js';
import { parseVars } from '../config/vars.js';
import { EcsCrdError } from '../errors.js';
import type { ServiceOptions } from './service.js';

/** The parsed flags of `deploymentFileFlags`, `awsFlags` and `backendFlags` (the last two optional). */
export interface ServiceFlags {
  environment: EnvironmentName;
  'configuration-file'?: string | undefined;
  'configuration-dir'?: string | undefined;
  /** `--var NAME=VALUE`, as given. */
  var?: string[] | undefined;
  profile?: string | undefined;
  'endpoint-url'?: string | undefined;
  'backend-url'?: string | undefined;
  'secrets-provider'?: string | undefined;
}

/**
 * `openService`'s options. `region` may be missing: `openService` requires it only after the
 * deployment file was checked, so a file's problems are reported first, whatever the shell.
 */
export function serviceOptions(
  flags: ServiceFlags,
  region: string | undefined,
  pulumiVersion: string,
): ServiceOptions {
  return {
    environment: flags.environment,
    region,
    file: flags['configuration-file'],
    dir: flags['configuration-dir'],
    vars: varsOf(flags.var),
    profile: flags.profile,
    endpointUrl: flags['endpoint-url'],
    backendUrl: flags['backend-url'],
    secretsProvider: flags['secrets-provider'],
    pulumiVersion,
  };
}

/** The `{{var.NAME}}` values of `--var NAME=VALUE` flags (a malformed one: `UsageError`, exit 2). */
export function varsOf(flags: readonly string[] | undefined): Record<string, string> {
  return parseVars(flags ?? []);
}

/** The Pulumi CLI version package.json pins (`config.pulumiVersion`). */
export function pinnedPulumiVersion(pjson: Readonly<Record<string, unknown>>): string {
  const { config } = pjson;
  const version =
    typeof config === 'object' && config !== null && 'pulumiVersion' in config
      ? config.pulumiVersion
      : undefined;
  if (typeof version !== 'string' || version === '') {
    throw new EcsCrdError('package.json pins no Pulumi version (config.pulumiVersion)', {
      hint: 'the installation of ecs-crd is broken: reinstall it',
    });
  }
  return version;
}
