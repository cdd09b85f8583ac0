import { randomBytes } from 'node:crypto';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  DetachRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  type IAMClient,
  ListAttachedRolePoliciesCommand,
  ListRolePoliciesCommand,
  PutRolePermissionsBoundaryCommand,
  PutRolePolicyCommand,
  TagRoleCommand,
  UntagRoleCommand,
  UpdateAssumeRolePolicyCommand,
  UpdateRoleCommand,
} from '@aws-sdk/client-iam';
import { type ResourceKind, unlessGone } from './kind.js';
import {
  asArray,
  asBoolean,
  asNumber,
  asObject,
  asString,
  asStringMap,
  type Json,
  type Props,
  plainProps,
  sameValue,
} from './values.js';

function missing(error: unknown): boolean {
  return (error as { name?: string })?.name === 'NoSuchEntityException';
}

/** Policy documents arrive as a JSON string or, from `aws.iam.PolicyDocument`, as an object. */
function documentText(value: Json | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function inlinePoliciesOf(inputs: Props): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of asArray(inputs.inlinePolicies)) {
    const policy = asObject(item);
    const name = asString(policy.name);
    const text = documentText(policy.policy);
    if (name && text) out.set(name, text);
  }
  return out;
}

function managedArnsOf(inputs: Props): string[] {
  return asArray(inputs.managedPolicyArns).flatMap((arn) => (typeof arn === 'string' ? [arn] : []));
}

async function detachEverything(client: IAMClient, role: string): Promise<void> {
  const attached = await client.send(new ListAttachedRolePoliciesCommand({ RoleName: role }));
  for (const policy of attached.AttachedPolicies ?? []) {
    await client.send(new DetachRolePolicyCommand({ RoleName: role, PolicyArn: policy.PolicyArn }));
  }
  const inline = await client.send(new ListRolePoliciesCommand({ RoleName: role }));
  for (const name of inline.PolicyNames ?? []) {
    await client.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: name }));
  }
}

export const role: ResourceKind = {
  token: 'aws:iam/role:Role',
  replaceOn: ['name', 'namePrefix', 'path'],
  computed: ['arn', 'createDate', 'id', 'tagsAll', 'uniqueId'],
  optionalComputed: ['path', 'maxSessionDuration', 'inlinePolicies', 'managedPolicyArns'],
  documents: ['assumeRolePolicy'],
  required: ['assumeRolePolicy'],
  autoName: { maxLength: 64 },

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const client = ctx.aws.iam();
    const name = asString(inputs.name) ?? '';
    const tags = Object.entries(asStringMap(inputs.tags)).map(([Key, Value]) => ({ Key, Value }));
    const created = await client.send(
      new CreateRoleCommand({
        RoleName: name,
        Path: asString(inputs.path) ?? '/',
        AssumeRolePolicyDocument: documentText(inputs.assumeRolePolicy),
        Description: asString(inputs.description),
        MaxSessionDuration: asNumber(inputs.maxSessionDuration),
        PermissionsBoundary: asString(inputs.permissionsBoundary),
        Tags: tags.length > 0 ? tags : undefined,
      }),
    );
    for (const [policyName, document] of inlinePoliciesOf(inputs)) {
      await client.send(
        new PutRolePolicyCommand({ RoleName: name, PolicyName: policyName, PolicyDocument: document }),
      );
    }
    for (const arn of managedArnsOf(inputs)) {
      await client.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: arn }));
    }
    const live = created.Role;
    return {
      id: name,
      outs: {
        ...inputs,
        path: live?.Path ?? '/',
        arn: live?.Arn ?? null,
        uniqueId: live?.RoleId ?? null,
        createDate: live?.CreateDate?.toISOString() ?? null,
      },
    };
  },

  async read(ctx, id, state) {
    return unlessGone(missing, async () => {
      const found = await ctx.aws.iam().send(new GetRoleCommand({ RoleName: id }));
      const live = found.Role;
      if (!live) return undefined;
      return { ...state, name: id, arn: live.Arn ?? null, uniqueId: live.RoleId ?? null };
    });
  },

  async update(ctx, id, olds, raw) {
    const news = plainProps(raw);
    const client = ctx.aws.iam();
    if (!sameValue(olds.assumeRolePolicy, news.assumeRolePolicy)) {
      await client.send(
        new UpdateAssumeRolePolicyCommand({
          RoleName: id,
          PolicyDocument: documentText(news.assumeRolePolicy),
        }),
      );
    }
    if (
      !sameValue(olds.description, news.description) ||
      !sameValue(olds.maxSessionDuration, news.maxSessionDuration)
    ) {
      await client.send(
        new UpdateRoleCommand({
          RoleName: id,
          Description: asString(news.description) ?? '',
          MaxSessionDuration: asNumber(news.maxSessionDuration),
        }),
      );
    }
    const boundary = asString(news.permissionsBoundary);
    if (boundary && boundary !== asString(olds.permissionsBoundary)) {
      await client.send(
        new PutRolePermissionsBoundaryCommand({ RoleName: id, PermissionsBoundary: boundary }),
      );
    }
    if (!sameValue(olds.tags, news.tags)) {
      const after = asStringMap(news.tags);
      const removed = Object.keys(asStringMap(olds.tags)).filter((key) => !(key in after));
      if (removed.length > 0) await client.send(new UntagRoleCommand({ RoleName: id, TagKeys: removed }));
      const tags = Object.entries(after).map(([Key, Value]) => ({ Key, Value }));
      if (tags.length > 0) await client.send(new TagRoleCommand({ RoleName: id, Tags: tags }));
    }
    const oldInline = inlinePoliciesOf(olds);
    const newInline = inlinePoliciesOf(news);
    for (const [policyName, document] of newInline) {
      if (oldInline.get(policyName) !== document) {
        await client.send(
          new PutRolePolicyCommand({ RoleName: id, PolicyName: policyName, PolicyDocument: document }),
        );
      }
    }
    for (const policyName of oldInline.keys()) {
      if (!newInline.has(policyName))
        await client.send(new DeleteRolePolicyCommand({ RoleName: id, PolicyName: policyName }));
    }
    const oldArns = new Set(managedArnsOf(olds));
    const newArns = new Set(managedArnsOf(news));
    for (const arn of newArns) {
      if (!oldArns.has(arn)) await client.send(new AttachRolePolicyCommand({ RoleName: id, PolicyArn: arn }));
    }
    for (const arn of oldArns) {
      if (!newArns.has(arn)) await client.send(new DetachRolePolicyCommand({ RoleName: id, PolicyArn: arn }));
    }
    return {};
  },

  async delete(ctx, id, state) {
    const client = ctx.aws.iam();
    await unlessGone(missing, async () => {
      // Policies the role itself declares go with it; others only with forceDetachPolicies, like on AWS.
      for (const policyName of inlinePoliciesOf(state).keys()) {
        await client.send(new DeleteRolePolicyCommand({ RoleName: id, PolicyName: policyName }));
      }
      for (const arn of managedArnsOf(state)) {
        await client.send(new DetachRolePolicyCommand({ RoleName: id, PolicyArn: arn }));
      }
      if (asBoolean(state.forceDetachPolicies)) await detachEverything(client, id);
      await client.send(new DeleteRoleCommand({ RoleName: id }));
    });
  },
};

