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
    Statement: statements.map((s) => ({ Effect: s.effect, Action: s.actions, Resource: s.resources })),
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
  service: { policies: readonly unknown[]; containers: readonly unknown[] },
  ctx: Context,
): void {
  const valid = validParts(ctx);
  const statements = itemsOf(service.policies).filter((_, i) => valid(['policies', i])) as PolicyStatement[];
  const policy = taskPolicy(statements);
  if (policy !== null && policySize(policy) > RELEASE_POLICY_MAX_CHARS) {
    report(
      ctx,
      ['policies'],
      `${tooLarge('these statements make a task role policy', policySize(policy), 'task role')} (merge statements that share actions, or list fewer resources)`,
    );
  }
  const withSecrets = itemsOf(service.containers).flatMap((container, i) => {
    const secrets = field(container, 'secrets');
    return valid(['containers', i, 'secrets']) && isRecord(secrets) && Object.keys(secrets).length > 0
      ? [{ index: i, secrets: secrets as Record<string, string> }]
      : [];
  });
  const first = withSecrets[0];
  const secrets = secretsPolicy(secretArns({ containers: withSecrets }));
  if (first === undefined || secrets === null || policySize(secrets) <= RELEASE_POLICY_MAX_CHARS) return;
  const whose = withSecrets.length > 1 ? 'the secrets of all containers' : 'these secrets';
  report(
    ctx,
    ['containers', first.index, 'secrets'],
    `${tooLarge(`${whose} make an execution role policy`, policySize(secrets), 'execution role')} (one Secrets Manager secret can hold several values, as JSON keys)`,
  );
}

function tooLarge(what: string, size: number, role: string): string {
  const count = (n: number) => n.toLocaleString('en-US');
  return `${what} of ${count(size)} characters (white space aside), over ${count(RELEASE_POLICY_MAX_CHARS)}: IAM allows ${count(ROLE_INLINE_POLICIES_MAX_CHARS)} characters of inline policies per role, and during a canary the live release's policy and the new release's sit on the ${role} together, so each release may use half`;
}
