/**
 * Notifications and the ECR preflight through the CLI and the real engine, on their own
 * sandbox: the outcome document read back from an SQS queue subscribed to the topic, and a
 * deployment of an image ECR does not hold refused before anything is created.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import { parseDocument } from 'yaml';
import { type ReleaseOptions, SandboxCli } from '../../sandbox/ecs-crd.js';
import { FAKE_CREDENTIALS, type Sandbox, startSandbox } from '../../sandbox/harness.js';

interface Inbox {
  topicArn: string;
  queueUrl: string;
}

describe('notifications and the ECR preflight, through the CLI and the real engine', function () {
  this.timeout(600_000);
  let sandbox: Sandbox;
  let cli: SandboxCli;
  let sns: SNSClient;
  let sqs: SQSClient;
  let ecs: ECSClient;
  let elbv2: ElasticLoadBalancingV2Client;

  before(async () => {
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    sandbox = await startSandbox({ traffic: false });
    cli = new SandboxCli(sandbox);
    const config = { endpoint: sandbox.endpoint, region: sandbox.region, credentials: FAKE_CREDENTIALS };
    sns = new SNSClient(config);
    sqs = new SQSClient(config);
    ecs = new ECSClient(config);
    elbv2 = new ElasticLoadBalancingV2Client(config);
  });

  after(async () => {
    for (const client of [sns, sqs, ecs, elbv2]) client?.destroy();
    cli?.cleanup();
    await sandbox?.stop();
  });

  /** A topic with a queue subscribed to it, as a team's deployment channel. */
  async function inbox(name: string): Promise<Inbox> {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: name }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes?.QueueArn }));
    if (!TopicArn || !QueueUrl) throw new Error('topic or queue not created');
    return { topicArn: TopicArn, queueUrl: QueueUrl };
  }

  /** What the queue received: each SNS envelope, its message parsed. */
  async function received(
    box: Inbox,
  ): Promise<{ subject: string; document: Record<string, unknown>; attributes: Record<string, string> }[]> {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: box.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    return Messages.map((message) => {
      const envelope = JSON.parse(message.Body ?? '{}') as {
        Subject: string;
        Message: string;
        MessageAttributes: Record<string, { Value: string }>;
      };
      return {
        subject: envelope.Subject,
        document: JSON.parse(envelope.Message) as Record<string, unknown>,
        attributes: Object.fromEntries(
          Object.entries(envelope.MessageAttributes ?? {}).map(([name, { Value }]) => [name, Value]),
        ),
      };
    });
  }

  /** The sandbox example with the topics (and, when given, the container's image). */
  function release(
    options: ReleaseOptions,
    more: { topics?: { on_success?: string; on_fail?: string }; image?: string },
  ): string {
    const file = cli.release(options);
    const doc = parseDocument(readFileSync(file, 'utf8'));
    if (more.topics) doc.setIn(['canary', 'sns_topic_notifications'], more.topics);
    if (more.image) doc.setIn(['service', 'containers', 0, 'image'], more.image);
    writeFileSync(file, doc.toString());
    return file;
  }

  /** The ECS services of `name` in the sandbox cluster that are ACTIVE. */
  async function activeServices(name: string): Promise<string[]> {
    const out = await ecs.send(
      new DescribeServicesCommand({
        cluster: sandbox.fixtures.clusterName,
        services: [`sandbox-${name}-dev-blue`, `sandbox-${name}-dev-green`],
      }),
    );
    return (out.services ?? []).filter((s) => s.status === 'ACTIVE').map((s) => s.serviceName ?? '');
  }

  it('a deployed release is published to on_success: the deploy document, read back from a subscribed queue', async () => {
    const success = await inbox('deployed');
    const failure = await inbox('failed');
    const service = { name: 'notified', fqdn: 'notified.sandbox.example.com' };
    const file = release(
      { version: '1.0.0', service },
      { topics: { on_success: success.topicArn, on_fail: failure.topicArn } },
    );
    const result = await cli.run(['deploy', ...cli.flags(file, '--json')]);
    expect(result.code, result.stderr).to.equal(0);

    const messages = await received(success);
    expect(messages).to.have.length(1);
    const [message] = messages;
    // The message is the --json document, as it is.
    expect(message?.document).to.deep.equal(JSON.parse(result.stdout));
    expect(message?.document).to.include({ outcome: 'deployed', version: '1.0.0' });
    expect(message?.subject).to.equal('ecs-crd: notified 1.0.0 deployed in dev');
    expect(message?.attributes).to.include({ outcome: 'deployed', service: 'notified', environment: 'dev' });
    expect(await received(failure)).to.deep.equal([]);
    expect((await cli.run(['undeploy', ...cli.flags(file, '--yes')])).code).to.equal(0);
  });

  it('a candidate that fails is published to on_fail: the rolled-back document; a dead topic is only a warning', async () => {
    const failure = await inbox('rollbacks');
    const service = { name: 'failing', fqdn: 'failing.sandbox.example.com' };
    const file = release(
      { version: '2.0.0', service, health: 'unhealthy', health_timeout: 6 },
      { topics: { on_fail: failure.topicArn } },
    );
    const result = await cli.run(['deploy', ...cli.flags(file, '--json')]);
    expect(result.code, result.stderr).to.equal(3);
    const [message, ...more] = await received(failure);
    expect(more).to.deep.equal([]);
    expect(message?.document).to.deep.equal(JSON.parse(result.stdout));
    expect(message?.document).to.include({ outcome: 'rolled_back', version: '2.0.0' });
    expect(message?.subject).to.equal('ecs-crd: failing 2.0.0 rolled back in dev');
    expect(await activeServices('failing')).to.deep.equal([]);

    // A topic that does not exist: the outcome and the exit code stay, a warning names the topic.
    const gone = `arn:aws:sns:${sandbox.region}:${sandbox.fixtures.accountId}:no-such-topic`;
    const again = release(
      { version: '2.0.1', service, health: 'unhealthy', health_timeout: 6 },
      { topics: { on_fail: gone } },
    );
    const warned = await cli.run(['deploy', ...cli.flags(again)]);
    expect(warned.code, warned.stderr).to.equal(3);
    expect(warned.stderr).to.match(
      new RegExp(
        `notification\\.failed +Could not publish the outcome \\(rolled_back\\) to ${gone}: .*Topic does not exist`,
      ),
    );
  });

  it('an ECR image whose tag was never pushed stops the deploy with exit 2 before anything is created', async () => {
    const pushed = await sandbox.pushImage('sandbox/preflight', '1.0.0');
    const repository = pushed.image.slice(0, pushed.image.lastIndexOf(':'));
    const success = await inbox('preflight');
    const service = { name: 'preflight', fqdn: 'preflight.sandbox.example.com' };
    const groupsBefore = (await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.length ?? 0;

    const file = release(
      { version: '1.0.1', service },
      { image: `${repository}:1.0.1`, topics: { on_success: success.topicArn, on_fail: success.topicArn } },
    );
    const refused = await cli.run(['deploy', ...cli.flags(file)]);
    expect(refused.code, refused.stderr).to.equal(2);
    expect(refused.stderr).to.include(
      `service.containers[0].image: the ECR repository sandbox/preflight has no image with tag 1.0.1 (registry ${sandbox.fixtures.accountId}, ${sandbox.region})`,
    );
    expect(refused.stderr).to.match(/Nothing was changed\. Push the image first/);
    expect(await activeServices('preflight')).to.deep.equal([]);
    expect((await elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups?.length ?? 0).to.equal(
      groupsBefore,
    );
    const status = await cli.run(['status', ...cli.flags(file, '--json')]);
    expect(JSON.parse(status.stdout).phase, status.stderr).to.equal('none');
    expect(await received(success), 'a refused deployment tells nobody').to.deep.equal([]);

    // The pushed tag passes the preflight (preview makes the same checks and changes nothing).
    const ok = release({ version: '1.0.0', service }, { image: pushed.image });
    const preview = await cli.run(['preview', ...cli.flags(ok)]);
    expect(preview.code, preview.stderr).to.equal(0);
  });
});
