/**
 * The deployment report's renderer and recorder: every section of the page, strings from the
 * data escaped (a service name or a reason is never markup), nothing that reaches the network,
 * a deployment without analysis and one of hundreds of events, and no secret in what is kept.
 */
import { expect } from 'chai';
import { progressEvent } from '../../src/canary/events.js';
import { renderReport } from '../../src/ui/report.js';
import type { ReportData } from '../../src/ui/report-data.js';
import { escapeHtml, html } from '../../src/ui/report-html.js';
import { recordEvents } from '../../src/ui/report-recorder.js';
import {
  at,
  finished,
  health,
  ROLLBACK_REASON,
  rolledBackReport,
  started,
  stepFinished,
  stepStarted,
  T0,
  weights,
} from './event-fixtures.js';

/** A deployment without `canary.analysis`: gated on health only. */
function deployedWithoutAnalysis(healthEvents = 6): ReportData {
  const observations = Array.from({ length: healthEvents }, (_, i) => at(30 + i * 2, health(2)));
  return {
    document: {
      outcome: 'deployed',
      version: '2.0.0',
      slot: 'green',
      steps: [],
      reason: null,
      duration_s: 90 + healthEvents * 2,
      deployment_id: 'd-0002',
      previous: { slot: 'blue', version: '1.0.0' },
      instructions: [],
      warnings: [],
    },
    identity: { project: 'shop', name: 'orders-api', environment: 'prod', region: 'eu-west-1' },
    stack: 'shop-orders-api-prod-eu-west-1',
    events: [
      at(0, started),
      at(1, stepStarted(3, 'shift', 100, 60)),
      at(20, weights(100)),
      ...observations,
      at(40 + healthEvents * 2, stepFinished(3, 'shift', 'passed')),
      at(90 + healthEvents * 2, finished),
    ],
    error: null,
  };
}

