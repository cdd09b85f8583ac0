/**
 * The notification port: publish one message to one SNS topic. `src/aws/notify.ts` implements
 * it over SNS Publish; tests use fakes.
 */

/** One message for one topic, ready to publish. */
export interface Notification {
  topicArn: string;
  /** At most 100 characters, no line break or control character (SNS Publish). */
  subject: string;
  /** The outcome document, as JSON. */
  message: string;
  /** SNS message attributes (String), for subscription filter policies. */
  attributes: Record<string, string>;
  /** For a FIFO topic (`….fifo`), which requires both. */
  fifo?: { groupId: string; deduplicationId: string };
}

export interface Notifier {
  /** Resolves to SNS's message id; rejects with the AWS error, or once `signal` aborts. */
  publish(notification: Notification, signal?: AbortSignal): Promise<{ messageId: string }>;
}
