/**
 * The `Notifier` port over SNS Publish. A topic is published to in its own region (the one
 * its ARN names), whatever the deployment's region: a client per region, made on first use.
 */
import type { PublishCommandInput, PublishCommandOutput } from '@aws-sdk/client-sns';
import type { Notification, Notifier } from '../canary/ports/notify.js';
import { EcsCrdError } from '../errors.js';
import { type AwsClients, type ConfigSource, caller, sdkClientConfig } from './clients.js';

/** SNS, as ecs-crd uses it. */
export interface SnsApi {
  publish(input: PublishCommandInput, signal?: AbortSignal): Promise<PublishCommandOutput>;
}

/** One SNS client per region, built (and its SDK module loaded) on its first call. */
export function createSns(config: ConfigSource): (region: string) => SnsApi {
  const clients = new Map<string, SnsApi>();
  return (region) => {
    let api = clients.get(region);
    if (!api) {
      const call = caller('SNS', async () => {
        const m = await import('@aws-sdk/client-sns');
        return { m, client: new m.SNSClient({ ...(await sdkClientConfig(config)), region }) };
      });
      api = {
        publish: (input) => call('Publish', ({ m, client }) => client.send(new m.PublishCommand(input))),
      };
      clients.set(region, api);
    }
    return api;
  };
}

/** The SNS Publish request for a notification: its attributes as String attributes. */
export function publishInput(notification: Notification): PublishCommandInput {
  return {
    TopicArn: notification.topicArn,
    Subject: notification.subject,
    Message: notification.message,
    MessageAttributes: Object.fromEntries(
      Object.entries(notification.attributes).map(([name, value]) => [
        name,
        { DataType: 'String', StringValue: value },
      ]),
    ),
    ...(notification.fifo
      ? {
          MessageGroupId: notification.fifo.groupId,
          MessageDeduplicationId: notification.fifo.deduplicationId,
        }
      : {}),
  };
}

/** The port over SNS; `sns` defaults to real clients sharing the other clients' configuration. */
export function createNotifier(
  clients: Pick<AwsClients, 'shared'>,
  sns: (region: string) => SnsApi = createSns(clients.shared),
): Notifier {
  return {
    async publish(notification, signal) {
      // arn:<partition>:sns:<region>:<account>:<topic>
      const region = notification.topicArn.split(':')[3];
      if (!region) throw new EcsCrdError(`${notification.topicArn} is not an SNS topic ARN`);
      const { MessageId } = await sns(region).publish(publishInput(notification), signal);
      if (MessageId === undefined) throw new EcsCrdError('AWS SNS Publish returned no message id');
      return { messageId: MessageId };
    },
  };
}
