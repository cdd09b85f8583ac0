/**
 * Safe HTML by construction for the deployment report: every value put into the `html`
 * template is escaped unless it is itself an `Html` built by the template, so a service name or
 * a rollback reason holding `<script>` can only ever be text. Plus the number and time formats
 * the report shares. Pure.
 */

/** A piece of markup the `html` template built (or `raw` vouched for). */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` safe in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Markup that is trusted as is: constants of the report only (its style sheet), never data. */
export function raw(markup: string): Html {
  return new Html(markup);
}

/** What a template slot may hold: nothing, text, a number, markup, or a list of them. */
export type Slot = Html | string | number | boolean | null | undefined | readonly Slot[];

function render(value: Slot): string {
  if (value instanceof Html) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

/** The template tag: literal parts as written, every slot escaped (see `Slot`). */
export function html(strings: TemplateStringsArray, ...values: Slot[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += render(value) + (strings[index + 1] ?? '');
  });
  return new Html(out);
}

/** A coordinate for SVG: at most one decimal, no `-0`. */
export function coord(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

/** `HH:MM:SS` in UTC (the report states its times are UTC). */
export function clockTime(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(11, 19);
}

/** `YYYY-MM-DD HH:MM:SS UTC`. */
export function dateTime(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

/** Seconds since the start as `+m:ss` (`+1:02:03` past an hour). */
export function offset(seconds: number): string {
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const secs = String(total % 60).padStart(2, '0');
  return hours > 0 ? `+${hours}:${String(minutes).padStart(2, '0')}:${secs}` : `+${minutes}:${secs}`;
}

/** A number for people: up to `decimals` decimals, trailing zeros dropped. */
export function num(value: number, decimals = 1): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Number(value.toFixed(decimals)));
}

/** A ratio (0.012) as a percentage (`1.2 %`), finer below one percent. */
export function percentOf(ratio: number): string {
  const percent = ratio * 100;
  return `${num(percent, Math.abs(percent) < 1 ? 2 : 1)} %`;
}

/** The error rate of a release's counts, as a ratio; null without requests. */
export function errorRate(metrics: { requests: number; target5xx: number; elb5xx: number }): number | null {
  return metrics.requests > 0 ? (metrics.target5xx + metrics.elb5xx) / metrics.requests : null;
}
