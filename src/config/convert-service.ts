/**
 * `convert` of `service`: its containers, IAM roles, auto scaling and volumes, from the
 * original tool's 1.2.0 spellings to ecs-crd's preferred ones (the table in the README's
 * "Migrating from ecs-crd-cli").
 */
import { isMap, isScalar, isSeq, type Pair, Scalar, YAMLMap, YAMLSeq } from 'yaml';
import { reportUnknownKeys } from './convert-keys.js';
import {
  addCommentBefore,
  type ConvertContext,
  findPair,
  keyOf,
  listToMap,
  newPair,
  renameKey,
  replacePair,
  setKey,
} from './convert-nodes.js';
import type { KeyPath } from './yaml-source.js';

export function convertService(ctx: ConvertContext, node: unknown, path: KeyPath): void {
  ctx.eachMap('service', node, (service) => {
    reportUnknownKeys(ctx, service, path, 'service');
    ctx.items(findPair(service, 'containers')?.value).forEach((container, i) => {
      convertContainer(ctx, container, [...path, 'containers', i]);
    });
    moveContainerFqdn(ctx, service, path);
    convertIamRoles(ctx, service, path);
    for (const key of ['policies', 'execution_policies'])
      ctx.items(findPair(service, key)?.value).forEach((statement, i) => {
        convertStatement(ctx, statement, [...path, key, i]);
      });
    ctx.eachMap('auto_scaling', findPair(service, 'auto_scaling')?.value, (scaling) => {
      convertAutoScaling(ctx, scaling, [...path, 'auto_scaling']);
    });
    ctx.items(findPair(service, 'volumes')?.value).forEach((volume, i) => {
      ctx.eachMap('volume', volume, (map) => {
        ctx.eachMap('docker_volume', findPair(map, 'docker_volume_configuration')?.value, (docker) => {
          const where = [...path, 'volumes', i, 'docker_volume_configuration'];
          listToMap(ctx, docker, where, 'driver_opts');
          listToMap(ctx, docker, where, 'labels');
        });
      });
    });
  });
}

function convertContainer(ctx: ConvertContext, node: unknown, path: KeyPath): void {
  ctx.eachMap('container', node, (container) => {
    reportUnknownKeys(ctx, container, path, 'container');
    listToMap(ctx, container, path, 'environment');
    listToMap(ctx, container, path, 'secrets');
    renameKey(ctx, container, path, 'entry_port', 'entry_point', ' (a typo of the original reference)');
    ctx.eachMap('log_configuration', findPair(container, 'log_configuration')?.value, (log) => {
      listToMap(ctx, log, [...path, 'log_configuration'], 'options');
      listToMap(ctx, log, [...path, 'log_configuration'], 'secret_options');
    });
    ctx.items(findPair(container, 'depends_on')?.value).forEach((dependency, i) => {
      ctx.eachMap('depends_on', dependency, (map) => {
        renameKey(
          ctx,
          map,
          [...path, 'depends_on', i],
          'condtion',
          'condition',
          ' (a typo of the original reference)',
        );
      });
    });
    ctx.items(findPair(container, 'port_mappings')?.value).forEach((mapping, i) => {
      const port = findPair(ctx.resolve(mapping) as YAMLMap, 'container_port');
      if (isMap(ctx.resolve(mapping)) && port && isMap(ctx.resolve(port.value)))
        ctx.refuse(
          [...path, 'port_mappings', i, 'container_port'],
          port.key,
          'a container listens on one port whatever the slot: `container_port` per slot has no equivalent',
          'write the one port the container listens on as `container_port`, and per-slot ports in `host_port: {blue, green}`',
        );
    });
  });
}

/**
 * The original reads the service's names from the first container's `fqdn` (its README,
 * V.3.17); ecs-crd from `service.fqdn`. Moved there when `service.fqdn` is absent.
 */
function moveContainerFqdn(ctx: ConvertContext, service: YAMLMap, path: KeyPath): void {
  const written = findPair(service, 'fqdn') !== undefined;
  ctx.items(findPair(service, 'containers')?.value).forEach((node, i) => {
    const container = ctx.resolve(node);
    const pair = isMap(container) ? findPair(container, 'fqdn') : undefined;
    if (!isMap(container) || pair === undefined) return;
    const where = [...path, 'containers', i, 'fqdn'];
    if (i > 0 || written) {
      ctx.refuse(
        where,
        pair.key,
        i > 0
          ? 'only the first container’s `fqdn` named the service; ecs-crd has one list of names per service'
          : '`service.fqdn` is written too; ecs-crd has one list of names per service',
        'add these names to `service.fqdn` (at most 5 per listener rule) and remove this `fqdn`',
      );
      return;
    }
    container.items.splice(container.items.indexOf(pair), 1);
    // Where ecs-crd's README writes it: after the service's identity (project, name, cluster).
    const after = service.items.reduce((last, p, j) => (IDENTITY.has(keyOf(p) ?? '') ? j : last), -1);
    service.items.splice(after + 1, 0, pair);
    ctx.change(where, pair.key, '→ `service.fqdn` (the service’s names)');
  });
}

