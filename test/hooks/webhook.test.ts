/**
 * Webhook hooks through `createHookRunner`, against a real HTTP server on 127.0.0.1. Only the
 * waits between attempts are replaced (recorded, not slept); each attempt's timeout is real.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { HookResult, HookRunOptions } from '../../src/canary/ports/hooks.js';
import { createHookRunner } from '../../src/hooks/runner.js';
import { sampleEvent } from './sample-event.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** Answers the n-th request (1-based) as `answer` says; `'hang'` never answers. */
type Answer = (n: number, res: ServerResponse) => number | 'hang';

const TOKEN = 'Bearer s3cr3t-t0ken';

describe('webhook hooks: a POST of the JSON event', () => {
  let server: Server;
  let received: Received[];
  let answer: Answer;
  let base: string;
  let sleeps: number[];

  beforeEach(async () => {
    received = [];
    sleeps = [];
    answer = () => 204;
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
      });
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        const status = answer(received.length, res);
        if (status !== 'hang') res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function post(
    spec: { path?: string; timeout?: number; retries?: number; headers?: Record<string, string> } = {},
    options: HookRunOptions = {},
    sleep: (ms: number) => Promise<void> = async (ms) => {
      sleeps.push(ms);
    },
  ): Promise<{ result: HookResult; lines: string[] }> {
    const runner = createHookRunner({ cwd: '.', version: '1.2.3', sleep });
    const lines: string[] = [];
    const result = await runner.run(
      {
        kind: 'webhook',
        url: `${base}${spec.path ?? '/hooks/T0SECRETPATH'}`,
        headers: spec.headers ?? { Authorization: TOKEN },
        timeout: spec.timeout ?? 10,
        retries: spec.retries ?? 2,
      },
      sampleEvent(),
      { onOutput: (line) => lines.push(line), ...options },
    );
    return { result, lines };
  }

  /** Neither the header's value nor the URL's path in anything the runner says. */
  function expectNoSecret(result: HookResult, lines: string[]): void {
    const said = JSON.stringify({ result, lines });
    expect(said).not.to.contain('s3cr3t');
    expect(said).not.to.contain('T0SECRETPATH');
  }

  it('POSTs the event as JSON with its content type, ecs-crd’s user agent and the file’s headers', async () => {
    const { result } = await post({ headers: { Authorization: TOKEN, 'X-Pipeline': 'main' } });
    expect(result).to.include({ ok: true, detail: 'HTTP 204' });
    expect(received).to.have.length(1);
    const [request] = received;
    expect(request?.method).to.equal('POST');
    expect(request?.url).to.equal('/hooks/T0SECRETPATH');
    expect(request?.headers).to.include({
      'content-type': 'application/json',
      'user-agent': 'ecs-crd/1.2.3',
      authorization: TOKEN,
      'x-pipeline': 'main',
    });
    expect(JSON.parse(request?.body ?? 'null')).to.deep.equal(sampleEvent());
  });

  it('retries 5xx and 429 1 s, then 2 s apart, and passes on a later 2xx', async () => {
    answer = (n) => [503, 429, 200][n - 1] ?? 500;
    const { result, lines } = await post({ retries: 2 });
    expect(result).to.include({ ok: true, detail: 'HTTP 200 after 3 attempts' });
    expect(received).to.have.length(3);
    expect(sleeps).to.deep.equal([1000, 2000]);
    expect(lines).to.deep.equal([
      'attempt 1: HTTP 503; retrying in 1 s',
      'attempt 2: HTTP 429; retrying in 2 s',
    ]);
    expectNoSecret(result, lines);
  });

  it('fails after its retries with the last answer and the number of attempts', async () => {
    answer = () => 503;
    const { result, lines } = await post({ retries: 2 });
    expect(result).to.include({ ok: false, detail: 'HTTP 503 after 3 attempts' });
    expect(received).to.have.length(3);
    expect(sleeps).to.deep.equal([1000, 2000]);
    expectNoSecret(result, lines);
  });

  it('fails at once on another 4xx, with no retry', async () => {
    answer = () => 404;
    const { result } = await post({ retries: 2 });
    expect(result).to.include({ ok: false, detail: 'HTTP 404' });
    expect(received).to.have.length(1);
    expect(sleeps).to.deep.equal([]);
  });

  it('does not follow a redirect (it would carry the headers elsewhere)', async () => {
    answer = (_n, res) => {
      res.setHeader('location', `${base}/elsewhere`);
      return 302;
    };
    const { result } = await post();
    expect(result).to.include({ ok: false, detail: 'HTTP 302 (redirects are not followed)' });
    expect(received.map((r) => r.url)).to.deep.equal(['/hooks/T0SECRETPATH']);
  });

  it('bounds each attempt by the timeout and retries it', async () => {
    answer = (n) => (n === 1 ? 'hang' : 204);
    const { result } = await post({ timeout: 1, retries: 1 });
    expect(result).to.include({ ok: true, detail: 'HTTP 204 after 2 attempts' });
    expect(result.durationMs).to.be.within(900, 5000);
  });

  it('fails "timed out" with the number of attempts when every attempt hangs', async () => {
    answer = () => 'hang';
    const { result, lines } = await post({ timeout: 1, retries: 1 });
    expect(result).to.include({ ok: false, detail: 'timed out after 1 s (2 attempts)' });
    expect(received).to.have.length(2);
    expectNoSecret(result, lines);
  });

  it('retries a network error and names its code, not the URL', async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    const { result, lines } = await post({ retries: 1 });
    expect(result).to.include({ ok: false, detail: 'network error: ECONNREFUSED (2 attempts)' });
    expect(sleeps).to.deep.equal([1000]);
    expectNoSecret(result, lines);
    server.listen(0, '127.0.0.1'); // for afterEach
  });

  it('cancels a request in flight when the run is aborted', async () => {
    answer = () => 'hang';
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const { result } = await post({ timeout: 30 }, { signal: controller.signal });
    expect(result).to.include({ ok: false, detail: 'aborted' });
    expect(result.durationMs).to.be.below(3000);
  });

  it('stops waiting for the next attempt when the run is aborted', async () => {
    answer = () => 503;
    const controller = new AbortController();
    const never = () => {
      setTimeout(() => controller.abort(), 50);
      return new Promise<void>(() => {});
    };
    const { result } = await post({ retries: 5 }, { signal: controller.signal }, never);
    expect(result).to.include({ ok: false, detail: 'aborted' });
    expect(received).to.have.length(1);
  });

  it('refuses a URL it cannot post to at once, without quoting it', async () => {
    const runner = createHookRunner({
      cwd: '.',
      version: '1.2.3',
      sleep: async (ms) => void sleeps.push(ms),
    });
    const spec = { kind: 'webhook' as const, headers: {}, timeout: 5, retries: 2 };
    const detail = async (url: string) => (await runner.run({ ...spec, url }, sampleEvent())).detail;
    expect(await detail('not a url s3cr3t')).to.equal('invalid URL');
    expect(await detail('ftp://example.com/s3cr3t')).to.equal('invalid URL: not http(s)');
    expect(await detail(`http://user:s3cr3t@${base.slice('http://'.length)}/hook`)).to.equal(
      'invalid URL: credentials in a URL are not sent (use headers)',
    );
    expect(received).to.have.length(0);
    expect(sleeps).to.deep.equal([]);
  });

  it('refuses a header value that cannot be sent, naming the header and never the value', async () => {
    const { result, lines } = await post({ headers: { Authorization: 'Bearer s3cr3t\nX-Injected: 1' } });
    expect(result).to.include({ ok: false, detail: 'invalid header Authorization: not sent' });
    expect(received).to.have.length(0);
    expectNoSecret(result, lines);
  });
});
