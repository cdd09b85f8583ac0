/**
 * What `convert` shows: `--json`'s document, and the lines a person reads on stderr (the
 * converted file itself goes to stdout). Each change and each thing left to check is one
 * `FILE:LINE:COL PATH: …` line, as `validate` prints problems, at its place in the original
 * file. Pure.
 */
import type { ConvertChange, NotConverted } from '../config/convert.js';

/** `convert --json`. */
export interface ConvertDocument {
  file: string;
  /** Whether anything was rewritten; false: the file is already in ecs-crd's form. */
  changed: boolean;
  /** Every rewrite, in the original file's reading order (its lines and columns). */
  changes: { path: string; line: number; column: number; change: string }[];
  /** What was left as it was, or carried over with a caveat: why, and what to do. */
  not_converted: { path: string; line: number; column: number; reason: string; hint: string }[];
  /** The converted file's text. */
  output: string;
  /** Where it was written (`--write`: the file itself; `-o`: OUT); null when printed only. */
  written: string | null;
}

export interface ConvertReport {
  file: string;
  output: string;
  changes: readonly ConvertChange[];
  notConverted: readonly NotConverted[];
  written: string | null;
  /** The backup `--write` kept, if any. */
  backup?: string | null;
}

export function convertDocument(report: ConvertReport): ConvertDocument {
  return {
    file: report.file,
    changed: report.changes.length > 0,
    changes: report.changes.map(({ path, line, column, change }) => ({ path, line, column, change })),
    not_converted: report.notConverted.map(({ path, line, column, reason, hint }) => ({
      path,
      line,
      column,
      reason,
      hint,
    })),
    output: report.output,
    written: report.written,
  };
}

/** The changes, the things to check, then one line of verdict. */
export function convertLines(report: ConvertReport): string[] {
  const { file } = report;
  const where = (p: { line: number; column: number; path: string }) =>
    `${file}:${p.line}:${p.column} ${p.path}`;
  const lines = [
    ...report.changes.map((c) => `${where(c)}: ${c.change}`),
    ...report.notConverted.map((n) => `${where(n)}: not converted: ${n.reason}; ${n.hint}`),
  ];
  const check =
    report.notConverted.length === 0
      ? ''
      : `; ${plural(report.notConverted.length, 'thing')} not converted (listed above)`;
  if (report.changes.length === 0) {
    lines.push(`${file} is already in ecs-crd's form: nothing to change${check}`);
  } else {
    const written =
      report.written === null
        ? ''
        : `, written to ${report.written}${report.backup ? ` (the original kept as ${report.backup})` : ''}`;
    lines.push(`${file}: ${plural(report.changes.length, 'change')}${written}${check}`);
  }
  if (report.changes.length > 0 || report.notConverted.length > 0)
    lines.push(`next: \`ecs-crd validate -e ENV -f ${report.written ?? 'CONVERTED_FILE'}\``);
  return lines;
}

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
