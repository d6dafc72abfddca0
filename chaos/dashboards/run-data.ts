// The answers a run's dashboard pages draw: every panel target and annotation of a dashboard
// with Grafana's variables bound to the run (testid, its phases, its time range), asked of
// the run's Prometheus while it is up. Saved as reports/<run>/dashboards/data/<name>.json.
import type { PrometheusClient } from '../runner/prometheus';
import type { Dashboard } from './definitions';
import { annotationExpr, panelsOf, substitute, targetsOf } from './queries';

export interface RunWindow {
  testid: string;
  /** The run's phases in order; the first is the baseline the differences are taken to. */
  phases: { name: string; startMs: number; endMs: number }[];
  /** The dashboards' time range (ms since the epoch). */
  fromMs: number;
  toMs: number;
}

export interface SeriesData {
  /** legendFormat with the series' labels filled in. */
  name: string;
  labels: Record<string, string>;
  /** [ms since the epoch, value]; NaN and missing samples are null. */
  points: [number, number | null][];
}

export interface QueryData {
  refId: string;
  /** The PromQL sent, variables bound. */
  expr: string;
  kind: 'range' | 'instant';
  series: SeriesData[];
  /** Prometheus' refusal or a timeout; the panel shows it. */
  error: string | null;
}

export interface AnnotationData {
  name: string;
  color: string;
  expr: string;
  windows: { fromMs: number; toMs: number; title: string }[];
  error: string | null;
}

export interface DashboardData {
  dashboard: string;
  title: string;
  testid: string;
  /** Grafana's variables as bound for this run. */
  vars: Record<string, string>;
  fromMs: number;
  toMs: number;
  stepSeconds: number;
  phases: RunWindow['phases'];
  panels: Record<number, QueryData[]>;
  annotations: AnnotationData[];
}

/** A label value as a regex matching only itself (Grafana's `=~"$var"`). */
const exactly = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Grafana's `{{label}}` legend; an empty result falls back to the labels, as Grafana does. */
export function legendName(format: string | undefined, labels: Record<string, string>): string {
  const named = (format ?? '').replace(/\{\{\s*(\w+)\s*\}\}/g, (_, label: string) => labels[label] ?? '').trim();
  if (named) return named;
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return pairs.length ? `{${pairs.join(', ')}}` : 'value';
}

/** About 400 points across the range, never finer than a second. */
export const stepFor = (fromMs: number, toMs: number) => Math.max(1, Math.ceil((toMs - fromMs) / 1000 / 400));

export async function gatherDashboardData(
  name: string,
  dashboard: Dashboard,
  prometheus: PrometheusClient,
  run: RunWindow,
): Promise<DashboardData> {
  const vars = { testid: exactly(run.testid), phase: run.phases.map((p) => exactly(p.name)).join('|') };
  const rangeSeconds = Math.ceil((run.toMs - run.fromMs) / 1000);
  const bind = (expr: string) => substitute(expr, vars, `${rangeSeconds}s`);
  const stepSeconds = stepFor(run.fromMs, run.toMs);
  const errorOf = (error: unknown) => (error as Error).message;

  const panels: DashboardData['panels'] = {};
  for (const panel of panelsOf(dashboard)) {
    panels[panel.id!] = await Promise.all(
      targetsOf(panel)
        .filter((t) => t.expr !== undefined)
        .map(async (target): Promise<QueryData> => {
          const expr = bind(target.expr!);
          const kind = target.instant ? 'instant' : 'range';
          try {
            const series =
              kind === 'instant'
                ? (await prometheus.query(expr, run.toMs)).map((s) => ({
                    metric: s.metric,
                    values: [[run.toMs / 1000, s.value]] as [number, number][],
                  }))
                : await prometheus.queryRange(expr, run.fromMs, run.toMs, stepSeconds);
            return {
              refId: target.refId ?? '',
              expr,
              kind,
              series: series.map((s) => ({
                name: legendName(target.legendFormat, s.metric),
                labels: s.metric,
                points: s.values.map(([t, v]) => [Math.round(t * 1000), Number.isFinite(v) ? v : null]),
              })),
              error: null,
            };
          } catch (error) {
            return { refId: target.refId ?? '', expr, kind, series: [], error: errorOf(error) };
          }
        }),
    );
  }

  const annotations: AnnotationData[] = [];
  for (const annotation of (dashboard.annotations?.list ?? []) as {
    name: string;
    iconColor: string;
    expr?: string;
    titleFormat?: string;
  }[]) {
    const raw = annotationExpr(annotation);
    if (!raw) continue;
    const expr = bind(raw);
    try {
      const series = await prometheus.queryRange(expr, run.fromMs, run.toMs, stepSeconds);
      annotations.push({
        name: annotation.name,
        color: annotation.iconColor,
        expr,
        windows: series.flatMap((s) => windowsOf(s.values, stepSeconds, legendName(annotation.titleFormat, s.metric))),
        error: null,
      });
    } catch (error) {
      annotations.push({
        name: annotation.name,
        color: annotation.iconColor,
        expr,
        windows: [],
        error: errorOf(error),
      });
    }
  }

  return {
    dashboard: name,
    title: dashboard.title ?? name,
    testid: run.testid,
    vars,
    fromMs: run.fromMs,
    toMs: run.toMs,
    stepSeconds,
    phases: run.phases,
    panels,
    annotations,
  };
}

/** Runs of non-zero samples, as Grafana's Prometheus annotations turn a series into regions. */
export function windowsOf(values: [number, number][], stepSeconds: number, title: string): AnnotationData['windows'] {
  const windows: AnnotationData['windows'] = [];
  let open: { fromMs: number; toMs: number } | null = null;
  for (const [t, v] of values) {
    const ms = Math.round(t * 1000);
    const on = Number.isFinite(v) && v !== 0;
    if (on && open && ms - open.toMs <= stepSeconds * 1000) open.toMs = ms;
    else if (on) {
      if (open) windows.push({ ...open, title });
      open = { fromMs: ms, toMs: ms };
    }
  }
  if (open) windows.push({ ...open, title });
  return windows;
}
