import {
  AssociateKmsKeyCommand,
  type CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  DeleteRetentionPolicyCommand,
  DescribeLogGroupsCommand,
  DisassociateKmsKeyCommand,
  PutRetentionPolicyCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { type ResourceKind, unlessGone } from './kind.js';
import { asBoolean, asNumber, asString, asStringMap, type Props, plainProps, sameValue } from './values.js';

function notFound(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ResourceNotFoundException';
}

async function findGroup(client: CloudWatchLogsClient, name: string) {
  const found = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name }));
  return found.logGroups?.find((group) => group.logGroupName === name);
}

/** pulumi-aws reports the ARN without the `:*` CloudWatch Logs appends. */
function bareArn(arn: string | undefined): string | null {
  return arn ? arn.replace(/:\*$/, '') : null;
}

async function retag(client: CloudWatchLogsClient, arn: string, olds: Props, news: Props): Promise<void> {
  if (sameValue(olds.tags, news.tags)) return;
  const after = asStringMap(news.tags);
  const removed = Object.keys(asStringMap(olds.tags)).filter((key) => !(key in after));
  if (removed.length > 0) await client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: removed }));
  if (Object.keys(after).length > 0)
    await client.send(new TagResourceCommand({ resourceArn: arn, tags: after }));
}

export const logGroup: ResourceKind = {
  token: 'aws:cloudwatch/logGroup:LogGroup',
  replaceOn: ['name', 'namePrefix', 'logGroupClass', 'region'],
  computed: ['arn', 'id', 'tagsAll'],
  optionalComputed: ['region', 'logGroupClass'],
  autoName: { maxLength: 512 },

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const client = ctx.aws.logs(asString(inputs.region));
    const name = asString(inputs.name) ?? '';
    const tags = asStringMap(inputs.tags);
    await client.send(
      new CreateLogGroupCommand({
        logGroupName: name,
        kmsKeyId: asString(inputs.kmsKeyId),
        logGroupClass: asString(inputs.logGroupClass) as 'STANDARD' | undefined,
        tags: Object.keys(tags).length > 0 ? tags : undefined,
      }),
    );
    const retention = asNumber(inputs.retentionInDays);
    if (retention) {
      await client.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays: retention }));
    }
    const live = await findGroup(client, name);
    return { id: name, outs: { ...inputs, arn: bareArn(live?.arn) } };
  },

  async read(ctx, id, state) {
    const live = await findGroup(ctx.aws.logs(asString(state.region)), id);
    if (!live) return undefined;
    return { ...state, name: id, arn: bareArn(live.arn), retentionInDays: live.retentionInDays ?? null };
  },

  async update(ctx, id, olds, raw) {
    const news = plainProps(raw);
    const client = ctx.aws.logs(asString(news.region));
    const retention = asNumber(news.retentionInDays);
    if (!sameValue(olds.retentionInDays, news.retentionInDays)) {
      if (retention)
        await client.send(new PutRetentionPolicyCommand({ logGroupName: id, retentionInDays: retention }));
      else await client.send(new DeleteRetentionPolicyCommand({ logGroupName: id }));
    }
    if (!sameValue(olds.kmsKeyId, news.kmsKeyId)) {
      const key = asString(news.kmsKeyId);
      if (key) await client.send(new AssociateKmsKeyCommand({ logGroupName: id, kmsKeyId: key }));
      else await client.send(new DisassociateKmsKeyCommand({ logGroupName: id }));
    }
    const arn = asString(olds.arn);
    if (arn) await retag(client, arn, olds, news);
    return {};
  },

  async delete(ctx, id, state) {
    if (asBoolean(state.skipDestroy)) return;
    await unlessGone(notFound, () =>
      ctx.aws.logs(asString(state.region)).send(new DeleteLogGroupCommand({ logGroupName: id })),
    );
  },
};