const IDENTITY = new Set(['project', 'name', 'cluster']);

/**
 * `iam_roles: {task_role, task_execution_role}` → `policies` and `execution_policies`, where
 * `iam_roles` was. The statements' nodes move as they are; written as a list of one-key maps
 * (as the original README's examples do), the roles are read the same.
 */
function convertIamRoles(ctx: ConvertContext, service: YAMLMap, path: KeyPath): void {
  const index = service.items.findIndex((pair) => keyOf(pair) === 'iam_roles');
  const iam = service.items[index];
  if (iam === undefined) return;
  const where = [...path, 'iam_roles'];
  const value = ctx.resolve(iam.value);
  const roles: Pair[] = isMap(value)
    ? value.items
    : isSeq(value)
      ? value.items.flatMap((item) => (isMap(item) ? item.items : []))
      : [];
  // A comment between `iam_roles:` and its first role belongs to that role.
  if (isMap(value) && value.items[0]) addCommentBefore(value.items[0].key, value.commentBefore);
  const kept: Pair[] = [];
  const moved: Pair[] = [];
  for (const role of roles) {
    const name = keyOf(role);
    ctx.items(role.value).forEach((statement, i) => {
      convertStatement(ctx, statement, [...where, name ?? '?', i]);
    });
    const target =
      name === 'task_role' ? 'policies' : name === 'task_execution_role' ? 'execution_policies' : undefined;
    if (target === undefined || !isSeq(ctx.resolve(role.value))) {
      ctx.refuse(
        [...where, name ?? '?'],
        role.key,
        target === undefined
          ? `\`iam_roles.${name}\` is not a role of the original reference (task_role, task_execution_role): left as it is`
          : `\`iam_roles.${name}\` is not a list of statements: left as it is`,
        'move its statements to `service.policies` (task role) or `service.execution_policies` (execution role)',
      );
      kept.push(role);
      continue;
    }
    const existing = findPair(service, target);
    if (existing !== undefined) {
      const list = ctx.resolve(existing.value);
      const statements = ctx.resolve(role.value) as YAMLSeq;
      if (!isSeq(list)) {
        kept.push(role);
        ctx.refuse(
          [...where, name ?? '?'],
          role.key,
          `\`${target}\` is written too, not as a list`,
          `merge the two by hand`,
        );
        continue;
      }
      list.items.push(...statements.items);
      ctx.change([...where, name ?? '?'], role.key, `statements appended to \`service.${target}\``);
      continue;
    }
    const pair = newPair(ctx.doc, target, role.value);
    addCommentBefore(pair.key, (role.key as { commentBefore?: string }).commentBefore);
    moved.push(pair);
    ctx.change([...where, name ?? '?'], role.key, `→ \`service.${target}\``);
  }
  if (kept.length === 0) {
    replacePair(service, index, moved);
    if (moved.length === 0) ctx.change(where, iam.key, 'removed (it held no role)');
  } else {
    // What could not be moved stays under `iam_roles`, for `validate` to point at.
    const rest = new YAMLMap();
    rest.items = kept;
    iam.value = rest;
    service.items.splice(index, 0, ...moved);
  }
}

/**
 * A statement: the original's `name` is its Sid (IAM takes letters and digits only); without
 * `resources`, the original granted `*`, which ecs-crd makes explicit.
 */
function convertStatement(ctx: ConvertContext, node: unknown, path: KeyPath): void {
  ctx.eachMap('statement', node, (statement) => {
    reportUnknownKeys(ctx, statement, path, 'statement');
    const name = findPair(statement, 'name');
    if (name !== undefined && findPair(statement, 'sid') === undefined && isScalar(name.value)) {
      const written = String(name.value.value ?? '');
      const sid = written.replace(/[^A-Za-z0-9]/g, '');
      setKey(name, 'sid');
      if (sid === '') {
        statement.items.splice(statement.items.indexOf(name), 1);
        ctx.change(
          [...path, 'name'],
          name.key,
          `\`name: ${written}\` removed: no letter or digit left for a Sid`,
        );
      } else {
        if (sid !== written) name.value.value = sid;
        ctx.change([...path, 'name'], name.key, `\`name: ${written}\` → \`sid: ${sid}\``);
      }
    } else if (name !== undefined) {
      renameKey(ctx, statement, path, 'name', 'sid');
    }
    if (findPair(statement, 'resources') === undefined) {
      const resources = new YAMLSeq();
      resources.flow = true;
      // Quoted: a plain `*` starts an alias in YAML.
      resources.items.push(new Scalar('*'));
      (resources.items[0] as Scalar).type = Scalar.QUOTE_DOUBLE;
      statement.items.push(newPair(ctx.doc, 'resources', resources));
      ctx.change(path, statement, '`resources: ["*"]` added (the original’s default)');
      ctx.refuse(
        [...path, 'resources'],
        statement,
        'the original’s default, `*`, is carried over: this statement applies to every resource',
        'narrow `resources` to the ARNs the service uses',
      );
    }
  });
}

