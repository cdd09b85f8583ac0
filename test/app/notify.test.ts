/**
 * `deploy`, `preview` and `rollback` with their ports faked: the outcome published to its
 * topic (the `--json` document as the message), a failed publish a warning that changes
 * nothing, and a missing ECR image refused before any change.
 */
import { expect } from 'chai';
import { deployIn } from '../../src/app/deploy.js';
import { previewIn } from '../../src/app/preview.js';
import { rollbackIn } from '../../src/app/rollback.js';
import { UsageError } from '../../src/errors.js';
import { ExitCode, exitCodeOf, exitCodeOfOutcome } from '../../src/exit-codes.js';
import {
  buildConfig,
  buildDesiredState,
  buildMeta,
  SAMPLE_ACCOUNT_ID,
  SAMPLE_REGION,
} from '../helpers/builders.js';
import {
  conditionScript,
  FakeClock,
  FakeHealthProbe,
  outputsOf,
  RecordingReporter,
} from '../helpers/fakes.js';
import { RecordingStackRunner } from '../helpers/recording-runner.js';
import { FakeNotifier, FakeRegistry, openedService } from './opened.js';

const ON_SUCCESS = `arn:aws:sns:${SAMPLE_REGION}:${SAMPLE_ACCOUNT_ID}:deployments`;
const ON_FAIL = `arn:aws:sns:${SAMPLE_REGION}:${SAMPLE_ACCOUNT_ID}:deployment-failures`;
const service = { environment: 'prod' as const, region: SAMPLE_REGION, pulumiVersion: '3.274.1' };

/** The sample service, told to notify both topics. */
function notifying(options: Parameters<typeof openedService>[0] = {}) {
  const opened = openedService(options);
  opened.ctx.config.canary.sns_topic_notifications = { on_success: ON_SUCCESS, on_fail: ON_FAIL };
  return opened;
}

describe('deploy: the outcome published to canary.sns_topic_notifications', () => {
  it('publishes a deployed release to on_success, the document it returns as the message', async () => {
    const notifier = new FakeNotifier();
    const opened = notifying({ notifier });
    const reports = new RecordingReporter();
    const document = await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock });

    expect(document.outcome).to.equal('deployed');
    expect(notifier.published).to.have.length(1);
    const [sent] = notifier.published;
    expect(sent?.topicArn).to.equal(ON_SUCCESS);
    expect(JSON.parse(sent?.message ?? '')).to.deep.equal(document);
    expect(sent?.subject).to.equal('ecs-crd: orders-api 1.4.0 deployed in prod');
    expect(sent?.attributes).to.include({ outcome: 'deployed', service: 'orders-api', environment: 'prod' });
    // The last word, after the rollout's own.
    expect(reports.codes().slice(-2)).to.deep.equal(['rollout.finished', 'notification.sent']);
  });

  it('publishes a rolled-back release to on_fail', async () => {
    const notifier = new FakeNotifier();
    const clock = new FakeClock();
    const opened = notifying({ notifier, clock });
    const desired = opened.ctx.config.canary.scale.desired;
    opened.aws.probe = new FakeHealthProbe(
      clock,
      conditionScript(desired, () => 'unhealthy'),
    );
    const document = await deployIn(opened, { service, reporter: () => {}, clock });

    expect(document.outcome).to.equal('rolled_back');
    expect(notifier.published.map((n) => [n.topicArn, n.subject, n.attributes.outcome])).to.deep.equal([
      [ON_FAIL, 'ecs-crd: orders-api 1.4.0 rolled back in prod', 'rolled_back'],
    ]);
    expect(JSON.parse(notifier.published[0]?.message ?? '')).to.deep.equal(document);
  });

  it('keeps the outcome and the exit code when the publish fails, and says so as a warning', async () => {
    const failure = new Error('AWS SNS Publish failed: NotFoundException: Topic does not exist');
    const opened = notifying({ notifier: new FakeNotifier(failure) });
    const reports = new RecordingReporter();
    const document = await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock });

    expect(document.outcome).to.equal('deployed');
    expect(exitCodeOfOutcome(document.outcome)).to.equal(ExitCode.Success);
    const [failed] = reports.of('notification.failed');
    expect(failed?.level).to.equal('warn');
    expect(failed?.data).to.deep.equal({ topicArn: ON_SUCCESS, outcome: 'deployed', error: failure.message });
  });

  it('publishes nothing without topics', async () => {
    const notifier = new FakeNotifier();
    const opened = openedService({ notifier });
    const reports = new RecordingReporter();
    await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock });
    expect(notifier.published).to.deep.equal([]);
    expect(reports.of('notification.sent')).to.deep.equal([]);
  });
});

