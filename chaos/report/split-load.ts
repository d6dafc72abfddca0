// A split load's figures: each k6 runner's share of the requests (`--runners N`) and what each
// app replica served and had injected per phase (`--replicas M`, from the ground-truth metrics).
import type { RunResult } from './result-schema';

const injectionsText = (injections: Record<string, number>) =>
  Object.entries(injections)
    .filter(([, n]) => n > 0)
    .map(([type, n]) => `${type} ${n}`)
    .join(', ') || '–';

function runnerRows(result: RunResult): string[][] {
  return (result.load.runners ?? []).map((r) => [
    r.instanceId,
    r.segment,
    `${Number(r.rate.toFixed(2))} req/s`,
    r.switchesFaults ? 'yes' : 'no',
    String(r.requests),
    String(r.failedRequests),
    String(r.droppedIterations),
    r.k6ExitCode === null ? 'not run' : `${r.k6ExitCode} (${r.k6Meaning})`,
  ]);
}
const RUNNER_HEAD = ['runner', 'segment', 'rate', 'switches faults', 'requests', 'failed', 'dropped', 'k6 exit'];

function replicaRows(result: RunResult): string[][] {
  return result.phases.flatMap((p) =>
    (p.server?.replicas ?? []).map((r) => {
      const chosen = (p.placements ?? [])
        .filter((placed) => placed.instances.includes(r.instance))
        .map((placed) => placed.type);
      return [p.name, r.instance, String(r.requests), chosen.join(', ') || '–', injectionsText(r.injections)];
    }),
  );
}
const REPLICA_HEAD = ['phase', 'replica', 'requests (server)', 'chosen for', 'injections'];

export function splitLoadMarkdown(result: RunResult): string[] {
  const lines: string[] = [];
  const table = (title: string, head: string[], rows: string[][]) => {
    if (!rows.length) return;
    lines.push(
      '',
      `### ${title}`,
      '',
      `| ${head.join(' | ')} |`,
      `|${head.map(() => '---').join('|')}|`,
      ...rows.map((row) => `| ${row.join(' | ')} |`),
    );
  };
  table('k6 runners', RUNNER_HEAD, runnerRows(result));
  table('Replicas', REPLICA_HEAD, replicaRows(result));
  return lines;
}

export function splitLoadHtml(result: RunResult, esc: (text: string) => string): string {
  const table = (id: string, title: string, note: string, head: string[], rows: string[][]) =>
    rows.length
      ? `<section>
  <h2>${title}</h2>
  <p class="muted">${esc(note)}</p>
  <table id="${id}">
    <thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>
    <tbody>
${rows.map((row) => `      <tr>${row.map((cell) => `<td>${esc(cell)}</td>`).join('')}</tr>`).join('\n')}
    </tbody>
  </table>
</section>`
      : '';
  return [
    table(
      'runners',
      'k6 runners',
      'Each k6 process ran its execution segment of the load; the verdict above is over all of their requests.',
      RUNNER_HEAD,
      runnerRows(result),
    ),
    table(
      'replicas',
      'Replicas',
      'What each app replica served and had injected per phase (its own chaos_injections_total, scraped as its own instance); "chosen for": the faults with a blast radius placed on it.',
      REPLICA_HEAD,
      replicaRows(result),
    ),
  ].join('\n');
}
