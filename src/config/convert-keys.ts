/**
 * The keys `convert` knows at each level of a deployment file: ecs-crd's (preferred and
 * production keys) and the original tool's 1.2.0 spellings it rewrites. A key known to
 * neither is left as it is and listed, so the user hears of it before `validate` refuses it.
 * Its own list, not the schema's: convert must know the original's vocabulary, which the
 * schema only accepts, and its verdict may not change when the schema grows a key.
 */
import type { YAMLMap } from 'yaml';
import { type ConvertContext, keyOf, MERGE_KEY } from './convert-nodes.js';
import { didYouMean } from './suggest.js';
import type { KeyPath } from './yaml-source.js';

const words = (text: string): ReadonlySet<string> => new Set(text.trim().split(/\s+/));

export const KNOWN_KEYS = {
  root: words('canary service target_groups listeners'),
  canary: words(
    'group releases scale strategy health drain evaluate_target_health sns_topic_notifications analysis hooks',
  ),
  service: words(`project name cluster fqdn version scheduling_strategy platform_version launch_type
    network_mode network cpu memory health_check_grace_period placement_constraints placement_strategies
    policies execution_policies containers pid_mode ipc_mode requires_compatibilities volumes
    runtime_platform ephemeral_storage capacity_provider_strategy enable_execute_command auto_scaling
    iam_roles`),
  container: words(`name image cpu memory memory_reservation port_mappings entry_point command environment
    secrets dns_search_domains dns_servers disable_networking essential health_check log_configuration
    links hostname privileged docker_security_options start_timeout stop_timeout mount_points depends_on
    ulimits linux_parameters readonly_root_filesystem user working_directory docker_labels fqdn entry_port`),
  statement: words('sid name effect actions resources'),
  autoScaling: words('min_capacity max_capacity role_arn target_tracking step_scaling auto_scaling_policies'),
  stepPolicy: words(`name policy_name policy_type adjustment_type cooldown metric_aggregation_type
    step_adjustments alarms cloudwatch_alarms step_scaling_policy_configuration`),
  alarm: words(`metric_name namespace statistic period evaluation_periods threshold comparison_operator
    description alarm_description dimensions`),
  targetGroup: words('container port protocol deregistration_delay target_group_attributes health_check'),
  targetGroupHealth: words(`protocol path matcher interval timeout healthy_threshold unhealthy_threshold
    interval_seconds timeout_seconds healthy_threshold_count unhealthy_threshold_count`),
  listener: words('port protocol certificate_arns certificates target_group rule rules'),
} as const;

export type KeyLevel = keyof typeof KNOWN_KEYS;

/** Lists the keys of `map` that neither ecs-crd nor the original tool knows at `level`. */
export function reportUnknownKeys(ctx: ConvertContext, map: YAMLMap, path: KeyPath, level: KeyLevel): void {
  const known = KNOWN_KEYS[level];
  for (const pair of map.items) {
    const key = keyOf(pair);
    if (key === undefined || key === MERGE_KEY || known.has(key)) continue;
    // Top-level `x-…` keys hold shared blocks (anchors), as `validate` allows.
    if (level === 'root' && key.startsWith('x-')) continue;
    const suggestion = didYouMean(key, known);
    ctx.refuse(
      [...path, key],
      pair.key,
      `unknown key \`${key}\`: left as it is`,
      suggestion
        ? `${suggestion} (\`ecs-crd validate\` reports it too)`
        : '`ecs-crd validate` reports it: remove it or rename it to a key of the reference',
    );
  }
}
