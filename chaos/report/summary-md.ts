// summary.md: the verdict as Markdown, for CI step summaries ($GITHUB_STEP_SUMMARY).
import { describeFault, minutesSeconds, ms, msWithInterval, pct, seconds } from './format';
import type { RunResult } from './result-schema';
import { slowestSampledMarkdown } from './slowest-sampled';
import { splitLoadMarkdown } from './split-load';

const ICON = { passed: '✅', failed: '❌', aborted: '⚠️' } as const;

export function summaryMarkdown(result: RunResult): string {
  const passed = result.checks.filter((c) => c.passed).length;
  const lines = [
    `## ${ICON[result.status]} ${result.experiment.name}: ${result.status}`,
    '',
    `${passed}/${result.checks.length} checks held · run \`${result.runId}\`${result.quick ? ' · quick mode' : ''} · ${minutesSeconds(result.wallSeconds)} · ${result.load.rate} req/s`,
  ];
  if (result.abortReason) lines.push('', `**Aborted:** ${cell(result.abortReason)}`);
  lines.push('', '| | check | expected | observed |', '|---|---|---|---|');
  for (const c of result.checks)
    lines.push(`| ${c.passed ? '✅' : '❌'} | ${cell(c.name)} | ${cell(c.expected)} | ${cell(c.observed)} |`);
  lines.push(
    '',
    '### Phases',
    '',
    '| phase | faults | requests | dropped | p50 | p95 [95% CI] | shift vs first | errors | server p95 | server errors | injected delay |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const p of result.phases) {
    lines.push(
      `| ${cell(p.name)} | ${p.faults.map(describeFault).join(', ') || '–'} | ${p.client.requests} | ${p.client.droppedIterations} | ${ms(p.client.latencyMs.p50.value)} | ${msWithInterval(p.client.latencyMs.p95)} | ${msWithInterval(p.client.latencyShiftMs)} | ${pct(p.client.errorShare.value)} | ${ms(p.server?.p95Ms)} | ${pct(p.server?.errorShare)} | ${ms(p.server?.injectedDelayMs)} |`,
    );
  }
  lines.push(...splitLoadMarkdown(result));
  lines.push(...slowestSampledMarkdown(result));
  if (result.detection.length) {
    lines.push('', '### Detection', '', '| alert | phase | time to detect | time to resolve |', '|---|---|---:|---:|');
    for (const d of result.detection)
      lines.push(
        `| ${d.alert} | ${d.phase} | ${seconds(d.timeToDetectSeconds)} | ${seconds(d.timeToResolveSeconds)} |`,
      );
  }
  return `${lines.join('\n')}\n`;
}

/** Table cells: no pipes or line breaks. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}
