/**
 * `target_groups[].target_group_attributes`: the ELBv2 target group attributes an
 * application load balancer's instance or IP target group takes, by their AWS key, with the
 * values AWS accepts (ELB API Reference, TargetGroupAttribute). Written as a map, as the
 * original's list of one-key maps, or as the list of `{key, value}` pairs the original tool's
 * code read; always a map of strings after parsing, values as AWS writes them.
 */
import { z } from 'zod';
import { didYouMean } from './suggest.js';

type Check = (value: string) => string | undefined;

const oneOf =
  (...values: string[]): Check =>
  (value) =>
    values.includes(value) ? undefined : `must be one of ${values.join(', ')}`;

function integer(min: number, max: number, also?: string): Check {
  return (value) => {
    if (also !== undefined && value === also) return undefined;
    const n = Number(value);
    return /^\d+$/.test(value) && n >= min && n <= max
      ? undefined
      : `must be an integer from ${min} to ${max}${also === undefined ? '' : ` or ${also}`}`;
  };
}

/** ALB cookie names AWS keeps for itself (ELB User Guide, "Sticky sessions"). */
const RESERVED_COOKIE = /^AWSALB(APP|TG)?/;

/** Every key an ALB instance/IP target group takes, with the check of its value. */
export const TARGET_GROUP_ATTRIBUTES: Readonly<Record<string, Check>> = {
  'deregistration_delay.timeout_seconds': integer(0, 3600),
  'stickiness.enabled': oneOf('true', 'false'),
  'stickiness.type': oneOf('lb_cookie', 'app_cookie'),
  'stickiness.lb_cookie.duration_seconds': integer(1, 604800),
  'stickiness.app_cookie.duration_seconds': integer(1, 604800),
  'stickiness.app_cookie.cookie_name': (value) =>
    value.length === 0
      ? 'must not be empty'
      : RESERVED_COOKIE.test(value)
        ? 'must not start with AWSALB, AWSALBAPP or AWSALBTG: the load balancer keeps those names'
        : undefined,
  'slow_start.duration_seconds': (value) =>
    value === '0' ? undefined : integer(30, 900)(value) && 'must be 0 (off) or an integer from 30 to 900',
  'load_balancing.algorithm.type': oneOf('round_robin', 'least_outstanding_requests', 'weighted_random'),
  'load_balancing.algorithm.anomaly_mitigation': oneOf('on', 'off'),
  'load_balancing.cross_zone.enabled': oneOf('true', 'false', 'use_load_balancer_configuration'),
  'target_group_health.dns_failover.minimum_healthy_targets.count': integer(1, 2147483647, 'off'),
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': integer(1, 100, 'off'),
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': integer(1, 2147483647),
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': integer(1, 100, 'off'),
};

export const DEREGISTRATION_DELAY_KEY = 'deregistration_delay.timeout_seconds';

const KNOWN = Object.keys(TARGET_GROUP_ATTRIBUTES);

type Ctx = z.core.$RefinementCtx;
type Path = (string | number)[];

const scalar = (value: unknown): value is string | number | boolean =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

function custom(ctx: Ctx, path: Path, message: string): void {
  ctx.addIssue({ code: 'custom', path, message, input: undefined });
}

/** One entry: a known key and a value AWS takes, or a problem at where it is written. */
function addEntry(
  out: Map<string, string>,
  key: string,
  value: unknown,
  at: { key: Path; value: Path },
  ctx: Ctx,
): void {
  const check = TARGET_GROUP_ATTRIBUTES[key];
  if (check === undefined) {
    const hint = didYouMean(key, KNOWN);
    custom(
      ctx,
      at.key,
      `\`${key}\` is not an attribute of an application load balancer's target group${hint ? ` (${hint})` : ''}; the valid ones are ${KNOWN.join(', ')}`,
    );
    return;
  }
  if (!scalar(value)) {
    custom(ctx, at.value, 'must be a string, a number or a boolean');
    return;
  }
  const text = String(value);
  const problem = check(text);
  if (problem) custom(ctx, at.value, problem);
  else if (out.has(key)) custom(ctx, at.key, `\`${key}\` is given twice`);
  else out.set(key, text);
}

function parseAttributes(input: unknown, ctx: Ctx): Record<string, string> {
  const out = new Map<string, string>();
  if (Array.isArray(input)) {
    input.forEach((item, i) => {
      const entry = typeof item === 'object' && item !== null && !Array.isArray(item) ? item : undefined;
      const keys = entry ? Object.keys(entry) : [];
      // The original tool's code read `{key, value}` pairs; its reference shows one-key maps.
      if (entry && keys.length === 2 && 'key' in entry && 'value' in entry) {
        const { key, value } = entry as { key: unknown; value: unknown };
        if (typeof key !== 'string') custom(ctx, [i, 'key'], 'must be an attribute name');
        else addEntry(out, key, value, { key: [i, 'key'], value: [i, 'value'] }, ctx);
      } else if (entry && keys.length === 1) {
        const [key] = keys as [string];
        addEntry(out, key, (entry as Record<string, unknown>)[key], { key: [i, key], value: [i, key] }, ctx);
      } else {
        custom(ctx, [i], 'must be a one-key map `attribute: value` (or `{key, value}`)');
      }
    });
  } else if (typeof input === 'object' && input !== null) {
    for (const [key, value] of Object.entries(input))
      addEntry(out, key, value, { key: [key], value: [key] }, ctx);
  } else {
    custom(ctx, [], 'must be a map of attribute: value (or a list of one-key maps)');
  }
  checkTogether(out, ctx);
  return Object.fromEntries(out);
}

/** Attributes AWS refuses in combination (ELB User Guide, "Edit target group attributes"). */
function checkTogether(attributes: Map<string, string>, ctx: Ctx): void {
  const algorithm = attributes.get('load_balancing.algorithm.type') ?? 'round_robin';
  const type = attributes.get('stickiness.type') ?? 'lb_cookie';
  if (
    attributes.get('load_balancing.algorithm.anomaly_mitigation') === 'on' &&
    algorithm !== 'weighted_random'
  ) {
    custom(
      ctx,
      ['load_balancing.algorithm.anomaly_mitigation'],
      'is only available with load_balancing.algorithm.type weighted_random',
    );
  }
  if (algorithm === 'weighted_random' && Number(attributes.get('slow_start.duration_seconds') ?? '0') > 0) {
    custom(
      ctx,
      ['slow_start.duration_seconds'],
      'is not supported with load_balancing.algorithm.type weighted_random',
    );
  }
  if (type === 'app_cookie' && !attributes.has('stickiness.app_cookie.cookie_name')) {
    custom(
      ctx,
      ['stickiness.type'],
      'app_cookie needs stickiness.app_cookie.cookie_name (the application’s cookie)',
    );
  }
  // pulumi-aws has one `cookieDuration`, the one of the stickiness type in use.
  const other = type === 'app_cookie' ? 'lb_cookie' : 'app_cookie';
  for (const key of [
    `stickiness.${other}.duration_seconds`,
    ...(other === 'app_cookie' ? ['stickiness.app_cookie.cookie_name'] : []),
  ]) {
    if (attributes.has(key))
      custom(ctx, [key], `applies to stickiness.type ${other}, but the type is ${type}`);
  }
}

export const targetGroupAttributesSchema = z
  .unknown()
  .transform(parseAttributes)
  .meta({
    description: `Target group attributes by their AWS key (a map, or a list of one-key maps): ${KNOWN.join(', ')}.`,
    anyOf: [
      { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
      { type: 'array', items: { type: 'object' } },
    ],
  });
