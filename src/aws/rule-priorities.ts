/**
 * Rule priorities on a slot listener: the file's when free, else this service's own rule's
 * from an earlier deployment (so a live release's rule stays as it is), else the lowest free
 * ones; never one another rule holds, nor one handed out to another entry of the same file.
 */
import type { Rule } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ListenerConfig, RuleCondition } from '../config/types.js';
import { UsageError } from '../errors.js';

/** The range of listener rule priorities an ALB accepts. */
const MAX_RULE_PRIORITY = 50_000;

/** Where a priority is chosen, for the error message. */
export interface PriorityContext {
  where: string;
  /** The key path of the priority in the deployment file. */
  key: string;
}

/**
 * The rule priority for one listener entry of the file: the file's own if no other rule holds
 * it; otherwise, when the file gives none, the priority of this service's rule from an earlier
 * deployment (so the live release's rule is left as it is), else the lowest free one.
 * `reserved` holds priorities already handed out on the same listener.
 */
export function choosePriority(
  rules: Rule[],
  wanted: Pick<ListenerConfig, 'rule'>,
  reserved: ReadonlySet<number>,
  context: PriorityContext,
): number {
  const taken = new Map<number, Rule>();
  let ours: number | undefined;
  for (const rule of rules) {
    const priority = Number(rule.Priority);
    if (rule.IsDefault === true || !Number.isInteger(priority)) continue;
    // A rule with exactly this entry's conditions is this service's own (from an earlier
    // deployment); it does not block its priority.
    if (ours === undefined && hasConditions(rule, wanted.rule.conditions)) ours = priority;
    else taken.set(priority, rule);
  }
  const isFree = (priority: number) => !taken.has(priority) && !reserved.has(priority);
  const requested = wanted.rule.priority;
  if (requested === undefined)
    return ours !== undefined && !reserved.has(ours) ? ours : lowestFree(isFree, context);
  if (isFree(requested)) return requested;
  const holder = taken.get(requested);
  const holderText =
    holder === undefined
      ? 'another listener entry of this file'
      : `rule ${holder.RuleArn} (${conditionsText(holder)})`;
  throw new UsageError(
    `Listener rule priority ${requested} on ${context.where} is already taken by ${holderText}.`,
    {
      hint: `Choose a free priority for ${context.key} (the lowest free one is ${lowestFree(isFree, context)}), or omit it to use the lowest free one.`,
    },
  );
}

function lowestFree(isFree: (priority: number) => boolean, context: PriorityContext): number {
  for (let priority = 1; priority <= MAX_RULE_PRIORITY; priority++) {
    if (isFree(priority)) return priority;
  }
  throw new UsageError(`Every listener rule priority on ${context.where} is taken.`, {
    hint: 'Remove unused listener rules from that listener.',
  });
}

/** The values of a rule's conditions of one field, lower-cased for host names. */
function conditionValues(rule: Rule, field: 'host-header' | 'path-pattern'): string[] {
  return (rule.Conditions ?? [])
    .filter((condition) => condition.Field === field)
    .flatMap((condition) =>
      field === 'host-header'
        ? (condition.HostHeaderConfig?.Values ?? condition.Values ?? []).map((host) => host.toLowerCase())
        : (condition.PathPatternConfig?.Values ?? condition.Values ?? []),
    );
}

export function hasConditions(rule: Rule, conditions: ListenerConfig['rule']['conditions']): boolean {
  const onlyKnownFields = (rule.Conditions ?? []).every(
    (condition) => condition.Field === 'host-header' || condition.Field === 'path-pattern',
  );
  return (
    onlyKnownFields &&
    sameSet(
      conditionValues(rule, 'host-header'),
      conditions.host_header.map((host) => host.toLowerCase()),
    ) &&
    sameSet(conditionValues(rule, 'path-pattern'), conditions.path_pattern ?? [])
  );
}

