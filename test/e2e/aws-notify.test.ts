/**
 * The SNS notifier and the ECR registry against the sandbox's moto (and its wrapper's SNS
 * rules): a message read back from an SQS queue subscribed to the topic, and images pushed
 * to the emulator's ECR looked up by tag, by digest, in another account.
 */
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { FAKE_CREDENTIALS } from '../../sandbox/harness.js';
import { createImageRegistry } from '../../src/aws/ecr.js';
import { createNotifier } from '../../src/aws/notify.js';
import { parseEcrImage } from '../../src/canary/images.js';
import { planNotification } from '../../src/canary/notify.js';
import type { Notification } from '../../src/canary/ports/notify.js';
import type { EcrImage } from '../../src/canary/ports/registry.js';
import { type AwsSandbox, startAwsSandbox } from './aws-sandbox.js';

describe('aws notify and ecr against the sandbox (moto)', () => {
  let aws: AwsSandbox;
  let sns: SNSClient;
  let sqs: SQSClient;
  before(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    aws = await startAwsSandbox();
    const config = {
      endpoint: aws.sandbox.endpoint,
      region: aws.sandbox.region,
      credentials: FAKE_CREDENTIALS,
    };
    sns = new SNSClient(config);
    sqs = new SQSClient(config);
  });
  after(async () => {
    sns?.destroy();
    sqs?.destroy();
    await aws?.stop();
  });

  /** A topic with a queue subscribed to it: what a team's deployment channel looks like. */
  async function subscribedTopic(name: string): Promise<{ topicArn: string; queueUrl: string }> {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${name}-inbox` }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
    if (!TopicArn || !QueueUrl) throw new Error('topic or queue not created');
    return { topicArn: TopicArn, queueUrl: QueueUrl };
  }

  function notification(topicArn: string, message: string): Notification {
    const planned = planNotification(
      { on_success: topicArn },
      {
        outcome: 'deployed',
        project: 'sandbox',
        service: 'api',
        environment: 'dev',
        version: '1.0.0',
        runId: 'd-1',
      },
      message,
    );
    if (!planned || !('notification' in planned)) throw new Error('nothing planned');
    return planned.notification;
  }

  it('delivers the document, the subject and the attributes to a subscribed queue', async () => {
    const { topicArn, queueUrl } = await subscribedTopic('deployments');
    const document = { outcome: 'deployed', version: '1.0.0', steps: [] };
    const { messageId } = await createNotifier(aws.clients).publish(
      notification(topicArn, JSON.stringify(document)),
    );

    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
    );
    expect(Messages).to.have.length(1);
    const envelope = JSON.parse(Messages[0]?.Body ?? '{}');
    expect(envelope.MessageId).to.equal(messageId);
    expect(envelope.TopicArn).to.equal(topicArn);
    expect(envelope.Subject).to.equal('ecs-crd: api 1.0.0 deployed in dev');
    expect(JSON.parse(envelope.Message)).to.deep.equal(document);
    expect(envelope.MessageAttributes).to.deep.include({
      outcome: { Type: 'String', Value: 'deployed' },
      service: { Type: 'String', Value: 'api' },
      environment: { Type: 'String', Value: 'dev' },
    });
  });

  it('is refused, as by AWS, for a topic that does not exist', async () => {
    const gone = `arn:aws:sns:${aws.sandbox.region}:${aws.sandbox.fixtures.accountId}:no-such-topic`;
    const error = await createNotifier(aws.clients)
      .publish(notification(gone, '{}'))
      .catch((e: unknown) => e);
    expect((error as Error).message).to.equal(
      'AWS SNS Publish failed: NotFoundException: Topic does not exist',
    );
  });

  it('is refused, as by AWS, for a subject SNS does not take (the wrapper adds the rules moto lacks)', async () => {
    const { topicArn } = await subscribedTopic('strict');
    const notifier = createNotifier(aws.clients);
    for (const subject of ['line\nbreak', '', 'x'.repeat(101)]) {
      const error = await notifier
        .publish({ ...notification(topicArn, '{}'), subject })
        .catch((e: unknown) => e);
      expect((error as Error).message, JSON.stringify(subject)).to.match(/InvalidParameterException/);
    }
    // 280,000 bytes in 140,000 characters: the planner refuses it first; SNS itself must too.
    const big = await notifier
      .publish({ ...notification(topicArn, '{}'), message: 'é'.repeat(140_000) })
      .catch((e: unknown) => e);
    expect((big as Error).message).to.match(/InvalidParameterException: Invalid parameter: Message too long/);
  });

  describe('the ECR registry', () => {
    const ecrImage = (reference: string): EcrImage => {
      const parsed = parseEcrImage(reference);
      if (!parsed) throw new Error(`${reference} is not an ECR image`);
      return parsed;
    };

    it('finds a pushed image by tag and by digest, and tells a missing tag from a missing repository', async () => {
      const pushed = await aws.sandbox.pushImage('team/api', '1.0.0');
      const registry = createImageRegistry(aws.clients);
      expect(await registry.lookup(ecrImage(pushed.image))).to.deep.equal({ status: 'found' });
      const repository = pushed.image.slice(0, pushed.image.lastIndexOf(':'));
      expect(await registry.lookup(ecrImage(`${repository}@${pushed.digest}`))).to.deep.equal({
        status: 'found',
      });
      expect(await registry.lookup(ecrImage(`${repository}:2.0.0`))).to.deep.equal({
        status: 'missing',
        what: 'image',
      });
      const host = `${aws.sandbox.fixtures.accountId}.dkr.ecr.${aws.sandbox.region}.amazonaws.com`;
      expect(await registry.lookup(ecrImage(`${host}/team/none:1.0.0`))).to.deep.equal({
        status: 'missing',
        what: 'repository',
      });
      // The same repository name in another account's registry is another repository.
      expect(
        await registry.lookup(
          ecrImage(`210987654321.dkr.ecr.${aws.sandbox.region}.amazonaws.com/team/api:1.0.0`),
        ),
      ).to.deep.equal({ status: 'missing', what: 'repository' });
    });
  });
});
