/**
 * The resolved config as it may be shown (`validate --json`, logs): a webhook's header values
 * may be tokens from `{{env.…}}`, and are never shown, as they are never recorded.
 */
import type { DeploymentConfig, HookSpec } from './types.js';

/** What a hidden value shows instead. */
export const HIDDEN = '(hidden)';

/** `config` with every webhook header value replaced by `HIDDEN` (names kept: they say what is sent). */
export function withHookHeadersHidden(config: DeploymentConfig): DeploymentConfig {
  const hooks = config.canary.hooks;
  if (hooks === undefined) return config;
  const hide = (spec: HookSpec): HookSpec =>
    spec.kind === 'webhook'
      ? { ...spec, headers: Object.fromEntries(Object.keys(spec.headers).map((name) => [name, HIDDEN])) }
      : spec;
  const hidden = Object.fromEntries(Object.entries(hooks).map(([point, list]) => [point, list.map(hide)]));
  return { ...config, canary: { ...config.canary, hooks: hidden } };
}
