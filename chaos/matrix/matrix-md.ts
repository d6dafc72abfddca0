// matrix.md: the coverage matrix as a Markdown table, for CI job summaries.
import type { MatrixCell, MatrixResult, Spread } from './matrix';

export function detectSeconds(value: number | null): string {
  return value === null ? 'miss' : `${value.toFixed(1)} s`;
}

/** `17.9 / 19.0 / 21.4 s`, a miss shown as such. */
export function spreadText(s: Spread): string {
  if (s.min === null && s.misses === 0) return '–';
  return `${detectSeconds(s.min)} / ${detectSeconds(s.median)} / ${detectSeconds(s.max)}`.replace(/ s \//g, ' /');
}

/** Time to resolve: only where some repeat saw the alert resolve (checks need not watch for it). */
export function resolveText(s: Spread): string {
  return s.min === null ? '–' : spreadText(s).replace(/miss/g, 'not seen');
}

/** `10.0 / 17.5 s`: the floor for any fault, and for one at twice the threshold. */
export function floorText(c: Pick<MatrixCell, 'floorSeconds' | 'floorAtTwiceThresholdSeconds'>): string {
  return c.floorSeconds === null || c.floorAtTwiceThresholdSeconds === null
    ? '–'
    : `${c.floorSeconds.toFixed(1)} / ${c.floorAtTwiceThresholdSeconds.toFixed(1)} s`;
}

export function cellMark(cell: Pick<MatrixCell, 'held' | 'expected'>): string {
  return cell.held === cell.expected ? '✅' : cell.held === 0 ? '❌' : '⚠️';
}

/** Which rule files the matrix ran with, in words. */
export function rulesText(m: MatrixResult): string {
  return [
    m.rules.roque ? `Roque's${m.rules.skipped.length ? ` but ${m.rules.skipped.join(', ')}` : ''}` : null,
    ...m.rules.user,
  ]
    .filter(Boolean)
    .join(', ');
}

/** Why a run on a stack of its own may beat the floor at twice the threshold ('' when none ran there). */
export function emptyWindowsNote(m: MatrixResult): string {
  return m.runs.some((r) => r.ownStack)
    ? " A stack of its own starts with empty windows, so its runs can beat the second floor: there the window's span is only the run's."
    : '';
}

/** Which experiments ran on a stack of their own, and which were left out for want of one, in words. */
export function stacksText(m: MatrixResult): string | null {
  const own = [...new Map(m.runs.filter((r) => r.ownStack).map((r) => [r.experiment, r.ownStack])).entries()];
  const parts = [
    own.length ? `On a stack of their own: ${own.map(([name, why]) => `${name} (${why})`).join(', ')}.` : null,
    m.leftOut.length
      ? `Left out, needing a stack of their own where --target gave one: ${m.leftOut.map((l) => `${l.experiment} (${l.reason})`).join(', ')}.`
      : null,
  ].filter(Boolean);
  return parts.length ? parts.join(' ') : null;
}

export function matrixMarkdown(m: MatrixResult): string {
  const stacks = stacksText(m);
  const lines = [
    `## ${m.passed ? '✅' : '❌'} coverage matrix: ${m.passed ? 'every expected detection held' : `${m.failures.length} cell(s) did not hold`}`,
    '',
    `${m.runs.length} run(s) · ${m.repeat} repeat(s) each · ${m.quick ? 'quick mode · ' : ''}${Math.round(m.wallSeconds)} s · rules: ${rulesText(m)}`,
    '',
    ...(stacks ? [stacks, ''] : []),
    '| | fault | alert | signal | held | time to detect (min / median / max) | floor (any fault / at 2× threshold) | time to resolve (min / median / max) | runs |',
    '|---|---|---|---|---|---|---|---|---|',
    ...m.cells.map(
      (c) =>
        `| ${cellMark(c)} | ${c.disturbance} | ${c.alert} | ${c.signal ?? '–'} | ${c.held}/${c.expected} | ${spreadText(c.timeToDetect)} | ${floorText(c)} | ${resolveText(c.timeToResolve)} | ${c.observations.map((o, i) => (o.link ? `[${i + 1}](${o.link}/report.html)` : `${i + 1}`)).join(' ')} |`,
    ),
    '',
  ];
  const unexpected = m.alerts.filter((a) => !m.cells.some((c) => c.alert === a.alert));
  if (unexpected.length)
    lines.push(`Alerts no experiment here expects to fire: ${unexpected.map((a) => a.alert).join(', ')}.`, '');
  if (m.failures.length) lines.push('**Did not hold:**', '', ...m.failures.map((f) => `- ${f}`), '');
  lines.push(
    m.falseAlerts.length
      ? `**False alerts** (began while nothing they read was disturbed): ${m.falseAlerts.map((f) => `${f.alert} in ${f.experiment}/${f.phase} (repeat ${f.repeat})`).join('; ')}.`
      : 'No false alerts: no alert began while nothing it reads was disturbed.',
    '',
    `Floor: the least time to detect that the rule allows: its \`for\` for a fault far past the threshold; for one at twice the threshold, half the window's span under the fault first (5 s scrape and rule interval; chaos/matrix/detection-floor.ts).${emptyWindowsNote(m)} A miss counts as slower than any detection.`,
    '',
  );
  return `${lines.join('\n')}`;
}
