/**
 * The resolved config as it may be shown (`validate --json`, logs): a webhook's header values
 * may be tokens from `{{env.…}}`, and the path of a webhook URL is itself the credential of
 * many chat services (`https://hooks.slack.com/services/T…/B…/X…`): neither is ever shown, as
 * neither is ever recorded.
 */
import type { DeploymentConfig, HookSpec } from './types.js';

/** What a hidden value shows instead. */
export const HIDDEN = '(hidden)';

/**
 * `config` with every webhook header value replaced by `HIDDEN` (names kept: they say what is
 * sent) and every webhook URL cut to its origin (`https://hooks.example.com/(hidden)`).
 */
export function withHookHeadersHidden(config: DeploymentConfig): DeploymentConfig {
  const hooks = config.canary.hooks;
  if (hooks === undefined) return config;
  const hide = (spec: HookSpec): HookSpec =>
    spec.kind === 'webhook'
      ? {
          ...spec,
          url: originOnly(spec.url),
          headers: Object.fromEntries(Object.keys(spec.headers).map((name) => [name, HIDDEN])),
        }
      : spec;
  const hidden = Object.fromEntries(Object.entries(hooks).map(([point, list]) => [point, list.map(hide)]));
  return { ...config, canary: { ...config.canary, hooks: hidden } };
}

/** The URL's origin, and `/(hidden)` in place of any path or query. */
function originOnly(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname === '/' && parsed.search === '' ? parsed.origin : `${parsed.origin}/${HIDDEN}`;
  } catch {
    return HIDDEN;
  }
}
