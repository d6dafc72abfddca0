// The slowest traced requests of each phase (the request histogram's exemplars), with their
// trace ids: a slow request in the report leads to its server span in the trace backend and
// to its line in k6's raw output (the `trace_id` metadata).
import { ms } from './format';
import type { RunResult } from './result-schema';

interface SlowRequest {
  phase: string;
  traceId: string;
  durationMs: number;
  at: string;
}

function slowestSampled(result: RunResult): SlowRequest[] {
  return result.phases.flatMap((p) => (p.server?.slowestSampled ?? []).map((r) => ({ phase: p.name, ...r })));
}

const NONE =
  'No traced request was recorded: k6 marks one request in ten sampled, and the app keeps their trace ids as exemplars (Prometheus with exemplar storage).';

export function slowestSampledMarkdown(result: RunResult): string[] {
  const rows = slowestSampled(result);
  const lines = ['', '### Slowest sampled requests', ''];
  if (!rows.length) return [...lines, NONE];
  lines.push('| phase | duration (server) | trace id | at |', '|---|---:|---|---|');
  for (const r of rows) lines.push(`| ${r.phase} | ${ms(r.durationMs)} | \`${r.traceId}\` | ${r.at} |`);
  return lines;
}

export function slowestSampledHtml(result: RunResult, esc: (text: string) => string): string {
  const rows = slowestSampled(result);
  const body = rows.length
    ? `<table id="slowest-sampled">
    <thead><tr><th>phase</th><th class="num">duration (server)</th><th>trace id</th><th>at</th></tr></thead>
    <tbody>
${rows.map((r) => `      <tr><td>${esc(r.phase)}</td><td class="num">${ms(r.durationMs)}</td><td><code>${esc(r.traceId)}</code></td><td>${esc(r.at)}</td></tr>`).join('\n')}
    </tbody>
  </table>`
    : `<p class="muted">${esc(NONE)}</p>`;
  return `<section>
  <h2>Slowest sampled requests</h2>
  ${body}
</section>`;
}
