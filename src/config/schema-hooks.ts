/**
 * The schema of `canary.hooks`: per hook point, a list of commands (argv, no shell) and
 * webhooks (a POST of the JSON event). A hook is one or the other; each kind has its own
 * bounds, checked by `hookKind` so the message names the kind. Defaults that depend on the kind
 * are applied by `normalise` (`resolveHooks`).
 */
import { z } from 'zod';
import { type Context, report, validParts, whenShaped } from './rule-context.js';
import { int, nameMap, refusing } from './schema-blocks.js';
import {
  DEFAULT_COMMAND_TIMEOUT_S,
  DEFAULT_WEBHOOK_RETRIES,
  DEFAULT_WEBHOOK_TIMEOUT_S,
  HOOK_POINTS,
  type HookPoint,
  type HookSpec,
  type HooksConfig,
} from './types-hooks.js';

export const MAX_COMMAND_TIMEOUT_S = 3600;
export const MAX_WEBHOOK_TIMEOUT_S = 300;
export const MAX_WEBHOOK_RETRIES = 10;

// ------------------------------------------------------------------ command

const argv = z
  .array(z.string())
  .min(1, 'must list the program to run, then its arguments: ["./smoke.sh", "--host", "{{fqdn}}"]')
  .superRefine((list, ctx) => {
    if (list[0] === '')
      report(ctx, [0], 'must name the program to run (a path, or a name looked up on PATH)');
  });

/**
 * The value is never quoted back split into a list: it is rendered already, and a
 * `{{env.TOKEN}}` in it would end up in the message (and the CI log).
 */
const ONE_STRING_COMMAND =
  'must be a list, the program then its arguments, e.g. ["./smoke.sh", "--host", "{{fqdn}}"]: no shell runs the command, so nothing would split one string into words, expand variables or globs';

const command = refusing(argv, (input) => typeof input === 'string', ONE_STRING_COMMAND).meta({
  description:
    'The program and its arguments, run without a shell in the deployment file’s folder; it gets the event as ECS_CRD_* environment variables and passes when it exits 0.',
});

// ------------------------------------------------------------------ webhook

const TEMPLATE_LEFT = '{{';

function webhookUrlProblem(value: string): string | undefined {
  // An offline `{{region}}`/`{{account_id}}` is rendered by deploy: the URL is checked then.
  if (value.includes(TEMPLATE_LEFT)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http(s) URL, such as https://hooks.example.com/ecs-crd';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `must be an http:// or https:// URL, not ${url.protocol}// (the event is POSTed as JSON)`;
  }
  if (url.username !== '' || url.password !== '') {
    // fetch refuses such a URL; and the file is usually in git.
    return 'must not hold a user name or password (user:password@): send them in an `Authorization` header, from {{env.NAME}}';
  }
  return undefined;
}

const webhook = z
  .string()
  .min(1, 'must not be empty')
  .superRefine((value, ctx) => {
    const problem = webhookUrlProblem(value);
    if (problem !== undefined) report(ctx, [], problem);
  })
  .meta({
    description:
      'The URL the event is POSTed to as JSON; the hook passes on a 2xx answer within `timeout` seconds.',
  });

/** RFC 9110 `token`: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Headers ecs-crd writes itself from the body, which a file may not override. */
const OWN_HEADERS: Record<string, string> = {
  'content-type': 'is always application/json (the body is the JSON event)',
  'content-length': 'is set by ecs-crd from the body',
  'transfer-encoding': 'is set by ecs-crd from the body',
};

const headerName = z
  .string()
  .regex(HEADER_NAME, "must be an HTTP header name: letters, digits and !#$%&'*+-.^_`|~")
  .superRefine((name, ctx) => {
    const own = OWN_HEADERS[name.toLowerCase()];
    if (own !== undefined) report(ctx, [], `${own}: leave it out`);
  });

// The value may come from {{env.…}}: never quoted back in a message.
const headerValue = z
  .string()
  .refine(
    (value) => !/[\r\n\0]/.test(value),
    'must be one line (a value read from a file, as with $(cat …), often ends with a line break: strip it)',
  );

const headers = nameMap(headerName, headerValue).superRefine(headerNamesUnique, whenShaped).meta({
  description:
    'Header name → value sent with the event. Write secrets as {{env.NAME}}: the deployment file is usually in git.',
});

/** HTTP header names ignore case: `Authorization` and `authorization` are one header written twice. */
function headerNamesUnique(map: Record<string, string>, ctx: Context): void {
  const seen = new Map<string, string>();
  for (const name of Object.keys(map)) {
    const first = seen.get(name.toLowerCase());
    if (first !== undefined)
      report(ctx, [name], `is the header \`${first}\` again (header names ignore case)`);
    else seen.set(name.toLowerCase(), name);
  }
}

// ------------------------------------------------------------------ a hook

const RETRIES_DESCRIPTION = `Attempts after the first on a timeout, a network error, a 429 or a 5xx, 1 s, 2 s, 4 s… apart (default ${DEFAULT_WEBHOOK_RETRIES}).`;

/**
 * A hook as checked: every key optional, `hookKind` saying which belong to which kind (so a
 * misplaced key gets a message about the kind, not a bare "unknown key").
 */
export const hookSchema = z
  .strictObject({
    command: command.optional(),
    webhook: webhook.optional(),
    timeout: int(1, MAX_COMMAND_TIMEOUT_S)
      .optional()
      .meta({
        description: `Seconds the hook may take: a command ${DEFAULT_COMMAND_TIMEOUT_S} by default (at most ${MAX_COMMAND_TIMEOUT_S}), a webhook ${DEFAULT_WEBHOOK_TIMEOUT_S} per attempt (at most ${MAX_WEBHOOK_TIMEOUT_S}).`,
      }),
    headers: headers.optional(),
    retries: int(0, MAX_WEBHOOK_RETRIES)
      .optional()
      .meta({ description: `Webhooks: ${RETRIES_DESCRIPTION}` }),
  })
  .superRefine(hookKind, whenShaped)
  // One definition in the JSON Schema, referred to from every point (see `hookJsonSchema`).
  .meta({ id: 'hook', description: 'A command (`command`) or a webhook (`webhook`).' });
