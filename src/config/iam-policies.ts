/**
 * The inline IAM policies a release puts on the shared roles, built from the file's data: the
 * task role's (`service.policies`) and the execution role's read access to the secrets
 * (`service.containers[].secrets`). Pure, with a fixed key and element order, so the same
 * release always renders the same text and the engine sees no change. Here, not in the
 * stack, because `validate` measures these very documents against IAM's size quota
 * (`policiesFitTheRoles`), and config may not import the stack.
 */
import { type Context, itemsOf, report, validParts } from './rule-context.js';
import { field, isRecord } from './templates.js';
import type { PolicyStatement } from './types.js';

/** An IAM policy document. */
export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: {
    Sid?: string;
    Effect: 'Allow' | 'Deny';
    Principal?: { Service: string };
    Action: string | string[];
    Resource?: string[];
  }[];
}

export const POLICY_VERSION = '2012-10-17';

/** The release's `policies`, as the inline policy it adds to the task role; null when none. */
export function taskPolicy(statements: readonly PolicyStatement[]): string | null {
  if (statements.length === 0) return null;
  const document: PolicyDocument = {
    Version: POLICY_VERSION,
    // A Sid only when the file gives one: a release recorded before Sids renders the same text.
    Statement: statements.map((s) => ({
      ...(s.sid === undefined ? {} : { Sid: s.sid }),
      Effect: s.effect,
      Action: s.actions,
      Resource: s.resources,
    })),
  };
  return JSON.stringify(document);
}

/** What the secrets policy reads of a service: its containers' `secrets` (`NAME: ARN`). */
export interface WithSecrets {
  containers: readonly { secrets: Readonly<Record<string, string>> }[];
}

/** Every secret ARN a release's containers refer to, once each, sorted. */
export function secretArns(service: WithSecrets): string[] {
  return [...new Set(service.containers.flatMap((c) => Object.values(c.secrets)))].sort();
}

/**
 * The IAM resource a `valueFrom` ARN needs read access to. A Secrets Manager reference may
 * name a JSON key, stage or version after the secret's ARN
 * (`arn:aws:secretsmanager:<region>:<account>:secret:<name>:<key>:<stage>:<version>`); the
 * permission is on the secret itself, its first seven fields.
 */
function secretResource(arn: string): { service: 'ssm' | 'secretsmanager'; resource: string } {
  const fields = arn.split(':');
  const service = fields[2];
  if (fields[0] !== 'arn' || (service !== 'ssm' && service !== 'secretsmanager')) {
    throw new Error(`not an SSM parameter or Secrets Manager secret ARN: ${arn}`);
  }
  return { service, resource: service === 'secretsmanager' ? fields.slice(0, 7).join(':') : arn };
}

/**
 * The execution role's read access to exactly these secrets (`ssm:GetParameters`,
 * `secretsmanager:GetSecretValue`), or null when there are none: IAM refuses an empty policy.
 */
export function secretsPolicy(arns: readonly string[]): string | null {
  const resources = { ssm: new Set<string>(), secretsmanager: new Set<string>() };
  for (const arn of arns) {
    const { service, resource } = secretResource(arn);
    resources[service].add(resource);
  }
  const statements: PolicyDocument['Statement'] = [];
  if (resources.ssm.size > 0) {
    statements.push({
      Sid: 'ReadSsmParameters',
      Effect: 'Allow',
      Action: ['ssm:GetParameters'],
      Resource: [...resources.ssm].sort(),
    });
  }
  if (resources.secretsmanager.size > 0) {
    statements.push({
      Sid: 'ReadSecretsManagerSecrets',
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [...resources.secretsmanager].sort(),
    });
  }
  if (statements.length === 0) return null;
  const document: PolicyDocument = { Version: POLICY_VERSION, Statement: statements };
  return JSON.stringify(document);
}

// ------------------------------------------------------------------ IAM's size quota

/**
 * IAM's quota on the inline policies of one role, all together: 10,240 characters, white
 * space not counted.
 */
export const ROLE_INLINE_POLICIES_MAX_CHARS = 10_240;

/**
 * What one release's policy may take of a role. During a canary the live release and the new
 * one each have their own inline policy on the same shared role (a candidate's permissions
 * never rewrite the live release's), so two releases must fit: each gets half.
 */
export const RELEASE_POLICY_MAX_CHARS = ROLE_INLINE_POLICIES_MAX_CHARS / 2;

