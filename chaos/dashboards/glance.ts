// Baseline vs degraded at a glance: each golden signal per phase from result.json, with its
// difference to the baseline (the first phase) and the interval the verdict uses for it.
import { esc } from '../report/report-html';
import { ms, msWithInterval, pct, pctWithInterval } from '../report/format';
import type { PhaseResult, RunResult } from '../report/result-schema';

interface Signal {
  name: string;
  source: string;
  /** The phase's figure, with its interval where the verdict has one. */
  value(p: PhaseResult): string;
  /** The figure the difference is taken on. */
  raw(p: PhaseResult): number | null | undefined;
  delta(d: number): string;
  /** The interval of the difference itself, where the verdict computes one. */
  deltaInterval?(p: PhaseResult): string | null;
}

const signed = (text: string, d: number) => (d > 0 ? `+${text}` : text);
const points = (d: number) => signed(`${(d * 100).toFixed(2)} pp`, d);

const SIGNALS: Signal[] = [
  {
    name: 'Latency p95',
    source: 'client, every request (bootstrap 95% CI)',
    value: (p) => msWithInterval(p.client.latencyMs.p95),
    raw: (p) => p.client.latencyMs.p95.value,
    delta: (d) => signed(ms(d), d),
    deltaInterval: (p) =>
      p.client.latencyShiftMs ? `shift ${msWithInterval(p.client.latencyShiftMs)} (Hodges-Lehmann)` : null,
  },
  {
    name: 'Latency p50',
    source: 'client (bootstrap 95% CI)',
    value: (p) => msWithInterval(p.client.latencyMs.p50),
    raw: (p) => p.client.latencyMs.p50.value,
    delta: (d) => signed(ms(d), d),
  },
  {
    name: 'Errors',
    source: 'client failed share (Wilson 95% CI)',
    value: (p) => pctWithInterval(p.client.errorShare),
    raw: (p) => p.client.errorShare.value,
    delta: points,
  },
  {
    name: 'Traffic',
    source: 'client achieved req/s · dropped iterations',
    value: (p) => `${p.client.achievedRps.toFixed(1)} req/s · ${p.client.droppedIterations} dropped`,
    raw: (p) => p.client.achievedRps,
    delta: (d) => signed(`${d.toFixed(1)} req/s`, d),
  },
  {
    name: 'Server p95',
    source: 'Prometheus histogram over the phase',
    value: (p) => ms(p.server?.p95Ms),
    raw: (p) => p.server?.p95Ms,
    delta: (d) => signed(ms(d), d),
  },
  {
    name: 'Server 5xx',
    source: 'Prometheus, share of requests',
    value: (p) => pct(p.server?.errorShare),
    raw: (p) => p.server?.errorShare,
    delta: points,
  },
  {
    name: 'Injected delay',
    source: 'fault engine ground truth (chaos_injected_delay_seconds), mean',
    value: (p) => ms(p.server?.injectedDelayMs),
    raw: (p) => p.server?.injectedDelayMs,
    delta: (d) => signed(ms(d), d),
  },
];

/** The glance table's HTML (empty when the run has no phase). */
export function glanceHtml(result: Pick<RunResult, 'phases' | 'checks'>): string {
  const [baseline] = result.phases;
  if (!baseline) return '';
  const cell = (signal: Signal, phase: PhaseResult) => {
    const value = `<div class="v">${esc(signal.value(phase))}</div>`;
    if (phase === baseline) return `<td class="num">${value}<div class="d muted">baseline</div></td>`;
    const base = signal.raw(baseline);
    const own = signal.raw(phase);
    const delta = base == null || own == null ? '–' : signal.delta(own - base);
    const interval = signal.deltaInterval?.(phase);
    return `<td class="num">${value}<div class="d">Δ ${esc(delta)}</div>${interval ? `<div class="d muted">${esc(interval)}</div>` : ''}</td>`;
  };
  const checksOf = (phase: PhaseResult) =>
    result.checks
      .filter((c) => c.phase === phase.name)
      .map(
        (c) =>
          `<div class="check ${c.passed ? 'pass' : 'fail'}" title="${esc(c.observed)}"><span class="pill ${c.passed ? 'pass' : 'fail'}">${c.passed ? 'held' : 'failed'}</span> ${esc(c.name)}<div class="muted">${esc(c.observed)}</div></div>`,
      )
      .join('') || '<span class="muted">no check</span>';
  return `<section class="glance" id="glance">
  <h2>Baseline vs degraded at a glance <span class="muted">from result.json: each golden signal per phase, Δ to the baseline (${esc(baseline.name)}), and the verdict's intervals</span></h2>
  <div class="table-wrap"><table>
    <thead><tr><th>signal</th>${result.phases.map((p) => `<th class="num">${esc(p.name)}${p.faults.length ? ' <span class="tag">faulted</span>' : ''}</th>`).join('')}</tr></thead>
    <tbody>
${SIGNALS.map((s) => `      <tr><td><strong>${esc(s.name)}</strong><div class="muted">${esc(s.source)}</div></td>${result.phases.map((p) => cell(s, p)).join('')}</tr>`).join('\n')}
      <tr><td><strong>Verdict</strong><div class="muted">the experiment's checks for the phase</div></td>${result.phases.map((p) => `<td>${checksOf(p)}</td>`).join('')}</tr>
    </tbody>
  </table></div>
</section>`;
}
