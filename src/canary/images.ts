/**
 * The ECR preflight: every container image hosted in a private ECR registry must exist before
 * the first change, or ECS would only find out when its tasks fail to pull, after the stack
 * created the candidate. Images outside ECR (Docker Hub, ghcr.io, public.ecr.aws, a private
 * registry) are not checked: ecs-crd has no credentials for them.
 */
import type { DeploymentConfig } from '../config/types.js';
import { type EventSink, progressEvent } from './events.js';
import type { EcrImage, ImageLookup, ImageRegistry } from './ports/registry.js';

/**
 * A private ECR registry's host name (Amazon ECR endpoints, AWS General Reference):
 * `<account>.dkr.ecr.<region>.amazonaws.com`, its FIPS form `dkr.ecr-fips`, the China regions'
 * `amazonaws.com.cn`, and the dual-stack `<account>.dkr-ecr[-fips].<region>.on.aws`; an
 * explicit port (`:443`) changes nothing.
 */
const ECR_HOST =
  /^(?<account>\d{12})\.(?:dkr\.ecr(?:-fips)?\.(?<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?|dkr-ecr(?:-fips)?\.(?<dualRegion>[a-z0-9-]+)\.on\.aws)(?::\d+)?$/;
/** `@<algorithm>:<hex>`: a content digest (OCI image spec, descriptor digests). */
const DIGEST = /@(?<digest>[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+)$/;
/** A tag is at most 128 word characters, dots and dashes, not starting with either (Docker reference grammar). */
const TAG = /:(?<tag>\w[\w.-]{0,127})$/;

/** The ECR image `image` names, or null for an image outside ECR (not checked). */
export function parseEcrImage(image: string): EcrImage | null {
  const slash = image.indexOf('/');
  if (slash < 0) return null;
  const host = ECR_HOST.exec(image.slice(0, slash))?.groups;
  const region = host?.region ?? host?.dualRegion;
  if (!host?.account || !region) return null;
  let rest = image.slice(slash + 1);
  const digest = DIGEST.exec(rest)?.groups?.digest;
  if (digest) rest = rest.slice(0, rest.length - digest.length - 1);
  const tag = TAG.exec(rest)?.groups?.tag;
  if (tag) rest = rest.slice(0, rest.length - tag.length - 1);
  if (rest === '') return null;
  return {
    image,
    registryId: host.account,
    region,
    repository: rest,
    // With both, the digest is what is pulled (the tag is then only informative).
    reference: digest ? { digest } : { tag: tag ?? 'latest' },
  };
}

/** The file's ECR images, once each, with the places that name them. */
export function ecrImagesOf(config: DeploymentConfig): { image: EcrImage; paths: string[] }[] {
  const found = new Map<string, { image: EcrImage; paths: string[] }>();
  config.service.containers.forEach((container, index) => {
    const path = `service.containers[${index}].image`;
    const seen = found.get(container.image);
    if (seen) {
      seen.paths.push(path);
      return;
    }
    const image = parseEcrImage(container.image);
    if (image) found.set(container.image, { image, paths: [path] });
  });
  return [...found.values()];
}

/** `tag 1.2.3` or `digest sha256:…`, as the messages name what was looked for. */
export function describeReference(image: EcrImage): string {
  return 'digest' in image.reference ? `digest ${image.reference.digest}` : `tag ${image.reference.tag}`;
}

/** Why the deployment cannot start because of this image; null when nothing is wrong. */
export function imageProblem(image: EcrImage, paths: string[], lookup: ImageLookup): string | null {
  if (lookup.status !== 'missing') return null;
  const registry = `registry ${image.registryId}, ${image.region}`;
  const where = paths.join(', ');
  return lookup.what === 'repository'
    ? `${where}: the ECR repository ${image.repository} does not exist (${registry}), so ${image.image} cannot be pulled`
    : `${where}: the ECR repository ${image.repository} has no image with ${describeReference(image)} (${registry})`;
}

/** What to do about a missing image: said once, after the list. */
export const MISSING_IMAGE_HINT =
  'Nothing was changed. Push the image first (docker push, or let the pipeline build it before deploying), or correct the image (service.version, containers[].image) to one the repository holds.';

/**
 * Looks every ECR image of the file up, in parallel; returns the problems (empty: all there).
 * An image the identity may not look up is reported as a warning and not held against the
 * deployment: ECS pulls with the task execution role, not with the deployer's identity.
 */
export async function checkImages(
  registry: ImageRegistry,
  config: DeploymentConfig,
  report: EventSink = () => {},
): Promise<string[]> {
  const images = ecrImagesOf(config);
  const lookups = await Promise.all(images.map(({ image }) => registry.lookup(image)));
  const problems: string[] = [];
  images.forEach(({ image, paths }, index) => {
    const lookup = lookups[index] ?? { status: 'found' };
    if (lookup.status === 'unchecked') {
      report(
        progressEvent(
          'image.unchecked',
          'warn',
          `Could not check that ${image.image} exists in ECR (${lookup.error}); deploying without that check`,
          { image: image.image, error: lookup.error },
        ),
      );
    }
    const problem = imageProblem(image, paths, lookup);
    if (problem) problems.push(problem);
  });
  return problems;
}
