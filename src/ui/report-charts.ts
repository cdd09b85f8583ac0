/**
 * The report's charts: inline SVG over the run's time axis, drawn from plain series (no
 * script, no font or image from anywhere: the page works offline and under a strict CSP). Each
 * data point is a shape with a `<title>`, which browsers show as a tooltip. Pure.
 */
import { clockTime, coord, type Html, html, num } from './report-html.js';

const WIDTH = 960;
const MARGIN = { left: 60, right: 18, top: 22, bottom: 30 };
const PLOT_W = WIDTH - MARGIN.left - MARGIN.right;

export interface ChartLine {
  /** [epoch ms, value]. */
  points: readonly (readonly [number, number])[];
  /** Held until the next point (a declared weight), or straight from point to point. */
  step: boolean;
  /** CSS class: its colour and dash. */
  cls: string;
}

export interface ChartDot {
  time: number;
  value: number;
  cls: string;
  title: string;
  shape?: 'circle' | 'square';
}

/** A stretch of time shaded behind the plot (a step), with a label at its top. */
export interface ChartBand {
  from: number;
  to: number;
  label: string;
}

/** A moment marked across the plot (the rollback). */
export interface ChartMarker {
  time: number;
  label: string;
}

export interface TimeChart {
  /** What a screen reader says of the chart. */
  label: string;
  start: number;
  end: number;
  /** The highest value the axis must show; the axis rounds it up. */
  maxValue: number;
  unit: string;
  lines: readonly ChartLine[];
  dots: readonly ChartDot[];
  bands?: readonly ChartBand[];
  markers?: readonly ChartMarker[];
  /** Whole numbers only on the value axis (target counts). */
  integer?: boolean;
  /** Pixels at the page's width; default 230. */
  height?: number;
}

/** The plot's vertical extent: every part of a chart draws within it. */
interface Frame {
  height: number;
  plotH: number;
}

/** A round step for about four ticks up to `max`: 1, 2 or 5 times a power of ten. */
export function niceStep(max: number, integer = false): number {
  const rough = max > 0 ? max / 4 : 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  return integer ? Math.max(1, Math.ceil(step)) : step;
}

const TIME_STEPS_S = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];

/** A time tick every so many seconds, for at most eight ticks over `spanS`. */
export function timeStepS(spanS: number): number {
  return TIME_STEPS_S.find((s) => spanS / s <= 8) ?? Math.ceil(spanS / 8 / 86400) * 86400;
}

/** The SVG of `chart`. */
export function timeChart(chart: TimeChart): Html {
  const height = chart.height ?? 230;
  const frame: Frame = { height, plotH: height - MARGIN.top - MARGIN.bottom };
  const PLOT_H = frame.plotH;
  const step = niceStep(chart.maxValue, chart.integer);
  const yMax = Math.max(step, Math.ceil(chart.maxValue / step) * step);
  const span = Math.max(1, chart.end - chart.start);
  const x = (time: number) =>
    MARGIN.left + ((Math.min(Math.max(time, chart.start), chart.end) - chart.start) / span) * PLOT_W;
  const y = (value: number) => MARGIN.top + PLOT_H - (Math.min(Math.max(value, 0), yMax) / yMax) * PLOT_H;
  return html`<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="${chart.label}" xmlns="http://www.w3.org/2000/svg">
${bands(chart.bands ?? [], x, frame)}
${valueAxis(yMax, step, chart.unit, y)}
${timeAxis(chart.start, chart.end, x, frame)}
${(chart.markers ?? []).map((m) => marker(m, x, frame))}
${chart.lines.map((line) => path(line, x, y, chart.end))}
${chart.dots.map((dot) => point(dot, x, y))}
</svg>`;
}

function bands(list: readonly ChartBand[], x: (t: number) => number, { plotH: PLOT_H }: Frame): Html[] {
  return list.map((band, index) => {
    const left = x(band.from);
    const width = Math.max(0, x(band.to) - left);
    // A label only where it fits: a short step keeps its shade without one.
    const label =
      width >= 18
        ? html`<text class="band-label" x="${coord(left + width / 2)}" y="${MARGIN.top - 7}">${band.label}</text>`
        : '';
    return html`<rect class="band band-${index % 2}" x="${coord(left)}" y="${MARGIN.top}" width="${coord(width)}" height="${PLOT_H}"/>${label}`;
  });
}

function valueAxis(yMax: number, step: number, unit: string, y: (v: number) => number): Html[] {
  const ticks: Html[] = [];
  for (let value = 0; value <= yMax + step / 1000; value += step) {
    const at = coord(y(value));
    ticks.push(
      html`<line class="grid" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${at}" y2="${at}"/><text class="tick" x="${MARGIN.left - 6}" y="${at}" text-anchor="end" dominant-baseline="middle">${num(value, 2)}${unit}</text>`,
    );
  }
  return ticks;
}

function timeAxis(
  start: number,
  end: number,
  x: (t: number) => number,
  { plotH: PLOT_H, height: HEIGHT }: Frame,
): Html[] {
  const stepMs = timeStepS((end - start) / 1000) * 1000;
  const ticks: Html[] = [
    html`<line class="axis" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${MARGIN.top + PLOT_H}" y2="${MARGIN.top + PLOT_H}"/>`,
  ];
  for (let time = Math.ceil(start / stepMs) * stepMs; time <= end; time += stepMs) {
    const at = coord(x(time));
    const label = stepMs >= 60_000 ? clockTime(time).slice(0, 5) : clockTime(time);
    ticks.push(
      html`<line class="axis" x1="${at}" x2="${at}" y1="${MARGIN.top + PLOT_H}" y2="${MARGIN.top + PLOT_H + 4}"/><text class="tick" x="${at}" y="${HEIGHT - 10}" text-anchor="middle">${label}</text>`,
    );
  }
  return ticks;
}

function marker(m: ChartMarker, x: (t: number) => number, { plotH: PLOT_H }: Frame): Html {
  const at = coord(x(m.time));
  return html`<line class="marker" x1="${at}" x2="${at}" y1="${MARGIN.top}" y2="${MARGIN.top + PLOT_H}"/><text class="marker-label" x="${coord(x(m.time) + 4)}" y="${MARGIN.top + 11}">${m.label}</text>`;
}

function path(line: ChartLine, x: (t: number) => number, y: (v: number) => number, end: number): Html | null {
  const points = line.points;
  if (points.length === 0) return null;
  const parts: string[] = [];
  points.forEach(([time, value], index) => {
    if (index === 0) parts.push(`M${coord(x(time))},${coord(y(value))}`);
    else if (line.step) parts.push(`H${coord(x(time))}`, `V${coord(y(value))}`);
    else parts.push(`L${coord(x(time))},${coord(y(value))}`);
  });
  // A held value lasts until the end of the run.
  if (line.step) parts.push(`H${coord(x(end))}`);
  return html`<path class="line ${line.cls}" d="${parts.join(' ')}"/>`;
}

function point(dot: ChartDot, x: (t: number) => number, y: (v: number) => number): Html {
  const cx = x(dot.time);
  const cy = y(dot.value);
  if (dot.shape === 'square') {
    return html`<rect class="point ${dot.cls}" x="${coord(cx - 3.5)}" y="${coord(cy - 3.5)}" width="7" height="7"><title>${dot.title}</title></rect>`;
  }
  return html`<circle class="point ${dot.cls}" cx="${coord(cx)}" cy="${coord(cy)}" r="4.5"><title>${dot.title}</title></circle>`;
}
