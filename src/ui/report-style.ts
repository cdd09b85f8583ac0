/**
 * The report's one style sheet, inlined in the page: system fonts only (nothing to fetch), the
 * verdict colours shared by charts, badges and legends, and print-friendly sections.
 */
export const REPORT_CSS = `
:root {
  --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f8fafc; --card: #ffffff;
  --pass: #16a34a; --fail: #dc2626; --inconclusive: #d97706; --wait: #d97706;
  --candidate: #7c3aed; --stable: #475569; --declared: #2563eb;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1160px; margin: 0 auto; padding: 24px 20px 48px; }
h1 { font-size: 24px; margin: 0 0 2px; }
h2 { font-size: 17px; margin: 0 0 10px; }
.subtitle { color: var(--muted); margin: 0 0 16px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 16px 18px; margin: 16px 0; }
.banner { border-radius: 8px; padding: 14px 18px; margin: 12px 0 16px; border-left: 6px solid; }
.banner .title { font-size: 18px; font-weight: 700; }
.banner .reason { margin-top: 4px; white-space: pre-wrap; overflow-wrap: anywhere; }
.banner ol { margin: 8px 0 0; }
.outcome-deployed { background: #dcfce7; border-color: var(--pass); color: #14532d; }
.outcome-rolled_back, .outcome-failed { background: #fee2e2; border-color: var(--fail); color: #7f1d1d; }
.outcome-rollback_failed { background: #7f1d1d; border-color: #450a0a; color: #fff; }
.outcome-interrupted { background: #fef3c7; border-color: var(--inconclusive); color: #78350f; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 8px 18px; margin: 0; }
.facts div { min-width: 0; }
.facts dt { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
.mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
.note { color: var(--muted); margin: 6px 0 0; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; margin: 0 0 6px; color: var(--muted); font-size: 12.5px; }
.legend span::before { content: ""; display: inline-block; width: 14px; height: 3px; margin-right: 6px; vertical-align: middle; background: currentColor; }
.legend .dot::before { width: 9px; height: 9px; border-radius: 50%; }
.key-declared { color: var(--declared); } .key-candidate { color: var(--candidate); } .key-stable { color: var(--stable); }
.key-pass { color: var(--pass); } .key-fail { color: var(--fail); } .key-inconclusive { color: var(--inconclusive); }
.key-healthy { color: var(--pass); } .key-total { color: #9ca3af; }
svg.chart { width: 100%; height: auto; display: block; }
.chart .grid { stroke: var(--line); stroke-width: 1; }
.chart .axis { stroke: #9ca3af; stroke-width: 1; }
.chart .tick { fill: var(--muted); font-size: 11px; }
.chart .band-0 { fill: #f1f5f9; } .chart .band-1 { fill: #ffffff; }
.chart .band-label { fill: #94a3b8; font-size: 10.5px; text-anchor: middle; }
.chart .marker { stroke: var(--fail); stroke-width: 1.5; stroke-dasharray: 5 4; }
.chart .marker-label { fill: var(--fail); font-size: 11px; font-weight: 600; }
.chart .line { fill: none; stroke-width: 2.2; stroke-linejoin: round; }
.chart .line.declared { stroke: var(--declared); stroke-width: 2.6; }
.chart .line.candidate { stroke: var(--candidate); }
.chart .line.stable { stroke: var(--stable); stroke-dasharray: 6 4; }
.chart .line.healthy { stroke: var(--pass); }
.chart .line.total { stroke: #9ca3af; stroke-dasharray: 4 4; }
.chart .point { stroke: #fff; stroke-width: 1.2; }
.chart .point.pass { fill: var(--pass); } .chart .point.fail { fill: var(--fail); }
.chart .point.inconclusive, .chart .point.wait { fill: var(--inconclusive); }
.chart .point.stable { fill: var(--stable); }
h3 { font-size: 14px; margin: 14px 0 4px; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12px; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
td.text { white-space: pre-wrap; overflow-wrap: anywhere; }
tr.level-warn td { background: #fffbeb; } tr.level-error td { background: #fef2f2; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; white-space: nowrap; background: #e5e7eb; color: #374151; }
.badge.info { background: #e0f2fe; color: #075985; }
.badge.pass, .badge.passed, .badge.deployed { background: #dcfce7; color: #166534; }
.badge.fail, .badge.failed, .badge.error, .badge.rolled_back, .badge.rollback_failed { background: #fee2e2; color: #991b1b; }
.badge.inconclusive, .badge.warn, .badge.interrupted, .badge.running { background: #fef3c7; color: #92400e; }
.badge.not_run, .badge.debug { background: #f3f4f6; color: #6b7280; }
ul.checks { list-style: none; margin: 0; padding: 0; }
.why { color: #92400e; font-size: 12.5px; max-width: 300px; overflow-wrap: anywhere; }
.check-pass { color: var(--pass); } .check-fail { color: var(--fail); font-weight: 600; } .check-none { color: var(--muted); }
details summary { cursor: pointer; color: var(--muted); margin-top: 10px; }
footer { color: var(--muted); font-size: 12px; text-align: center; }
@media print { body { background: #fff; } section { break-inside: avoid; border: none; } }
`;
