/** `convert` of `target_groups[]` and `listeners[]`: the original's spellings to ecs-crd's. */
import { isMap, isScalar, isSeq, type Pair, type YAMLMap } from 'yaml';
import { reportUnknownKeys } from './convert-keys.js';
import {
  type ConvertContext,
  findPair,
  keyOf,
  listToMap,
  renameKey,
  replacePair,
  setKey,
} from './convert-nodes.js';
import type { KeyPath } from './yaml-source.js';

/** A container and the container ports it maps, read from the file's data. */
export interface ContainerPorts {
  name: string;
  ports: number[];
}

const HEALTH_CHECK_RENAMES = [
  ['interval_seconds', 'interval'],
  ['timeout_seconds', 'timeout'],
  ['healthy_threshold_count', 'healthy_threshold'],
  ['unhealthy_threshold_count', 'unhealthy_threshold'],
] as const;

export function convertTargetGroup(
  ctx: ConvertContext,
  node: unknown,
  path: KeyPath,
  containers: readonly ContainerPorts[],
): void {
  ctx.eachMap('target_group', node, (group) => {
    reportUnknownKeys(ctx, group, path, 'targetGroup');
    listToMap(ctx, group, path, 'target_group_attributes');
    ctx.eachMap('target_group_health', findPair(group, 'health_check')?.value, (health) => {
      reportUnknownKeys(ctx, health, [...path, 'health_check'], 'targetGroupHealth');
      for (const [from, to] of HEALTH_CHECK_RENAMES)
        renameKey(ctx, health, [...path, 'health_check'], from, to);
    });
    nameContainerByPort(ctx, findPair(group, 'container'), [...path, 'container'], containers);
  });
}

/**
 * The original let a target group name its container by port alone; ecs-crd names the
 * container: the one whose port mappings have that container port.
 */
function nameContainerByPort(
  ctx: ConvertContext,
  pair: Pair | undefined,
  path: KeyPath,
  containers: readonly ContainerPorts[],
): void {
  const ref = pair && ctx.resolve(pair.value);
  if (!isMap(ref) || findPair(ref, 'name') !== undefined) return;
  const portPair = findPair(ref, 'port');
  const port = portPair && isScalar(portPair.value) ? Number(portPair.value.value) : Number.NaN;
  if (!Number.isInteger(port)) return;
  const mapping = containers.filter((container) => container.ports.includes(port));
  const [only] = mapping;
  if (mapping.length === 1 && only) {
    ref.items.unshift(ctx.doc.createPair('name', only.name));
    ctx.change(path, pair?.key, `\`name: ${only.name}\` added (the one container mapping port ${port})`);
    return;
  }
  ctx.refuse(
    path,
    pair?.key,
    mapping.length === 0
      ? `no container maps container port ${port}`
      : `containers ${mapping.map((c) => c.name).join(', ')} all map container port ${port}`,
    'name the container: `container: {name: NAME, port: PORT}`',
  );
}

export function convertListener(ctx: ConvertContext, node: unknown, path: KeyPath): void {
  ctx.eachMap('listener', node, (listener) => {
    reportUnknownKeys(ctx, listener, path, 'listener');
    renameKey(ctx, listener, path, 'certificates', 'certificate_arns');
    ctx.items(findPair(listener, 'rules')?.value).forEach((rule, i) => {
      ctx.eachMap('listener_rule', rule, (map) => {
        ctx.items(findPair(map, 'actions')?.value).forEach((action, j) => {
          ctx.eachMap('rule_action', action, (actionMap) => {
            flattenActionConfig(ctx, actionMap, [...path, 'rules', i, 'actions', j]);
          });
        });
      });
    });
  });
}

/** `StatusCode` / `statusCode` / `status_code` → `status_code`: ELB's names, as RuleAction spells them. */
export function snakeCase(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/-/g, '_')
    .toLowerCase();
}

/**
 * `config: [{key: value}, …]` → the keys themselves in the action, where `config` was, in
 * snake_case. An `authenticate-oidc` client secret must then be an ARN: a value written in
 * the file is refused by `validate`.
 */
function flattenActionConfig(ctx: ConvertContext, action: YAMLMap, path: KeyPath): void {
  const where = [...path, 'config'];
  const before = ctx.changes.length;
  listToMap(ctx, action, path, 'config');
  // One change for the whole rewrite: the list read as a map is a step of the flattening.
  ctx.changes.splice(before);
  const index = action.items.findIndex((pair) => keyOf(pair) === 'config');
  const pair = action.items[index];
  if (pair === undefined) return;
  const config = pair.value;
  if (!isMap(config)) {
    // A list listToMap could not read is reported there already.
    if (!isSeq(config))
      ctx.refuse(
        where,
        pair.key,
        'is not a list of one-key maps nor a map: left as it is',
        'write its keys in the action itself',
      );
    return;
  }
  const renamed = config.items.map((entry) => snakeCase(keyOf(entry) ?? ''));
  const clashes = renamed.filter((key) => key === '' || findPair(action, key) !== undefined);
  if (clashes.length > 0) {
    ctx.refuse(
      where,
      pair.key,
      `\`${clashes.join('`, `')}\` written both here and in the action`,
      'keep one of each, then convert again',
    );
    return;
  }
  config.items.forEach((entry, i) => {
    setKey(entry, renamed[i] ?? '');
  });
  replacePair(action, index, config.items);
  ctx.change(where, pair.key, `flattened into the action (${renamed.join(', ')})`);
  const type = findPair(action, 'type');
  const secret = findPair(action, 'client_secret');
  if (
    type &&
    isScalar(type.value) &&
    type.value.value === 'authenticate-oidc' &&
    secret &&
    isScalar(secret.value)
  ) {
    const value = String(secret.value.value);
    if (!value.startsWith('arn:') && !value.includes('{{'))
      ctx.refuse(
        [...path, 'client_secret'],
        secret.key,
        'the OIDC client secret is written in the file; ecs-crd reads it from SSM or Secrets Manager at deploy time, never from the file',
        'store it as an SSM SecureString parameter or a Secrets Manager secret and write its ARN here',
      );
  }
}
