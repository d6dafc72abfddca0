// matrix.html: the coverage matrix as a heat map, one self-contained page (no network, like
// report.html): a row per fault type (or traffic change), a column per alert; green when
// every repeat detected in time, amber when some did, red when none did; each cell shows
// the median time to detect and links to its runs' reports.
import { AFTER_EFFECT_MS, type MatrixCell, type MatrixResult } from './matrix';
import {
  detectSeconds,
  emptyWindowsNote,
  floorText,
  resolveText,
  rulesText,
  spreadText,
  stacksText,
} from './matrix-md';

export function matrixHtml(m: MatrixResult): string {
  const rows = [...new Set(m.cells.map((c) => c.disturbance))];
  const columns = [...new Set([...m.cells.map((c) => c.alert), ...m.alerts.map((a) => a.alert)])];
  const cellAt = (row: string, alert: string) => m.cells.find((c) => c.disturbance === row && c.alert === alert);
  const signalOf = (alert: string) =>
    m.alerts.find((a) => a.alert === alert)?.signal ?? cellAt(rows[0], alert)?.signal ?? null;
  const falseCount = (alert: string) => m.falseAlerts.filter((f) => f.alert === alert).length;
  const stacks = stacksText(m);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>coverage matrix · ${m.passed ? 'held' : 'did not hold'} · Roque</title>
<style>${STYLE}</style>
</head>
<body>
<h1>Coverage matrix <span class="verdict ${m.passed ? 'good' : 'bad'}" id="status">${m.passed ? 'every expected detection held' : `${m.failures.length} did not hold`}</span></h1>
<p class="meta">${m.runs.length} run(s), ${m.repeat} repeat(s) each${m.quick ? ', quick mode' : ''}, ${Math.round(m.wallSeconds)} s · ${esc(new Date(m.startedAt).toUTCString())} · rules: ${esc(rulesText(m))}</p>
${stacks ? `<p class="meta">${esc(stacks)}</p>\n` : ''}<p class="legend"><span class="swatch held"></span> detected in time in every repeat <span class="swatch partial"></span> in some <span class="swatch missed"></span> in none <span class="swatch none"></span> not expected here · the figure is the median time to detect, then held/expected</p>
<div class="scroll"><table class="heat">
<thead><tr><th>fault \\ alert</th>${columns.map((a) => `<th><span class="alert">${esc(a)}</span><span class="signal">${esc(signalOf(a) ?? '–')}</span></th>`).join('')}</tr></thead>
<tbody>
${rows
  .map(
    (row) =>
      `<tr><th>${esc(row)}</th>${columns
        .map((alert) => {
          const cell = cellAt(row, alert);
          return cell ? cellHtml(cell) : '<td class="none"></td>';
        })
        .join('')}</tr>`,
  )
  .join('\n')}
<tr class="false"><th>false alerts</th>${columns.map((a) => `<td class="${falseCount(a) ? 'missed' : ''}">${falseCount(a) || ''}</td>`).join('')}</tr>
</tbody></table></div>
${m.failures.length ? `<h2>Did not hold</h2><ul id="failures">${m.failures.map((f) => `<li>${esc(f)}</li>`).join('')}</ul>` : ''}
<h2>Cells</h2>
<table class="list"><thead><tr><th>fault</th><th>alert</th><th>held</th><th>time to detect min / median / max</th><th>floor (any fault / at 2× threshold)</th><th>time to resolve min / median / max</th><th>runs</th></tr></thead><tbody>
${m.cells
  .map(
    (c) =>
      `<tr><td>${esc(c.disturbance)}</td><td>${esc(c.alert)}</td><td>${c.held}/${c.expected}</td><td>${spreadText(c.timeToDetect)}</td><td>${floorText(c)}</td><td>${resolveText(c.timeToResolve)}</td><td>${runLinks(c)}</td></tr>`,
  )
  .join('\n')}
</tbody></table>
<h2>False alerts</h2>
${
  m.falseAlerts.length
    ? `<ul>${m.falseAlerts.map((f) => `<li>${esc(f.alert)} began in ${esc(f.experiment)}/${esc(f.phase)} (repeat ${f.repeat}) at ${esc(f.firedAt)}, while ${f.active.length ? esc(f.active.join(', ')) : 'nothing'} was disturbed${f.link ? ` · <a href="${esc(f.link)}/report.html">report</a>` : ''}</li>`).join('')}</ul>`
    : '<p>None: no alert began while nothing it reads was disturbed.</p>'
}
<h2>Runs</h2>
<table class="list"><thead><tr><th>experiment</th><th>repeat</th><th>status</th><th>wall</th><th>report</th></tr></thead><tbody>
${m.runs.map((r) => `<tr><td>${esc(r.experiment)}</td><td>${r.repeat}</td><td>${esc(r.status)}${r.error ? `: ${esc(r.error)}` : ''}</td><td>${r.wallSeconds === null ? '–' : `${Math.round(r.wallSeconds)} s`}</td><td>${r.link ? `<a href="${esc(r.link)}/report.html">${esc(r.runId ?? '')}</a>` : '–'}</td></tr>`).join('\n')}
</tbody></table>
<p class="meta">Floor: the least time to detect that the rule allows: its <code>for</code> for a fault far past the threshold; for one at twice the threshold, half the window's span under the fault first (5 s scrape and rule interval; chaos/matrix/detection-floor.ts).${emptyWindowsNote(m)} A miss counts as slower than any detection: it is never dropped. An alert that begins while nothing it reads is disturbed (nor was in the ${AFTER_EFFECT_MS / 1000} s before) is a false alert.</p>
</body>
</html>
`;
}

function cellHtml(cell: MatrixCell): string {
  const state = cell.held === cell.expected ? 'held' : cell.held === 0 ? 'missed' : 'partial';
  const title = `${cell.disturbance} × ${cell.alert}: held ${cell.held}/${cell.expected}, time to detect ${spreadText(cell.timeToDetect)}`;
  return `<td class="${state}" title="${esc(title)}"><div class="ttd">${detectSeconds(cell.timeToDetect.median)}</div><div class="count">${cell.held}/${cell.expected}</div><div class="runs">${runLinks(cell)}</div></td>`;
}

function runLinks(cell: MatrixCell): string {
  return cell.observations
    .map((o, i) =>
      o.link
        ? `<a href="${esc(o.link)}/report.html" title="${esc(`${o.experiment}/${o.phase}, repeat ${o.repeat}`)}">${i + 1}</a>`
        : `${i + 1}`,
    )
    .join(' ');
}

function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #1d2330; }
h1 { font-size: 22px; display: flex; gap: 12px; align-items: center; }
.verdict { font-size: 13px; padding: 3px 10px; border-radius: 12px; color: #fff; }
.verdict.good { background: #1f8a4c; } .verdict.bad { background: #c0392b; }
.meta, .legend { color: #5b6475; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: -1px; margin-left: 8px; }
.scroll { overflow-x: auto; }
table.heat { border-collapse: separate; border-spacing: 3px; }
table.heat th { font-weight: 600; text-align: left; padding: 4px 6px; }
table.heat thead th { vertical-align: bottom; max-width: 90px; }
table.heat thead .alert { display: block; writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; }
table.heat thead .signal { display: block; font-weight: 400; color: #5b6475; font-size: 11px; }
table.heat td { min-width: 92px; height: 58px; text-align: center; border-radius: 6px; font-size: 12px; }
.held, .swatch.held { background: #2e9e5b; color: #fff; }
.partial, .swatch.partial { background: #f0ad2a; color: #1d2330; }
.missed, .swatch.missed { background: #d64541; color: #fff; }
.none, .swatch.none { background: #eef0f4; }
td .ttd { font-size: 15px; font-weight: 700; white-space: nowrap; } td .runs a { color: inherit; }
tr.false td { height: 24px; }
table.list { border-collapse: collapse; margin: 8px 0 18px; }
table.list th, table.list td { border-bottom: 1px solid #e3e6ec; padding: 4px 10px; text-align: left; }
`;
