/**
 * The `ImageRegistry` port over ECR DescribeImages: does an image exist in its repository?
 * Each image is looked up in its own registry (`registryId`, another account's included) and
 * region, whatever the deployment's region: a client per region, made on first use.
 */
import type { DescribeImagesCommandInput, DescribeImagesCommandOutput } from '@aws-sdk/client-ecr';
import type { EcrImage, ImageLookup, ImageRegistry } from '../canary/ports/registry.js';
import { EcsCrdError } from '../errors.js';
import { type AwsClients, type ConfigSource, caller, sdkClientConfig } from './clients.js';

/** ECR, as ecs-crd uses it. */
export interface EcrApi {
  describeImages(input: DescribeImagesCommandInput): Promise<DescribeImagesCommandOutput>;
}

/** One ECR client per region, built (and its SDK module loaded) on its first call. */
export function createEcr(config: ConfigSource): (region: string) => EcrApi {
  const clients = new Map<string, EcrApi>();
  return (region) => {
    let api = clients.get(region);
    if (!api) {
      const call = caller('ECR', async () => {
        const m = await import('@aws-sdk/client-ecr');
        return { m, client: new m.ECRClient({ ...(await sdkClientConfig(config)), region }) };
      });
      api = {
        describeImages: (input) =>
          call('DescribeImages', ({ m, client }) => client.send(new m.DescribeImagesCommand(input))),
      };
      clients.set(region, api);
    }
    return api;
  };
}

/** The errors ECR answers DescribeImages with (ECR API Reference, DescribeImages: Errors). */
const MISSING: Record<string, 'repository' | 'image'> = {
  RepositoryNotFoundException: 'repository',
  ImageNotFoundException: 'image',
};
const DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/** The port over ECR; `ecr` defaults to real clients sharing the other clients' configuration. */
export function createImageRegistry(
  clients: Pick<AwsClients, 'shared'>,
  ecr: (region: string) => EcrApi = createEcr(clients.shared),
): ImageRegistry {
  return {
    async lookup(image: EcrImage): Promise<ImageLookup> {
      const imageId =
        'digest' in image.reference
          ? { imageDigest: image.reference.digest }
          : { imageTag: image.reference.tag };
      try {
        const { imageDetails = [] } = await ecr(image.region).describeImages({
          registryId: image.registryId,
          repositoryName: image.repository,
          imageIds: [imageId],
        });
        // ECR answers a missing image with ImageNotFoundException; an empty list would mean the same.
        return imageDetails.length > 0 ? { status: 'found' } : { status: 'missing', what: 'image' };
      } catch (error) {
        const name = sdkErrorName(error);
        const missing = MISSING[name];
        if (missing) return { status: 'missing', what: missing };
        if (DENIED.has(name) && error instanceof Error) {
          const hint = error instanceof EcsCrdError && error.hint ? ` ${error.hint}` : '';
          return { status: 'unchecked', error: `${error.message}.${hint}` };
        }
        throw error;
      }
    },
  };
}

/** The SDK error's name, under the EcsCrdError the clients wrap it in. */
function sdkErrorName(error: unknown): string {
  const inner = error instanceof EcsCrdError && error.cause instanceof Error ? error.cause : error;
  return inner instanceof Error ? inner.name : '';
}
