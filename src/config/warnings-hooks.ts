/**
 * What valid `canary.hooks` may say but probably should not (see `warnings.ts`): a webhook in
 * clear over the network, and a credential written in the file, which is usually in git.
 */
import type { PathProblem } from './problems.js';
import { field, isRecord } from './templates.js';
import type { KeyPath } from './yaml-source.js';

/** Header names that carry a credential: `Authorization`, `X-Api-Key`, `X-Auth-Token`, `X-Hub-Secret`… */
const CREDENTIAL_HEADER = /^(proxy-)?authorization$|token|secret|key|password/i;
/** A value the pipeline fills in: not written in the file. */
const FROM_PIPELINE = /\{\{\s*(env|var)\./;
/** Query parameters that carry a credential (`?token=…`, `?api_key=…`, `?sig=…`). */
const CREDENTIAL_PARAM = /token|secret|key|password|sig/i;
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const IN_GIT = 'the deployment file is usually in git: use {{env.NAME}}, set in the CI job';

/**
 * Every warning of `canary.hooks`. `written` is the file as written (a credential from
 * `{{env.…}}` is fine there), `rendered` with its templates rendered (an http:// URL may come
 * from the environment); either may be invalid anywhere.
 */
export function hookWarnings(written: unknown, rendered: unknown): PathProblem[] {
  const renderedHooks = new Map(webhooks(rendered).map(({ path, hook }) => [path.join('\u0000'), hook]));
  return webhooks(written).flatMap(({ path, hook }) => [
    ...urlWarnings(path, field(hook, 'webhook'), field(renderedHooks.get(path.join('\u0000')), 'webhook')),
    ...headerWarnings(path, field(hook, 'headers')),
  ]);
}

/** Every hook with a `webhook` key, at its path (a point holds one hook or a list of them). */
function webhooks(data: unknown): { path: KeyPath; hook: Record<string, unknown> }[] {
  const hooks = field(field(data, 'canary'), 'hooks');
  if (!isRecord(hooks)) return [];
  return Object.entries(hooks).flatMap(([point, value]) => {
    const at: KeyPath = ['canary', 'hooks', point];
    const listed: [KeyPath, unknown][] = Array.isArray(value)
      ? value.map((hook, i) => [[...at, i], hook])
      : [[at, value]];
    return listed.flatMap(([path, hook]) =>
      isRecord(hook) && hook.webhook !== undefined ? [{ path, hook }] : [],
    );
  });
}

function urlWarnings(path: KeyPath, written: unknown, rendered: unknown): PathProblem[] {
  if (typeof rendered !== 'string') return [];
  let url: URL;
  try {
    url = new URL(rendered);
  } catch {
    return [];
  }
  const reasons: string[] = [];
  if (url.protocol === 'http:' && !LOCAL_HOSTS.has(url.hostname)) {
    reasons.push(
      `http:// sends the event and the headers in clear to ${url.hostname}: use https:// (plain http suits localhost only)`,
    );
  }
  const param = [...url.searchParams.keys()].find((name) => CREDENTIAL_PARAM.test(name));
  if (typeof written === 'string' && !FROM_PIPELINE.test(written) && param !== undefined) {
    reasons.push(
      `the URL holds a credential (?${param}=) written in the file, and ${IN_GIT} (webhook: "{{env.HOOK_URL}}")`,
    );
  }
  // One warning per key: `validate` shows one problem per place.
  return reasons.length === 0
    ? []
    : [{ path: [...path, 'webhook'], message: `warning: ${reasons.join('; ')}` }];
}

function headerWarnings(path: KeyPath, headers: unknown): PathProblem[] {
  if (!isRecord(headers)) return [];
  return Object.entries(headers).flatMap(([name, value]) =>
    CREDENTIAL_HEADER.test(name) &&
    typeof value === 'string' &&
    value.trim() !== '' &&
    !FROM_PIPELINE.test(value)
      ? [
          {
            path: [...path, 'headers', name],
            message: `warning: ${name} looks like a credential written in the file, and ${IN_GIT} (e.g. "Bearer {{env.HOOK_TOKEN}}")`,
          },
        ]
      : [],
  );
}
