/**
 * What a team's setup adds to the sandbox: a state bucket in the emulator's S3 and a KMS key
 * behind an alias, each returned as the CLI flags take it (`--backend-url`,
 * `--secrets-provider`), plus a look at what the engine stored. The emulator must be started
 * first (startSandbox, or `npm run sandbox`); `sandbox.reset()` wipes them like everything else.
 */
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { FAKE_CREDENTIALS, SANDBOX_REGION } from './harness.js';

export interface StateBucket {
  bucket: string;
  prefix: string;
  /** For `--backend-url` / `PULUMI_BACKEND_URL`: `s3://<bucket>/<prefix>`, no endpoint in it. */
  backendUrl: string;
}

export interface KmsAlias {
  keyId: string;
  /** `alias/<name>` */
  alias: string;
  /**
   * For `--secrets-provider` / `PULUMI_SECRETS_PROVIDER`: `awskms://alias/<name>?region=<r>`.
   * The engine reaches the emulator through AWS_ENDPOINT_URL (ecs-crd passes --endpoint-url
   * on): the URL is stored in the stack's state, so it never names the endpoint.
   */
  secretsProvider: string;
}

function s3Client(endpoint: string, region: string): S3Client {
  // Path style: `http://<bucket>.127.0.0.1:<port>` does not resolve.
  return new S3Client({ endpoint, region, credentials: FAKE_CREDENTIALS, forcePathStyle: true });
}

/** Creates a bucket for a team's state (in `region`, as `s3api create-bucket` would). */
export async function createStateBucket(
  endpoint: string,
  name: string,
  options: { prefix?: string; region?: string } = {},
): Promise<StateBucket> {
  const region = options.region ?? SANDBOX_REGION;
  const prefix = (options.prefix ?? 'ecs-crd').replace(/^\/+|\/+$/g, '');
  const s3 = s3Client(endpoint, region);
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: name,
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
  } finally {
    s3.destroy();
  }
  return { bucket: name, prefix, backendUrl: `s3://${name}${prefix ? `/${prefix}` : ''}` };
}

/** Every object of `bucket` (under `prefix` when given), with its text: what the engine stored. */
export async function stateObjects(
  endpoint: string,
  bucket: string,
  prefix = '',
  region = SANDBOX_REGION,
): Promise<Map<string, string>> {
  const s3 = s3Client(endpoint, region);
  const objects = new Map<string, string>();
  try {
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const { Key } of page.Contents ?? []) {
        if (Key === undefined) continue;
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
        objects.set(Key, (await got.Body?.transformToString('utf8')) ?? '');
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } finally {
    s3.destroy();
  }
  return objects;
}

/**
 * One KMS call on the emulator: the AWS JSON 1.1 protocol KMS speaks. moto checks no signature
 * (any static keys work) but takes the region from the credential scope, so that is all the
 * request carries; no KMS client is needed by the product or the sandbox for two calls.
 */
async function kms<T>(endpoint: string, region: string, operation: string, body: object): Promise<T> {
  const response = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `TrentService.${operation}`,
      authorization: `AWS4-HMAC-SHA256 Credential=${FAKE_CREDENTIALS.accessKeyId}/20260101/${region}/kms/aws4_request, SignedHeaders=host, Signature=sandbox`,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`KMS ${operation} failed: HTTP ${response.status} ${text}`);
  return (text === '' ? {} : JSON.parse(text)) as T;
}

/** Creates a symmetric KMS key and the alias `alias/<name>` (a leading `alias/` may be given). */
export async function createKmsAlias(
  endpoint: string,
  alias: string,
  region: string = SANDBOX_REGION,
): Promise<KmsAlias> {
  const name = alias.startsWith('alias/') ? alias : `alias/${alias}`;
  const created = await kms<{ KeyMetadata?: { KeyId?: string } }>(endpoint, region, 'CreateKey', {
    Description: `ecs-crd sandbox: ${name}`,
  });
  const keyId = created.KeyMetadata?.KeyId;
  if (!keyId) throw new Error('KMS CreateKey returned no key id');
  await kms(endpoint, region, 'CreateAlias', { AliasName: name, TargetKeyId: keyId });
  return { keyId, alias: name, secretsProvider: `awskms://${name}?region=${region}` };
}
