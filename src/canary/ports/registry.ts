/**
 * The container registry port: does an ECR image exist? `src/aws/ecr.ts` implements it over
 * ECR DescribeImages; tests use fakes. Only images hosted in ECR are ever asked about.
 */

/** A container image hosted in a private ECR registry, as `service.containers[].image` names it. */
export interface EcrImage {
  /** The image as the file names it. */
  image: string;
  /** The registry's account id (ECR's `registryId`). */
  registryId: string;
  /** The registry's region: the image is looked up there, not in the deployment's region. */
  region: string;
  repository: string;
  /** What ECS pulls: the digest when the image names one, else the tag (`latest` when none). */
  reference: { tag: string } | { digest: string };
}

/** What the registry says about one image. */
export type ImageLookup =
  | { status: 'found' }
  | { status: 'missing'; what: 'repository' | 'image' }
  /** The identity may not look (AccessDenied): the image was not checked. */
  | { status: 'unchecked'; error: string };

export interface ImageRegistry {
  lookup(image: EcrImage): Promise<ImageLookup>;
}
