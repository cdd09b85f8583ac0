/**
 * The lease store of an `s3://bucket/prefix` backend (`LeaseStore`, src/canary/ports/lease.ts):
 * `<prefix>/.ecs-crd/leases/<stack>.json` beside the engine's state, and the control channel's
 * requests in `<prefix>/.ecs-crd/control/<stack>.json`. S3's conditional writes make it hold
 * across machines: a lease is created with `If-None-Match: *` and replaced (renewed, taken
 * over) or removed with `If-Match: <ETag>`; of two such writes at once exactly one succeeds
 * (S3 User Guide, "Add preconditions to S3 operations with conditional requests"). Its age is
 * the response's `Date` against the object's `LastModified`: both S3's clock.
 */
import { parseHolder, UNREADABLE_HOLDER } from '../canary/lease.js';
import { type ControlChannel, parseRequest } from '../canary/ports/control.js';
import type { LeaseHolder, LeaseStore, StoredLease } from '../canary/ports/lease.js';
import type { AwsClientOptions } from './clients.js';
import { backendObjects, type S3Calls } from './s3-objects.js';

/** The lease store of the backend `backendUrl`, calling S3 as `aws` says (region, profile, endpoint). */
export function s3LeaseStore(backendUrl: string, aws: AwsClientOptions): LeaseStore {
  const { bucket, prefix, calls: s3 } = backendObjects(backendUrl, aws);
  const leaseKey = (stack: string) => `${prefix}.ecs-crd/leases/${stack}.json`;
  return {
    location: `s3://${bucket}/${prefix}.ecs-crd/leases`,
    checksPids: false,
    async read(stack) {
      const object = await s3.get(leaseKey(stack));
      if (!object) return undefined;
      const holder = parseHolder(object.text) ?? UNREADABLE_HOLDER;
      return { holder, version: object.etag, ageMs: object.ageMs } satisfies StoredLease;
    },
    create: (stack, holder) => s3.put(leaseKey(stack), JSON.stringify(holder), { IfNoneMatch: '*' }),
    replace: (stack, holder: LeaseHolder, version) =>
      s3.put(leaseKey(stack), JSON.stringify(holder), { IfMatch: version }),
    remove: (stack, version) => s3.remove(leaseKey(stack), version),
    control: (stack) => s3Control(s3, `${prefix}.ecs-crd/control/${stack}.json`),
  };
}

/** Requests as objects: sent by a plain put; taken by a delete conditional on the ETag read, so only one reader gets each. */
function s3Control(s3: S3Calls, key: string): ControlChannel {
  return {
    async send(request) {
      await s3.put(key, JSON.stringify(request), {});
    },
    async take(deploymentId) {
      const object = await s3.get(key);
      if (!object) return null;
      // Another reader took it, or a newer request replaced it (read at the next observation).
      if (!(await s3.remove(key, object.etag))) return null;
      try {
        const request = parseRequest(object.text);
        return request?.deploymentId === deploymentId ? request : null;
      } catch {
        return null;
      }
    },
  };
}
