/**
 * Small text helpers shared by the reporters and the result summary: colours that switch off
 * as a whole, clock-style and deployment durations, and fitting a line into a terminal's width.
 */

/** The few styles the reporters use. */
export type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'cyan';

// Each style closes with its own reset code, so a styled piece inside another keeps the outer one.
const SGR: Record<Style, readonly [open: number, close: number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  blue: [34, 39],
  cyan: [36, 39],
};

/** `text` in `style` when `color` is on; unchanged otherwise. */
export function paint(text: string, style: Style, color: boolean): string {
  if (!color || text === '') return text;
  const [open, close] = SGR[style];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

/** Colours unless `NO_COLOR` is set to anything but the empty string (https://no-color.org). */
export function colorEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return !env.NO_COLOR;
}

/**
 * Whole seconds as a clock: `0:42`, `12:05`, `1:02:03`. Rounds to the nearest second; a
 * countdown rounds up itself first, so it shows `0:00` only once the time is over.
 */
export function formatClock(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `${minutes}:${secs}`;
}

/**
 * `text` cut to `width` characters, ending in `…` when cut. Counts code points, not UTF-16
 * units, so an emoji is never split in half.
 */
export function truncate(text: string, width: number): string {
  const chars = Array.from(text);
  if (chars.length <= width) return text;
  if (width <= 0) return '';
  return `${chars.slice(0, width - 1).join('')}…`;
}

/**
 * How long a deployment took, for people: `42s`, `3m 12s`, `1h 05m`. The one rendering of a
 * deployment's duration, in `deploy`'s summary and in `status` and `history`: both round to
 * the whole second here, so the run that printed `1m 05s` is listed as `1m 05s` (`deploy`
 * measures to the tenth, the stack history keeps whole seconds).
 */
export function formatDuration(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  if (total < 60) return `${total}s`;
  if (total < 3600) return `${Math.floor(total / 60)}m ${pad(total % 60)}s`;
  return `${Math.floor(total / 3600)}h ${pad(Math.floor((total % 3600) / 60))}m`;
}

/** `1 resource`, `3 resources`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
