/**
 * The `ecs-crd` command lines of the CI examples (examples/ci/github-actions.yml and
 * gitlab-ci.yml), as the runner's shell would see them: for the unit test that checks each one
 * against the command's own flags, and the sandbox test that runs them in order.
 *
 * A command line is a shell line (continuations joined) that starts with `ecs-crd` or
 * `npx ecs-crd`; its words end at the first shell operator (`>`, `|`, `||`, `&&`, `;`), and a
 * `> FILE` after them is where the pipeline keeps its stdout.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export const CI_DIR = new URL('../../examples/ci/', import.meta.url);
export type CiFile = 'github-actions.yml' | 'gitlab-ci.yml';

export interface CiCommand {
  file: CiFile;
  job: string;
  /** The line as written. */
  line: string;
  /** The words after `ecs-crd` (the command first), quotes removed, `$VARS` left as written. */
  words: string[];
  /** `> FILE` after the command: where the pipeline saves its stdout. */
  stdout: string | undefined;
}

/** The CI file, parsed. */
export function readCi(file: CiFile): Record<string, unknown> {
  return parse(readFileSync(new URL(file, CI_DIR), 'utf8')) as Record<string, unknown>;
}

/** Every `ecs-crd` command line of a CI file, by job, in the file's order. */
export function ciCommands(file: CiFile): CiCommand[] {
  const doc = readCi(file);
  const scripts: { job: string; text: string }[] = [];
  if (file === 'github-actions.yml') {
    const jobs = doc.jobs as Record<string, { steps?: { run?: string }[] }>;
    for (const [job, spec] of Object.entries(jobs))
      for (const step of spec.steps ?? [])
        if (typeof step.run === 'string') scripts.push({ job, text: step.run });
  } else {
    for (const [job, spec] of Object.entries(doc)) {
      const script = (spec as { script?: unknown } | null)?.script;
      if (job.startsWith('.') || !Array.isArray(script)) continue;
      for (const entry of script) if (typeof entry === 'string') scripts.push({ job, text: entry });
    }
  }
  return scripts.flatMap(({ job, text }) =>
    shellLines(text).flatMap((line) => {
      const command = commandOf(line);
      return command ? [{ file, job, line: line.trim(), ...command }] : [];
    }),
  );
}

/** The lines of a script, `\`-continued ones joined. */
function shellLines(text: string): string[] {
  return text.replace(/\\\n\s*/g, ' ').split('\n');
}

function commandOf(line: string): { words: string[]; stdout: string | undefined } | undefined {
  const words = shellWords(line.trim());
  const start = words[0]?.text === 'npx' ? 1 : 0;
  if (words[start]?.text !== 'ecs-crd' || words[start]?.quoted) return undefined;
  const rest = words.slice(start + 1);
  const end = rest.findIndex((word) => !word.quoted && /^(?:\d?>>?|\||\|\||&&|;|&)/.test(word.text));
  const own = end === -1 ? rest : rest.slice(0, end);
  const redirect = end === -1 ? undefined : rest[end];
  const stdout =
    redirect?.text === '>'
      ? rest[end + 1]?.text
      : redirect?.text.startsWith('>')
        ? redirect.text.slice(1)
        : undefined;
  return { words: own.map((word) => word.text), stdout };
}

interface Word {
  /** The word with its quotes removed; `$NAME` inside single quotes is escaped as `\u0000$`. */
  text: string;
  quoted: boolean;
}

/** POSIX-ish word splitting: blanks, '…', "…" and backslashes; no globbing, no expansion. */
function shellWords(line: string): Word[] {
  const words: Word[] = [];
  let current: Word | undefined;
  const add = (text: string, quoted = false) => {
    current ??= { text: '', quoted: false };
    current.text += text;
    current.quoted ||= quoted;
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t') {
      if (current) words.push(current);
      current = undefined;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      add(line.slice(i + 1, close).replaceAll('$', '\u0000$'), true);
      i = close;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      for (; j < line.length && line[j] !== '"'; j++) text += line[j] === '\\' ? (line[++j] ?? '') : line[j];
      add(text, true);
      i = j;
    } else if (c === '\\') add(line[++i] ?? '');
    else if (c === '#' && !current) break;
    else add(c);
  }
  if (current) words.push(current);
  return words;
}

/**
 * `$NAME` and `${NAME}` in the words, from `env`, as the runner's shell expands them; a
 * variable `env` does not hold is an error (a test names every variable a line needs).
 */
export function expandWords(words: readonly string[], env: Readonly<Record<string, string>>): string[] {
  return words.map((word) =>
    word
      .replace(/(?<!\0)\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/g, (_, braced, bare) => {
        const name = (braced ?? bare) as string;
        const value = env[name];
        if (value === undefined) throw new Error(`$${name} is not set for: ${words.join(' ')}`);
        return value;
      })
      .replaceAll('\0$', '$'),
  );
}

/** The value of a `-f`/`--configuration-file` flag among the words, if any. */
export function fileFlag(words: readonly string[]): string | undefined {
  for (let i = 0; i < words.length; i++) {
    const word = words[i] as string;
    if (word === '-f' || word === '--configuration-file') return words[i + 1];
    const joined = /^(?:--configuration-file=|-f)(.+)$/.exec(word);
    if (joined) return joined[1];
  }
  return undefined;
}
