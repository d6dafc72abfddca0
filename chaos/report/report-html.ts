// report.html: one self-contained page (Chart.js inlined, data embedded) that opens from
// disk or a CI artifact with no network: the verdict table, latency over time with the
// fault windows shaded, injected against observed, error share, request rate, saturation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../tools';
import { describeFault, minutesSeconds, ms, msWithInterval, pct, pctWithInterval, seconds } from './format';
import type { RunResult } from './result-schema';
import { slowestSampledHtml } from './slowest-sampled';
import { splitLoadHtml } from './split-load';

const CHART_JS = join(REPO_ROOT, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js');

/** Chart.js, safe to put inside a <script> element. */
export function inlineChartJs(): string {
  return readFileSync(CHART_JS, 'utf8').replace(/<\/script/gi, '<\\/script');
}

export function reportHtml(result: RunResult): string {
  const chartJs = inlineChartJs();
  const passed = result.checks.filter((c) => c.passed).length;
  const detected = result.detection.filter((d) => d.timeToDetectSeconds !== null);
  const fastest = detected.length ? Math.min(...detected.map((d) => d.timeToDetectSeconds!)) : null;
  const requests = result.phases.reduce((sum, p) => sum + p.client.requests, 0);
  const dropped = result.phases.reduce((sum, p) => sum + p.client.droppedIterations, 0);

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(result.experiment.name)} · ${result.status} · Roque</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top">
  <div>
    <div class="eyebrow">Roque chaos experiment</div>
    <h1>${esc(result.experiment.name)}</h1>
    ${result.experiment.description ? `<p class="lede">${esc(result.experiment.description)}</p>` : ''}
    <p class="meta">run <code>${esc(result.runId)}</code> · ${esc(new Date(result.startedAt).toUTCString())} · ${minutesSeconds(result.wallSeconds)}${result.quick ? ' · quick mode' : ''} · target <code>${esc(result.target.app)}</code>${result.target.startedLocally ? ' (started locally)' : ''}</p>
  </div>
  <div class="verdict ${result.status}" id="status">${result.status}</div>
</header>
${result.abortReason ? `<div class="banner">Aborted: ${esc(result.abortReason)}. Every fault was reverted; the data up to that point is below.</div>` : ''}
<section class="cards">
  <div class="card"><div class="label">checks held</div><div class="value ${passed === result.checks.length ? 'good' : 'bad'}">${passed}/${result.checks.length}</div></div>
  <div class="card"><div class="label">requests</div><div class="value">${requests.toLocaleString('en')}</div><div class="sub">${result.load.rate} req/s open model · ${dropped} dropped</div></div>
  <div class="card"><div class="label">fastest detection</div><div class="value">${seconds(fastest)}</div><div class="sub">${detected.length}/${result.detection.length} expected alerts fired</div></div>
  <div class="card"><div class="label">false alerts</div><div class="value">${falseAlerts(result)}</div><div class="sub">alerts firing in phases without faults</div></div>
</section>

<section>
  <h2>Verdict</h2>
  <table id="verdict" class="verdict-table">
    <thead><tr><th></th><th>check</th><th>expected</th><th>observed</th></tr></thead>
    <tbody>
${result.checks
  .map(
    (c) =>
      `      <tr class="${c.passed ? 'pass' : 'fail'}"><td><span class="pill ${c.passed ? 'pass' : 'fail'}">${c.passed ? 'held' : 'failed'}</span></td><td><strong>${esc(c.name)}</strong><div class="kind">${c.kind} · ${esc(c.phase)}</div></td><td>${esc(c.expected)}</td><td>${esc(c.observed)}</td></tr>`,
  )
  .join('\n')}
    </tbody>
  </table>
</section>

<section class="charts">
  <figure class="wide"><figcaption>Latency over time <span>client p50 / p95 per second, server p95 (20 s window), injected delay; shaded: fault windows</span></figcaption><div class="chart tall"><canvas id="chart-latency"></canvas></div></figure>
  <figure><figcaption>Injected vs observed: latency <span>delay asked, delay the app injected, client shift vs first phase (Hodges-Lehmann, 95% CI)</span></figcaption><div class="chart"><canvas id="chart-fidelity-latency"></canvas></div></figure>
  <figure><figcaption>Injected vs observed: errors <span>failure share asked vs measured by the client and by the server</span></figcaption><div class="chart"><canvas id="chart-fidelity-errors"></canvas></div></figure>
  <figure><figcaption>Error share <span>client per second, server 5xx (20 s window)</span></figcaption><div class="chart"><canvas id="chart-errors"></canvas></div></figure>
  <figure><figcaption>Request rate <span>client per second, server (20 s window)</span></figcaption><div class="chart"><canvas id="chart-rate"></canvas></div></figure>
  <figure class="wide"><figcaption>Saturation <span>app CPU (cores), event-loop lag p99, resident memory</span></figcaption><div class="chart"><canvas id="chart-saturation"></canvas></div></figure>
</section>

<section>
  <h2>Phases</h2>
  <div class="table-wrap">
  <table id="phases">
    <thead><tr><th>phase</th><th>faults</th><th class="num">requests</th><th class="num">dropped</th><th class="num">p50 [95% CI]</th><th class="num">p95 [95% CI]</th><th class="num">p99</th><th class="num">shift vs first</th><th class="num">errors [95% CI]</th><th class="num">server p95</th><th class="num">server 5xx</th><th class="num">injected delay</th><th>injections</th></tr></thead>
    <tbody>
${result.phases
  .map(
    (p) =>
      `      <tr><td><strong>${esc(p.name)}</strong><div class="kind">${(p.durationMs / 1000).toFixed(0)} s</div></td><td>${p.faults.map((f) => `<span class="tag">${esc(describeFault(f))}</span>`).join(' ') || '<span class="muted">none</span>'}</td><td class="num">${p.client.requests}</td><td class="num">${p.client.droppedIterations}</td><td class="num">${msWithInterval(p.client.latencyMs.p50)}</td><td class="num">${msWithInterval(p.client.latencyMs.p95)}</td><td class="num">${ms(p.client.latencyMs.p99.value)}</td><td class="num">${msWithInterval(p.client.latencyShiftMs)}</td><td class="num">${pctWithInterval(p.client.errorShare)}</td><td class="num">${ms(p.server?.p95Ms)}</td><td class="num">${pct(p.server?.errorShare)}</td><td class="num">${ms(p.server?.injectedDelayMs)}</td><td>${
        Object.entries(p.server?.injections ?? {})
          .filter(([, n]) => n > 0)
          .map(([type, n]) => `${esc(type)} ${n}`)
          .join(', ') || '<span class="muted">–</span>'
      }</td></tr>`,
  )
  .join('\n')}
    </tbody>
  </table>
  </div>
</section>

${splitLoadHtml(result, esc)}

${slowestSampledHtml(result, esc)}

${
  result.detection.length || result.alerts.length
    ? `<section>
  <h2>Detection</h2>
  <table id="detection">
    <thead><tr><th>alert</th><th>fault phase</th><th class="num">time to detect</th><th class="num">time to resolve</th><th>fired</th><th>resolved</th></tr></thead>
    <tbody>
${result.detection.map((d) => `      <tr><td><strong>${esc(d.alert)}</strong></td><td>${esc(d.phase)}</td><td class="num">${seconds(d.timeToDetectSeconds)}</td><td class="num">${seconds(d.timeToResolveSeconds)}</td><td>${d.firedAt ? esc(clock(d.firedAt)) : '<span class="muted">never</span>'}</td><td>${d.resolvedAt ? esc(clock(d.resolvedAt)) : '<span class="muted">–</span>'}</td></tr>`).join('\n')}
    </tbody>
  </table>
  <p class="muted">Every alert seen firing: ${result.alerts.map((a) => `${esc(a.alert)} ${esc(clock(a.firedAt))}–${a.resolvedAt ? esc(clock(a.resolvedAt)) : '…'}`).join(' · ') || 'none'}.</p>
</section>`
    : ''
}

<footer>
  <p><strong>How to read this.</strong> Client figures come from every request k6 made (raw output kept beside this page), split by the phase tag. Percentiles carry 95% bootstrap intervals (1000 resamples, seeded); latency shifts are Hodges-Lehmann estimates against the first phase with their distribution-free 95% interval and a Mann-Whitney U test; error shares carry Wilson 95% intervals and are compared by a two-proportion z-test. Server figures come from Prometheus histograms over each phase's window; "injected" figures from the fault engine's own chaos_* metrics, the ground truth. Detection times are measured by polling Prometheus' alerts every second.</p>
  <p>Files: ${[result.files.raw, result.files.k6Summary, result.files.journal, 'result.json', 'summary.md', 'junit.xml']
    .filter(Boolean)
    .map((f) => `<code>${esc(f!)}</code>`)
    .join(' · ')}</p>
  ${dashboardLinks(result)}
</footer>
<script id="run-data" type="application/json">${JSON.stringify(chartData(result)).replace(/</g, '\\u003c')}</script>
<script>${chartJs}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`;
}

/** What the charts need, with times in seconds from the start of the load. */
function chartData(result: RunResult) {
  const origin = result.phases.length ? Date.parse(result.phases[0].start) : 0;
  const rel = (points: { t: number; v: number | null }[], scale = 1) =>
    points.map((p) => ({ x: Math.round((p.t - origin) / 100) / 10, y: p.v === null ? null : p.v * scale }));
  const s = result.series;
  return {
    phases: result.phases.map((p) => ({
      name: p.name,
      from: (Date.parse(p.start) - origin) / 1000,
      to: (Date.parse(p.end) - origin) / 1000,
      faulted: p.faults.length > 0,
    })),
    latency: {
      p50: rel(s.clientP50Ms),
      p95: rel(s.clientP95Ms),
      server: rel(s.serverP95Ms),
      injected: rel(s.injectedDelayMs),
    },
    errors: { client: rel(s.clientErrorShare, 100), server: rel(s.serverErrorShare, 100) },
    rate: { client: rel(s.clientRps), server: rel(s.serverRps) },
    saturation: { cpu: rel(s.cpuCores), lag: rel(s.eventLoopLagMs), memory: rel(s.residentMemoryMb) },
    fidelity: result.phases
      .filter((p) => p.faults.length > 0)
      .map((p) => {
        const latency = p.faults.find((f) => f.type === 'latency');
        const failing = p.faults.filter((f) => f.type === 'error' || f.type === 'abort');
        return {
          name: p.name,
          askedDelay: latency?.type === 'latency' ? latency.delayMs : null,
          injectedDelay: p.server?.injectedDelayMs ?? null,
          observedShift: p.client.latencyShiftMs?.value ?? null,
          shiftLow: p.client.latencyShiftMs?.low ?? null,
          shiftHigh: p.client.latencyShiftMs?.high ?? null,
          askedErrors: failing.length ? 100 * (1 - failing.reduce((pass, f) => pass * (1 - f.probability), 1)) : null,
          clientErrors: p.client.errorShare.value === null ? null : 100 * p.client.errorShare.value,
          serverErrors: p.server?.errorShare == null ? null : 100 * p.server.errorShare,
        };
      }),
  };
}

/** The run's dashboard pages and k6's own report, beside each other. */
function dashboardLinks(result: RunResult): string {
  const pages = result.files.dashboards ?? [];
  const k6 = result.files.k6Dashboard;
  if (!pages.length && !k6) return '';
  const title = (page: string) =>
    page
      .replace(/^.*\//, '')
      .replace(/\.html$/, '')
      .replaceAll('-', ' ');
  const links = [
    ...pages.map((page) => `<a href="${esc(page)}">${esc(title(page))}</a>`),
    ...(k6 ? [`<a href="${esc(k6)}">k6 web dashboard</a>`] : []),
  ];
  return `<p id="dashboards">Dashboards: ${links.join(' · ')}</p>`;
}

function falseAlerts(result: RunResult): number {
  const quiet = result.phases.filter((p) => p.faults.length === 0).map((p) => [Date.parse(p.start), Date.parse(p.end)]);
  // An alert that began within 60 s after a faulted phase is its tail, not a false alert.
  const faultedEnds = result.phases.filter((p) => p.faults.length > 0).map((p) => Date.parse(p.end));
  return result.alerts.filter((a) => {
    const fired = Date.parse(a.firedAt);
    return (
      quiet.some(([from, to]) => fired >= from && fired < to) &&
      !faultedEnds.some((end) => fired >= end && fired - end < 60_000)
    );
  }).length;
}

function clock(iso: string): string {
  return iso.slice(11, 19);
}

export function esc(text: string): string {
  return text.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
:root { --ink:#0f172a; --muted:#64748b; --line:#e2e8f0; --bg:#f8fafc; --card:#fff; --pass:#15803d; --pass-bg:#dcfce7; --fail:#b91c1c; --fail-bg:#fee2e2; --abort:#b45309; --abort-bg:#fef3c7; --accent:#4f46e5; }
* { box-sizing: border-box; }
body { margin: 0; padding: 32px clamp(16px, 4vw, 48px) 48px; font: 14px/1.5 ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eef2ff; padding: 1px 5px; border-radius: 4px; }
h1 { font-size: 28px; margin: 2px 0 4px; letter-spacing: -0.02em; }
h2 { font-size: 17px; margin: 0 0 12px; }
section { margin-top: 28px; }
.top { display: flex; justify-content: space-between; align-items: flex-start; gap: 24px; }
.eyebrow { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: var(--accent); font-weight: 700; }
.lede { margin: 0 0 6px; font-size: 15px; color: #334155; }
.meta { margin: 0; color: var(--muted); }
.verdict { font-size: 18px; font-weight: 800; text-transform: uppercase; letter-spacing: .06em; padding: 12px 22px; border-radius: 12px; white-space: nowrap; }
.verdict.passed { color: var(--pass); background: var(--pass-bg); border: 1px solid #86efac; }
.verdict.failed { color: var(--fail); background: var(--fail-bg); border: 1px solid #fca5a5; }
.verdict.aborted { color: var(--abort); background: var(--abort-bg); border: 1px solid #fcd34d; }
.banner { margin-top: 16px; padding: 12px 16px; border-radius: 10px; background: var(--abort-bg); color: var(--abort); font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(180px, 1fr)); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .05em; }
.card .value { font-size: 26px; font-weight: 750; margin-top: 2px; font-variant-numeric: tabular-nums; }
.card .value.good { color: var(--pass); } .card .value.bad { color: var(--fail); }
.card .sub { color: var(--muted); font-size: 12px; }
table { width: 100%; border-collapse: separate; border-spacing: 0; background: var(--card); border: 1px solid var(--line); border-radius: 12px; overflow: hidden; }
th, td { text-align: left; padding: 9px 12px; border-bottom: 1px solid var(--line); vertical-align: top; }
tbody tr:last-child td { border-bottom: 0; }
th { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); background: #f1f5f9; font-weight: 650; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdict-table tr.fail td { background: #fff7f7; }
.verdict-table td:first-child { width: 72px; }
.pill { display: inline-block; font-size: 11px; font-weight: 700; text-transform: uppercase; letter-spacing: .05em; padding: 2px 9px; border-radius: 999px; }
.pill.pass { color: var(--pass); background: var(--pass-bg); } .pill.fail { color: var(--fail); background: var(--fail-bg); }
.kind { color: var(--muted); font-size: 12px; }
.table-wrap { overflow-x: auto; border-radius: 12px; }
#phases { font-size: 13px; } #phases th, #phases td { padding: 8px 9px; }
.tag { white-space: nowrap; display: inline-block; background: #eef2ff; color: #3730a3; border-radius: 6px; padding: 0 7px; font-size: 12px; margin: 1px 0; }
.muted { color: var(--muted); }
.charts { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 16px; }
figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 12px; padding: 14px 16px 10px; }
figure.wide { grid-column: 1 / -1; }
figcaption { font-weight: 650; margin-bottom: 6px; } figcaption span { display: block; font-weight: 400; color: var(--muted); font-size: 12px; }
.chart { position: relative; height: 240px; } .chart.tall { height: 320px; }
footer { margin-top: 32px; color: var(--muted); font-size: 12.5px; max-width: 1000px; }
@media (max-width: 900px) { .charts { grid-template-columns: 1fr; } .top { flex-direction: column; } }
`;

const CHART_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('run-data').textContent);
  var C = { p50: '#6366f1', p95: '#0ea5e9', server: '#f59e0b', injected: '#a855f7', client: '#0ea5e9', bad: '#ef4444', grey: '#94a3b8', green: '#16a34a' };
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.color = '#475569';
  Chart.defaults.animation = false;
  var phaseShading = {
    id: 'phaseShading',
    beforeDatasetsDraw: function (chart) {
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      if (!x || x.type !== 'linear') return;
      ctx.save();
      data.phases.forEach(function (p) {
        var left = Math.max(area.left, x.getPixelForValue(p.from)), right = Math.min(area.right, x.getPixelForValue(p.to));
        if (right <= left) return;
        if (p.faulted) { ctx.fillStyle = 'rgba(239, 68, 68, 0.08)'; ctx.fillRect(left, area.top, right - left, area.bottom - area.top); }
        ctx.strokeStyle = 'rgba(100, 116, 139, 0.35)'; ctx.setLineDash([4, 4]);
        ctx.beginPath(); ctx.moveTo(left, area.top); ctx.lineTo(left, area.bottom); ctx.stroke();
        ctx.setLineDash([]); ctx.fillStyle = p.faulted ? '#b91c1c' : '#64748b'; ctx.font = '600 11px ' + Chart.defaults.font.family;
        ctx.fillText(p.name, left + 6, area.top + 13);
      });
      ctx.restore();
    }
  };
  var end = data.phases.length ? data.phases[data.phases.length - 1].to : undefined;
  function line(label, points, color, extra) {
    return Object.assign({ label: label, data: points, borderColor: color, backgroundColor: color, borderWidth: 1.6, pointRadius: 0, tension: 0.2, spanGaps: true }, extra || {});
  }
  function timeChart(id, datasets, yTitle, extraScales) {
    var scales = Object.assign({
      x: { type: 'linear', min: 0, max: end, title: { display: true, text: 'seconds since the load started' }, grid: { color: '#f1f5f9' } },
      y: { beginAtZero: true, title: { display: true, text: yTitle }, grid: { color: '#f1f5f9' } }
    }, extraScales || {});
    return new Chart(document.getElementById(id), {
      type: 'line', data: { datasets: datasets },
      options: { maintainAspectRatio: false, parsing: true, interaction: { mode: 'nearest', intersect: false }, plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } }, scales: scales },
      plugins: [phaseShading]
    });
  }
  timeChart('chart-latency', [
    line('client p95', data.latency.p95, C.p95),
    line('client p50', data.latency.p50, C.p50),
    line('server p95', data.latency.server, C.server, { borderDash: [6, 3] }),
    line('injected delay (mean)', data.latency.injected, C.injected, { borderDash: [2, 3] })
  ], 'ms');
  timeChart('chart-errors', [line('client failed %', data.errors.client, C.bad), line('server 5xx %', data.errors.server, C.server, { borderDash: [6, 3] })], '% of requests');
  timeChart('chart-rate', [line('client req/s', data.rate.client, C.client), line('server req/s', data.rate.server, C.server, { borderDash: [6, 3] })], 'requests per second');
  timeChart('chart-saturation', [
    line('CPU (cores)', data.saturation.cpu, C.green, { yAxisID: 'y' }),
    line('event-loop lag p99 (ms)', data.saturation.lag, C.p50, { yAxisID: 'y1' }),
    line('resident memory (MB)', data.saturation.memory, C.grey, { yAxisID: 'y2', borderDash: [4, 3] })
  ], 'CPU cores', {
    y1: { position: 'right', beginAtZero: true, title: { display: true, text: 'lag ms' }, grid: { drawOnChartArea: false } },
    y2: { position: 'right', beginAtZero: true, title: { display: true, text: 'MB' }, grid: { drawOnChartArea: false } }
  });
  function bars(id, labels, datasets, yTitle, plugins) {
    return new Chart(document.getElementById(id), {
      type: 'bar', data: { labels: labels, datasets: datasets }, plugins: plugins || [],
      options: { maintainAspectRatio: false, plugins: { legend: { position: 'bottom', labels: { boxWidth: 12 } } }, scales: { y: { beginAtZero: true, title: { display: true, text: yTitle } }, x: { grid: { display: false } } } }
    });
  }
  var names = data.fidelity.map(function (f) { return f.name; });
  var pick = function (key) { return data.fidelity.map(function (f) { return f[key]; }); };
  var errorBars = {
    id: 'errorBars',
    afterDatasetsDraw: function (chart) {
      var meta = chart.getDatasetMeta(2), y = chart.scales.y, ctx = chart.ctx;
      ctx.save(); ctx.strokeStyle = '#0f172a'; ctx.lineWidth = 1.4;
      data.fidelity.forEach(function (f, i) {
        if (f.shiftLow === null || !meta.data[i]) return;
        var x = meta.data[i].x, lo = y.getPixelForValue(f.shiftLow), hi = y.getPixelForValue(f.shiftHigh);
        ctx.beginPath(); ctx.moveTo(x, lo); ctx.lineTo(x, hi); ctx.moveTo(x - 5, lo); ctx.lineTo(x + 5, lo); ctx.moveTo(x - 5, hi); ctx.lineTo(x + 5, hi); ctx.stroke();
      });
      ctx.restore();
    }
  };
  bars('chart-fidelity-latency', names, [
    { label: 'asked delay', data: pick('askedDelay'), backgroundColor: '#c7d2fe' },
    { label: 'injected (app ground truth)', data: pick('injectedDelay'), backgroundColor: C.injected },
    { label: 'observed shift (client)', data: pick('observedShift'), backgroundColor: C.p95 }
  ], 'ms', [errorBars]);
  bars('chart-fidelity-errors', names, [
    { label: 'asked failure share', data: pick('askedErrors'), backgroundColor: '#fecaca' },
    { label: 'client failed', data: pick('clientErrors'), backgroundColor: C.bad },
    { label: 'server 5xx', data: pick('serverErrors'), backgroundColor: C.server }
  ], '% of requests');
})();
`;
