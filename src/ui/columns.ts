/**
 * Aligned columns for the small tables the read-only commands print (`status`, `history`,
 * `preview`): each column as wide as its widest cell, no trailing spaces.
 */

/** One line per row, the cells padded to their column's width and joined by `gap` spaces. */
export function alignColumns(rows: readonly (readonly string[])[], gap = 2): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, [...cell].length);
    });
  }
  const spacer = ' '.repeat(gap);
  return rows.map((row) =>
    row
      .map((cell, index) => cell + ' '.repeat((widths[index] ?? 0) - [...cell].length))
      .join(spacer)
      .trimEnd(),
  );
}