/**
 * `auto_scaling_policies[]` (step scaling only in the original) → `step_scaling[]`: the
 * policy's configuration moves up a level, its alarms become `alarms`.
 */
function convertAutoScaling(ctx: ConvertContext, scaling: YAMLMap, path: KeyPath): void {
  reportUnknownKeys(ctx, scaling, path, 'autoScaling');
  // Walked under the key it was written with, so that every path names the original file.
  const original = findPair(scaling, 'auto_scaling_policies');
  const [key, list] = original
    ? ['auto_scaling_policies', original]
    : ['step_scaling', findPair(scaling, 'step_scaling')];
  renameKey(ctx, scaling, path, 'auto_scaling_policies', 'step_scaling');
  ctx.items(list?.value).forEach((policy, i) => {
    convertStepPolicy(ctx, policy, [...path, key, i]);
  });
}

function convertStepPolicy(ctx: ConvertContext, node: unknown, path: KeyPath): void {
  ctx.eachMap('step_policy', node, (policy) => {
    reportUnknownKeys(ctx, policy, path, 'stepPolicy');
    const type = findPair(policy, 'policy_type');
    if (type !== undefined) {
      const value = isScalar(type.value) ? String(type.value.value) : '';
      if (value === 'StepScaling') {
        policy.items.splice(policy.items.indexOf(type), 1);
        ctx.change(
          [...path, 'policy_type'],
          type.key,
          'removed: every policy of `step_scaling` is a step policy',
        );
      } else {
        ctx.refuse(
          [...path, 'policy_type'],
          type.key,
          `\`policy_type: ${value}\` is not a step scaling policy: left as it is`,
          'write a target tracking policy under `service.auto_scaling.target_tracking` ({name, metric, target})',
        );
      }
    }
    renameKey(ctx, policy, path, 'policy_name', 'name');
    hoistConfiguration(ctx, policy, path);
    const original = findPair(policy, 'cloudwatch_alarms');
    const [written, alarms] = original
      ? ['cloudwatch_alarms', original]
      : ['alarms', findPair(policy, 'alarms')];
    renameKey(ctx, policy, path, 'cloudwatch_alarms', 'alarms');
    ctx.items(alarms?.value).forEach((alarm, i) => {
      ctx.eachMap('alarm', alarm, (map) => {
        const where = [...path, written, i];
        reportUnknownKeys(ctx, map, where, 'alarm');
        renameKey(ctx, map, where, 'alarm_description', 'description');
        listToMap(ctx, map, where, 'dimensions');
      });
    });
  });
}

/** `step_scaling_policy_configuration: {…}` → its keys, in its place in the policy. */
function hoistConfiguration(ctx: ConvertContext, policy: YAMLMap, path: KeyPath): void {
  const index = policy.items.findIndex((pair) => keyOf(pair) === 'step_scaling_policy_configuration');
  const pair = policy.items[index];
  if (pair === undefined) return;
  const where = [...path, 'step_scaling_policy_configuration'];
  const config = pair.value;
  if (!isMap(config)) {
    ctx.refuse(
      where,
      pair.key,
      'is not a map (or is a shared block): left as it is',
      'write its keys in the policy itself',
    );
    return;
  }
  const clashes = config.items
    .map(keyOf)
    .filter((key) => key !== undefined && findPair(policy, key) !== undefined);
  if (clashes.length > 0) {
    ctx.refuse(
      where,
      pair.key,
      `\`${clashes.join('`, `')}\` written both here and in the policy`,
      'keep one of each, then convert again',
    );
    return;
  }
  const [first] = config.items;
  if (first) addCommentBefore(first.key, config.commentBefore);
  replacePair(policy, index, config.items);
  ctx.change(where, pair.key, `its keys moved into the policy (${config.items.map(keyOf).join(', ')})`);
}
