/**
 * Rules within one container definition (or one of its blocks), and the rule of the original
 * tool's alternative spellings: what a single key's type cannot say. As in `rules.ts`, each
 * reports at the key the user has to change.
 */
import { type Context, itemsOf, report, validParts } from './rule-context.js';

/**
 * A key with two spellings, the preferred one and the original tool's: either is accepted,
 * both at once is ambiguous (which one wins?) and refused.
 */
export function oneSpelling(preferred: string, original: string, required = false) {
  return (value: Record<string, unknown>, ctx: Context): void => {
    const hasPreferred = value[preferred] !== undefined;
    const hasOriginal = value[original] !== undefined;
    if (hasPreferred && hasOriginal) {
      report(
        ctx,
        [original],
        `is the original tool's spelling of \`${preferred}\`, which is also set: keep one (\`${preferred}\`)`,
      );
    } else if (required && !hasPreferred && !hasOriginal) {
      report(ctx, [preferred], 'is required');
    }
  };
}

export function softLimitWithinHard(limit: { soft_limit: number; hard_limit: number }, ctx: Context): void {
  if (limit.soft_limit > limit.hard_limit) {
    report(ctx, ['soft_limit'], `must not exceed hard_limit (${limit.hard_limit})`);
  }
}

/**
 * Per-slot host ports exist so that both releases can run on one instance with static ports
 * (the original's reason for them): the two slots' ports must then differ. 0 stays dynamic.
 */
export function slotPortsDiffer(
  mapping: { host_port: number | { blue: number; green: number } },
  ctx: Context,
) {
  // Read only once valid: a `host_port: null` the schema refused is still as written here.
  if (!validParts(ctx)(['host_port'])) return;
  const port = mapping.host_port;
  if (typeof port === 'number' || port.blue === 0 || port.blue !== port.green) return;
  report(
    ctx,
    ['host_port', 'green'],
    `must differ from host_port.blue (both ${port.blue}): both releases may run on one instance during a canary, and two containers cannot bind one host port (write one port for both slots, or 0 for a dynamic one, if that is what you mean)`,
  );
}

/** The original's `container_port: {blue, green}`: a container listens on one port, whatever the slot. */
export const isSlotPair = (input: unknown): boolean =>
  typeof input === 'object' &&
  input !== null &&
  !Array.isArray(input) &&
  ('blue' in input || 'green' in input);

export const SLOT_CONTAINER_PORT_MESSAGE =
  'must be one port: a container listens on the same port in both releases. Per-slot ports go in host_port: {blue: …, green: …} (the port each release binds on the instance), with one container_port';

/** Docker takes one limit per resource. */
export function ulimitsUnique(container: { ulimits?: readonly unknown[] | undefined }, ctx: Context): void {
  const valid = validParts(ctx);
  const seen = new Set<string>();
  itemsOf(container.ulimits).forEach((item, i) => {
    if (!valid(['ulimits', i, 'name'])) return;
    const { name } = item as { name: string };
    if (seen.has(name)) report(ctx, ['ulimits', i, 'name'], `\`${name}\` is limited twice`);
    seen.add(name);
  });
}
