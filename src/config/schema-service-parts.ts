/**
 * The blocks of `service` beyond its identity and placement: IAM statements (ecs-crd's
 * `policies` and the original's `iam_roles`), volumes, the runtime platform and capacity
 * providers. Names and ranges are the ECS and IAM APIs' own, in snake_case.
 */
import { z } from 'zod';
import { whenShaped } from './rule-context.js';
import { pairNamesUnique } from './rules.js';
import * as originalRules from './rules-original.js';
import * as taskRules from './rules-task.js';
import { int, keyPairs, matches, portNumber, stringish, text } from './schema-blocks.js';

// ------------------------------------------------------------------ IAM statements

export const policyStatement = z
  .strictObject({
    sid: matches(/^[A-Za-z0-9]+$/, 'must be letters and digits only (an IAM Sid)')
      .optional()
      .meta({ description: 'The statement’s Sid: letters and digits.' }),
    name: text().optional().meta({
      description:
        'The original tool’s spelling of `sid`: any text, its letters and digits become the Sid (write `sid`).',
    }),
    effect: z.enum(['Allow', 'Deny']),
    actions: z
      .array(matches(/^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]+)$/, 'must be an IAM action such as s3:GetObject'))
      .min(1, 'must list at least one action'),
    resources: z.array(text()).min(1, 'must list at least one resource (an ARN, or "*")').optional().meta({
      description:
        'ARNs the statement applies to. Omitted (the original tool’s default): "*", every resource, with a warning.',
    }),
  })
  .superRefine(originalRules.sidFromName, whenShaped)
  .meta({ description: 'One statement of an inline IAM policy.' });

export const statements = (description: string) =>
  z.array(policyStatement).superRefine(originalRules.sidsUnique, whenShaped).meta({ description });

export const iamRoles = z
  .strictObject({
    task_role: statements(
      'The original tool’s spelling of service.policies: the task role’s statements (write `policies`).',
    ).optional(),
    task_execution_role: statements(
      'The original tool’s spelling of service.execution_policies (write `execution_policies`).',
    ).optional(),
  })
  .meta({ description: 'The original tool’s IAM roles: `task_role` and `task_execution_role` statements.' });

// ------------------------------------------------------------------ volumes

const ENABLED = z.enum(['ENABLED', 'DISABLED']);

export const volume = z
  .strictObject({
    name: matches(/^[A-Za-z0-9_-]{1,255}$/, 'must be letters, digits, - and _ (at most 255)').meta({
      description: 'What containers’ mount_points[].source_volume name.',
    }),
    host: z
      .strictObject({
        source_path: text().optional().meta({
          description: 'A path of the instance (EC2 only). Omitted: a scratch volume Docker manages.',
        }),
      })
      .optional()
      .meta({ description: 'A bind mount.' }),
    docker_volume_configuration: z
      .strictObject({
        scope: z.enum(['task', 'shared']).optional().meta({
          description: '`task` (default): removed with the task; `shared`: kept on the instance.',
        }),
        autoprovision: z
          .boolean()
          .optional()
          .meta({ description: 'Create a shared volume that does not exist yet (scope shared only).' }),
        driver: text().optional().meta({ description: 'Docker volume driver (default `local`).' }),
        driver_opts: keyPairs(
          z.string(),
          stringish('must be a string, a number or true/false'),
          'option: value',
        )
          .optional()
          .meta({ description: 'Driver options, `option: value`.' }),
        labels: keyPairs(z.string(), stringish('must be a string, a number or true/false'), 'label: value')
          .optional()
          .meta({ description: 'Docker labels of the volume.' }),
      })
      .superRefine(pairNamesUnique('driver_opts'), whenShaped)
      .superRefine(pairNamesUnique('labels'), whenShaped)
      .superRefine(taskRules.autoprovisionShared, whenShaped)
      .optional()
      .meta({ description: 'A Docker volume (EC2 only).' }),
    efs_volume_configuration: z
      .strictObject({
        file_system_id: matches(/^fs-[0-9a-f]{8,40}$/, 'must be an EFS file system id (fs-…)'),
        root_directory: text()
          .optional()
          .meta({ description: 'Directory of the file system mounted (default /).' }),
        transit_encryption: ENABLED.optional().meta({
          description: 'TLS to the file system (default DISABLED).',
        }),
        transit_encryption_port: portNumber()
          .optional()
          .meta({ description: 'Port of the TLS tunnel (transit_encryption ENABLED only).' }),
        authorization_config: z
          .strictObject({
            access_point_id: matches(
              /^fsap-[0-9a-f]{8,40}$/,
              'must be an EFS access point id (fsap-…)',
            ).optional(),
            iam: ENABLED.optional().meta({ description: 'Mount with the task role’s IAM authorization.' }),
          })
          .optional(),
      })
      .superRefine(taskRules.efsTransitEncryption, whenShaped)
      .optional()
      .meta({ description: 'An Amazon EFS file system.' }),
  })
  .superRefine(taskRules.oneVolumeKind, whenShaped)
  .meta({ description: 'A volume of the task, mounted by containers’ mount_points.' });

// ------------------------------------------------------------------ platform and capacity

export const runtimePlatform = z
  .strictObject({
    cpu_architecture: z.enum(['X86_64', 'ARM64']).optional().meta({ description: 'ARM64: Graviton.' }),
    operating_system_family: z
      .enum([
        'LINUX',
        'WINDOWS_SERVER_2019_FULL',
        'WINDOWS_SERVER_2019_CORE',
        'WINDOWS_SERVER_2016_FULL',
        'WINDOWS_SERVER_2004_CORE',
        'WINDOWS_SERVER_2022_CORE',
        'WINDOWS_SERVER_2022_FULL',
        'WINDOWS_SERVER_2025_CORE',
        'WINDOWS_SERVER_2025_FULL',
        'WINDOWS_SERVER_20H2_CORE',
      ])
      .optional(),
  })
  .meta({ description: 'The CPU architecture and OS the task needs.' });

// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
export const capacityProvider = z
  .strictObject({
    capacity_provider: matches(
      /^[A-Za-z0-9_-]{1,255}$/,
      'must be a capacity provider name (FARGATE, FARGATE_SPOT or one of the cluster’s)',
    ),
    weight: int(0, 1000).default(0).meta({ description: 'Relative share of the tasks.' }),
    base: int(0, 100000).default(0).meta({ description: 'Tasks placed on this provider first.' }),
  })
  .meta({ description: 'One capacity provider of the strategy.' });
