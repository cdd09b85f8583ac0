/**
 * `--var name=value`: the values `{{var.name}}` reads. Checked when the flags are read, before
 * the file: a mistyped flag is the command line's problem, named as the user wrote it.
 */
import { UsageError } from '../errors.js';
import { PIPELINE_NAME } from './templates-pipeline.js';

/**
 * The flags as a map. The value is everything after the first `=` (it may hold `=` and be
 * empty); a flag without `=`, a name that is not `[A-Za-z_][A-Za-z0-9_]*` or a name given twice
 * is a `UsageError` naming the flag.
 */
export function parseVars(flags: readonly string[]): Record<string, string> {
  // A map, then fromEntries: `--var __proto__=x` is a name like any other, not a prototype.
  const vars = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq < 0) {
      throw new UsageError(`--var ${flag}: write it as --var NAME=VALUE`, {
        hint: `for an empty value, write --var ${flag}=`,
      });
    }
    const name = flag.slice(0, eq);
    // Values are never echoed: one may be a token passed by the pipeline.
    const written = `--var ${name}=…`;
    if (!PIPELINE_NAME.test(name)) {
      const what = name === '' ? 'the name is missing' : `\`${name}\` is not a name`;
      throw new UsageError(`${written}: ${what}: letters, digits and _, not starting with a digit`);
    }
    if (vars.has(name)) {
      throw new UsageError(`${written} is given twice`, { hint: `give each name once` });
    }
    vars.set(name, flag.slice(eq + 1));
  }
  return Object.fromEntries(vars);
}
