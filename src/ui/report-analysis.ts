/**
 * The report's measured sections: traffic (declared weight against the observed share), the
 * candidate's health over time, and every analysis window of both releases with its checks.
 * Pure: from the report model to markup.
 */
import type { AnalysisCheck } from '../canary/analysis.js';
import { type ChartBand, type ChartDot, type ChartMarker, timeChart } from './report-charts.js';
import type { ReportModel, WindowData } from './report-data.js';
import { clockTime, errorRate, type Html, html, num, percentOf } from './report-html.js';

/** Steps as shaded bands, and the rollback as a marker: the same on every chart. */
function context(model: ReportModel): { bands: ChartBand[]; markers: ChartMarker[] } {
  const bands = model.steps
    .filter((s) => s.startedAt !== null && s.endedAt !== null)
    .map((s) => ({ from: s.startedAt ?? 0, to: s.endedAt ?? 0, label: `step ${s.number}` }));
  const markers = model.rollbackAt === null ? [] : [{ time: model.rollbackAt, label: 'rollback' }];
  return { bands, markers };
}

const middle = (w: WindowData) => (w.start + w.end) / 2;
const span = (w: WindowData) => `${clockTime(w.start)}–${clockTime(w.end)}`;

export function trafficSection(model: ReportModel): Html {
  const observed: ChartDot[] = model.windows
    .filter((w) => w.observedShare !== null)
    .map((w) => ({
      time: middle(w),
      value: w.observedShare ?? 0,
      cls: w.verdict,
      title: `${span(w)}: observed ${num(w.observedShare ?? 0)} % of requests, declared ${num(w.declaredWeight)} % (${w.verdict})`,
    }));
  const chart = timeChart({
    label:
      'The candidate’s declared weight over time, and its observed share of requests per analysis window',
    start: model.start,
    end: model.end,
    maxValue: 100,
    unit: ' %',
    lines: [{ points: model.weights.map((p) => [p.time, p.weight] as const), step: true, cls: 'declared' }],
    dots: observed,
    ...context(model),
  });
  const note =
    observed.length === 0
      ? html`<p class="note">No observed share: the deployment had no analysis window with requests (no <span class="mono">canary.analysis</span>, or no traffic).</p>`
      : html`<p class="note">Each point is one analysis window: the candidate’s share of the two releases’ requests, coloured by the window’s verdict.</p>`;
  return html`<section id="traffic"><h2>Traffic to the candidate</h2>
<div class="legend"><span class="key-declared">declared weight (DNS)</span>${observed.length > 0 ? html`<span class="dot key-pass">observed share: pass</span><span class="dot key-fail">fail</span><span class="dot key-inconclusive">inconclusive</span>` : ''}</div>
${chart}${note}</section>`;
}

export function healthSection(model: ReportModel): Html {
  if (model.health.length === 0) {
    return html`<section id="health"><h2>Candidate health</h2><p class="note">No health observation was made.</p></section>`;
  }
  const maxTotal = Math.max(1, ...model.health.map((h) => Math.max(h.total, h.desired ?? 0)));
  const chart = timeChart({
    label: 'Healthy targets of the candidate over time, out of its registered targets',
    start: model.start,
    end: model.end,
    maxValue: maxTotal,
    unit: '',
    integer: true,
    lines: [
      { points: model.health.map((h) => [h.time, h.total] as const), step: true, cls: 'total' },
      { points: model.health.map((h) => [h.time, h.healthy] as const), step: true, cls: 'healthy' },
    ],
    dots: pointsWorthDrawing(model.health).map((h) => ({
      time: h.time,
      value: h.healthy,
      cls: h.verdict,
      title: `${clockTime(h.time)}: ${h.healthy}/${h.total} healthy — ${h.verdict}: ${h.reason}`,
    })),
    ...context(model),
  });
  const last = model.health.at(-1);
  return html`<section id="health"><h2>Candidate health</h2>
<div class="legend"><span class="key-healthy">healthy targets</span><span class="key-total">registered targets</span><span class="dot key-pass">gate: pass</span><span class="dot key-inconclusive">wait</span><span class="dot key-fail">fail</span></div>
${chart}<p class="note">${model.health.length} observations; the last: ${last ? `${last.healthy}/${last.total} healthy (${last.reason})` : ''}.</p></section>`;
}

/** Up to this many observations each gets a point; past it, a point only where something changed. */
const HEALTH_POINTS = 60;

/** Hundreds of identical observations would draw a solid bar: keep the changes, the first and the last. */
function pointsWorthDrawing(health: ReportModel['health']): ReportModel['health'] {
  if (health.length <= HEALTH_POINTS) return [...health];
  return health.filter((h, i) => {
    const before = health[i - 1];
    return (
      before === undefined ||
      i === health.length - 1 ||
      h.healthy !== before.healthy ||
      h.total !== before.total ||
      h.verdict !== before.verdict
    );
  });
}