export const rolePolicy: ResourceKind = {
  token: 'aws:iam/rolePolicy:RolePolicy',
  replaceOn: ['name', 'namePrefix', 'role'],
  computed: ['id'],
  documents: ['policy'],
  required: ['policy', 'role'],
  autoName: { maxLength: 128 },

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const roleName = asString(inputs.role) ?? '';
    const name = asString(inputs.name) ?? '';
    await ctx.aws.iam().send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: name,
        PolicyDocument: documentText(inputs.policy),
      }),
    );
    return { id: `${roleName}:${name}`, outs: inputs };
  },

  async read(ctx, _id, state) {
    return unlessGone(missing, async () => {
      await ctx.aws
        .iam()
        .send(new GetRolePolicyCommand({ RoleName: asString(state.role), PolicyName: asString(state.name) }));
      return state;
    });
  },

  async update(ctx, _id, _olds, raw) {
    const news = plainProps(raw);
    await ctx.aws.iam().send(
      new PutRolePolicyCommand({
        RoleName: asString(news.role),
        PolicyName: asString(news.name),
        PolicyDocument: documentText(news.policy),
      }),
    );
    return {};
  },

  async delete(ctx, _id, state) {
    await unlessGone(missing, () =>
      ctx.aws
        .iam()
        .send(
          new DeleteRolePolicyCommand({ RoleName: asString(state.role), PolicyName: asString(state.name) }),
        ),
    );
  },
};

export const rolePolicyAttachment: ResourceKind = {
  token: 'aws:iam/rolePolicyAttachment:RolePolicyAttachment',
  replaceOn: ['role', 'policyArn'],
  computed: ['id'],
  required: ['role', 'policyArn'],

  async create(ctx, raw) {
    const inputs = plainProps(raw);
    const roleName = asString(inputs.role) ?? '';
    await ctx.aws
      .iam()
      .send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: asString(inputs.policyArn) }));
    // pulumi-aws's id: the role name and a unique suffix.
    return { id: `${roleName}-${Date.now()}${randomBytes(4).toString('hex')}`, outs: inputs };
  },

  async read(ctx, _id, state) {
    return unlessGone(missing, async () => {
      const attached = await ctx.aws
        .iam()
        .send(new ListAttachedRolePoliciesCommand({ RoleName: asString(state.role) }));
      const found = attached.AttachedPolicies?.some(
        (policy) => policy.PolicyArn === asString(state.policyArn),
      );
      return found ? state : undefined;
    });
  },

  async update() {
    // Both inputs replace: nothing is ever updated in place.
    return {};
  },

  async delete(ctx, _id, state) {
    await unlessGone(missing, () =>
      ctx.aws.iam().send(
        new DetachRolePolicyCommand({
          RoleName: asString(state.role),
          PolicyArn: asString(state.policyArn),
        }),
      ),
    );
  },
};
