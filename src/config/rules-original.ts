/**
 * Rules of the original tool's spellings (`iam_roles`, statement `name`, `containers[].fqdn`)
 * next to the preferred ones, and of IAM statements: either spelling is accepted, both at once
 * is refused (which one would win?).
 */
import { type Context, itemsOf, report, validParts } from './rule-context.js';
import { field } from './templates.js';

// ------------------------------------------------------------------ IAM statements

/** The Sid a statement's original `name` becomes: IAM Sids are letters and digits only. */
export const sidOf = (name: string): string => name.replace(/[^A-Za-z0-9]/g, '');

export function sidFromName(
  statement: { sid?: string | undefined; name?: string | undefined },
  ctx: Context,
) {
  if (statement.name === undefined) return;
  if (statement.sid !== undefined) {
    report(ctx, ['name'], 'is the original tool’s spelling of `sid`, which is also set: keep one (`sid`)');
  } else if (sidOf(statement.name) === '') {
    report(
      ctx,
      ['name'],
      'becomes the statement’s Sid, which needs a letter or a digit (IAM Sids are [A-Za-z0-9])',
    );
  }
}

/** IAM: "the Sid value must be unique within a JSON policy" (IAM JSON policy elements: Sid). */
export function sidsUnique(list: readonly unknown[], ctx: Context): void {
  const valid = validParts(ctx);
  const seen = new Map<string, number>();
  list.forEach((item, i) => {
    if (!valid([i])) return;
    const { sid, name } = item as { sid?: string; name?: string };
    const value = sid ?? (name === undefined ? undefined : sidOf(name));
    if (value === undefined || value === '') return;
    const first = seen.get(value);
    if (first !== undefined) {
      report(
        ctx,
        [i, sid === undefined ? 'name' : 'sid'],
        `makes the Sid ${value} of statement [${first}] too: Sids must be unique in a policy`,
      );
    } else seen.set(value, i);
  });
}

// ------------------------------------------------------------------ the original's spellings

/**
 * The original tool named the DNS names on a container (`containers[].fqdn`); they are the
 * service's when `service.fqdn` is absent. One place or the other, not both.
 */
export function fqdnInOnePlace(
  service: { fqdn?: unknown; containers: readonly unknown[] },
  ctx: Context,
): void {
  const withFqdn = itemsOf(service.containers).flatMap((c, i) => (field(c, 'fqdn') === undefined ? [] : [i]));
  if (service.fqdn === undefined && withFqdn.length === 0) report(ctx, ['fqdn'], 'is required');
  if (service.fqdn === undefined) return;
  for (const i of withFqdn) {
    report(
      ctx,
      ['containers', i, 'fqdn'],
      'is the original tool’s place for service.fqdn, which is also set: keep one (service.fqdn)',
    );
  }
}

/** `iam_roles.task_role` is `policies`, `iam_roles.task_execution_role` is `execution_policies`: one spelling each. */
export function iamRolesOrPolicies(
  service: {
    policies?: unknown;
    execution_policies?: unknown;
    iam_roles?: { task_role?: unknown; task_execution_role?: unknown } | undefined;
  },
  ctx: Context,
): void {
  const pairs = [
    ['task_role', 'policies'],
    ['task_execution_role', 'execution_policies'],
  ] as const;
  for (const [original, preferred] of pairs) {
    if (service.iam_roles?.[original] !== undefined && service[preferred] !== undefined) {
      report(
        ctx,
        ['iam_roles', original],
        `is the original tool’s spelling of service.${preferred}, which is also set: pick one (${preferred})`,
      );
    }
  }
}

/** The service with its DNS names wherever the file wrote them: `service.fqdn`, else its containers'. */
export function withServiceFqdn<
  S extends { fqdn?: string[] | undefined; containers: readonly { fqdn?: string[] | undefined }[] },
>(service: S): Omit<S, 'fqdn'> & { fqdn: string[] } {
  const fqdn = service.fqdn ?? [...new Set(service.containers.flatMap((c) => c.fqdn ?? []))];
  return { ...service, fqdn };
}
