import { expect } from 'chai';
import {
  MAX_MESSAGE_BYTES,
  MAX_SUBJECT,
  type NotifiedOutcome,
  notificationAttributes,
  notificationSubject,
  notifyOutcome,
  type OutcomeFacts,
  planNotification,
  topicFor,
} from '../../src/canary/notify.js';
import { FakeNotifier } from '../app/opened.js';
import { RecordingReporter } from '../helpers/fakes.js';

const ON_SUCCESS = 'arn:aws:sns:eu-west-1:123456789012:deployments';
const ON_FAIL = 'arn:aws:sns:us-east-1:123456789012:deployment-failures';
const TOPICS = { on_success: ON_SUCCESS, on_fail: ON_FAIL };

const facts = (overrides: Partial<OutcomeFacts> = {}): OutcomeFacts => ({
  outcome: 'deployed',
  project: 'shop',
  service: 'orders-api',
  environment: 'prod',
  version: '1.4.0',
  runId: 'd-0001',
  ...overrides,
});

describe('canary/notify: who hears of an outcome, and what they read', () => {
  it('sends a release that went live to on_success, anything else to on_fail', () => {
    const outcomes: [NotifiedOutcome, string | undefined][] = [
      ['deployed', ON_SUCCESS],
      ['rolled_back', ON_FAIL],
      ['rollback_failed', ON_FAIL],
      ['interrupted', ON_FAIL],
      ['recovered', ON_FAIL],
    ];
    for (const [outcome, topic] of outcomes) expect(topicFor(TOPICS, outcome), outcome).to.equal(topic);
    expect(topicFor({ on_fail: ON_FAIL }, 'deployed')).to.equal(undefined);
    expect(topicFor({ on_success: ON_SUCCESS }, 'rolled_back')).to.equal(undefined);
    expect(topicFor(undefined, 'deployed')).to.equal(undefined);
  });

  it('says the service, the version, the outcome and the environment in the subject', () => {
    const subjects: [NotifiedOutcome, string][] = [
      ['deployed', 'ecs-crd: orders-api 1.4.0 deployed in prod'],
      ['rolled_back', 'ecs-crd: orders-api 1.4.0 rolled back in prod'],
      ['rollback_failed', 'ecs-crd: orders-api 1.4.0 failed, rollback failed in prod'],
      ['interrupted', 'ecs-crd: orders-api 1.4.0 interrupted in prod'],
      ['recovered', 'ecs-crd: orders-api 1.4.0 rolled back in prod'],
    ];
    for (const [outcome, subject] of subjects)
      expect(notificationSubject(facts({ outcome }))).to.equal(subject);
  });

  it('keeps the subject within 100 characters, shortening the version first', () => {
    const version = `1.4.0-build.${'7'.repeat(120)}`;
    const subject = notificationSubject(facts({ version }));
    expect([...subject].length).to.equal(MAX_SUBJECT);
    expect(subject).to.match(/^ecs-crd: orders-api 1\.4\.0-build\.7+… deployed in prod$/);

    const service = `orders-${'x'.repeat(150)}`;
    const long = notificationSubject(facts({ service }));
    expect([...long].length).to.equal(MAX_SUBJECT);
    expect(long.startsWith('ecs-crd: orders-xxx')).to.equal(true);
    expect(long.endsWith('…')).to.equal(true);
  });

  it('puts no line break or control character in the subject (SNS refuses them)', () => {
    const subject = notificationSubject(facts({ version: '1.4.0\nX-Injected: yes', service: 'orders\tapi' }));
    expect(subject).to.equal('ecs-crd: orders api 1.4.0 X-Injected: yes deployed in prod');
    expect(/\p{Cc}/u.test(subject)).to.equal(false);
  });

  it('gives the outcome, service, project, environment and version as attributes', () => {
    expect(notificationAttributes(facts({ outcome: 'rolled_back' }))).to.deep.equal({
      outcome: 'rolled_back',
      service: 'orders-api',
      project: 'shop',
      environment: 'prod',
      version: '1.4.0',
    });
  });

  it('plans the message for its topic; a FIFO topic gets a group per service and a deduplication id per run', () => {
    const planned = planNotification(TOPICS, facts(), '{"outcome":"deployed"}');
    expect(planned).to.deep.equal({
      notification: {
        topicArn: ON_SUCCESS,
        subject: 'ecs-crd: orders-api 1.4.0 deployed in prod',
        message: '{"outcome":"deployed"}',
        attributes: notificationAttributes(facts()),
      },
    });
    const fifo = 'arn:aws:sns:eu-west-1:123456789012:deployments.fifo';
    const ordered = planNotification({ on_fail: fifo }, facts({ outcome: 'rolled_back' }), '{}');
    expect(ordered && 'notification' in ordered ? ordered.notification.fifo : null).to.deep.equal({
      groupId: 'shop/orders-api/prod',
      deduplicationId: 'd-0001-rolled_back',
    });
    expect(planNotification({ on_fail: ON_FAIL }, facts(), '{}')).to.equal(null);
  });

  it('refuses, before any call, a topic that is no SNS ARN and a message SNS would refuse', () => {
    expect(planNotification({ on_success: 'deployments' }, facts(), '{}')).to.deep.equal({
      topicArn: 'deployments',
      refused: 'not an SNS topic ARN (arn:aws:sns:<region>:<account>:<topic>)',
    });
    const huge = JSON.stringify({ reason: 'é'.repeat(MAX_MESSAGE_BYTES / 2) });
    const refused = planNotification(TOPICS, facts(), huge);
    expect(refused && 'refused' in refused ? refused.refused : null).to.match(/over SNS's 262144$/);
  });

  it('publishes and reports it sent', async () => {
    const notifier = new FakeNotifier();
    const reports = new RecordingReporter();
    await notifyOutcome(notifier, TOPICS, facts(), '{"outcome":"deployed"}', reports.reporter);
    expect(notifier.published.map((n) => n.topicArn)).to.deep.equal([ON_SUCCESS]);
    expect(reports.events.map((e) => [e.code, e.level, e.data])).to.deep.equal([
      ['notification.sent', 'info', { topicArn: ON_SUCCESS, outcome: 'deployed', messageId: 'm-1' }],
    ]);
  });

  it('publishes nothing for a pause: it is no outcome yet', async () => {
    const notifier = new FakeNotifier();
    const reports = new RecordingReporter();
    expect(topicFor(TOPICS, 'paused')).to.equal(undefined);
    await notifyOutcome(
      notifier,
      TOPICS,
      facts({ outcome: 'paused' }),
      '{"outcome":"paused"}',
      reports.reporter,
    );
    expect(notifier.published).to.deep.equal([]);
    expect(reports.events).to.deep.equal([]);
  });

  it('turns a failed publish into a warning naming the topic and AWS’s error, and never throws', async () => {
    const error = new Error('AWS SNS Publish failed: NotFoundException: Topic does not exist');
    const reports = new RecordingReporter();
    await notifyOutcome(
      new FakeNotifier(error),
      TOPICS,
      facts({ outcome: 'rolled_back' }),
      '{}',
      reports.reporter,
    );
    expect(reports.events.map((e) => [e.code, e.level, e.data])).to.deep.equal([
      ['notification.failed', 'warn', { topicArn: ON_FAIL, outcome: 'rolled_back', error: error.message }],
    ]);
    expect(reports.events[0]?.text).to.equal(
      `Could not publish the outcome (rolled_back) to ${ON_FAIL}: ${error.message}`,
    );
  });

  it('gives up on a publish that hangs, with a warning, so that the command can end', async () => {
    const hanging = {
      published: 0,
      publish(_: unknown, signal?: AbortSignal): Promise<{ messageId: string }> {
        this.published++;
        return new Promise((_resolve, reject) =>
          signal?.addEventListener('abort', () => reject(new Error('AbortError: Request aborted'))),
        );
      },
    };
    const reports = new RecordingReporter();
    await notifyOutcome(hanging, TOPICS, facts(), '{}', reports.reporter, 30);
    expect(hanging.published).to.equal(1);
    expect(reports.events.map((e) => [e.code, e.data])).to.deep.equal([
      [
        'notification.failed',
        { topicArn: ON_SUCCESS, outcome: 'deployed', error: 'AbortError: Request aborted' },
      ],
    ]);
  });

  it('says nothing when no topic hears of the outcome', async () => {
    const notifier = new FakeNotifier();
    const reports = new RecordingReporter();
    await notifyOutcome(notifier, { on_fail: ON_FAIL }, facts(), '{}', reports.reporter);
    await notifyOutcome(notifier, undefined, facts({ outcome: 'rolled_back' }), '{}', reports.reporter);
    expect(notifier.published).to.deep.equal([]);
    expect(reports.events).to.deep.equal([]);
  });
});
