/**
 * `listeners[].rules[]`: further rules on a listener, each with its conditions and actions as
 * ELBv2 names them. Actions are written flat (`{type, order, status_code, …}`) or in the
 * original tool's form (`{type, order, config: [ {status_code: …}, … ]}`); both become the
 * flat form. Values are checked as ELBv2 checks them (ELB API Reference: Action,
 * RuleCondition; terraform-provider-aws `aws_lb_listener_rule`'s validations).
 */
import { z } from 'zod';
import { type Context, type Path, report } from './rule-context.js';
import { int, portNumber, stringish, text } from './schema-blocks.js';

const ON_UNAUTHENTICATED = z.enum(['deny', 'allow', 'authenticate']);
const SECRET_ARN =
  /^arn:aws[a-z-]*:(ssm:[a-z0-9-]+:\d{12}:parameter\/.+|secretsmanager:[a-z0-9-]+:\d{12}:secret:.+)$/;
const COGNITO_POOL_ARN = /^arn:aws[a-z-]*:cognito-idp:[a-z0-9-]+:\d{12}:userpool\/.+$/;
const httpsUrl = () => text().refine((value) => /^https:\/\/[^\s]+$/.test(value), 'must be an https:// URL');
/** Redirect components: up to 128 characters, `#{host}`-style keywords allowed. */
const component = (max: number) => z.string().max(max, `must be at most ${max} characters`);

const order = int(1, 50000)
  .optional()
  .meta({ description: 'Position among the rule’s actions (lowest first). Default: as listed.' });

const authentication = {
  scope: text().optional(),
  session_cookie_name: text().optional(),
  session_timeout: int(1, 604800).optional().meta({ description: 'Seconds (default 604800, a week).' }),
  on_unauthenticated_request: ON_UNAUTHENTICATED.optional(),
};

const actionSchemas = {
  forward: z.strictObject({ type: z.literal('forward'), order }),
  redirect: z.strictObject({
    type: z.literal('redirect'),
    order,
    status_code: z.enum(['HTTP_301', 'HTTP_302']),
    protocol: z.enum(['HTTP', 'HTTPS', '#{protocol}']).optional(),
    host: component(128).min(1, 'must not be empty').optional(),
    port: stringish('must be a port or #{port}')
      .pipe(
        z
          .string()
          .refine(
            (value) => value === '#{port}' || portNumber().safeParse(Number(value)).success,
            'must be a port (1-65535) or #{port}',
          ),
      )
      .optional(),
    path: component(128)
      .refine((value) => value.startsWith('/'), 'must start with /')
      .optional(),
    query: component(128).optional(),
  }),
  'fixed-response': z.strictObject({
    type: z.literal('fixed-response'),
    order,
    status_code: stringish('must be an HTTP status code').pipe(
      z.string().regex(/^[245]\d\d$/, 'must be a 2XX, 4XX or 5XX status code'),
    ),
    content_type: z
      .enum(['text/plain', 'text/css', 'text/html', 'application/javascript', 'application/json'])
      .optional(),
    message_body: z.string().max(1024, 'must be at most 1024 characters').optional(),
  }),
  'authenticate-oidc': z.strictObject({
    type: z.literal('authenticate-oidc'),
    order,
    issuer: httpsUrl(),
    authorization_endpoint: httpsUrl(),
    token_endpoint: httpsUrl(),
    user_info_endpoint: httpsUrl(),
    client_id: text(),
    client_secret: text()
      .refine(
        (value) => value.includes('{{') || SECRET_ARN.test(value),
        'must be the ARN of an SSM parameter or a Secrets Manager secret holding the client secret, never the secret itself (it would be in the file, the stack state and the logs); ecs-crd reads it at deploy time',
      )
      .meta({ description: 'ARN of the SSM parameter or Secrets Manager secret holding it.' }),
    ...authentication,
  }),
  'authenticate-cognito': z.strictObject({
    type: z.literal('authenticate-cognito'),
    order,
    user_pool_arn: text().refine(
      (value) => value.includes('{{') || COGNITO_POOL_ARN.test(value),
      'must be a Cognito user pool ARN (arn:aws:cognito-idp:<region>:<account>:userpool/<id>)',
    ),
    user_pool_client_id: text(),
    user_pool_domain: text(),
    ...authentication,
  }),
} as const;

export type ActionType = keyof typeof actionSchemas;
export const ACTION_TYPES = Object.keys(actionSchemas) as ActionType[];
export type ActionFile = z.output<(typeof actionSchemas)[ActionType]>;

/** `StatusCode` or `statusCode` (CloudFormation's, the SDK's) → `status_code`. */
const snakeCase = (key: string): string =>
  key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();

