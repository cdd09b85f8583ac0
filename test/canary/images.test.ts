import { expect } from 'chai';
import { checkImages, ecrImagesOf, imageProblem, parseEcrImage } from '../../src/canary/images.js';
import type { EcrImage, ImageLookup } from '../../src/canary/ports/registry.js';
import { FakeRegistry } from '../app/opened.js';
import { buildConfig, buildContainer } from '../helpers/builders.js';
import { RecordingReporter } from '../helpers/fakes.js';

const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const HOST = '123456789012.dkr.ecr.eu-west-1.amazonaws.com';

describe('canary/images: which images are in ECR, and what is looked up', () => {
  const table: [string, Omit<EcrImage, 'image'> | null][] = [
    [`${HOST}/orders-api:1.4.0`, ecr('123456789012', 'eu-west-1', 'orders-api', { tag: '1.4.0' })],
    [`${HOST}/shop/orders-api:1.4.0`, ecr('123456789012', 'eu-west-1', 'shop/orders-api', { tag: '1.4.0' })],
    [`${HOST}/orders-api`, ecr('123456789012', 'eu-west-1', 'orders-api', { tag: 'latest' })],
    [`${HOST}/orders-api@${DIGEST}`, ecr('123456789012', 'eu-west-1', 'orders-api', { digest: DIGEST })],
    // With both, the digest is what ECS pulls.
    [
      `${HOST}/orders-api:1.4.0@${DIGEST}`,
      ecr('123456789012', 'eu-west-1', 'orders-api', { digest: DIGEST }),
    ],
    [`${HOST}:443/orders-api:v2`, ecr('123456789012', 'eu-west-1', 'orders-api', { tag: 'v2' })],
    // Another region, another account: looked up there.
    [
      '210987654321.dkr.ecr.us-east-1.amazonaws.com/base/nginx:1.27-alpine',
      ecr('210987654321', 'us-east-1', 'base/nginx', { tag: '1.27-alpine' }),
    ],
    [
      '123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/api:1',
      ecr('123456789012', 'us-gov-west-1', 'api', { tag: '1' }),
    ],
    [
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/api:1',
      ecr('123456789012', 'cn-north-1', 'api', { tag: '1' }),
    ],
    ['123456789012.dkr-ecr.eu-west-1.on.aws/api:1', ecr('123456789012', 'eu-west-1', 'api', { tag: '1' })],
    // Outside ECR: not checked.
    ['nginx:1.25', null],
    ['nginx', null],
    ['library/nginx:1.25', null],
    ['ghcr.io/acme/api:1.0', null],
    ['public.ecr.aws/nginx/nginx:stable', null],
    ['registry.example.com:5000/team/api:1.0', null],
    ['localhost:5000/api', null],
    // Not a 12-digit account, or not ECR's domain: not ECR.
    ['12345.dkr.ecr.eu-west-1.amazonaws.com/api:1', null],
    ['123456789012.dkr.ecr.eu-west-1.example.com/api:1', null],
    [`${HOST}/`, null],
  ];
  for (const [image, expected] of table) {
    it(`${image} → ${expected ? `${expected.repository} ${JSON.stringify(expected.reference)} in ${expected.registryId}/${expected.region}` : 'not checked'}`, () => {
      expect(parseEcrImage(image)).to.deep.equal(expected ? { image, ...expected } : null);
    });
  }

  it('lists each ECR image of the file once, with every container naming it', () => {
    const shared = `${HOST}/orders-api:1.4.0`;
    const config = buildConfig({
      service: {
        containers: [
          buildContainer({ name: 'web', image: shared }),
          buildContainer({
            name: 'sidecar',
            image: 'public.ecr.aws/aws-observability/aws-for-fluent-bit:stable',
          }),
          buildContainer({ name: 'worker', image: shared }),
        ],
      },
    });
    const images = ecrImagesOf(config);
    expect(images.map(({ image, paths }) => [image.image, paths])).to.deep.equal([
      [shared, ['service.containers[0].image', 'service.containers[2].image']],
    ]);
  });

  it('names the place, the repository, the tag or digest and the registry of what is missing', () => {
    const image = parseEcrImage(`${HOST}/orders-api:9.9.9`) as EcrImage;
    const paths = ['service.containers[0].image'];
    expect(imageProblem(image, paths, { status: 'missing', what: 'image' })).to.equal(
      'service.containers[0].image: the ECR repository orders-api has no image with tag 9.9.9 (registry 123456789012, eu-west-1)',
    );
    expect(imageProblem(image, paths, { status: 'missing', what: 'repository' })).to.equal(
      `service.containers[0].image: the ECR repository orders-api does not exist (registry 123456789012, eu-west-1), so ${HOST}/orders-api:9.9.9 cannot be pulled`,
    );
    const pinned = parseEcrImage(`${HOST}/orders-api@${DIGEST}`) as EcrImage;
    expect(imageProblem(pinned, paths, { status: 'missing', what: 'image' })).to.include(`digest ${DIGEST}`);
    expect(imageProblem(image, paths, { status: 'found' })).to.equal(null);
    expect(imageProblem(image, paths, { status: 'unchecked', error: 'AccessDenied' })).to.equal(null);
  });

  it('looks every ECR image up and reports the missing ones; an unchecked one is a warning only', async () => {
    const answers: Record<string, ImageLookup> = {
      'orders-api': { status: 'missing', what: 'image' },
      'shop/worker': { status: 'unchecked', error: 'AccessDeniedException: not authorized' },
      'shop/cron': { status: 'found' },
    };
    const registry = new FakeRegistry((image) => answers[image.repository] ?? { status: 'found' });
    const config = buildConfig({
      service: {
        containers: [
          buildContainer({ name: 'web', image: `${HOST}/orders-api:2.0.0` }),
          buildContainer({
            name: 'worker',
            image: `210987654321.dkr.ecr.us-east-1.amazonaws.com/shop/worker:2.0.0`,
          }),
          buildContainer({ name: 'cron', image: `${HOST}/shop/cron:2.0.0` }),
          buildContainer({ name: 'proxy', image: 'nginx:1.25' }),
        ],
      },
    });
    const reports = new RecordingReporter();
    const problems = await checkImages(registry, config, reports.reporter);

    expect(problems).to.deep.equal([
      'service.containers[0].image: the ECR repository orders-api has no image with tag 2.0.0 (registry 123456789012, eu-west-1)',
    ]);
    expect(
      registry.asked.map((image) => `${image.registryId}/${image.region}/${image.repository}`),
    ).to.deep.equal([
      '123456789012/eu-west-1/orders-api',
      '210987654321/us-east-1/shop/worker',
      '123456789012/eu-west-1/shop/cron',
    ]);
    const unchecked = reports.of('image.unchecked');
    expect(unchecked.map((event) => [event.level, event.data])).to.deep.equal([
      [
        'warn',
        {
          image: '210987654321.dkr.ecr.us-east-1.amazonaws.com/shop/worker:2.0.0',
          error: 'AccessDeniedException: not authorized',
        },
      ],
    ]);
  });

  it('asks nothing of a file without ECR images', async () => {
    const registry = new FakeRegistry(() => {
      throw new Error('not to be called');
    });
    const config = buildConfig({ service: { containers: [buildContainer({ image: 'nginx:1.25' })] } });
    expect(await checkImages(registry, config)).to.deep.equal([]);
    expect(registry.asked).to.deep.equal([]);
  });
});

function ecr(
  registryId: string,
  region: string,
  repository: string,
  reference: EcrImage['reference'],
): Omit<EcrImage, 'image'> {
  return { registryId, region, repository, reference };
}
