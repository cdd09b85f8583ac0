/**
 * What a valid file may say but probably should not: a secret written as a literal
 * `environment` value, which ends up in clear in the task definition (readable by anyone who
 * can describe it) and in the stack's state; an IAM statement without `resources` (the
 * original tool's default, every resource); a privileged container (root on the host); the
 * original reference's misspelt keys. Warnings, not errors: a variable named `TOKEN_TTL` is
 * no secret, and only the person who wrote it knows.
 */
import type { PathProblem } from './problems.js';
import { field, isRecord } from './templates.js';
import { analysisWarnings } from './warnings-analysis.js';
import type { KeyPath } from './yaml-source.js';

/** Names that say they hold a secret: `DB_PASSWORD`, `stripeSecret`, `GITHUB_TOKEN`, `API_KEY`… */
const SECRET_NAME = /pass(word|wd)|secret|token|api_?key|private_?key|access_?key|credential/i;
/** An AWS access key id (long-term `AKIA…` or temporary `ASIA…`). */
const ACCESS_KEY_ID = /(?<![A-Z0-9])(AKIA|ASIA)[A-Z2-7]{16}(?![A-Z0-9])/;
/** 40 characters of base64 alone, as an AWS secret access key is. */
const SECRET_ACCESS_KEY = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/;

/** Values that are plainly not secrets, whatever the name says: empty, a number, a boolean, an ARN, a template. */
const HARMLESS = /^(|\d+|true|false|yes|no|on|off|arn:.*|\{\{[^}]*\}\})$/i;

/** Every warning of the file (run on the data as written: any part may be invalid). */
export function fileWarnings(data: unknown): PathProblem[] {
  return [
    ...secretWarnings(data),
    ...statementWarnings(data),
    ...containerWarnings(data),
    ...analysisWarnings(data),
  ];
}

/** `check.ts` asks for the file's warnings under this name. */
export const environmentWarnings = fileWarnings;

/** The warnings of the file's `environment` maps. */
function secretWarnings(data: unknown): PathProblem[] {
  const containers = field(field(data, 'service'), 'containers');
  if (!Array.isArray(containers)) return [];
  return containers.flatMap((container, c) => {
    const environment = field(container, 'environment');
    const at: KeyPath = ['service', 'containers', c, 'environment'];
    const maps: [KeyPath, unknown][] = Array.isArray(environment)
      ? environment.map((item, i) => [[...at, i], item])
      : [[at, environment]];
    return maps.flatMap(([path, map]) =>
      isRecord(map)
        ? Object.entries(map).flatMap(([name, value]) => {
            const why = secretLooking(name, value);
            return why === undefined ? [] : [{ path: [...path, name], message: warning(name, why) }];
          })
        : [],
    );
  });
}

function secretLooking(name: string, value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (ACCESS_KEY_ID.test(value)) return 'its value looks like an AWS access key id';
  if (isSecretAccessKey(value)) return 'its value looks like an AWS secret access key';
  if (SECRET_NAME.test(name) && !HARMLESS.test(value.trim())) return 'its name says it holds a secret';
  return undefined;
}

/** Base64 of 40 characters with both cases and a digit or symbol: not a word, not a hex digest. */
function isSecretAccessKey(value: string): boolean {
  const match = SECRET_ACCESS_KEY.exec(value)?.[0];
  return match !== undefined && /[a-z]/.test(match) && /[A-Z]/.test(match) && /[0-9/+]/.test(match);
}

function warning(name: string, why: string): string {
  return `warning: ${why}, and environment values are stored in clear in the task definition: put it in SSM Parameter Store or Secrets Manager and give its ARN under \`secrets\` (secrets: {${name}: arn:aws:ssm:…}) instead`;
}

/** Statements without `resources`: the original tool's default `*` is kept, every resource. */
function statementWarnings(data: unknown): PathProblem[] {
  const service = field(data, 'service');
  const lists: [KeyPath, unknown][] = [
    [['service', 'policies'], field(service, 'policies')],
    [['service', 'execution_policies'], field(service, 'execution_policies')],
    [['service', 'iam_roles', 'task_role'], field(field(service, 'iam_roles'), 'task_role')],
    [
      ['service', 'iam_roles', 'task_execution_role'],
      field(field(service, 'iam_roles'), 'task_execution_role'),
    ],
  ];
  return lists.flatMap(([at, list]) =>
    (Array.isArray(list) ? list : []).flatMap((statement, i) =>
      isRecord(statement) && statement.resources === undefined
        ? [
            {
              path: [...at, i],
              message:
                'warning: no `resources`: as in the original tool, the statement applies to every resource ("*"). List the ARNs it needs, or write resources: ["*"] to say so',
            },
          ]
        : [],
    ),
  );
}

/** The original reference's misspellings, accepted: what to write instead. */
const MISSPELT: Record<string, string> = { entry_port: 'entry_point' };

function containerWarnings(data: unknown): PathProblem[] {
  const containers = field(field(data, 'service'), 'containers');
  if (!Array.isArray(containers)) return [];
  return containers.flatMap((container, c): PathProblem[] => {
    const at: KeyPath = ['service', 'containers', c];
    const found: PathProblem[] = [];
    if (field(container, 'privileged') === true) {
      found.push({
        path: [...at, 'privileged'],
        message:
          'warning: a privileged container is root on the host instance (every device, every kernel capability): a compromise of it is a compromise of the instance and of every task on it. Add only the capabilities it needs (linux_parameters.capabilities.add) instead',
      });
    }
    for (const [original, preferred] of Object.entries(MISSPELT)) {
      if (field(container, original) !== undefined)
        found.push(misspelt([...at, original], original, preferred));
    }
    const dependencies = field(container, 'depends_on');
    (Array.isArray(dependencies) ? dependencies : []).forEach((dependency, d) => {
      if (field(dependency, 'condtion') !== undefined) {
        found.push(misspelt([...at, 'depends_on', d, 'condtion'], 'condtion', 'condition'));
      }
    });
    return found;
  });
}

function misspelt(path: KeyPath, original: string, preferred: string): PathProblem {
  return {
    path,
    message: `warning: \`${original}\` is the original reference's misspelling of \`${preferred}\`, accepted: write ${preferred} (\`ecs-crd convert\` does)`,
  };
}
