/**
 * `{{variable}}` templates: rendered in every string value of the file, before the
 * schema sees it. The service's own variables may use each other (`fqdn: "{{name}}.example.com"`),
 * but not themselves, directly or in a cycle. Values from the pipeline (`{{env.NAME}}`,
 * `{{var.name}}`) are inserted as written: a value holding `{{x}}` keeps it, never rendered again.
 */

import { didYouMean } from './suggest.js';
import { type PipelineValues, pipelineOf, pipelineProblems, pipelineValue } from './templates-pipeline.js';
import type { TemplateContext } from './types.js';
import type { KeyPath } from './yaml-source.js';

export { type PipelineValues, pipelineOf } from './templates-pipeline.js';

export const TEMPLATE_VARIABLES = [
  'project',
  'name',
  'version',
  'fqdn',
  'environment',
  'region',
  'account_id',
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

/** A variable's value, or absent: then its templates stay as written (e.g. offline `{{account_id}}`). */
export type TemplateValues = Partial<Record<TemplateVariable, string>>;

/** What the caller knows besides the file; the region may be unknown offline. */
export type TemplateInputs = Omit<TemplateContext, 'region'> & { region?: string | undefined };

export interface TemplateProblem {
  path: KeyPath;
  message: string;
}

// A template is `{{ identifier }}`, `{{ env.NAME }}` or `{{ var.name }}`; anything else between
// braces (`{{.State}}` in a Go template passed to a command) is left alone.
const TEMPLATE = /\{\{\s*((?:env\.|var\.)?[A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;

/** What the user reads as the variables' names in a message. */
const KNOWN = [...TEMPLATE_VARIABLES, 'env.NAME', 'var.NAME'];

const isVariable = (name: string): name is TemplateVariable =>
  (TEMPLATE_VARIABLES as readonly string[]).includes(name);

/** The variables a string refers to (`env.NAME` and `var.name` with their prefix), in order, repeated as written. */
export function referencesIn(text: string): string[] {
  return [...text.matchAll(TEMPLATE)].map((match) => match[1] ?? '');
}

/**
 * Replaces every known template whose value is known, in one pass (an inserted value is never
 * read for templates again); leaves the others as written.
 */
export function renderString(text: string, values: TemplateValues, pipeline?: PipelineValues): string {
  return text.replace(TEMPLATE, (whole, name: string) => lookUp(name, values, pipeline) ?? whole);
}

function lookUp(
  name: string,
  values: TemplateValues,
  pipeline: PipelineValues | undefined,
): string | undefined {
  if (isVariable(name)) return values[name];
  return pipeline && pipelineValue(name, pipeline);
}

type ServiceVariable = 'project' | 'name' | 'version' | 'fqdn';

/**
 * The values of all variables: the caller's, and the service's own keys rendered in terms of
 * each other. A key that is not a string (a missing or numeric `version`) has no value; the
 * schema reports it.
 */
export function resolveValues(
  data: unknown,
  inputs: TemplateInputs,
): { values: TemplateValues; problems: TemplateProblem[] } {
  const service = field(data, 'service');
  const pipeline = pipelineOf(inputs);
  const sources: Record<ServiceVariable, { path: KeyPath; text: unknown }> = {
    project: { path: ['service', 'project'], text: field(service, 'project') },
    name: { path: ['service', 'name'], text: field(service, 'name') },
    version: { path: ['service', 'version'], text: field(service, 'version') },
    fqdn: fqdnSource(service),
  };
  const values: TemplateValues = { environment: inputs.environment };
  if (inputs.region !== undefined) values.region = inputs.region;
  if (inputs.account_id !== undefined) values.account_id = inputs.account_id;
  const problems: TemplateProblem[] = [];
  const done = new Set<TemplateVariable>();

  const resolve = (name: ServiceVariable, chain: ServiceVariable[]): string | undefined => {
    if (done.has(name)) return values[name];
    const { path, text } = sources[name];
    if (typeof text !== 'string') return undefined;
    let circular = false;
    const rendered = text.replace(TEMPLATE, (whole, ref: string) => {
      if (!Object.hasOwn(sources, ref)) return lookUp(ref, values, pipeline) ?? whole;
      const target = ref as ServiceVariable;
      if (target === name || chain.includes(target)) {
        circular = true;
        const cycle = [...chain.slice(chain.indexOf(target)), name, target]
          .map((v) => `{{${v}}}`)
          .join(' → ');
        problems.push({
          path,
          message: target === name ? `refers to itself ({{${name}}})` : `circular template: ${cycle}`,
        });
        return whole;
      }
      const value = resolve(target, [...chain, name]);
      if (value === undefined) circular ||= done.has(target);
      return value ?? whole;
    });
    done.add(name);
    if (!circular) values[name] = rendered;
    return values[name];
  };
  for (const name of Object.keys(sources) as ServiceVariable[]) resolve(name, []);
  return { values, problems };
}

/**
 * Where `{{fqdn}}` is written: the first `service.fqdn`, else (the original tool's place) the
 * first `containers[].fqdn`, as `withServiceFqdn` resolves the service's names.
 */
function fqdnSource(service: unknown): { path: KeyPath; text: unknown } {
  const at = (path: KeyPath, fqdn: unknown) =>
    Array.isArray(fqdn) ? { path: [...path, 0], text: fqdn[0] } : { path, text: fqdn };
  const own = field(service, 'fqdn');
  if (own !== undefined) return at(['service', 'fqdn'], own);
  const containers = field(service, 'containers');
  const index = Array.isArray(containers)
    ? containers.findIndex((container) => field(container, 'fqdn') !== undefined)
    : -1;
  if (index < 0) return { path: ['service', 'fqdn'], text: undefined };
  return at(['service', 'containers', index, 'fqdn'], field((containers as unknown[])[index], 'fqdn'));
}

/**
 * Variables only the rollout knows, rendered at run time with the candidate's dimensions, and
 * only in a custom metric's query (`canary.analysis.metrics[].query`): anywhere else they
 * would stay as written and reach AWS as they are.
 */
export const RUNTIME_VARIABLES = ['load_balancer', 'target_group'] as const;

const isRuntimeVariable = (name: string): boolean => (RUNTIME_VARIABLES as readonly string[]).includes(name);

/** `canary.analysis.metrics[N].query…`: where the run-time variables may be written. */
function inMetricQuery(path: KeyPath): boolean {
  const [canary, analysis, metrics, index, query] = path;
  return (
    canary === 'canary' &&
    analysis === 'analysis' &&
    metrics === 'metrics' &&
    typeof index === 'number' &&
    query === 'query'
  );
}

function runtimeOnly(name: string): string {
  return `{{${name}}} is known only at run time, inside canary.analysis.metrics[].query (the candidate's ${name === 'load_balancer' ? 'ALB' : 'target group'} as CloudWatch names it); it cannot be used here`;
}

/** Renders `{{load_balancer}}` / `{{target_group}}` in a custom metric's query (the rollout's part). */
export function renderRuntime(
  text: string,
  values: Record<(typeof RUNTIME_VARIABLES)[number], string>,
): string {
  return text.replace(TEMPLATE, (whole, name: string) =>
    name === 'load_balancer' || name === 'target_group' ? values[name] : whole,
  );
}

/**
 * Renders every string value of `data` (map keys are names, not values: left alone).
 * An unknown variable is a problem at the string's path.
 */
export function renderTree(
  data: unknown,
  values: TemplateValues,
  pipeline: PipelineValues = { env: {}, vars: {} },
): { data: unknown; problems: TemplateProblem[] } {
  const problems: TemplateProblem[] = [];
  const walk = (value: unknown, path: KeyPath): unknown => {
    if (typeof value === 'string') {
      for (const message of stringProblems(value, path, pipeline)) problems.push({ path, message });
      return renderString(value, values, pipeline);
    }
    if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i]));
    if (isRecord(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]),
      );
    }
    return value;
  };
  return { data: walk(data, []), problems };
}

/** What is wrong with the templates of one string value at `path`. */
function stringProblems(value: string, path: KeyPath, pipeline: PipelineValues): string[] {
  const found = pipelineProblems(value, pipeline);
  for (const name of new Set(referencesIn(value))) {
    if (isRuntimeVariable(name)) {
      if (!inMetricQuery(path)) found.push(runtimeOnly(name));
    } else if (!isVariable(name) && !name.includes('.')) {
      const known = inMetricQuery(path) ? [...KNOWN, ...RUNTIME_VARIABLES] : KNOWN;
      const hint = didYouMean(name, known, (v) => `{{${v}}}`);
      found.push(
        `unknown template variable {{${name}}}${hint ? `: ${hint}` : ''} (known: ${known.join(', ')})`,
      );
    }
  }
  return found;
}

/** A YAML map as plain data. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `value[key]` when `value` is a map; the file's data may be anything. */
export function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}
