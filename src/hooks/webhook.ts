/**
 * A webhook hook: one POST of the JSON `HookEvent`, retried on what a retry can cure (a
 * timeout, a network error, 429, 5xx) 1 s, 2 s, 4 s… apart. Like a command hook it ends in a
 * `HookResult`, never an exception. The header values (a bearer token, typically) and the URL
 * (a Slack-style URL is itself a secret) are never part of a detail or an output line.
 */
import { performance } from 'node:perf_hooks';
import type { HookEvent, HookResult, HookRunOptions } from '../canary/ports/hooks.js';

export interface WebhookRun {
  url: string;
  headers: Record<string, string>;
  timeoutS: number;
  retries: number;
  userAgent: string;
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
}

/** One attempt's end: `retry` when another attempt may succeed. */
type Attempt = { ok: true; detail: string } | { ok: false; retry: boolean; detail: string };

/** The first wait between attempts; each next one doubles. */
const FIRST_BACKOFF_MS = 1000;

export async function postWebhook(
  run: WebhookRun,
  event: HookEvent,
  options: HookRunOptions = {},
): Promise<HookResult> {
  const started = performance.now();
  const result = (ok: boolean, detail: string): HookResult => ({
    ok,
    detail,
    durationMs: Math.round(performance.now() - started),
  });
  const refused = refusedUrl(run.url);
  if (refused) return result(false, refused);
  const headers = requestHeaders(run);
  if (typeof headers === 'string') return result(false, headers);
  const body = JSON.stringify(event);
  const attempts = 1 + Math.max(0, run.retries);
  let last: Attempt = { ok: false, retry: false, detail: 'not attempted' };
  for (let n = 1; n <= attempts; n++) {
    if (options.signal?.aborted) return result(false, 'aborted');
    last = await attempt(run, headers, body, options.signal);
    if (options.signal?.aborted) return result(false, 'aborted');
    if (last.ok) return result(true, n > 1 ? `${last.detail} after ${n} attempts` : last.detail);
    if (!last.retry || n === attempts) return result(false, finalDetail(last, n));
    const backoffMs = FIRST_BACKOFF_MS * 2 ** (n - 1);
    options.onOutput?.(`attempt ${n}: ${last.detail}; retrying in ${backoffMs / 1000} s`, 'stderr');
    await abortable(run.sleep(backoffMs), options.signal);
  }
  return result(false, finalDetail(last, attempts));
}

/** Why a URL cannot be posted to, without quoting it; undefined when it can. */
function refusedUrl(url: string): string | undefined {
  if (!URL.canParse(url)) return 'invalid URL';
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'invalid URL: not http(s)';
  // fetch refuses them; said plainly rather than retried as a network error.
  if (parsed.username || parsed.password)
    return 'invalid URL: credentials in a URL are not sent (use headers)';
  return undefined;
}

/** `HTTP 503 after 3 attempts`, `timed out after 10 s (3 attempts)`, or the one attempt's detail. */
function finalDetail(last: Attempt, attempts: number): string {
  if (attempts === 1) return last.detail;
  return last.detail.startsWith('HTTP ')
    ? `${last.detail} after ${attempts} attempts`
    : `${last.detail} (${attempts} attempts)`;
}

/**
 * The request's headers, the file's over ours; or why they cannot be sent, naming the header
 * and never its value (the runtime's own message quotes the value).
 */
function requestHeaders(run: WebhookRun): Headers | string {
  const headers = new Headers({ 'content-type': 'application/json', 'user-agent': run.userAgent });
  for (const [name, value] of Object.entries(run.headers)) {
    try {
      headers.set(name, value);
    } catch {
      return `invalid header ${/^[!#$%&'*+.^`|~\w-]+$/.test(name) ? name : '(name)'}: not sent`;
    }
  }
  return headers;
}

async function attempt(
  run: WebhookRun,
  headers: Headers,
  body: string,
  signal?: AbortSignal,
): Promise<Attempt> {
  const timeout = AbortSignal.timeout(run.timeoutS * 1000);
  try {
    const response = await run.fetch(run.url, {
      method: 'POST',
      headers,
      body,
      // A redirect would carry the headers (a token) to wherever it points: not followed.
      redirect: 'manual',
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    });
    // The body is not read (the status is the answer); cancelled so that the socket is freed.
    await response.body?.cancel().catch(() => {});
    const detail = `HTTP ${response.status}`;
    if (response.status >= 200 && response.status < 300) return { ok: true, detail };
    const retry = response.status === 429 || response.status >= 500;
    if (response.status >= 300 && response.status < 400) {
      return { ok: false, retry, detail: `${detail} (redirects are not followed)` };
    }
    return { ok: false, retry, detail };
  } catch (err) {
    if (timeout.aborted) return { ok: false, retry: true, detail: `timed out after ${run.timeoutS} s` };
    if (signal?.aborted) return { ok: false, retry: false, detail: 'aborted' };
    return { ok: false, retry: true, detail: networkFailure(err) };
  }
}

/**
 * `network error: ECONNREFUSED`: the code of the cause only, since the runtime's messages may
 * quote the URL.
 */
function networkFailure(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : undefined;
  return code ? `network error: ${code}` : 'network error';
}

/** Resolves when `wait` does, or at once when `signal` aborts. */
function abortable(wait: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return wait;
  return new Promise((resolve) => {
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    wait.then(done, done);
  });
}