const hook = hookSchema;

/**
 * The hook as editors should see it: one of two shapes, each with its own keys, bounds and
 * defaults (what `hookKind` checks, which a JSON Schema says only this way).
 */
export function hookJsonSchema(): Record<string, unknown> {
  const commandHook = z
    .strictObject({
      command: argv.meta(command.meta() ?? {}),
      timeout: int(1, MAX_COMMAND_TIMEOUT_S)
        .default(DEFAULT_COMMAND_TIMEOUT_S)
        .meta({ description: 'Seconds the command may run: then SIGTERM, and SIGKILL 5 s later.' }),
    })
    .meta({ title: 'command hook' });
  const webhookHook = z
    .strictObject({
      webhook,
      headers: headers.optional(),
      timeout: int(1, MAX_WEBHOOK_TIMEOUT_S)
        .default(DEFAULT_WEBHOOK_TIMEOUT_S)
        .meta({ description: 'Seconds to answer 2xx, per attempt.' }),
      retries: int(0, MAX_WEBHOOK_RETRIES)
        .default(DEFAULT_WEBHOOK_RETRIES)
        .meta({ description: RETRIES_DESCRIPTION }),
    })
    .meta({ title: 'webhook hook' });
  const { $schema: _, ...schema } = z.toJSONSchema(z.union([commandHook, webhookHook]), {
    io: 'input',
    target: 'draft-7',
  });
  return { description: hookSchema.meta()?.description, ...schema };
}

export type HookFile = z.output<typeof hook>;

const WEBHOOK_ONLY = {
  headers: 'is for webhooks only: a command gets the event as ECS_CRD_* environment variables',
  retries: 'is for webhooks only: a failing command is not run again',
} as const;

interface HookShape {
  command?: unknown;
  webhook?: string | undefined;
  timeout?: number | undefined;
  headers?: unknown;
  retries?: number | undefined;
}

/** One kind per hook, and the keys and bounds of that kind. */
function hookKind(value: HookShape, ctx: Context): void {
  const valid = validParts(ctx);
  const isCommand = value.command !== undefined;
  if (isCommand === (value.webhook !== undefined)) {
    if (isCommand)
      report(ctx, ['webhook'], 'a hook is a command or a webhook, not both: write them as two hooks');
    else report(ctx, [], 'needs `command` (the program and its arguments) or `webhook` (a URL)');
    return;
  }
  if (isCommand) {
    for (const key of ['headers', 'retries'] as const) {
      if (value[key] !== undefined) report(ctx, [key], WEBHOOK_ONLY[key]);
    }
  } else if (valid(['timeout']) && value.timeout !== undefined && value.timeout > MAX_WEBHOOK_TIMEOUT_S) {
    report(
      ctx,
      ['timeout'],
      `must be between 1 and ${MAX_WEBHOOK_TIMEOUT_S} for a webhook (seconds per attempt)`,
    );
  }
}

// ------------------------------------------------------------------ canary.hooks

/** One hook or a list of them at a point; always a list after parsing. */
const point = (description: string) =>
  z
    .union([hook, z.array(hook)], {
      error: 'must be a list of hooks, each a map with `command` or `webhook`',
    })
    .transform((value): HookFile[] => (Array.isArray(value) ? value : [value]))
    .optional()
    .meta({ description });

const POINT_DESCRIPTIONS: Record<HookPoint, string> = {
  before_traffic:
    'Run once the new release is up and healthy, before it takes any traffic; a failure rolls it back.',
  after_step:
    'Run after each traffic step’s wait and health gate (the final 100 % one too), before a pause or the next step; a failure rolls back.',
  before_finalize: 'Run at 100 % after the drain, before the old release is removed; a failure rolls back.',
  after_deploy: 'Run once the deployment ended deployed; a failure is a warning only.',
  after_rollback:
    'Run after a rollback (the deployment’s own, or `ecs-crd rollback`); a failure is a warning only.',
};

export const hooksSchema = z
  .strictObject(
    Object.fromEntries(HOOK_POINTS.map((name) => [name, point(POINT_DESCRIPTIONS[name])])) as Record<
      HookPoint,
      ReturnType<typeof point>
    >,
  )
  .meta({
    description:
      'Commands and webhooks run at points of the rollout, in order; the first failure stops a point’s list.',
  });

export type HooksFile = z.output<typeof hooksSchema>;

/** The hooks with each kind's defaults; undefined when no point has any. */
export function resolveHooks(file: HooksFile | undefined): HooksConfig | undefined {
  const entries = HOOK_POINTS.flatMap((name) => {
    const list = file?.[name] ?? [];
    return list.length === 0 ? [] : [[name, list.map(resolveHook)] as const];
  });
  return entries.length === 0 ? undefined : (Object.fromEntries(entries) as HooksConfig);
}

function resolveHook(hook: HookFile): HookSpec {
  if (hook.command !== undefined) {
    return { kind: 'command', command: hook.command, timeout: hook.timeout ?? DEFAULT_COMMAND_TIMEOUT_S };
  }
  return {
    kind: 'webhook',
    url: hook.webhook ?? '',
    headers: hook.headers ?? {},
    timeout: hook.timeout ?? DEFAULT_WEBHOOK_TIMEOUT_S,
    retries: hook.retries ?? DEFAULT_WEBHOOK_RETRIES,
  };
}