/** Both releases' error rate and p99 latency per window, and the table of windows. */
export function analysisSection(model: ReportModel): Html {
  if (model.windows.length === 0) {
    return html`<section id="analysis"><h2>Analysis</h2><p class="note">No analysis window was judged: without <span class="mono">canary.analysis</span> the steps are gated on target health only.</p>${alarmList(model)}</section>`;
  }
  const counts = { pass: 0, fail: 0, inconclusive: 0 };
  for (const w of model.windows) counts[w.verdict] += 1;
  return html`<section id="analysis"><h2>Analysis: ${model.windows.length} windows</h2>
<p class="note">${counts.pass} passed, ${counts.fail} failed, ${counts.inconclusive} inconclusive; failing windows tolerated: ${model.windows.at(-1)?.failureLimit ?? 0}.</p>
<div class="legend"><span class="key-candidate">candidate</span><span class="key-stable">stable</span><span class="dot key-pass">pass</span><span class="dot key-fail">fail</span><span class="dot key-inconclusive">inconclusive</span></div>
<h3>Error rate (5xx / requests)</h3>${metricChart(model, 'error')}
<h3>Latency (p99 of the target response time)</h3>${metricChart(model, 'latency')}
${alarmList(model)}
<h3>Windows</h3><div class="table-wrap">${windowTable(model.windows)}</div>
<p class="note">Requests, error rate and p99: candidate / stable, in the same window.</p></section>`;
}

function metricChart(model: ReportModel, metric: 'error' | 'latency'): Html {
  const value = (m: WindowData['candidate'] | null): number | null => {
    if (m === null) return null;
    if (metric === 'latency') return m.p99Ms;
    const rate = errorRate(m);
    return rate === null ? null : rate * 100;
  };
  const series = (of: 'candidate' | 'stable') =>
    model.windows.flatMap((w) => {
      const v = value(w[of]);
      return v === null ? [] : [[middle(w), v] as const];
    });
  const candidate = series('candidate');
  const stable = series('stable');
  const unit = metric === 'latency' ? ' ms' : ' %';
  const show = (v: number) => (metric === 'latency' ? `${num(v, 0)} ms` : `${num(v, 2)} %`);
  const dots: ChartDot[] = [
    ...model.windows.flatMap((w) => {
      const v = value(w.stable);
      return v === null
        ? []
        : [
            {
              time: middle(w),
              value: v,
              cls: 'stable',
              title: `${span(w)} stable: ${show(v)}`,
              shape: 'square' as const,
            },
          ];
    }),
    ...model.windows.flatMap((w) => {
      const v = value(w.candidate);
      return v === null
        ? []
        : [
            {
              time: middle(w),
              value: v,
              cls: w.verdict,
              title: `${span(w)} candidate: ${show(v)} — ${w.verdict}`,
            },
          ];
    }),
  ];
  const max = Math.max(
    metric === 'latency' ? 10 : 1,
    ...candidate.map((p) => p[1]),
    ...stable.map((p) => p[1]),
  );
  return timeChart({
    label: `${metric === 'latency' ? 'p99 latency' : 'Error rate'} of the candidate and the stable release per analysis window`,
    start: model.start,
    end: model.end,
    maxValue: max,
    unit,
    lines: [
      { points: stable, step: false, cls: 'stable' },
      { points: candidate, step: false, cls: 'candidate' },
    ],
    dots,
    height: 180,
    ...context(model),
  });
}

function alarmList(model: ReportModel): Html | null {
  if (model.alarms.length === 0) return null;
  return html`<h3>Alarms</h3><ul>${model.alarms.map(
    (a) =>
      html`<li><span class="mono">${clockTime(a.time)}</span> <strong>${a.name}</strong>: ${a.state ?? 'missing'}${a.previous === null ? '' : ` (was ${a.previous})`}</li>`,
  )}</ul>`;
}

const pair = (c: string, s: string | null) => (s === null ? c : `${c} / ${s}`);
const ms = (v: number | null) => (v === null ? '–' : `${num(v, 0)} ms`);
const rate = (m: WindowData['candidate']) => {
  const r = errorRate(m);
  return r === null ? '–' : percentOf(r);
};

function windowTable(windows: readonly WindowData[]): Html {
  const rows = windows.map(
    (w) => html`<tr>
<td class="time">${span(w)}</td><td><span class="badge ${w.verdict}">${w.verdict}</span></td>
<td class="num">${num(w.declaredWeight)} %</td><td class="num">${w.observedShare === null ? '–' : `${num(w.observedShare)} %`}</td>
<td class="num">${pair(String(w.candidate.requests), w.stable ? String(w.stable.requests) : null)}</td>
<td class="num">${pair(rate(w.candidate), w.stable ? rate(w.stable) : null)}</td>
<td class="num">${pair(ms(w.candidate.p99Ms), w.stable ? ms(w.stable.p99Ms) : null)}</td>
<td>${checkList(w.checks)}${w.verdict === 'pass' ? '' : html`<div class="why">${w.reason}</div>`}</td></tr>`,
  );
  return html`<table class="windows"><thead><tr><th>Window (UTC)</th><th>Verdict</th><th class="num">Declared</th><th class="num">Observed</th><th class="num">Requests</th><th class="num">Error rate</th><th class="num">p99</th><th>Checks</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** A check's value in its unit: error rates are ratios, latency milliseconds. */
function checkValue(name: string, value: number | null): string {
  if (value === null) return '–';
  if (name === 'error_rate') return percentOf(value);
  if (name === 'latency') return `${num(value, 0)} ms`;
  if (name === 'observed_share') return `${num(value)} %`;
  return num(value, 3);
}

function checkList(checks: readonly AnalysisCheck[]): Html {
  return html`<ul class="checks">${checks.map((c) => {
    const mark =
      c.passed === null ? ['check-none', '–'] : c.passed ? ['check-pass', '✓'] : ['check-fail', '✗'];
    return html`<li class="${mark[0]}" title="${c.name}: candidate ${checkValue(c.name, c.candidate)}, stable ${checkValue(c.name, c.stable)}, ${c.limit}">${mark[1]} ${c.name} ${checkValue(c.name, c.candidate)} · ${c.limit}</li>`;
  })}</ul>`;
}
