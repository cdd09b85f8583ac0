/**
 * The objects ecs-crd keeps beside an `s3://bucket/prefix` backend's state (under
 * `<prefix>.ecs-crd/`): read with their ETag and age, written and removed on a condition, listed.
 * The SDK loads on first use. Used by the lease store (lease-s3.ts) and the shared report data
 * (report-shelf-s3.ts).
 */
import { EcsCrdError, UsageError } from '../errors.js';
import { type AwsClientOptions, awsError, sdkConfigOf } from './clients.js';
import { once } from './util.js';

/** Where the objects are: the bucket, and the prefix the engine keeps the state under ('' or `a/b/`). */
export interface S3Location {
  bucket: string;
  prefix: string;
}

/** `s3://bucket/team/state?region=…` → bucket `bucket`, prefix `team/state/`. */
export function s3Location(backendUrl: string): S3Location {
  const url = new URL(backendUrl);
  if (url.protocol !== 's3:' || url.hostname === '') {
    throw new UsageError(`${backendUrl} is not an s3://bucket/prefix URL.`);
  }
  const path = decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, '');
  return { bucket: url.hostname, prefix: path === '' ? '' : `${path}/` };
}

/** The objects beside the state of the backend `backendUrl`, reached as `aws` says; its `?region=` wins, as for the engine. */
export function backendObjects(backendUrl: string, aws: AwsClientOptions): S3Location & { calls: S3Calls } {
  const { bucket, prefix } = s3Location(backendUrl);
  const region = new URL(backendUrl).searchParams.get('region') ?? aws.region;
  return { bucket, prefix, calls: s3Calls({ ...aws, region }, bucket, prefix) };
}

export interface S3Object {
  text: string;
  etag: string;
  ageMs: number;
}

export interface S3Calls {
  get(key: string): Promise<S3Object | undefined>;
  /** The new ETag, or undefined when the condition failed. */
  put(
    key: string,
    body: string,
    condition: { IfNoneMatch?: string; IfMatch?: string },
  ): Promise<string | undefined>;
  /** False when the condition failed (another version, or gone). */
  remove(key: string, etag: string): Promise<boolean>;
  /** The objects under `keyPrefix`, newest first. */
  list(keyPrefix: string): Promise<{ key: string; etag: string; modified: number }[]>;
}

/** The condition of a write did not hold: 412, or 404 for If-Match on a gone object, or 409 for a concurrent conditional write. */
const CONDITION_FAILED = new Set([
  'PreconditionFailed',
  'ConditionalRequestConflict',
  'NoSuchKey',
  'NotFound',
]);