describe('deploy and preview: an ECR image that does not exist stops them before any change', () => {
  const missingTag = () => new FakeRegistry(() => ({ status: 'missing', what: 'image' }));

  it('deploy refuses with exit 2, naming the repository and the tag, changes nothing and tells nobody', async () => {
    const notifier = new FakeNotifier();
    const runner = new RecordingStackRunner();
    const opened = notifying({ registry: missingTag(), notifier, runner });
    const error = await deployIn(opened, { service, reporter: () => {}, clock: opened.clock }).catch(
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(UsageError);
    expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
    expect((error as UsageError).message).to.equal(
      'prod.deploy.yml: service.containers[0].image: the ECR repository orders-api has no image with tag 1.4.0 (registry 123456789012, eu-west-1)',
    );
    expect((error as UsageError).hint).to.match(/^Nothing was changed\. Push the image first/);
    expect(runner.stack.ups).to.deep.equal([]);
    expect(notifier.published).to.deep.equal([]);
  });

  it('preview refuses it too', async () => {
    const runner = new RecordingStackRunner();
    const opened = openedService({ registry: missingTag(), runner });
    const error = await previewIn(opened, {}).catch((e: unknown) => e);
    expect(exitCodeOf(error)).to.equal(ExitCode.Usage);
    expect(runner.previews).to.deep.equal([]);
  });

  it('goes on, with a warning, when the identity may not look the image up', async () => {
    const registry = new FakeRegistry(() => ({ status: 'unchecked', error: 'AccessDeniedException: no' }));
    const opened = openedService({ registry });
    const reports = new RecordingReporter();
    const document = await deployIn(opened, { service, reporter: reports.reporter, clock: opened.clock });
    expect(document.outcome).to.equal('deployed');
    expect(reports.of('image.unchecked').map((event) => event.level)).to.deep.equal(['warn']);
    expect(registry.asked.map((image) => image.image)).to.deep.equal([
      `${SAMPLE_ACCOUNT_ID}.dkr.ecr.${SAMPLE_REGION}.amazonaws.com/orders-api:1.4.0`,
    ]);
  });
});

describe('rollback: recovering an unfinished deployment is published to on_fail', () => {
  /** A canary of 1.5.0 on green at 10 %, its run killed. */
  const midCanary = () =>
    outputsOf(
      buildDesiredState({
        releases: { blue: buildConfig(), green: buildConfig({ service: { version: '1.5.0' } }) },
        weights: { blue: 90, green: 10 },
        meta: buildMeta({
          phase: 'deploying',
          candidateSlot: 'green',
          candidateVersion: '1.5.0',
          liveSlot: 'blue',
          liveVersion: '1.4.0',
          outcome: null,
        }),
      }),
    );

  it('names the version the deployment was releasing, with the rollback document as the message', async () => {
    const clock = new FakeClock();
    const notifier = new FakeNotifier();
    const opened = notifying({
      notifier,
      clock,
      runner: new RecordingStackRunner({ clock, outputs: midCanary() }),
    });
    const document = await rollbackIn(opened, { force: false, reporter: () => {}, clock });

    expect(document.changed).to.equal(true);
    expect(notifier.published.map((n) => [n.topicArn, n.subject, n.attributes.outcome])).to.deep.equal([
      [ON_FAIL, 'ecs-crd: orders-api 1.5.0 rolled back in prod', 'recovered'],
    ]);
    expect(JSON.parse(notifier.published[0]?.message ?? '')).to.deep.equal(document);
  });

  it('tells nobody when there was nothing to recover', async () => {
    const clock = new FakeClock();
    const notifier = new FakeNotifier();
    const opened = notifying({ notifier, clock, runner: new RecordingStackRunner({ clock, outputs: null }) });
    const document = await rollbackIn(opened, { force: false, reporter: () => {}, clock });
    expect(document.changed).to.equal(false);
    expect(notifier.published).to.deep.equal([]);
  });
});
