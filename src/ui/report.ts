/**
 * The deployment report (`deploy --report`, `history --report`): one self-contained HTML page
 * — inline CSS and SVG, no script, nothing fetched (a Content-Security-Policy forbids it), so
 * it opens offline, from a CI artifact or an email. Every string from the data is escaped (the
 * `html` template does it) and redacted. Pure: data in, page out.
 */

import { formatDuration } from './format.js';
import { redact } from './redact.js';
import { analysisSection, healthSection, trafficSection } from './report-analysis.js';
import { type ReportData, type ReportModel, reportModel, type TimedEvent, windowsOf } from './report-data.js';
import { clockTime, dateTime, type Html, html, num, offset, raw } from './report-html.js';
import { REPORT_CSS } from './report-style.js';

export type { ReportData, TimedEvent } from './report-data.js';

const OUTCOME_TITLE: Record<ReportModel['outcome'], string> = {
  deployed: 'Deployed',
  paused: 'Paused',
  rolled_back: 'Rolled back',
  rollback_failed: 'Rollback failed: manual action needed',
  interrupted: 'Interrupted',
  failed: 'Failed',
};

/** The page of one deployment. */
export function renderReport(data: ReportData): string {
  const model = reportModel(data);
  const service = data.identity.name;
  const title = `${service} ${model.version} · ${OUTCOME_TITLE[model.outcome]} · ecs-crd`;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ecs-crd">
<title>${title}</title><style>${raw(REPORT_CSS)}</style></head>
<body><main>
${header(data, model)}
${trafficSection(model)}
${healthSection(model)}
${analysisSection(model)}
${stepsSection(model)}
${eventsSection(data.events, model.start)}
<footer>ecs-crd deployment report · ${data.events.length} events · times in UTC</footer>
</main></body></html>
`.value;
}

function header(data: ReportData, model: ReportModel): Html {
  const { identity } = data;
  const slot = (name: string | null, version: string | null) =>
    name === null ? 'none (first deployment)' : `${name}${version === null ? '' : ` (${version})`}`;
  const instructions = data.document?.instructions ?? [];
  return html`<header><h1>${identity.name} ${model.version}</h1>
<p class="subtitle">${identity.project} · ${identity.environment} · ${identity.region} · stack <span class="mono">${data.stack}</span></p>
<div class="banner outcome-${model.outcome}" role="status"><div class="title">${OUTCOME_TITLE[model.outcome]}</div>
${model.reason === null ? '' : html`<div class="reason">${redact(model.reason)}</div>`}
${instructions.length > 0 ? html`<ol>${instructions.map((line) => html`<li>${redact(line)}</li>`)}</ol>` : ''}</div>
<dl class="facts">
<div><dt>Candidate</dt><dd>${slot(model.candidateSlot, model.version)}</dd></div>
<div><dt>Stable</dt><dd>${slot(model.stableSlot, model.stableVersion)}</dd></div>
<div><dt>Environment</dt><dd>${identity.environment} (${identity.region})</dd></div>
<div><dt>Started</dt><dd>${dateTime(model.start)}</dd></div>
<div><dt>Duration</dt><dd>${formatDuration(model.durationS)}</dd></div>
<div><dt>Deployment id</dt><dd class="mono">${model.deploymentId}</dd></div>
</dl></header>`;
}

function stepsSection(model: ReportModel): Html {
  if (model.steps.length === 0) {
    return html`<section id="steps"><h2>Steps</h2><p class="note">The rollout did not start: no step was planned.</p></section>`;
  }
  const analysed = model.windows.length > 0;
  const rows = model.steps.map((step) => {
    const windows = windowsOf(step, model.windows);
    const last = windows.filter((w) => w.observedShare !== null).at(-1);
    const count = (verdict: string) => windows.filter((w) => w.verdict === verdict).length;
    const duration =
      step.startedAt !== null && step.endedAt !== null
        ? formatDuration((step.endedAt - step.startedAt) / 1000)
        : '–';
    return html`<tr><td class="num">${step.number}</td><td>${step.label}</td><td class="num">${num(step.candidateWeight)} %</td>
<td class="num">${step.waitS > 0 ? formatDuration(step.waitS) : '–'}</td>
<td class="time">${step.startedAt === null ? '–' : `${clockTime(step.startedAt)} (${offset((step.startedAt - model.start) / 1000)})`}</td>
<td class="num">${duration}</td>
${analysed ? html`<td class="num">${last ? `${num(last.observedShare ?? 0)} %` : '–'}</td><td class="num">${windows.length === 0 ? '–' : `${count('pass')} / ${count('fail')} / ${count('inconclusive')}`}</td>` : ''}
<td><span class="badge ${step.outcome}">${step.outcome.replace('_', ' ')}</span></td></tr>`;
  });
  return html`<section id="steps"><h2>Steps</h2><div class="table-wrap"><table class="steps"><thead><tr>
<th class="num">#</th><th>Step</th><th class="num">Candidate</th><th class="num">Wait</th><th>Started (UTC)</th><th class="num">Took</th>
${analysed ? html`<th class="num">Observed</th><th class="num">Windows pass / fail / inc.</th>` : ''}<th>Outcome</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
}

function eventRow(event: TimedEvent, start: number): Html {
  return html`<tr class="level-${event.level}"><td class="time">${clockTime(event.time)}.${String(
    event.time % 1000,
  )
    .padStart(3, '0')
    .slice(0, 1)}</td>
<td class="time">${offset((event.time - start) / 1000)}</td><td><span class="badge ${event.level}">${event.level}</span></td>
<td class="mono">${event.code}</td><td class="text">${redact(event.text)}</td></tr>`;
}

const EVENT_HEAD = html`<thead><tr><th>Time (UTC)</th><th>Since start</th><th>Level</th><th>Event</th><th>Text</th></tr></thead>`;

/** Every event; the debug ones (countdown ticks, repeated observations) folded away. */
function eventsSection(events: readonly TimedEvent[], start: number): Html {
  const shown = events.filter((e) => e.level !== 'debug');
  const debug = events.filter((e) => e.level === 'debug');
  return html`<section id="events"><h2>Events (${events.length})</h2>
${shown.length === 0 ? html`<p class="note">No event was recorded.</p>` : html`<div class="table-wrap"><table class="events">${EVENT_HEAD}<tbody>${shown.map((e) => eventRow(e, start))}</tbody></table></div>`}
${debug.length === 0 ? '' : html`<details><summary>${debug.length} debug events (countdown ticks, repeated observations)</summary><div class="table-wrap"><table class="events debug">${EVENT_HEAD}<tbody>${debug.map((e) => eventRow(e, start))}</tbody></table></div></details>`}
</section>`;
}