function s3Calls(aws: AwsClientOptions, bucket: string, prefix: string): S3Calls {
  const sdk = once(async () => {
    const m = await import('@aws-sdk/client-s3');
    const client = new m.S3Client({
      ...(await sdkConfigOf(aws)),
      // An emulator (moto, MinIO) at one address answers for every bucket: path style.
      ...(aws.endpointUrl === undefined ? {} : { forcePathStyle: true }),
      followRegionRedirects: true,
    });
    client.middlewareStack.add(keepServerDate as Parameters<typeof client.middlewareStack.add>[0], {
      step: 'deserialize',
      name: 'ecsCrdServerDate',
    });
    return { m, client };
  });
  const call = async <T>(
    operation: string,
    key: string,
    send: (s: Awaited<ReturnType<typeof sdk>>) => Promise<T>,
  ) => {
    try {
      return { ok: true as const, value: await send(await sdk()) };
    } catch (error) {
      const name = errorName(error);
      if (
        name !== 'NoSuchBucket' &&
        (CONDITION_FAILED.has(name) || [404, 409, 412].includes(statusOf(error) ?? 0))
      ) {
        return { ok: false as const };
      }
      throw s3Error(operation, bucket, prefix, key, error);
    }
  };
  return {
    async get(key) {
      const got = await call('GetObject', key, async ({ m, client }) => {
        const out = await client.send(new m.GetObjectCommand({ Bucket: bucket, Key: key }));
        const text = (await out.Body?.transformToString('utf8')) ?? '';
        return { text, etag: out.ETag ?? '', ageMs: ageOf(out) };
      });
      return got.ok ? got.value : undefined;
    },
    async put(key, body, condition) {
      const put = await call('PutObject', key, ({ m, client }) =>
        client.send(
          new m.PutObjectCommand({
            Bucket: bucket,
            Key: key,
            Body: body,
            ContentType: 'application/json',
            ...condition,
          }),
        ),
      );
      if (!put.ok) return undefined;
      if (!put.value.ETag)
        throw new EcsCrdError(`AWS S3 PutObject of s3://${bucket}/${key} returned no ETag`);
      return put.value.ETag;
    },
    async list(keyPrefix) {
      const found: { key: string; etag: string; modified: number }[] = [];
      let token: string | undefined;
      do {
        const page = await call('ListObjectsV2', keyPrefix, ({ m, client }) =>
          client.send(
            new m.ListObjectsV2Command({ Bucket: bucket, Prefix: keyPrefix, ContinuationToken: token }),
          ),
        );
        if (!page.ok) return found;
        for (const { Key, ETag, LastModified } of page.value.Contents ?? []) {
          if (Key !== undefined)
            found.push({ key: Key, etag: ETag ?? '', modified: LastModified?.getTime() ?? 0 });
        }
        token = page.value.IsTruncated ? page.value.NextContinuationToken : undefined;
      } while (token !== undefined);
      return found.sort((a, b) => b.modified - a.modified || b.key.localeCompare(a.key));
    },
    async remove(key, etag) {
      const removed = await call('DeleteObject', key, ({ m, client }) =>
        client.send(new m.DeleteObjectCommand({ Bucket: bucket, Key: key, IfMatch: etag })),
      );
      return removed.ok;
    },
  };
}

/** The server's `Date` header, kept on the output (the SDK drops response headers it does not model). */
const keepServerDate =
  (next: (args: unknown) => Promise<{ response: unknown; output: unknown }>) => async (args: unknown) => {
    const result = await next(args);
    const date = (result.response as { headers?: Record<string, string> } | undefined)?.headers?.date;
    if (date && typeof result.output === 'object' && result.output !== null) {
      (result.output as { serverDate?: string }).serverDate = date;
    }
    return result;
  };

/** Since the object was last written, by S3's clock; by ours only if S3 sent no Date. */
function ageOf(out: { LastModified?: Date }): number {
  const written = out.LastModified?.getTime();
  if (written === undefined) return 0;
  const served = Date.parse((out as { serverDate?: string }).serverDate ?? '');
  return Math.max(0, (Number.isNaN(served) ? Date.now() : served) - written);
}

/** A failure to read or write the lease, saying which bucket and what to do. */
function s3Error(
  operation: string,
  bucket: string,
  prefix: string,
  key: string,
  error: unknown,
): EcsCrdError {
  const name = errorName(error);
  if (name === 'NoSuchBucket') {
    return new UsageError(
      `The state bucket ${bucket} does not exist (S3 ${operation} of s3://${bucket}/${key}).`,
      {
        cause: error,
        hint: 'Create the bucket, or correct --backend-url / PULUMI_BACKEND_URL (and --endpoint-url / --region when it lives elsewhere).',
      },
    );
  }
  if (name === 'AccessDenied' || name === 'Forbidden' || statusOf(error) === 403) {
    return new EcsCrdError(`S3 refused ${operation} of s3://${bucket}/${key}: ${name}.`, {
      cause: error,
      hint: `The identity needs s3:GetObject, s3:PutObject and s3:DeleteObject on arn:aws:s3:::${bucket}/${prefix}.ecs-crd/*, and s3:ListBucket on arn:aws:s3:::${bucket} (without it S3 answers AccessDenied for an object that does not exist). Check --profile / AWS_PROFILE.`,
    });
  }
  return awsError('S3', operation, error);
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : '';
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}
