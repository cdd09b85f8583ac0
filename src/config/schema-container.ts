/** The schema of `service.containers[]`: one container definition of the task. */
import { z } from 'zod';
import { IMAGE_MESSAGE, isImageReference } from './formats.js';
import { whenShaped } from './rule-context.js';
import * as rules from './rules.js';
import { envName, formatted, int, matches, nameMap, portNumber, stringish, text } from './schema-blocks.js';

// ------------------------------------------------------------------ service.containers[]

const portMapping = z.strictObject({
  container_port: portNumber().meta({ description: 'Port the container listens on.' }),
  host_port: int(0, 65535).default(0).meta({
    description: 'Port on the host; 0 = dynamic (bridge). With awsvpc/host: 0 or the container port.',
  }),
  protocol: z.enum(['tcp', 'udp']).default('tcp'),
});

const environmentVariables = nameMap(
  envName,
  stringish('must be a string, a number or true/false (write "" for an empty value)'),
);
const environmentSchema = z
  .union(
    [
      environmentVariables,
      // The original tool's spelling: a list of one-key maps.
      z.array(
        environmentVariables.refine(
          (item) => Object.keys(item).length === 1,
          'each item must be exactly one `NAME: value`',
        ),
      ),
    ],
    { error: 'must be a map `NAME: value` (or a list of one-key maps)' },
  )
  .default({})
  .meta({ description: 'Environment variables, `NAME: value`. Never put secrets here: use `secrets`.' });

const secretArn = formatted(
  (value) => /^arn:[^:]+:(ssm|secretsmanager):/.test(value),
  'must be the ARN of an SSM parameter or a Secrets Manager secret (arn:aws:ssm:… or arn:aws:secretsmanager:…), never the secret itself',
);

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

const logConfiguration = z
  .strictObject({
    log_driver: z.enum([
      'awslogs',
      'awsfirelens',
      'fluentd',
      'gelf',
      'journald',
      'json-file',
      'splunk',
      'syslog',
    ]),
    options: nameMap(z.string(), stringish('must be a string, a number or true/false')).default({}),
  })
  .meta({ description: 'Where the logs go. Default: `awslogs` to the log group the stack creates.' });

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
    command: z.array(z.string()).optional(),
    environment: environmentSchema,
    secrets: nameMap(envName, secretArn)
      .default({})
      .meta({ description: 'Environment variables read from SSM or Secrets Manager: `NAME: ARN`.' }),
    dns_search_domains: z.array(text()).optional(),
    dns_servers: z.array(text()).optional(),
    disable_networking: z.boolean().optional(),
    essential: z.boolean().default(true),
    health_check: containerHealthCheck.optional(),
    log_configuration: logConfiguration.optional(),
  })
  .superRefine(rules.memoryReservationWithinMemory)
  .superRefine(rules.environmentNamesUnique, whenShaped)
  .superRefine(rules.portMappingsUnique, whenShaped);