/**
 * One action: `config` (the original's list of one-key maps) merged into the action, then
 * checked by its type's schema; a problem of a key that came from `config` is reported there.
 */
function parseAction(input: unknown, ctx: z.core.$RefinementCtx): ActionFile {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    ctx.addIssue({ code: 'invalid_type', expected: 'object', input });
    return z.NEVER;
  }
  const { config, ...flat } = input as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...flat };
  const origin = new Map<string, Path>();
  if (config !== undefined) {
    if (!Array.isArray(config)) {
      report(ctx, ['config'], 'must be a list of one-key maps, such as `- status_code: HTTP_301`');
      return z.NEVER;
    }
    config.forEach((item, i) => {
      const keys = typeof item === 'object' && item !== null ? Object.keys(item) : [];
      if (keys.length !== 1 || Array.isArray(item)) {
        report(ctx, ['config', i], 'must be a one-key map, such as `status_code: HTTP_301`');
        return;
      }
      const [written] = keys as [string];
      const key = snakeCase(written);
      if (key in merged) {
        report(ctx, ['config', i, written], `\`${key}\` is given twice`);
        return;
      }
      merged[key] = (item as Record<string, unknown>)[written];
      origin.set(key, ['config', i, written]);
    });
  }
  const type = merged.type;
  const schema = typeof type === 'string' ? actionSchemas[type as ActionType] : undefined;
  if (schema === undefined) {
    report(ctx, ['type'], `must be one of ${ACTION_TYPES.join(', ')}`);
    return z.NEVER;
  }
  const parsed = schema.safeParse(merged, { reportInput: true });
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        report(ctx, origin.get(key) ?? [key], `\`${key}\` is not a setting of a ${type} action`);
      }
      continue;
    }
    const [first, ...rest] = issue.path;
    const at = typeof first === 'string' ? (origin.get(first) ?? [first]) : [];
    ctx.addIssue({ ...issue, path: [...at, ...rest] } as z.core.$ZodRawIssue);
  }
  return z.NEVER;
}

export const ruleActionSchema = z
  .unknown()
  .transform(parseAction)
  .meta({
    description: `An action: type (${ACTION_TYPES.join(', ')}), order, and its settings flat (status_code, host, …) or as the original's \`config\` list of one-key maps.`,
    type: 'object',
  });

// ------------------------------------------------------------------ conditions

export const CONDITION_FIELDS = [
  'host-header',
  'path-pattern',
  'http-header',
  'http-request-method',
  'query-string',
  'source-ip',
] as const;

