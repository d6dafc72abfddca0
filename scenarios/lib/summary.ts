// handleSummary's outputs: the text summary on stdout (per phase, next to dropped
// iterations), and in SUMMARY_DIR: summary.json (k6's data plus the run's plan under
// `roque`), junit.xml (one test case per threshold) and summary.txt.
import { junitDocument } from '../../chaos/contract/junit';
import type { Phase } from './phase';
import { isReportOnly } from './thresholds';

/** The parts of k6's handleSummary data used here. */
export interface SummaryData {
  metrics: Record<
    string,
    { type: string; values: Record<string, number>; thresholds?: Record<string, { ok: boolean }> }
  >;
  state: { testRunDurationMs: number };
}

export interface RunInfo {
  scenario: string;
  testid?: string;
  baseUrl: string;
  phases: Phase[];
}

export function summaryOutputs(data: SummaryData, run: RunInfo, summaryDir?: string): Record<string, string> {
  const text = textSummary(data, run);
  const outputs: Record<string, string> = { stdout: `\n${text}\n` };
  if (summaryDir) {
    outputs[`${summaryDir}/summary.json`] = JSON.stringify({ ...data, roque: run }, null, 2);
    outputs[`${summaryDir}/junit.xml`] = junitXml(data, run);
    outputs[`${summaryDir}/summary.txt`] = text;
  }
  return outputs;
}

interface ThresholdResult {
  metric: string;
  expression: string;
  ok: boolean;
  observed: string;
}

/** Every threshold that expresses an expectation (not the report-only ones), with what was seen. */
export function thresholdResults(data: SummaryData): ThresholdResult[] {
  const results: ThresholdResult[] = [];
  for (const [metric, { values, thresholds = {} }] of Object.entries(data.metrics)) {
    for (const [expression, { ok }] of Object.entries(thresholds)) {
      if (!isReportOnly(expression))
        results.push({ metric, expression, ok, observed: observedFor(expression, values) });
    }
  }
  return results.sort((a, b) => a.metric.localeCompare(b.metric) || a.expression.localeCompare(b.expression));
}

/** The value a threshold expression looked at, e.g. "p(50)=201.3" for "p(50)>=190". */
function observedFor(expression: string, values: Record<string, number>): string {
  const stat = expression.match(/^\s*([a-z]+(?:\([\d.]+\))?)/)?.[1] ?? '';
  const key = stat === 'p(50)' && values[stat] === undefined ? 'med' : stat;
  const value = values[key];
  return value === undefined ? `${stat}=?` : `${stat}=${round(value)}`;
}

export function textSummary(data: SummaryData, run: RunInfo): string {
  const m = data.metrics;
  const lines = [
    `roque k6 ${run.scenario}${run.testid ? ` · testid ${run.testid}` : ''} · ${run.baseUrl} · ${(data.state.testRunDurationMs / 1000).toFixed(1)} s`,
    `iterations ${m.iterations?.values.count ?? 0} · dropped ${m.dropped_iterations?.values.count ?? 0} · requests ${m.http_reqs?.values.count ?? 0}`,
    '',
    row(['phase', 'requests', 'failed', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms']),
  ];
  for (const phase of run.phases) {
    const tag = `{phase:${phase.name}}`;
    const duration = m[`http_req_duration${tag}`]?.values ?? {};
    const failed = m[`http_req_failed${tag}`]?.values.rate;
    lines.push(
      row([
        phase.name,
        String(m[`http_reqs${tag}`]?.values.count ?? 0),
        failed === undefined ? '-' : `${(100 * failed).toFixed(2)}%`,
        ...['med', 'p(95)', 'p(99)', 'max'].map((stat) => (duration[stat] === undefined ? '-' : round(duration[stat]))),
      ]),
    );
  }
  if (run.phases.every((phase) => !m[`http_reqs{phase:${phase.name}}`]?.values.count)) {
    lines.push("no load was sent: see k6's error above (setup() stops the run when the target is down)");
  }
  const results = thresholdResults(data);
  lines.push('', `thresholds: ${results.filter((r) => r.ok).length}/${results.length} passed`);
  for (const r of results) lines.push(`  ${r.ok ? '✓' : '✗'} ${r.metric} ${r.expression} (${r.observed})`);
  return lines.join('\n');
}

export function junitXml(data: SummaryData, run: RunInfo): string {
  const suite = `k6 ${run.scenario}`;
  return junitDocument({
    tool: 'k6',
    suite,
    seconds: data.state.testRunDurationMs / 1000,
    cases: thresholdResults(data).map((r) => ({
      classname: `${suite}.${r.metric}`,
      name: r.expression,
      failure: r.ok ? undefined : { message: `${r.metric} ${r.expression} failed: ${r.observed}` },
    })),
  });
}

function row(cells: string[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(12) : cell.padStart(9))).join(' ');
}

function round(value: number): string {
  return Number.isInteger(value) || value >= 100 ? value.toFixed(0) : value.toFixed(2);
}
