/**
 * Values from the pipeline: `{{env.NAME}}` (the process environment) and `{{var.name}}`
 * (`--var name=value`), so that a CI job sets `version: "{{env.GIT_SHA}}"` without editing the
 * file. A value that is not there is a problem at the string that asks for it, never an empty
 * string: a deployment of version "" (or of an image tag "") is never what was meant.
 */
import { closest } from './suggest.js';
import type { TemplateContext } from './types.js';

/** What `{{env.…}}` and `{{var.…}}` read. */
export interface PipelineValues {
  env: Readonly<Record<string, string | undefined>>;
  vars: Readonly<Record<string, string>>;
}

/** The name of an environment variable or a `--var`, as POSIX names environment variables. */
export const PIPELINE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The caller's values; the process environment when the caller gives none. */
export function pipelineOf(context: Pick<TemplateContext, 'env' | 'vars'>): PipelineValues {
  return { env: context.env ?? process.env, vars: context.vars ?? {} };
}

/**
 * The value of `env.NAME` or `var.name` (`reference` with its prefix), or undefined when not
 * given. Own keys only: `{{env.constructor}}` is no variable of anyone's.
 */
export function pipelineValue(reference: string, pipeline: PipelineValues): string | undefined {
  const [scope, name] = splitReference(reference);
  const source = scope === 'env' ? pipeline.env : scope === 'var' ? pipeline.vars : undefined;
  if (source === undefined || name === undefined || !Object.hasOwn(source, name)) return undefined;
  const value = source[name];
  return typeof value === 'string' ? value : undefined;
}

function splitReference(reference: string): [string, string | undefined] {
  const dot = reference.indexOf('.');
  return dot < 0 ? [reference, undefined] : [reference.slice(0, dot), reference.slice(dot + 1)];
}

// `{{ scope.rest }}`: every dotted template, well formed or not (a Go template's `{{.State}}`
// starts with its dot and is not one).
const DOTTED = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\.([^{}]*?)\s*\}\}/g;

/**
 * The problems of one string's pipeline templates: a value not given, a name that cannot be
 * one, a prefix mistyped (`{{ENV.X}}`, `{{vars.x}}`). Other dotted text is left alone.
 */
export function pipelineProblems(text: string, pipeline: PipelineValues): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  for (const [whole, scope = '', name = ''] of text.matchAll(DOTTED)) {
    const key = `${scope}.${name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const problem =
      scope === 'env' || scope === 'var'
        ? missingOrMalformed(whole, scope, name, pipeline)
        : mistypedScope(whole, scope, name);
    if (problem !== undefined) found.push(problem);
  }
  return found;
}

function missingOrMalformed(
  whole: string,
  scope: 'env' | 'var',
  name: string,
  pipeline: PipelineValues,
): string | undefined {
  if (!PIPELINE_NAME.test(name)) {
    return `${whole}: \`${name}\` is not a variable name: letters, digits and _, not starting with a digit`;
  }
  if (pipelineValue(`${scope}.${name}`, pipeline) !== undefined) return undefined;
  return scope === 'env'
    ? `${whole}: the environment variable ${name} is not set: export it, or set it in the CI job`
    : `${whole}: no \`--var ${name}=…\` was given: pass it to every command that reads this file`;
}

function mistypedScope(whole: string, scope: string, name: string): string | undefined {
  const meant = closest(scope, ['env', 'var']);
  if (meant === undefined) return undefined;
  return `unknown template ${whole}: did you mean {{${meant}.${name}}}? (env.NAME is an environment variable, var.NAME a --var)`;
}
