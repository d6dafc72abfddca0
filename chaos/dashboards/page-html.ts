// One dashboard drawn for one run: a self-contained page (Chart.js and the answers inlined)
// laid out on Grafana's 24-column grid from the dashboard model itself (gridPos, titles,
// units, legends, thresholds), the fault and phase windows shaded as Grafana's annotations.
import { esc, inlineChartJs } from '../report/report-html';
import { COMPOSE_ONLY, type Dashboard } from './definitions';
import { panelsOf } from './queries';
import type { DashboardData } from './run-data';

export interface PageLinks {
  /** The other dashboard pages of the run, relative to this one. */
  dashboards: { title: string; href: string; current: boolean }[];
  report: string;
  k6Dashboard: string | null;
}

/** The parts of the dashboard model the page script reads, in the SDK's own shape. */
function pageModel(dashboard: Dashboard) {
  return {
    title: dashboard.title,
    panels: (dashboard.panels ?? []).map((p) => {
      const panel = p as typeof p & {
        fieldConfig?: {
          defaults?: { unit?: string; thresholds?: unknown };
          overrides?: { matcher: { id: string; options?: unknown }; properties: { id: string; value?: unknown }[] }[];
        };
        options?: { legend?: { calcs?: string[] } };
      };
      // A table's columns: Grafana's per-query overrides (byFrameRefID) give name and unit.
      const columns = (panel.fieldConfig?.overrides ?? [])
        .filter((o) => o.matcher.id === 'byFrameRefID')
        .map((o) => ({
          refId: o.matcher.options,
          ...Object.fromEntries(o.properties.map((prop) => [prop.id, prop.value])),
        }));
      return {
        id: panel.id,
        type: panel.type,
        title: panel.title,
        description: 'description' in panel ? panel.description : undefined,
        gridPos: panel.gridPos,
        unit: panel.fieldConfig?.defaults?.unit,
        thresholds: panel.fieldConfig?.defaults?.thresholds,
        legendCalcs: panel.options?.legend?.calcs ?? [],
        columns,
        composeOnly:
          'description' in panel && typeof panel.description === 'string' && panel.description.startsWith(COMPOSE_ONLY),
      };
    }),
  };
}

const json = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