/** Every URL-like thing in the page: `//host…`, `scheme:` in attributes or CSS. */
function externalReferences(page: string): string[] {
  const found = [...page.matchAll(/(?:[a-z][a-z0-9+.-]*:)?\/\/[^\s"'<>)]+/gi)].map((m) => m[0]);
  // The SVG namespace names the vocabulary; no browser fetches it.
  return found.filter((url) => url !== 'http://www.w3.org/2000/svg');
}

describe('deployment report: the page', () => {
  it('has the header, the banner, and every section', () => {
    const page = renderReport(rolledBackReport());
    expect(page.startsWith('<!doctype html>')).to.equal(true);
    for (const id of ['traffic', 'health', 'analysis', 'steps', 'events']) {
      expect(page, id).to.contain(`<section id="${id}">`);
    }
    expect(page).to.contain('<h1>orders-api 2.0.0</h1>');
    expect(page).to.contain('shop · prod · eu-west-1');
    expect(page).to.contain('class="banner outcome-rolled_back"');
    expect(page).to.contain(escapeHtml(ROLLBACK_REASON));
    expect(page).to.contain('green (2.0.0)').and.contain('blue (1.0.0)');
    expect(page).to.contain('d-0001').and.contain('2026-11-27 10:00:00 UTC').and.contain('2m 29s');
    expect(page).to.contain('Analysis: 4 windows').and.contain('2 passed, 1 failed, 1 inconclusive');
    expect(page.match(/<svg class="chart"/g)).to.have.length(4);
    expect(page.match(/<tr><td class="num">\d+<\/td>/g), 'one row per planned step').to.have.length(5);
    expect(page).to.contain('2 / 1 / 1');
    expect(page).to.contain('75 debug events');
    expect(page).not.to.contain('NaN');
  });

  it('escapes every string from the data: names, reasons, event texts', () => {
    const data = rolledBackReport();
    data.identity.name = '<script>alert("name")</script>';
    data.stack = '"><img src=x onerror=alert(1)>';
    if (data.document) data.document.reason = '</div><script>alert(2)</script>';
    data.events.push(
      at(150, progressEvent('health.probe-failed', 'warn', "<iframe src='//evil'>", { error: 'x' })),
    );
    const page = renderReport(data);
    expect(page).not.to.match(/<script|<img|<iframe|onerror=alert\(1\)>/i);
    expect(page).to.contain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;');
    expect(page).to.contain('&lt;/div&gt;&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(page).to.contain('&lt;iframe src=&#39;//evil&#39;&gt;');
  });

  it('the template escapes its slots and keeps its own markup', () => {
    expect(html`<b>${'<i>&'}</b>`.value).to.equal('<b>&lt;i&gt;&amp;</b>');
    expect(html`<p>${html`<i>${'"'}</i>`}${[1, null, false, 'a']}</p>`.value).to.equal(
      '<p><i>&quot;</i>1a</p>',
    );
  });

  it('reaches nothing outside the page: no script, no link, no external URL, and a CSP that forbids them', () => {
    const page = renderReport(rolledBackReport());
    expect(page).not.to.match(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(externalReferences(page)).to.deep.equal([]);
    expect(page).to.contain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
  });

  it('renders a deployment without analysis: the weights and health, and says there were no windows', () => {
    const page = renderReport(deployedWithoutAnalysis());
    expect(page).to.contain('class="banner outcome-deployed"');
    expect(page).to.contain('No analysis window was judged');
    expect(page).to.contain('No observed share');
    expect(page).not.to.contain('<table class="windows"');
    expect(page.match(/<svg class="chart"/g), 'traffic and health').to.have.length(2);
    expect(page).to.contain('path class="line declared"');
    expect(page).not.to.contain('NaN');
  });

  it('renders hundreds of events', () => {
    const page = renderReport(deployedWithoutAnalysis(600));
    expect(page).to.contain('600 observations');
    // 600 identical observations: a point for the first and the last, the line for the rest.
    expect(page.match(/class="point pass"/g)).to.have.length(2);
    expect(page).not.to.contain('NaN');
    expect(page.length).to.be.lessThan(2_000_000);
  });

  it('renders a run that failed without a result, and one with no event at all', () => {
    const failed = renderReport({
      ...deployedWithoutAnalysis(),
      document: null,
      events: [at(0, started), at(3, stepStarted(1, 'provision', 0, 0))],
      error: 'engine crashed',
    });
    expect(failed).to.contain('class="banner outcome-failed"').and.contain('engine crashed');
    expect(failed).to.contain('running');
    const empty = renderReport({ ...deployedWithoutAnalysis(), events: [] });
    expect(empty).to.contain('No event was recorded').and.contain('No health observation');
    expect(empty).not.to.contain('NaN');
  });
});

describe('deployment report: the recorder', () => {
  it('passes every event on, keeps all but the engine’s with their time, and redacts what it keeps', () => {
    const passed: string[] = [];
    let now = T0;
    const recorder = recordEvents(
      (event) => passed.push(event.code),
      () => now,
    );
    const secret = 'PULUMI_CONFIG_PASSPHRASE=hunter2-correct-horse';
    recorder.sink(started);
    now += 1500;
    recorder.sink(progressEvent('engine.output', 'debug', 'Updating (dev):', { line: 'Updating (dev):' }));
    recorder.sink(
      progressEvent('health.probe-failed', 'warn', `Could not observe: ${secret}`, { error: secret }),
    );
    recorder.sink(
      progressEvent('rollback.started', 'error', `Rolling back: ${secret}`, {
        cause: 'failure',
        reason: `up failed: ${secret}`,
        restoreTraffic: true,
      }),
    );
    expect(passed).to.deep.equal([
      'rollout.started',
      'engine.output',
      'health.probe-failed',
      'rollback.started',
    ]);
    const kept = recorder.events();
    expect(kept.map((e) => [e.code, e.time])).to.deep.equal([
      ['rollout.started', T0],
      ['health.probe-failed', T0 + 1500],
      ['rollback.started', T0 + 1500],
    ]);
    expect(JSON.stringify(kept)).not.to.contain('hunter2');
    expect(JSON.stringify(kept)).to.contain('[redacted]');
    const page = renderReport({ ...rolledBackReport(), events: kept });
    expect(page).not.to.contain('hunter2');
  });
});
