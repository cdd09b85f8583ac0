/**
 * Notifications (`canary.sns_topic_notifications`, the original tool's): the outcome of every
 * deployment is published to `on_success` when the release went live, to `on_fail` otherwise.
 * The message is the outcome document (`deploy --json`, or `rollback --json` for a recovery);
 * the subject and the message attributes say which service, version, environment and outcome,
 * so a subscription can filter on them. A publish that fails is a warning: it never changes
 * the outcome or the exit code.
 */
import type { DeploymentConfig } from '../config/types.js';
import { type EventSink, progressEvent } from './events.js';
import type { Notification, Notifier } from './ports/notify.js';
import type { RolloutOutcome } from './ports/stack.js';

/** How a run that changed a release ended: a `deploy` outcome, or `rollback` recovering a stack. */
export type NotifiedOutcome = RolloutOutcome | 'recovered';

export interface OutcomeFacts {
  outcome: NotifiedOutcome;
  project: string;
  /** `service.name`. */
  service: string;
  environment: string;
  version: string;
  /** Unique per run: a FIFO topic's deduplication id. */
  runId: string;
}

/** SNS refuses a subject of more than 100 characters (moto, checked against AWS: getmoto/moto#1503). */
export const MAX_SUBJECT = 100;
/**
 * SNS refuses a message over 256 KiB, its attributes included (SNS Developer Guide, "Amazon
 * SNS message size"): checked before publishing so the warning says why.
 */
export const MAX_MESSAGE_BYTES = 262_144;
/**
 * How long a publish may take, retries included: the deployment is over, and a CI job must
 * not hang on an unreachable SNS endpoint after it.
 */
export const PUBLISH_TIMEOUT_MS = 20_000;
/** `arn:<partition>:sns:<region>:<account>:<topic>` (SNS API Reference, Publish: TopicArn). */
const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(?:\.fifo)?$/;

const VERB: Record<NotifiedOutcome, string> = {
  deployed: 'deployed',
  // Not an end: `topicFor` sends it nowhere (a pause is not an outcome to publish).
  paused: 'paused',
  rolled_back: 'rolled back',
  rollback_failed: 'failed, rollback failed',
  // Rolled back, or left for `rollback` after a second Ctrl-C: the document's reason says which.
  interrupted: 'interrupted',
  recovered: 'rolled back',
};

/**
 * Which topic hears of this outcome: only a release that went live is a success. A pause is
 * not an outcome yet (the deployment goes on or is aborted later): no topic hears of it.
 */
export function topicFor(
  topics: DeploymentConfig['canary']['sns_topic_notifications'],
  outcome: NotifiedOutcome,
): string | undefined {
  if (outcome === 'paused') return undefined;
  const topic = outcome === 'deployed' ? topics?.on_success : topics?.on_fail;
  return topic === '' ? undefined : topic;
}

/**
 * `ecs-crd: <service> <version> deployed in <environment>`: one line of at most 100
 * characters without control characters, as SNS requires ("Subjects must be UTF-8 text with no
 * line breaks or control characters", SNS API Reference, Publish). The version is shortened
 * first, then the service name, keeping the outcome readable.
 */
export function notificationSubject(
  facts: Pick<OutcomeFacts, 'outcome' | 'service' | 'version' | 'environment'>,
): string {
  const clean = (text: string) => text.replace(/\p{Cc}+/gu, ' ').trim();
  const service = clean(facts.service);
  let version = clean(facts.version);
  const tail = ` ${VERB[facts.outcome]} in ${clean(facts.environment)}`;
  const subject = () => `ecs-crd: ${service} ${version}${tail}`;
  const over = () => [...subject()].length - MAX_SUBJECT;
  if (over() > 0) version = shorten(version, [...version].length - over());
  if (over() > 0) return shorten(subject(), MAX_SUBJECT);
  return subject();
}

/** `text` cut to `length` characters (code points), its end marked with an ellipsis. */
function shorten(text: string, length: number): string {
  const chars = [...text];
  if (chars.length <= length) return text;
  return length <= 1
    ? chars.slice(0, Math.max(length, 0)).join('')
    : `${chars.slice(0, length - 1).join('')}…`;
}

/** The message attributes: what a subscription filter policy can select on. */
export function notificationAttributes(facts: OutcomeFacts): Record<string, string> {
  const attributes = {
    outcome: facts.outcome,
    service: facts.service,
    project: facts.project,
    environment: facts.environment,
    version: facts.version,
  };
  // SNS refuses a String attribute with an empty value.
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== ''));
}

/**
 * The notification for this outcome, or null when no topic hears of it; a string when the
 * topic cannot be published to (not an SNS topic ARN, message too large).
 */
export function planNotification(
  topics: DeploymentConfig['canary']['sns_topic_notifications'],
  facts: OutcomeFacts,
  message: string,
): { notification: Notification } | { topicArn: string; refused: string } | null {
  const topicArn = topicFor(topics, facts.outcome);
  if (topicArn === undefined) return null;
  if (!TOPIC_ARN.test(topicArn)) {
    return { topicArn, refused: 'not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)' };
  }
  const attributes = notificationAttributes(facts);
  const bytes = Buffer.byteLength(message) + Buffer.byteLength(JSON.stringify(attributes));
  if (bytes > MAX_MESSAGE_BYTES) {
    return { topicArn, refused: `the message is ${bytes} bytes, over SNS's ${MAX_MESSAGE_BYTES}` };
  }
  const notification: Notification = {
    topicArn,
    subject: notificationSubject(facts),
    message,
    attributes,
  };
  if (topicArn.endsWith('.fifo')) {
    // A FIFO topic requires both (SNS API Reference, Publish); one group per service keeps its outcomes in order.
    const group = `${facts.project}/${facts.service}/${facts.environment}`;
    notification.fifo = {
      groupId: group.slice(0, 128),
      deduplicationId: `${facts.runId}-${facts.outcome}`.slice(0, 128),
    };
  }
  return { notification };
}

/**
 * Publishes the outcome to its topic, if one hears of it, and reports how that went. Never
 * throws: the deployment's outcome is already decided and stays as it is.
 */
export async function notifyOutcome(
  notifier: Notifier,
  topics: DeploymentConfig['canary']['sns_topic_notifications'],
  facts: OutcomeFacts,
  message: string,
  report: EventSink = () => {},
  timeoutMs = PUBLISH_TIMEOUT_MS,
): Promise<void> {
  const planned = planNotification(topics, facts, message);
  if (planned === null) return;
  const failed = (topicArn: string, error: string) =>
    report(
      progressEvent(
        'notification.failed',
        'warn',
        `Could not publish the outcome (${facts.outcome}) to ${topicArn}: ${error}`,
        { topicArn, outcome: facts.outcome, error },
      ),
    );
  if ('refused' in planned) return failed(planned.topicArn, planned.refused);
  const { topicArn } = planned.notification;
  try {
    const { messageId } = await notifier.publish(planned.notification, AbortSignal.timeout(timeoutMs));
    report(
      progressEvent('notification.sent', 'info', `Published the outcome (${facts.outcome}) to ${topicArn}`, {
        topicArn,
        outcome: facts.outcome,
        messageId,
      }),
    );
  } catch (error) {
    failed(topicArn, error instanceof Error ? error.message : String(error));
  }
}
