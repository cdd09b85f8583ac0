/**
 * The `HookRunner` of the hooks port (`src/canary/ports/hooks.ts`): command hooks as child
 * processes without a shell, webhooks with `fetch`. Loaded lazily by `deploy`, `promote` and
 * `rollback`, and only when the file has hooks.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { hookEnvironment } from '../canary/hooks.js';
import type { HookEvent, HookRunner, HookRunOptions } from '../canary/ports/hooks.js';
import type { HookSpec } from '../config/types.js';
import { runCommand } from './command.js';
import { postWebhook } from './webhook.js';

/**
 * What a command hook never inherits: the engine's passphrase and token, and the parts of an
 * AWS credential that make it usable. A hook that needs AWS uses a profile or a role.
 */
export const WITHHELD_VARIABLES: readonly string[] = [
  'PULUMI_CONFIG_PASSPHRASE',
  'PULUMI_CONFIG_PASSPHRASE_FILE',
  'PULUMI_ACCESS_TOKEN',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
];

export interface HookRunnerOptions {
  /** Where command hooks run: the deployment file's folder. */
  cwd: string;
  /** ecs-crd's version, for the webhooks' `user-agent: ecs-crd/<version>`. */
  version: string;
  /** The environment command hooks inherit (less `WITHHELD_VARIABLES`); `process.env` when absent. */
  env?: NodeJS.ProcessEnv;
  /** For tests: the HTTP client and the wait between webhook attempts. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export function createHookRunner(options: HookRunnerOptions): HookRunner {
  const userAgent = `ecs-crd/${options.version}`;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  return {
    run(spec: HookSpec, event: HookEvent, runOptions: HookRunOptions = {}) {
      switch (spec.kind) {
        case 'command':
          return runCommand(
            {
              argv: spec.command,
              cwd: options.cwd,
              env: commandEnvironment(options.env ?? process.env, event),
              timeoutS: spec.timeout,
            },
            runOptions,
          );
        case 'webhook':
          return postWebhook(
            {
              url: spec.url,
              headers: spec.headers,
              timeoutS: spec.timeout,
              retries: spec.retries,
              userAgent,
              fetch: options.fetch ?? globalThis.fetch,
              sleep,
            },
            event,
            runOptions,
          );
      }
    },
  };
}

/** The inherited environment less the secrets, plus the event as `ECS_CRD_*` variables. */
export function commandEnvironment(inherited: NodeJS.ProcessEnv, event: HookEvent): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...inherited };
  for (const name of WITHHELD_VARIABLES) delete env[name];
  return { ...env, ...hookEnvironment(event) };
}
