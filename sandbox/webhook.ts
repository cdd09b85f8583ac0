/**
 * A webhook receiver for tests of `canary.hooks` webhooks: an HTTP server on 127.0.0.1 that
 * records every request it receives (time, headers, body parsed as JSON when it is JSON) and
 * answers each with a status a test chooses, so that a scenario can check which events a
 * deployment sent, in which order, and how it treats a failing or flaky endpoint.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HookEvent } from '../src/canary/ports/hooks.js';

export interface ReceivedRequest {
  /** ISO-8601, when the request's body was complete. */
  at: string;
  method: string;
  /** The path and query the request was sent to. */
  path: string;
  /** As Node gives them: names in lower case. */
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON (what ecs-crd sends is a `HookEvent`); the raw text when it is not JSON. */
  body: HookEvent | string;
}

export interface WebhookReceiver {
  /** `http://127.0.0.1:<port>/hook`: the URL to put in a deployment file. */
  url: string;
  /** Every request received, in the order received. */
  received: ReceivedRequest[];
  /** The bodies that were `HookEvent`s, in order. */
  events(): HookEvent[];
  close(): Promise<void>;
}

export interface WebhookReceiverOptions {
  /** The status of every answer (204 by default), or of the n-th request (1-based). */
  status?: number | ((n: number) => number);
}

export async function startWebhookReceiver(options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  const statusOf = (n: number) =>
    typeof options.status === 'function' ? options.status(n) : (options.status ?? 204);
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      text += chunk;
    });
    req.on('end', () => {
      received.push({
        at: new Date().toISOString(),
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: parsed(text),
      });
      res.writeHead(statusOf(received.length)).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    events: () => received.flatMap((r) => (typeof r.body === 'object' && r.body !== null ? [r.body] : [])),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parsed(text: string): HookEvent | string {
  try {
    return JSON.parse(text) as HookEvent;
  } catch {
    return text;
  }
}