export function dashboardPageHtml(dashboard: Dashboard, data: DashboardData, links: PageLinks, glance: string): string {
  const range = `${new Date(data.fromMs).toISOString().slice(0, 19).replace('T', ' ')} – ${new Date(data.toMs).toISOString().slice(11, 19)} UTC`;
  const queries = panelsOf(dashboard)
    .map((panel) => {
      const answered = data.panels[panel.id!] ?? [];
      return `<tr><td><strong>${esc(panel.title ?? '')}</strong></td><td>${answered.map((q) => `<div><code>${esc(q.refId)}</code> <span class="muted">${q.kind}</span> <code class="expr">${esc(q.expr)}</code>${q.error ? ` <span class="err">${esc(q.error)}</span>` : ` <span class="muted">→ ${q.series.length} series</span>`}</div>`).join('')}</td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(data.title)} · ${esc(data.testid)} · Roque</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <div class="eyebrow">Roque dashboard, drawn for one run</div>
  <h1>${esc(data.title)}</h1>
  ${dashboard.description ? `<p class="lede">${esc(dashboard.description)}</p>` : ''}
  <p class="meta">testid <code>${esc(data.testid)}</code> · phase <code>${esc(data.vars.phase)}</code> · ${esc(range)} · step ${data.stepSeconds} s · the same panels as Grafana's <code>stack/grafana/dashboards/${esc(data.dashboard)}.json</code></p>
  <nav>${links.dashboards.map((d) => (d.current ? `<strong>${esc(d.title)}</strong>` : `<a href="${esc(d.href)}">${esc(d.title)}</a>`)).join(' · ')} · <a href="${esc(links.report)}">report</a>${links.k6Dashboard ? ` · <a href="${esc(links.k6Dashboard)}">k6 web dashboard</a>` : ''}</nav>
  <p class="legend-key">${data.annotations.map((a) => `<span class="key" style="--c:${esc(a.color)}"></span>${esc(a.name)} (${a.windows.length})`).join(' &nbsp; ')}${data.annotations.length ? ' &nbsp; ' : ''}<span class="key dashed"></span>alert threshold</p>
</header>
${glance}
<main class="grid" id="grid"></main>
<details class="queries"><summary>Every query of this page, as sent to Prometheus</summary><table>${queries}</table></details>
<script id="dashboard-model" type="application/json">${json(pageModel(dashboard))}</script>
<script id="dashboard-data" type="application/json">${json(data)}</script>
<script>${inlineChartJs()}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

const STYLE = `
:root { --ink:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f1f5f9; --card:#fff; --pass:#15803d; --pass-bg:#dcfce7; --fail:#b91c1c; --fail-bg:#fee2e2; --accent:#4f46e5; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px clamp(12px, 2.5vw, 32px) 40px; font: 13px/1.45 ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
code { font: 11.5px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #e0e7ff; padding: 1px 5px; border-radius: 4px; }
h1 { font-size: 24px; margin: 2px 0 4px; letter-spacing: -0.02em; }
h2 { font-size: 15px; margin: 0 0 10px; } h2 .muted { font-weight: 400; font-size: 12px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--accent); font-weight: 700; }
.lede { margin: 0 0 4px; color: #334155; max-width: 1100px; }
.meta, nav, .legend-key { margin: 4px 0; color: var(--muted); }
a { color: var(--accent); }
.key { display: inline-block; width: 18px; height: 10px; margin-right: 5px; vertical-align: middle; border-radius: 2px; background: color-mix(in srgb, var(--c) 22%, transparent); border: 1px solid var(--c); }
.key.dashed { background: none; border: 0; border-top: 2px dashed #dc2626; height: 0; }
.grid { display: grid; grid-template-columns: repeat(24, minmax(0, 1fr)); grid-auto-rows: 30px; gap: 8px; margin-top: 16px; }
.row { align-self: end; font-size: 14px; font-weight: 700; padding: 0 2px 2px; border-bottom: 1px solid #cbd5e1; }
.panel { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; display: flex; flex-direction: column; min-width: 0; overflow: hidden; }
.panel h3 { flex-shrink: 0; margin: 0; font-size: 13px; font-weight: 650; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.panel .desc { flex-shrink: 0; color: var(--muted); font-size: 11px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.panel .body { position: relative; flex: 1 1 auto; min-height: 55%; margin-top: 4px; }
.panel .note { color: var(--muted); font-size: 12px; padding: 10px 0; }
.panel .err { color: var(--fail); }
.stat { display: flex; align-items: center; justify-content: center; height: 100%; font-size: 34px; font-weight: 750; font-variant-numeric: tabular-nums; }
table { width: 100%; border-collapse: collapse; background: var(--card); }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 10.5px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); background: #f8fafc; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.panel table td, .panel table th { padding: 3px 8px; }
.legend { font-size: 11px; overflow: auto; flex: 0 1 auto; max-height: 42%; margin-top: 2px; }
.legend table { background: none; }
.legend td { padding: 1px 6px; border: 0; white-space: nowrap; } .legend th { padding: 1px 6px; background: none; }
.legend .sw { display: inline-block; width: 10px; height: 3px; vertical-align: middle; margin-right: 5px; }
.glance { margin-top: 16px; } .glance table { border: 1px solid var(--line); border-radius: 8px; }
.glance td .v { font-weight: 600; white-space: nowrap; } .glance td .d { font-size: 11.5px; white-space: nowrap; }
.glance .check { margin: 2px 0 6px; font-size: 12px; } .glance .check .muted { font-size: 11px; }
.table-wrap { overflow-x: auto; }
.pill { display: inline-block; font-size: 10px; font-weight: 700; text-transform: uppercase; padding: 1px 7px; border-radius: 999px; }
.pill.pass { color: var(--pass); background: var(--pass-bg); } .pill.fail { color: var(--fail); background: var(--fail-bg); }
.tag { background: #fee2e2; color: #991b1b; border-radius: 5px; padding: 0 5px; font-size: 10px; text-transform: none; letter-spacing: 0; }
.muted { color: var(--muted); }
.err { color: var(--fail); }
details.queries { margin-top: 20px; } details.queries summary { cursor: pointer; font-weight: 650; }
details.queries .expr { word-break: break-all; background: #f1f5f9; }
`;

// Runs in the page: draws each panel of the model from the saved answers.
const PAGE_SCRIPT = `
(function () {
  var model = JSON.parse(document.getElementById('dashboard-model').textContent);
  var data = JSON.parse(document.getElementById('dashboard-data').textContent);
  var PALETTE = ['#2563eb', '#f59e0b', '#16a34a', '#db2777', '#7c3aed', '#0891b2', '#ea580c', '#475569', '#65a30d', '#be123c'];
  Chart.defaults.font.size = 11;
  Chart.defaults.animation = false;
  Chart.defaults.color = '#475569';

  function fmt(unit, v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    var a = Math.abs(v);
    switch (unit) {
      case 's': return a === 0 ? '0 ms' : a < 1 ? (v * 1000).toFixed(a < 0.01 ? 2 : a < 0.1 ? 1 : 0) + ' ms' : v.toFixed(2) + ' s';
      case 'percentunit': return (v * 100).toFixed(a < 0.1 ? 2 : 1) + '%';
      case 'reqps': return v.toFixed(a < 10 ? 2 : 1) + ' req/s';
      case 'bytes': return a >= 1048576 ? (v / 1048576).toFixed(1) + ' MiB' : a >= 1024 ? (v / 1024).toFixed(1) + ' KiB' : v.toFixed(0) + ' B';
      case 'short': return a >= 1e6 ? (v / 1e6).toFixed(2) + ' M' : a >= 1e4 ? (v / 1e3).toFixed(1) + ' K' : String(Math.round(v * 100) / 100);
      default: return String(Math.round(v * 1000) / 1000);
    }
  }
  function clock(ms) { return new Date(ms).toISOString().slice(11, 19); }
  function thresholdOf(panel) {
    var steps = (panel.thresholds && panel.thresholds.steps) || [];
    var red = steps.filter(function (s) { return s.value !== null; });
    return red.length ? red[red.length - 1] : null;
  }
  function colourFor(panel, v) {
    var t = thresholdOf(panel);
    return t && v >= t.value ? '#dc2626' : '#16a34a';
  }
  function el(tag, cls, text) { var e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
  function allSeries(panel) {
    var out = [];
    (data.panels[panel.id] || []).forEach(function (q) { q.series.forEach(function (s) { out.push(s); }); });
    return out;
  }
  function errors(panel) { return (data.panels[panel.id] || []).filter(function (q) { return q.error; }).map(function (q) { return q.refId + ': ' + q.error; }); }
  function values(s) { return s.points.map(function (p) { return p[1]; }).filter(function (v) { return v !== null; }); }
  function last(s) { var v = values(s); return v.length ? v[v.length - 1] : null; }

  // Grafana's annotations: fault windows shaded across the plot, phases as a band on top; the threshold dashed.
  var overlays = {
    id: 'roqueOverlays',
    beforeDatasetsDraw: function (chart, args, opts) {
      var ctx = chart.ctx, area = chart.chartArea, x = chart.scales.x, y = chart.scales.y;
      ctx.save();
      data.annotations.forEach(function (a) {
        var phaseBand = a.name === 'k6 phases';
        a.windows.forEach(function (w, i) {
          var l = Math.max(area.left, x.getPixelForValue(w.fromMs)), r = Math.min(area.right, x.getPixelForValue(w.toMs + data.stepSeconds * 1000));
          if (r <= l) return;
          ctx.globalAlpha = phaseBand ? 0.10 : 0.13;
          ctx.fillStyle = a.color;
          if (phaseBand) ctx.fillRect(l, area.top, r - l, 12); else ctx.fillRect(l, area.top, r - l, area.bottom - area.top);
          if (phaseBand) {
            ctx.globalAlpha = 0.9; ctx.fillStyle = '#1e3a8a'; ctx.font = '600 9.5px ' + Chart.defaults.font.family;
            ctx.fillText(w.title.replace(/^phase /, ''), l + 3, area.top + 9, r - l - 4);
            ctx.globalAlpha = 0.35; ctx.strokeStyle = '#1e3a8a'; ctx.beginPath(); ctx.moveTo(l, area.top); ctx.lineTo(l, area.bottom); ctx.stroke();
          }
        });
      });
      ctx.globalAlpha = 1;
      if (opts.threshold && y) {
        var py = y.getPixelForValue(opts.threshold.value);
        if (py >= area.top && py <= area.bottom) {
          ctx.strokeStyle = '#dc2626'; ctx.lineWidth = 1.2; ctx.setLineDash([5, 4]);
          ctx.beginPath(); ctx.moveTo(area.left, py); ctx.lineTo(area.right, py); ctx.stroke();
        }
      }
      ctx.restore();
    }
  };

  function timeseries(panel, body, box) {
    var series = allSeries(panel);
    var datasets = series.map(function (s, i) {
      var c = PALETTE[i % PALETTE.length];
      return { label: s.name, data: s.points.map(function (p) { return { x: p[0], y: p[1] }; }), borderColor: c, backgroundColor: c, borderWidth: 1.6, pointRadius: 0, spanGaps: false };
    });
    var canvas = el('canvas'); body.appendChild(canvas);
    var t = thresholdOf(panel);
    var chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: datasets },
      plugins: [overlays],
      options: {
        maintainAspectRatio: false, parsing: true, interaction: { mode: 'nearest', intersect: false },
        plugins: { legend: { display: false }, roqueOverlays: { threshold: t }, tooltip: { callbacks: { title: function (items) { return items.length ? clock(items[0].parsed.x) + ' UTC' : ''; }, label: function (item) { return item.dataset.label + ': ' + fmt(panel.unit, item.parsed.y); } } } },
        scales: {
          x: { type: 'linear', min: data.fromMs, max: data.toMs, ticks: { maxTicksLimit: 8, callback: function (v) { return clock(v); } }, grid: { color: '#f1f5f9' } },
          y: { beginAtZero: true, grace: '8%', suggestedMax: t ? t.value * 1.1 : undefined, ticks: { maxTicksLimit: 6, callback: function (v) { return fmt(panel.unit, v); } }, grid: { color: '#f1f5f9' } }
        }
      }
    });
    // Grafana's table legend with the panel's calcs (mean, max).
    var wrap = el('div', 'legend'), legend = el('table');
    wrap.appendChild(legend);
    var head = el('tr'); head.appendChild(el('th', '', ''));
    panel.legendCalcs.forEach(function (c) { head.appendChild(el('th', 'num', c)); });
    legend.appendChild(head);
    series.forEach(function (s, i) {
      var tr = el('tr'), name = el('td'), sw = el('span', 'sw');
      sw.style.background = PALETTE[i % PALETTE.length]; name.appendChild(sw); name.appendChild(document.createTextNode(s.name)); tr.appendChild(name);
      var v = values(s);
      panel.legendCalcs.forEach(function (c) {
        var x = !v.length ? null : c === 'mean' ? v.reduce(function (a, b) { return a + b; }, 0) / v.length : c === 'max' ? Math.max.apply(null, v) : c === 'min' ? Math.min.apply(null, v) : v[v.length - 1];
        tr.appendChild(el('td', 'num', fmt(panel.unit, x)));
      });
      legend.appendChild(tr);
    });
    box.appendChild(wrap);
    return series.reduce(function (n, s) { return n + values(s).length; }, 0) && chart ? series.length : 0;
  }

  function phaseOf(s) { return s.labels.phase || null; }
  function bargauge(panel, body) {
    var series = allSeries(panel).filter(function (s) { return last(s) !== null; });
    // Differences to the baseline: the same source (legend after the phase) in the first phase.
    var baseline = data.phases.length ? data.phases[0].name : null;
    var order = data.phases.map(function (p) { return p.name; });
    series.sort(function (a, b) { return order.indexOf(phaseOf(a)) - order.indexOf(phaseOf(b)); });
    function source(s) { return s.name.replace(/^[^·]*·\\s*/, ''); }
    var base = {};
    series.forEach(function (s) { if (phaseOf(s) === baseline) base[source(s)] = last(s); });
    var labels = series.map(function (s) {
      var v = last(s), b = base[source(s)];
      var delta = phaseOf(s) !== baseline && b !== undefined ? ' (Δ ' + (v - b >= 0 ? '+' : '') + fmt(panel.unit, v - b) + ')' : '';
      return s.name + ': ' + fmt(panel.unit, v) + delta;
    });
    var canvas = el('canvas'); body.appendChild(canvas);
    var t = thresholdOf(panel);
    new Chart(canvas, {
      type: 'bar',
      data: { labels: labels, datasets: [{ data: series.map(last), backgroundColor: series.map(function (s) { return colourFor(panel, last(s)) + 'cc'; }), borderRadius: 3, barPercentage: 0.9, categoryPercentage: 0.9 }] },
      plugins: [{ id: 'threshold', afterDatasetsDraw: function (chart) {
        if (!t) return; var x = chart.scales.x, area = chart.chartArea, px = x.getPixelForValue(t.value), ctx = chart.ctx;
        if (px < area.left || px > area.right) return;
        ctx.save(); ctx.strokeStyle = '#dc2626'; ctx.setLineDash([5, 4]); ctx.beginPath(); ctx.moveTo(px, area.top); ctx.lineTo(px, area.bottom); ctx.stroke(); ctx.restore();
      } }],
      options: {
        indexAxis: 'y', maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (item) { return fmt(panel.unit, item.parsed.x); } } } },
        scales: { x: { beginAtZero: true, suggestedMax: t ? t.value * 1.1 : undefined, ticks: { maxTicksLimit: 6, callback: function (v) { return fmt(panel.unit, v); } } }, y: { ticks: { autoSkip: false, font: { size: 10.5 } }, grid: { display: false } } }
      }
    });
    return series.length;
  }

  function stat(panel, body) {
    var series = allSeries(panel).filter(function (s) { return last(s) !== null; });
    if (!series.length) return 0;
    var v = last(series[0]), div = el('div', 'stat', fmt(panel.unit, v));
    if (thresholdOf(panel)) div.style.color = colourFor(panel, v);
    body.appendChild(div);
    return 1;
  }

  function table(panel, body) {
    // Grafana's merge transformation: one row per phase, one column per query.
    var queries = data.panels[panel.id] || [];
    var phases = [];
    queries.forEach(function (q) { q.series.forEach(function (s) { var p = phaseOf(s) || '–'; if (phases.indexOf(p) < 0) phases.push(p); }); });
    var order = data.phases.map(function (p) { return p.name; });
    phases.sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); });
    var t = el('table'), head = el('tr');
    head.appendChild(el('th', '', 'phase'));
    var column = function (q) { return panel.columns.filter(function (c) { return c.refId === q.refId; })[0] || {}; };
    var names = queries.map(function (q) { return column(q).displayName || q.refId; });
    var units = queries.map(function (q) { return column(q).unit || panel.unit; });
    names.forEach(function (n) { head.appendChild(el('th', 'num', n)); });
    t.appendChild(head);
    var cells = 0;
    phases.forEach(function (p) {
      var tr = el('tr'); tr.appendChild(el('td', '', p));
      queries.forEach(function (q, i) {
        var s = q.series.filter(function (s) { return (phaseOf(s) || '–') === p; })[0];
        var v = s ? last(s) : null; if (v !== null) cells++;
        tr.appendChild(el('td', 'num', fmt(units[i], v)));
      });
      t.appendChild(tr);
    });
    body.appendChild(t);
    return cells;
  }

  var grid = document.getElementById('grid');
  var DRAW = { timeseries: timeseries, bargauge: bargauge, stat: stat, table: table };
  model.panels.forEach(function (panel) {
    var g = panel.gridPos || { x: 0, y: 0, w: 24, h: 8 };
    var box = el('section', panel.type === 'row' ? 'row' : 'panel');
    box.style.gridColumn = (g.x + 1) + ' / span ' + g.w;
    box.style.gridRow = (g.y + 1) + ' / span ' + g.h;
    box.dataset.panelId = panel.id;
    box.dataset.type = panel.type;
    grid.appendChild(box);
    if (panel.type === 'row') { box.textContent = panel.title; return; }
    box.appendChild(el('h3', '', panel.title));
    if (panel.description) { var d = el('div', 'desc', panel.description); d.title = panel.description; box.appendChild(d); }
    var body = el('div', 'body'); box.appendChild(body);
    var failed = errors(panel);
    var drawn = 0;
    if (allSeries(panel).length) drawn = DRAW[panel.type](panel, body, box);
    box.dataset.drawn = String(drawn);
    if (drawn) return;
    body.appendChild(el('div', 'note', failed.length ? '' : panel.composeOnly ? 'No data: compose only (node-exporter, cAdvisor are not part of a local run).' : 'No data in this run.'));
    failed.forEach(function (f) { body.appendChild(el('div', 'note err', f)); });
    box.dataset.empty = panel.composeOnly && !failed.length ? 'compose-only' : 'empty';
  });
  document.body.dataset.rendered = 'true';
})();
`;
