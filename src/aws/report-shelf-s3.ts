/**
 * The deployments' report data of an `s3://bucket/prefix` backend, kept beside its state
 * (`<prefix>.ecs-crd/reports/<stack>/<deploymentId>.json`), so that `history --report` on any
 * machine of the team renders a deployment another one ran. The newest `kept` per stack stay.
 */
import type { AwsClientOptions } from './clients.js';
import { backendObjects } from './s3-objects.js';

export interface S3ReportShelf {
  /** Where the data goes, for messages: `s3://bucket/prefix/.ecs-crd/reports`. */
  readonly location: string;
  keep(stack: string, deploymentId: string, text: string): Promise<void>;
  /** That deployment's data, else the newest of the stack; null when none is kept. */
  read(stack: string, deploymentId?: string): Promise<string | null>;
}

export function s3ReportShelf(backendUrl: string, aws: AwsClientOptions, kept: number): S3ReportShelf {
  const { bucket, prefix, calls: s3 } = backendObjects(backendUrl, aws);
  const folder = (stack: string) => `${prefix}.ecs-crd/reports/${stack}/`;
  return {
    location: `s3://${bucket}/${prefix}.ecs-crd/reports`,
    async keep(stack, deploymentId, text) {
      await s3.put(`${folder(stack)}${deploymentId}.json`, text, {});
      const old = (await s3.list(folder(stack))).slice(kept);
      await Promise.all(old.map((object) => s3.remove(object.key, object.etag)));
    },
    async read(stack, deploymentId) {
      const key =
        deploymentId === undefined
          ? (await s3.list(folder(stack)))[0]?.key
          : `${folder(stack)}${deploymentId}.json`;
      if (key === undefined) return null;
      return (await s3.get(key))?.text ?? null;
    },
  };
}