function conditionsText(rule: Rule): string {
  const parts = (rule.Conditions ?? []).map(
    (condition) =>
      `${condition.Field} ${(condition.HostHeaderConfig?.Values ?? condition.PathPatternConfig?.Values ?? condition.Values ?? []).join(', ')}`,
  );
  return parts.length === 0 ? 'no conditions' : parts.join('; ');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((value) => right.has(value));
}

/** A further rule of the file (`listeners[].rules[]`): its priority if given, its conditions. */
export interface WantedRule {
  priority?: number | undefined;
  conditions: readonly RuleCondition[];
}

/** One string per condition value, the same for a rule in AWS and in the file whatever the order. */
function signature(field: string, values: readonly string[], name = ''): string[] {
  return values.map(
    (value) =>
      `${field}\u0000${name.toLowerCase()}\u0000${field === 'host-header' ? value.toLowerCase() : value}`,
  );
}

function ruleSignature(rule: Rule): string[] {
  return (rule.Conditions ?? []).flatMap((condition) => {
    const field = condition.Field ?? '';
    if (field === 'query-string') {
      const values = (condition.QueryStringConfig?.Values ?? []).map((pair) =>
        pair.Key === undefined ? (pair.Value ?? '') : `${pair.Key}=${pair.Value ?? ''}`,
      );
      return signature(field, values);
    }
    const values =
      condition.HostHeaderConfig?.Values ??
      condition.PathPatternConfig?.Values ??
      condition.HttpHeaderConfig?.Values ??
      condition.HttpRequestMethodConfig?.Values ??
      condition.SourceIpConfig?.Values ??
      condition.Values ??
      [];
    return signature(field, values, condition.HttpHeaderConfig?.HttpHeaderName);
  });
}

const wantedSignature = (wanted: WantedRule): string[] =>
  wanted.conditions.flatMap((c) => signature(c.field, c.values, c.http_header_name));

/** Whether a rule in AWS has exactly the conditions of a further rule of the file. */
export function sameRuleConditions(rule: Rule, wanted: WantedRule): boolean {
  return rule.IsDefault !== true && sameSet(ruleSignature(rule), wantedSignature(wanted));
}

/**
 * The priority of each further rule of one listener entry, in order. `ours` holds the ARNs
 * of the rules whose tags name this service: only those may be taken over (another service's
 * rule with the same conditions keeps its priority). Each chosen priority joins `reserved`.
 */
export function chooseRulePriorities(
  rules: readonly Rule[],
  wanted: readonly WantedRule[],
  ours: ReadonlySet<string>,
  reserved: Set<number>,
  context: (index: number) => PriorityContext,
): number[] {
  const used = new Set<string>();
  return wanted.map((entry, i) => {
    const own = rules.find(
      (rule) =>
        rule.RuleArn !== undefined &&
        ours.has(rule.RuleArn) &&
        !used.has(rule.RuleArn) &&
        sameRuleConditions(rule, entry),
    );
    if (own?.RuleArn !== undefined) used.add(own.RuleArn);
    const taken = new Map<number, Rule>();
    for (const rule of rules) {
      const priority = Number(rule.Priority);
      if (rule !== own && rule.IsDefault !== true && Number.isInteger(priority)) taken.set(priority, rule);
    }
    const isFree = (priority: number) => !taken.has(priority) && !reserved.has(priority);
    const where = context(i);
    let chosen: number;
    if (entry.priority === undefined) {
      const previous = own === undefined ? undefined : Number(own.Priority);
      chosen = previous !== undefined && isFree(previous) ? previous : lowestFree(isFree, where);
    } else if (isFree(entry.priority)) {
      chosen = entry.priority;
    } else {
      const holder = taken.get(entry.priority);
      throw new UsageError(
        `Listener rule priority ${entry.priority} on ${where.where} is already taken by ${holder === undefined ? 'another listener entry of this file' : `rule ${holder.RuleArn} (${conditionsText(holder)})`}.`,
        {
          hint: `Choose a free priority for ${where.key} (the lowest free one is ${lowestFree(isFree, where)}), or omit it to use the lowest free one.`,
        },
      );
    }
    reserved.add(chosen);
    return chosen;
  });
}
