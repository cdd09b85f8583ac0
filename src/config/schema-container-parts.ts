/**
 * The blocks of a container definition beyond its image and ports: logs, mounts,
 * dependencies, limits and Linux parameters. Names and ranges are ECS's own
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html).
 */
import { z } from 'zod';
import { isSecretArn, SECRET_ARN_MESSAGE } from './formats.js';
import { whenShaped } from './rule-context.js';
import { pairNamesUnique } from './rules.js';
import * as rules from './rules-container.js';
import { formatted, int, keyPairs, stringish, text } from './schema-blocks.js';

export const secretArn = formatted(isSecretArn, SECRET_ARN_MESSAGE);

export const logConfiguration = z
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
    options: keyPairs(z.string(), stringish('must be a string, a number or true/false'), 'option: value')
      .default({})
      .meta({ description: 'Driver options, `option: value` (or the original’s list of one-key maps).' }),
    secret_options: keyPairs(z.string(), secretArn, 'option: ARN').optional().meta({
      description:
        'Driver options read from SSM or Secrets Manager, `option: ARN` (never the value), e.g. a Splunk token.',
    }),
  })
  .superRefine(pairNamesUnique('options'), whenShaped)
  .superRefine(pairNamesUnique('secret_options'), whenShaped)
  .meta({ description: 'Where the logs go. Default: `awslogs` to the log group the stack creates.' });

export const mountPoint = z
  .strictObject({
    source_volume: text().meta({ description: 'The `name` of one of service.volumes.' }),
    container_path: formatted((value) => value.startsWith('/'), 'must be an absolute path (start with /)'),
    read_only: z.boolean().default(false),
  })
  .meta({ description: 'A volume of the task mounted in the container.' });

const CONDITIONS = ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'] as const;
export const dependency = z
  .strictObject({
    container_name: text().meta({ description: 'Another container of the task.' }),
    condition: z.enum(CONDITIONS).optional().meta({
      description:
        'START: started; COMPLETE: exited; SUCCESS: exited 0; HEALTHY: its health_check passed (it needs one).',
    }),
    condtion: z.enum(CONDITIONS).optional().meta({
      description: 'The original reference’s misspelling of `condition`, accepted (write `condition`).',
    }),
  })
  .superRefine(rules.oneSpelling('condition', 'condtion', true))
  .meta({ description: 'A container this one waits for before it starts.' });

// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Ulimit.html
export const ULIMIT_NAMES = [
  'core',
  'cpu',
  'data',
  'fsize',
  'locks',
  'memlock',
  'msgqueue',
  'nice',
  'nofile',
  'nproc',
  'rss',
  'rtprio',
  'rttime',
  'sigpending',
  'stack',
] as const;
export const ulimit = z
  .strictObject({
    name: z.enum(ULIMIT_NAMES),
    soft_limit: int(0),
    hard_limit: int(0),
  })
  .superRefine(rules.softLimitWithinHard)
  .meta({ description: 'A resource limit of the container (Docker --ulimit).' });

// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_KernelCapabilities.html
export const CAPABILITIES = [
  'ALL',
  'AUDIT_CONTROL',
  'AUDIT_WRITE',
  'BLOCK_SUSPEND',
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'IPC_LOCK',
  'IPC_OWNER',
  'KILL',
  'LEASE',
  'LINUX_IMMUTABLE',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'MKNOD',
  'NET_ADMIN',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_CHROOT',
  'SYS_MODULE',
  'SYS_NICE',
  'SYS_PACCT',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'SYSLOG',
  'WAKE_ALARM',
] as const;

export const linuxParameters = z
  .strictObject({
    init_process_enabled: z.boolean().optional().meta({
      description: 'Run an init process (PID 1) that forwards signals and reaps zombie processes.',
    }),
    capabilities: z
      .strictObject({
        add: z.array(z.enum(CAPABILITIES)).optional(),
        drop: z.array(z.enum(CAPABILITIES)).optional(),
      })
      .optional()
      .meta({ description: 'Linux capabilities added to or dropped from Docker’s default set.' }),
    shared_memory_size: int(1).optional().meta({ description: 'MiB of /dev/shm (not on Fargate).' }),
  })
  .meta({ description: 'Linux-specific options of the container.' });