/** A policy's size as IAM counts it against the quota: its characters but white space. */
export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

/**
 * Refuses a release whose task role policy (at `policies`) or secrets policy (at the `secrets`
 * of the first container with any) would not leave room on its role for the other release's
 * during a canary: IAM would refuse the update that adds the second one, mid-deployment. Reads
 * the valid parts only: a size over the limit on them is over it whatever the rest holds.
 * Offline, `{{region}}` and `{{account_id}}` may still be as written: the commands that deploy
 * check the file again, rendered.
 */
export function policiesFitTheRoles(
  service: {
    policies?: readonly unknown[] | undefined;
    execution_policies?: readonly unknown[] | undefined;
    iam_roles?:
      | { task_role?: readonly unknown[] | undefined; task_execution_role?: readonly unknown[] | undefined }
      | undefined;
    containers: readonly unknown[];
  },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  // The preferred spelling or the original's (`iam_roles`), as they will be resolved.
  const statementsAt = (
    preferred: 'policies' | 'execution_policies',
    original: 'task_role' | 'task_execution_role',
  ) => {
    const path = service[preferred] !== undefined ? [preferred] : ['iam_roles', original];
    const list = service[preferred] ?? service.iam_roles?.[original];
    const statements = itemsOf(list).flatMap((item, i) => (valid([...path, i]) ? [asStatement(item)] : []));
    return { path, statements };
  };
  const task = statementsAt('policies', 'task_role');
  const policy = taskPolicy(task.statements);
  if (policy !== null && policySize(policy) > RELEASE_POLICY_MAX_CHARS) {
    report(
      ctx,
      task.path,
      `${tooLarge('these statements make a task role policy', policySize(policy), 'task role')} (merge statements that share actions, or list fewer resources)`,
    );
  }
  const execution = statementsAt('execution_policies', 'task_execution_role');
  const extra = taskPolicy(execution.statements);
  const withSecrets = itemsOf(service.containers).flatMap((container, i) => {
    const secrets = pairsOf(field(container, 'secrets'));
    return valid(['containers', i, 'secrets']) && secrets !== undefined && Object.keys(secrets).length > 0
      ? [{ index: i, secrets }]
      : [];
  });
  const secrets = secretsPolicy(secretArns({ containers: withSecrets }));
  // The execution role carries the release's secrets policy and its own statements: together within the share.
  const size = (secrets === null ? 0 : policySize(secrets)) + (extra === null ? 0 : policySize(extra));
  if (size <= RELEASE_POLICY_MAX_CHARS) return;
  const first = withSecrets[0];
  const whose = withSecrets.length > 1 ? 'the secrets of all containers' : 'these secrets';
  const what =
    extra === null
      ? `${whose} make an execution role policy`
      : first === undefined
        ? 'these statements make an execution role policy'
        : `${whose} and the execution role statements make execution role policies`;
  report(
    ctx,
    first === undefined || extra !== null ? execution.path : ['containers', first.index, 'secrets'],
    `${tooLarge(what, size, 'execution role')} (one Secrets Manager secret can hold several values, as JSON keys)`,
  );
}

/** A statement that parsed, as IAM will see it (the original's name as Sid, no resources as "*"). */
function asStatement(item: unknown): PolicyStatement {
  const s = item as {
    sid?: string;
    name?: string;
    effect: 'Allow' | 'Deny';
    actions: string[];
    resources?: string[];
  };
  const sid = s.sid ?? s.name?.replace(/[^A-Za-z0-9]/g, '');
  return { ...(sid ? { sid } : {}), effect: s.effect, actions: s.actions, resources: s.resources ?? ['*'] };
}

/** `NAME: ARN` as a map, from a map or the original's list of one-key maps. */
function pairsOf(value: unknown): Record<string, string> | undefined {
  if (Array.isArray(value))
    return Object.fromEntries(value.filter(isRecord).flatMap((item) => Object.entries(item))) as Record<
      string,
      string
    >;
  return isRecord(value) ? (value as Record<string, string>) : undefined;
}

function tooLarge(what: string, size: number, role: string): string {
  const count = (n: number) => n.toLocaleString('en-US');
  return `${what} of ${count(size)} characters (white space aside), over ${count(RELEASE_POLICY_MAX_CHARS)}: IAM allows ${count(ROLE_INLINE_POLICIES_MAX_CHARS)} characters of inline policies per role, and during a canary the live release's policy and the new release's sit on the ${role} together, so each release may use half`;
}
