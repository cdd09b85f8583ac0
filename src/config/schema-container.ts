/** The schema of `service.containers[]`: one container definition of the task. */
import { z } from 'zod';
import { IMAGE_MESSAGE, isImageReference } from './formats.js';
import { whenShaped } from './rule-context.js';
import * as rules from './rules.js';
import * as containerRules from './rules-container.js';
import {
  envName,
  formatted,
  hostName,
  int,
  keyPairs,
  matches,
  oneOrMany,
  portNumber,
  refusing,
  stringish,
  text,
} from './schema-blocks.js';
import {
  dependency,
  linuxParameters,
  logConfiguration,
  mountPoint,
  secretArn,
  ulimit,
} from './schema-container-parts.js';

// ------------------------------------------------------------------ service.containers[]

const hostPort = int(0, 65535);
const portMapping = z
  .strictObject({
    container_port: refusing(
      portNumber(),
      containerRules.isSlotPair,
      containerRules.SLOT_CONTAINER_PORT_MESSAGE,
    ).meta({ description: 'Port the container listens on (the same in both releases).' }),
    host_port: z
      .union([hostPort, z.strictObject({ blue: hostPort, green: hostPort })], {
        error: 'must be a port (0-65535) or one per slot, {blue: …, green: …}',
      })
      .default(0)
      .meta({
        description:
          'Port on the host; 0 = dynamic (bridge). Per slot, `{blue, green}`, when both releases may run on one instance with static ports (bridge). With awsvpc/host: 0 or the container port.',
      }),
    protocol: z.enum(['tcp', 'udp']).default('tcp'),
  })
  .superRefine(containerRules.slotPortsDiffer, whenShaped);

const environmentSchema = keyPairs(
  envName,
  stringish('must be a string, a number or true/false (write "" for an empty value)'),
  'NAME: value',
)
  .default({})
  .meta({
    description:
      'Environment variables, `NAME: value` (or the original’s list of one-key maps). Names: anything without `=` (`Serilog:MinimumLevel:Default` too). Never put secrets here: use `secrets`.',
  });

const containerHealthCheck = z
  .strictObject({
    command: z
      .array(z.string())
      .min(1, 'must not be empty')
      .refine(
        (command) => ['CMD', 'CMD-SHELL', 'NONE'].includes(command[0] ?? ''),
        'must start with `CMD`, `CMD-SHELL` or `NONE`, e.g. [CMD-SHELL, "curl -f http://localhost/ || exit 1"]',
      ),
    interval: int(5, 300).optional().meta({ description: 'Seconds between checks (ECS default 30).' }),
    timeout: int(2, 60).optional().meta({ description: 'Seconds before a check fails (ECS default 5).' }),
    retries: int(1, 10).optional().meta({ description: 'Failures before unhealthy (ECS default 3).' }),
    start_period: int(0, 300).optional().meta({ description: 'Grace period in seconds (ECS default 0).' }),
  })
  .meta({ description: 'The container health check (Docker HEALTHCHECK).' });

export const DEFAULT_IMAGE = '{{account_id}}.dkr.ecr.{{region}}.amazonaws.com/{{name}}:{{version}}';

export const containerSchema = z
  .strictObject({
    name: matches(/^[A-Za-z0-9_-]{1,255}$/, 'must be letters, digits, - and _ (at most 255)').default(
      'default',
    ),
    image: formatted(isImageReference, IMAGE_MESSAGE).optional().meta({
      default: DEFAULT_IMAGE,
      description: 'The image to run: [host[:port]/]name[:tag][@sha256:…].',
    }),
    cpu: int(0).default(128).meta({ description: 'CPU units reserved for the container.' }),
    memory: int(6).default(128).meta({ description: 'Hard memory limit in MiB.' }),
    memory_reservation: int(6)
      .optional()
      .meta({ description: 'Soft memory limit in MiB; at most `memory`.' }),
    port_mappings: z.array(portMapping).default([]),
    entry_point: z.array(z.string()).optional(),
    entry_port: z.array(z.string()).optional().meta({
      description: 'The original reference’s misspelling of `entry_point`, accepted (write `entry_point`).',
    }),
    command: z.array(z.string()).optional(),
    environment: environmentSchema,
    secrets: keyPairs(envName, secretArn, 'NAME: ARN').default({}).meta({
      description:
        'Environment variables read from SSM or Secrets Manager: `NAME: ARN` (or the original’s list of one-key maps).',
    }),
    dns_search_domains: z.array(text()).optional(),
    dns_servers: z.array(text()).optional(),
    disable_networking: z.boolean().optional(),
    essential: z.boolean().default(true),
    health_check: containerHealthCheck.optional(),
    log_configuration: logConfiguration.optional(),
    links: z
      .array(
        matches(
          /^[A-Za-z0-9_-]{1,255}(:[A-Za-z0-9_.-]{1,255})?$/,
          'must be `container` or `container:alias`',
        ),
      )
      .optional()
      .meta({ description: 'Other containers of the task reachable by name (network_mode bridge only).' }),
    hostname: text().optional().meta({ description: 'The container’s host name (not with awsvpc).' }),
    privileged: z.boolean().optional().meta({
      description:
        'Root on the host instance (a warning; not on Fargate). Prefer linux_parameters.capabilities.',
    }),
    docker_security_options: z
      .array(text())
      .optional()
      .meta({ description: 'SELinux / AppArmor labels, e.g. `label:type:…`, `apparmor:…` (EC2 only).' }),
    start_timeout: int(0)
      .optional()
      .meta({ description: 'Seconds to wait for depends_on before giving up (Fargate: 2-120).' }),
    stop_timeout: int(0)
      .optional()
      .meta({ description: 'Seconds between SIGTERM and SIGKILL (ECS default 30; Fargate: 2-120).' }),
    mount_points: z.array(mountPoint).optional(),
    depends_on: z.array(dependency).optional(),
    ulimits: z.array(ulimit).optional(),
    linux_parameters: linuxParameters.optional(),
    readonly_root_filesystem: z.boolean().optional(),
    user: text().optional().meta({ description: '`user`, `user:group`, `uid`, `uid:gid`…' }),
    working_directory: formatted((value) => value.startsWith('/'), 'must be an absolute path (start with /)')
      .optional()
      .meta({ description: 'The working directory of the command.' }),
    docker_labels: keyPairs(text(), stringish('must be a string, a number or true/false'), 'label: value')
      .optional()
      .meta({ description: 'Docker labels, `label: value`.' }),
    fqdn: oneOrMany(hostName(), 'DNS name').optional().meta({
      description:
        'The original tool’s place for the DNS name(s): used as service.fqdn when that is absent (write service.fqdn).',
    }),
  })
  .superRefine(rules.memoryReservationWithinMemory)
  .superRefine(rules.environmentNamesUnique, whenShaped)
  .superRefine(rules.portMappingsUnique, whenShaped)
  .superRefine(containerRules.oneSpelling('entry_point', 'entry_port'), whenShaped)
  .superRefine(containerRules.ulimitsUnique, whenShaped)
  .superRefine(rules.pairNamesUnique('docker_labels'), whenShaped);
