/**
 * A tiny local HTTP endpoint that answers AWS calls with canned responses: it lets the tests
 * run the SDK's whole middleware stack (signing, retries, parsing), which aws-sdk-client-mock
 * replaces.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  headers: IncomingHttpHeaders;
  body: string;
}

export interface CannedResponse {
  status: number;
  headers?: Record<string, string>;
  body: string;
}

export interface FakeEndpoint {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Serves `respond(request, index)` for every request, on 127.0.0.1 and a free port. */
export async function startFakeEndpoint(
  respond: (request: RecordedRequest, index: number) => CannedResponse,
): Promise<FakeEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const response = respond(request, requests.length - 1);
      res.writeHead(response.status, response.headers).end(response.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}

/** An ECS (JSON 1.1 protocol) answer. */
export function ecsJson(status: number, body: object, errorType?: string): CannedResponse {
  return {
    status,
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      ...(errorType === undefined ? {} : { 'x-amzn-errortype': errorType }),
    },
    body: JSON.stringify(errorType === undefined ? body : { __type: errorType, ...body }),
  };
}

/** STS GetCallerIdentity's answer (query protocol, XML). */
export function stsCallerIdentity(account: string): CannedResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml' },
    body: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::${account}:user/test</Arn><UserId>AIDATEST</UserId><Account>${account}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
  };
}

/** Sets environment variables for the duration of a test (undefined deletes); returns the undo. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(vars);
  return () => apply(saved);
}
