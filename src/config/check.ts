/**
 * The whole of config checking as one pure function of the file's text: parse (with
 * positions), render templates, check against the schema and its rules, normalise. Every
 * problem is collected; none stops the others from being found.
 */

import { taskDefinitionTooLarge } from './container-definitions.js';
import { normalise } from './normalise.js';
import { formatPath, orderProblems, type PathProblem, problemsFromIssues } from './problems.js';
import { deploymentFileSchema } from './schema.js';
import { pipelineOf, renderTree, resolveValues, type TemplateInputs } from './templates.js';
import type { ConfigProblem, DeploymentConfig } from './types.js';
import { environmentWarnings } from './warnings.js';
import { hookWarnings } from './warnings-hooks.js';
import { parseYaml } from './yaml-source.js';

export interface CheckOptions extends TemplateInputs {
  /** The file's name as the user should see it in every problem. */
  file: string;
}

/**
 * The verdict on a file. `problems` holds every problem, in reading order (whoever shows them
 * caps how many: `MAX_PROBLEMS_SHOWN`); `warnings` what is valid but probably a mistake (a
 * secret in `environment`), on either outcome.
 */
export type CheckResult =
  | { ok: true; file: string; config: DeploymentConfig; warnings?: ConfigProblem[] }
  | { ok: false; file: string; problems: ConfigProblem[]; warnings?: ConfigProblem[] };

/** Top-level keys starting with `x-` are free for YAML anchors (`x-defaults: &defaults`). */
const EXTENSION_KEY = /^x-/;

export function checkDeployment(text: string, options: CheckOptions): CheckResult {
  const { file } = options;
  const source = parseYaml(text);
  const place = ({ path, message }: PathProblem): ConfigProblem => ({
    file,
    ...source.position(path),
    path: formatPath(path),
    message,
  });
  const textProblems = source.textProblems.map((problem) => ({ file, ...problem, path: '' }));
  const fail = (problems: ConfigProblem[], warnings: ConfigProblem[] = []): CheckResult => ({
    ok: false,
    file,
    problems: orderProblems([...textProblems, ...problems]),
    warnings,
  });
  if (source.syntaxProblems.length > 0) {
    return fail(source.syntaxProblems.map((problem) => ({ file, ...problem, path: '' })));
  }
  if (source.data === undefined) {
    return fail([
      { file, line: 1, column: 1, path: '', message: 'the file is empty: it needs `canary` and `service`' },
    ]);
  }
  const data = withoutExtensions(source.data);
  const { values, problems: variableProblems } = resolveValues(data, options);
  const rendered = renderTree(data, values, pipelineOf(options));
  const parsed = deploymentFileSchema.safeParse(rendered.data, { reportInput: true });
  const schemaProblems = parsed.success
    ? []
    : problemsFromIssues(parsed.error.issues, {
        schema: deploymentFileSchema,
        sourceText: source.sourceText,
      });
  const problems = [...variableProblems, ...rendered.problems, ...schemaProblems].map(place);
  const warnings = orderProblems(
    [...environmentWarnings(rendered.data), ...hookWarnings(data, rendered.data)].map(place),
  );
  if (!parsed.success || problems.length > 0 || textProblems.length > 0) return fail(problems, warnings);
  const config = normalise(parsed.data, values);
  // Measured on the normalised release: the size of what ecs-crd would send, defaults included.
  const tooLarge = taskDefinitionTooLarge(config.service);
  if (tooLarge) return fail([place({ path: ['service', 'containers'], message: tooLarge })], warnings);
  return { ok: true, file, config, warnings };
}

function withoutExtensions(data: unknown): unknown {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return data;
  return Object.fromEntries(Object.entries(data).filter(([key]) => !EXTENSION_KEY.test(key)));
}
