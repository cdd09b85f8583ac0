/** "Did you mean" hints: the closest candidate by edit distance, when it is close enough. */

/**
 * Edit distance counting insertions, deletions, substitutions and swaps of two neighbours
 * (`nmae` → `name` is one typo, not two), case-insensitive.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows: number[][] = [Array.from({ length: t.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      const above = rows[i - 1] ?? [];
      let best = Math.min(
        (above[j] ?? 0) + 1,
        (row[j - 1] ?? 0) + 1,
        (above[j - 1] ?? 0) + (s[i - 1] === t[j - 1] ? 0 : 1),
      );
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[s.length]?.[t.length] ?? 0;
}

/**
 * The candidate closest to `input`, or undefined when none is plausibly what was meant: at most
 * a third of the input's length away (so `scal` → `scale`, but `foo` suggests nothing).
 */
export function closest(input: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(1, Math.floor(input.length / 3));
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(input, candidate);
    if (distance <= limit && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** `did you mean `x`?` for the closest candidate, or an empty string. */
export function didYouMean(
  input: string,
  candidates: Iterable<string>,
  render = (s: string) => `\`${s}\``,
): string {
  const match = closest(input, candidates);
  return match === undefined ? '' : `did you mean ${render(match)}?`;
}
