import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { expect } from 'chai';
import { createAwsClients } from '../../src/aws/clients.js';
import { createImageRegistry } from '../../src/aws/ecr.js';
import { createNotifier, publishInput } from '../../src/aws/notify.js';
import { parseEcrImage } from '../../src/canary/images.js';
import type { EcrImage } from '../../src/canary/ports/registry.js';
import { EcsCrdError } from '../../src/errors.js';
import { REGION } from './fixtures.js';

/** An SDK service error as the SDK raises it: its name is AWS's error code. */
function awsFailure(name: string, message = `${name} from AWS`): Error {
  return Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
}

const image = (reference: string): EcrImage => {
  const parsed = parseEcrImage(reference);
  if (!parsed) throw new Error(`${reference} is not an ECR image`);
  return parsed;
};

describe('aws/ecr: the image registry over DescribeImages', () => {
  let ecr: AwsClientStub<ECRClient>;
  before(() => {
    ecr = mockClient(ECRClient);
  });
  beforeEach(() => ecr.reset());
  after(() => ecr.restore());

  const registry = () => createImageRegistry(createAwsClients({ region: REGION }));

  it('asks the image’s own registry and region for its tag, or its digest', async () => {
    ecr.on(DescribeImagesCommand).resolves({ imageDetails: [{ imageDigest: 'sha256:1' }] });
    const tagged = image('210987654321.dkr.ecr.us-east-1.amazonaws.com/base/api:2.0.0');
    expect(await registry().lookup(tagged)).to.deep.equal({ status: 'found' });
    const digest = `sha256:${'0'.repeat(64)}`;
    await registry().lookup(image(`123456789012.dkr.ecr.eu-west-1.amazonaws.com/api@${digest}`));

    const calls = ecr.commandCalls(DescribeImagesCommand);
    expect(calls.map((call) => call.args[0].input)).to.deep.equal([
      { registryId: '210987654321', repositoryName: 'base/api', imageIds: [{ imageTag: '2.0.0' }] },
      { registryId: '123456789012', repositoryName: 'api', imageIds: [{ imageDigest: digest }] },
    ]);
    expect(await calls[0]?.thisValue.config.region()).to.equal('us-east-1');
    expect(await calls[1]?.thisValue.config.region()).to.equal('eu-west-1');
  });

  it('tells a missing repository from a missing image', async () => {
    const api = image('123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:9');
    ecr.on(DescribeImagesCommand).rejects(awsFailure('RepositoryNotFoundException'));
    expect(await registry().lookup(api)).to.deep.equal({ status: 'missing', what: 'repository' });
    ecr.reset();
    ecr.on(DescribeImagesCommand).rejects(awsFailure('ImageNotFoundException'));
    expect(await registry().lookup(api)).to.deep.equal({ status: 'missing', what: 'image' });
  });

  it('does not hold a refused look-up (AccessDenied) against the image, and says which permission', async () => {
    ecr.on(DescribeImagesCommand).rejects(awsFailure('AccessDeniedException', 'User is not authorized'));
    const lookup = await registry().lookup(image('123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1'));
    expect(lookup).to.deep.equal({
      status: 'unchecked',
      error:
        'AWS ECR DescribeImages failed: AccessDeniedException: User is not authorized. The identity needs the IAM permission ecr:DescribeImages.',
    });
  });

  it('lets any other failure through, as the other AWS calls do', async () => {
    ecr.on(DescribeImagesCommand).rejects(awsFailure('ServerException', 'internal'));
    const error = await registry()
      .lookup(image('123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:1'))
      .catch((e: unknown) => e);
    expect(error).to.be.instanceOf(EcsCrdError);
    expect((error as Error).message).to.equal('AWS ECR DescribeImages failed: ServerException: internal');
  });
});

describe('aws/notify: the notifier over SNS Publish', () => {
  let sns: AwsClientStub<SNSClient>;
  before(() => {
    sns = mockClient(SNSClient);
  });
  beforeEach(() => sns.reset());
  after(() => sns.restore());

  const notification = {
    topicArn: 'arn:aws:sns:us-east-1:123456789012:deployments',
    subject: 'ecs-crd: api 1.0.0 deployed in prod',
    message: '{"outcome":"deployed"}',
    attributes: { outcome: 'deployed', service: 'api', environment: 'prod' },
  };

  it('publishes in the topic’s region, the attributes as String attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
    const notifier = createNotifier(createAwsClients({ region: REGION }));
    expect(await notifier.publish(notification)).to.deep.equal({ messageId: 'm-1' });
    const [call] = sns.commandCalls(PublishCommand);
    expect(call?.args[0].input).to.deep.equal({
      TopicArn: notification.topicArn,
      Subject: notification.subject,
      Message: notification.message,
      MessageAttributes: {
        outcome: { DataType: 'String', StringValue: 'deployed' },
        service: { DataType: 'String', StringValue: 'api' },
        environment: { DataType: 'String', StringValue: 'prod' },
      },
    });
    expect(await call?.thisValue.config.region()).to.equal('us-east-1');
  });

  it('hands the caller’s abort signal to the SDK call, in the topic’s region', async () => {
    const calls: { region: string; signal: AbortSignal | undefined }[] = [];
    const notifier = createNotifier(createAwsClients({ region: REGION }), (region) => ({
      publish: async (_input, signal) => {
        calls.push({ region, signal });
        return { MessageId: 'm-2', $metadata: {} };
      },
    }));
    const signal = new AbortController().signal;
    await notifier.publish(notification, signal);
    expect(calls).to.deep.equal([{ region: 'us-east-1', signal }]);
  });

  it('gives a FIFO topic its group and deduplication ids', () => {
    const input = publishInput({
      ...notification,
      fifo: { groupId: 'shop/api/prod', deduplicationId: 'd-1-deployed' },
    });
    expect(input).to.include({ MessageGroupId: 'shop/api/prod', MessageDeduplicationId: 'd-1-deployed' });
  });

  it('rejects with AWS’s error, named', async () => {
    sns.on(PublishCommand).rejects(awsFailure('AuthorizationErrorException', 'not authorized to publish'));
    const error = await createNotifier(createAwsClients({ region: REGION }))
      .publish(notification)
      .catch((e: unknown) => e);
    expect((error as Error).message).to.equal(
      'AWS SNS Publish failed: AuthorizationErrorException: not authorized to publish',
    );
  });
});