const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-f:]+\/(12[0-8]|1[01]\d|[1-9]?\d)$/i;
const HEADER_NAME = /^[0-9A-Za-z_!#$%&'*+.^`|~-]{1,40}$/;

/** Each value of a condition of this field, checked as ELBv2 does; undefined when valid. */
const VALUE_CHECKS: Record<(typeof CONDITION_FIELDS)[number], (value: string) => string | undefined> = {
  'host-header': (v) => (v.length <= 128 ? undefined : 'must be at most 128 characters'),
  'path-pattern': (v) => (v.length <= 128 ? undefined : 'must be at most 128 characters'),
  'http-header': (v) => (v.length <= 128 ? undefined : 'must be at most 128 characters'),
  'http-request-method': (v) =>
    /^[A-Za-z_-]{1,40}$/.test(v) ? undefined : 'must be an HTTP method such as GET (letters, - and _)',
  'query-string': (v) =>
    v.length <= 128 && !v.startsWith('=') && !v.endsWith('=')
      ? undefined
      : 'must be key=value or value (at most 128 characters)',
  'source-ip': (v) =>
    IPV4_CIDR.test(v) || IPV6_CIDR.test(v) ? undefined : 'must be a CIDR block such as 10.0.0.0/8',
};

export const ruleConditionSchema = z
  .strictObject({
    field: z
      .string()
      .transform((value) => value.toLowerCase())
      .pipe(z.enum(CONDITION_FIELDS)),
    values: z.array(z.union([text(), z.number().transform(String)])).min(1, 'must list at least one value'),
    http_header_name: z
      .string()
      .regex(HEADER_NAME, "must be an HTTP header name (at most 40 letters, digits and !#$%&'*+.^`|~-)")
      .optional()
      .meta({ description: 'http-header only: the header’s name.' }),
    name: z.string().optional().meta({ description: 'The original tool’s spelling of http_header_name.' }),
  })
  .superRefine((condition, ctx) => {
    const check = VALUE_CHECKS[condition.field];
    condition.values.forEach((value, i) => {
      const problem = check(String(value));
      if (problem) report(ctx, ['values', i], problem);
    });
    const named = condition.http_header_name !== undefined || condition.name !== undefined;
    if (condition.http_header_name !== undefined && condition.name !== undefined) {
      report(ctx, ['name'], 'is the original spelling of http_header_name: give one of them');
    } else if (condition.field === 'http-header' && !named) {
      report(ctx, [], 'an http-header condition needs http_header_name: the header to match');
    } else if (condition.field !== 'http-header' && named) {
      report(
        ctx,
        [condition.name === undefined ? 'http_header_name' : 'name'],
        'is only used by field http-header',
      );
    }
    if (condition.name !== undefined && !HEADER_NAME.test(condition.name)) {
      report(ctx, ['name'], "must be an HTTP header name (at most 40 letters, digits and !#$%&'*+.^`|~-)");
    }
  });

export type ConditionFile = z.output<typeof ruleConditionSchema>;

export const listenerRuleSchema = z
  .strictObject({
    priority: int(1, 50000)
      .optional()
      .meta({ description: 'Rule priority. Default: the lowest free one on that listener.' }),
    conditions: z.array(ruleConditionSchema).min(1, 'must list at least one condition'),
    actions: z.array(ruleActionSchema).min(1, 'must list at least one action'),
  })
  .meta({
    description:
      'A further rule on the listener, declared on both slots’ listeners. Without a host-header condition it matches the service’s fqdns.',
  });

export type ListenerRuleFile = z.output<typeof listenerRuleSchema>;

/** Fields a rule may hold at most once (ELB User Guide, "Condition types for listener rules"). */
const ONCE: readonly string[] = ['host-header', 'http-request-method', 'path-pattern', 'source-ip'];

/** ELBv2's rules on one rule's conditions and actions, reported at the key to change. */
export function checkListenerRule(
  rule: { conditions: readonly ConditionFile[]; actions: readonly ActionFile[] },
  protocol: 'HTTP' | 'HTTPS' | undefined,
  ctx: Context,
  at: Path,
): void {
  const seen = new Set<string>();
  rule.conditions.forEach((condition, i) => {
    if (ONCE.includes(condition.field) && seen.has(condition.field)) {
      report(
        ctx,
        [...at, 'conditions', i, 'field'],
        `${condition.field} may appear once per rule: list its values in one condition`,
      );
    }
    seen.add(condition.field);
  });
  const { actions } = rule;
  const ordered = actions.some((action) => action.order !== undefined);
  if (ordered && actions.some((action) => action.order === undefined)) {
    report(ctx, [...at, 'actions'], 'give every action an order, or none (they then run as listed)');
    return;
  }
  const orders = new Map<number, number>();
  actions.forEach((action, i) => {
    if (action.order === undefined) return;
    const earlier = orders.get(action.order);
    if (earlier !== undefined) {
      report(
        ctx,
        [...at, 'actions', i, 'order'],
        `${action.order} is already the order of actions[${earlier}]: orders must be unique`,
      );
    }
    orders.set(action.order, i);
  });
  const sequence = actions
    .map((action, i) => ({ action, i }))
    .sort((a, b) => (a.action.order ?? a.i) - (b.action.order ?? b.i));
  const routing = sequence.filter(({ action }) => !action.type.startsWith('authenticate-'));
  const last = sequence[sequence.length - 1];
  if (routing.length !== 1 || last === undefined || last.action.type.startsWith('authenticate-')) {
    report(
      ctx,
      [...at, 'actions'],
      'must end with exactly one forward, redirect or fixed-response action (ELBv2 runs the actions by order; authenticate-oidc/authenticate-cognito come before it)',
    );
  }
  const authentications = sequence.filter(({ action }) => action.type.startsWith('authenticate-'));
  if (authentications.length > 1) {
    report(ctx, [...at, 'actions'], 'may hold one authenticate action at most');
  }
  for (const { action, i } of authentications) {
    if (protocol === 'HTTP') {
      report(
        ctx,
        [...at, 'actions', i, 'type'],
        `${action.type} is only possible on an HTTPS listener (this one is HTTP)`,
      );
    }
  }
  actions.forEach((action, i) => {
    if (action.type !== 'redirect') return;
    const changed = (['protocol', 'host', 'port', 'path'] as const).some(
      (key) =>
        action[key] !== undefined &&
        action[key] !== `#{${key}}` &&
        !(key === 'path' && action.path === '/#{path}'),
    );
    if (!changed) {
      report(
        ctx,
        [...at, 'actions', i],
        'redirects to the URL it came from: change at least one of protocol, host, port or path (ELBv2 refuses a redirect loop)',
      );
    }
    if (protocol === 'HTTPS' && action.protocol === 'HTTP') {
      report(ctx, [...at, 'actions', i, 'protocol'], 'ELBv2 does not redirect HTTPS to HTTP');
    }
  });
}
