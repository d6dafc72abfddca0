// Every run draws the dashboards: reports/<run-id>/dashboards/<name>.html, one per dashboard
// of definitions.ts, with the answers beside them in dashboards/data/<name>.json (and
// inlined, so a page opens offline). Called while the run's Prometheus is still up.
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../report/result-schema';
import type { Journal } from '../runner/journal';
import type { PrometheusClient } from '../runner/prometheus';
import { COMPOSE_ONLY, DASHBOARDS, type DashboardName } from './definitions';
import { glanceHtml } from './glance';
import { dashboardPageHtml } from './page-html';
import { gatherDashboardData, type RunWindow } from './run-data';

export const DASHBOARDS_FOLDER = 'dashboards';
/** k6's own web dashboard export, in the run's k6/ folder. */
export const K6_DASHBOARD_FILE = 'k6-dashboard.html';
/** The pages show this much before the load, so the baseline starts on a quiet axis. */
const LEAD_MS = 15_000;

export interface RunDashboards {
  /** The pages, relative to the run's folder. */
  pages: string[];
  /** Panels with no data and not compose-only, `<dashboard> / <panel>`: what a reader would find blank. */
  emptyPanels: string[];
  bytes: number;
  ms: number;
}

export async function writeRunDashboards(options: {
  runDir: string;
  prometheus: PrometheusClient;
  run: RunWindow;
  /** For the baseline-vs-degraded glance: the phases' figures and the verdict. */
  result: Pick<RunResult, 'phases' | 'checks'>;
  /** k6's own web dashboard export, relative to the run's folder, for the pages' links. */
  k6Dashboard: string | null;
}): Promise<RunDashboards> {
  const started = performance.now();
  const dir = join(options.runDir, DASHBOARDS_FOLDER);
  mkdirSync(join(dir, 'data'), { recursive: true });
  const names = Object.keys(DASHBOARDS) as DashboardName[];
  const pages: string[] = [];
  const emptyPanels: string[] = [];
  let bytes = 0;
  for (const name of names) {
    const dashboard = DASHBOARDS[name];
    const data = await gatherDashboardData(name, dashboard, options.prometheus, options.run);
    const dataFile = join(dir, 'data', `${name}.json`);
    writeFileSync(dataFile, `${JSON.stringify(data, null, 1)}\n`);
    const links = {
      dashboards: names.map((other) => ({
        title: DASHBOARDS[other].title ?? other,
        href: `${other}.html`,
        current: other === name,
      })),
      report: '../report.html',
      k6Dashboard: options.k6Dashboard ? `../${options.k6Dashboard}` : null,
    };
    const glance = name === 'baseline-vs-degraded' ? glanceHtml(options.result) : '';
    const page = join(dir, `${name}.html`);
    writeFileSync(page, dashboardPageHtml(dashboard, data, links, glance));
    bytes += statSync(page).size + statSync(dataFile).size;
    pages.push(`${DASHBOARDS_FOLDER}/${name}.html`);
    for (const panel of dashboard.panels ?? []) {
      if (panel.type === 'row' || ('description' in panel && panel.description?.startsWith(COMPOSE_ONLY))) continue;
      const answered = data.panels[panel.id!] ?? [];
      if (!answered.some((q) => q.series.some((s) => s.points.some(([, v]) => v !== null))))
        emptyPanels.push(`${name} / ${panel.title}`);
    }
  }
  return { pages, emptyPanels, bytes, ms: Math.round(performance.now() - started) };
}

/**
 * The runner's one call, after the result is assembled and before Prometheus stops: draws the
 * pages for `result`'s run and lists them (and k6's own report) in `result.files`. A page
 * that cannot be drawn is journalled, never a reason to lose the run.
 */
export async function drawRunDashboards(
  runDir: string,
  prometheus: PrometheusClient,
  result: RunResult,
  journal: Journal,
): Promise<void> {
  const k6Dashboard = `k6/${K6_DASHBOARD_FILE}`;
  result.files.k6Dashboard = existsSync(join(runDir, k6Dashboard)) ? k6Dashboard : null;
  const phases = result.phases.map((p) => ({ name: p.name, startMs: Date.parse(p.start), endMs: Date.parse(p.end) }));
  if (!phases.length) return;
  try {
    const drawn = await writeRunDashboards({
      runDir,
      prometheus,
      run: { testid: result.runId, phases, fromMs: phases[0].startMs - LEAD_MS, toMs: Date.now() },
      result,
      k6Dashboard: result.files.k6Dashboard,
    });
    result.files.dashboards = drawn.pages;
    journal.write('dashboards.written', { ...drawn });
  } catch (error) {
    journal.write('dashboards.failed', { error: (error as Error).message });
  }
}
