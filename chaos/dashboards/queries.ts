// Every PromQL expression a dashboard runs (panels, annotations, template variables), and
// Grafana's variables bound to values, so tests and the run pages send them to a real Prometheus.
import { COMPOSE_ONLY, type Dashboard, type Panel } from './definitions';

export interface DashboardQuery {
  where: string;
  expr: string;
  /**
   * range: a time series (panels, annotations); instant: one value over `$__range` (bar
   * gauges, stats, tables); variable: the series selector of `label_values(selector, label)`.
   */
  kind: 'range' | 'instant' | 'variable';
  /** The label a variable takes its values from. */
  label?: string;
  /** Series only compose has (node-exporter, cAdvisor): no data expected locally. */
  composeOnly: boolean;
}

/** A panel's Prometheus target as the SDK builds it (cog.Dataquery keeps only refId and hide). */
export interface PromTarget {
  refId?: string;
  expr?: string;
  legendFormat?: string;
  instant?: boolean;
}

/** Grafana's `label_values(<selector>, <label>)`: not PromQL; the selector is. */
const LABEL_VALUES = /^label_values\((.*),\s*(\w+)\)$/;

/** Every panel but rows, in dashboard order (a collapsed row keeps its panels inside it). */
export function panelsOf(dashboard: Dashboard): Panel[] {
  const flat: Panel[] = [];
  const visit = (panel: Panel & { panels?: Panel[] }) => {
    if (panel.type !== 'row') flat.push(panel);
    (panel.panels ?? []).forEach(visit);
  };
  (dashboard.panels ?? []).forEach((p) => visit(p as Panel));
  return flat;
}

export const targetsOf = (panel: Panel) => (panel.targets ?? []) as PromTarget[];

/** A Prometheus annotation's query (its `expr`), or null for Grafana's built-in one. */
export const annotationExpr = (annotation: { expr?: string }) => annotation.expr ?? null;

export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const panel of panelsOf(dashboard)) {
    for (const target of targetsOf(panel)) {
      if (target.expr === undefined) continue;
      queries.push({
        where: `${dashboard.title} / panel "${panel.title}"`,
        expr: target.expr,
        kind: target.instant ? 'instant' : 'range',
        composeOnly: (panel.description ?? '').startsWith(COMPOSE_ONLY),
      });
    }
  }
  for (const annotation of dashboard.annotations?.list ?? []) {
    const expr = annotationExpr(annotation);
    if (expr)
      queries.push({
        where: `${dashboard.title} / annotation "${annotation.name}"`,
        expr,
        kind: 'range',
        composeOnly: false,
      });
  }
  for (const variable of dashboard.templating?.list ?? []) {
    const query = typeof variable.query === 'string' ? variable.query : String(variable.query?.query ?? '');
    const labelValues = LABEL_VALUES.exec(query);
    if (!labelValues)
      throw new Error(`${dashboard.title}: variable $${variable.name} is not label_values(selector, label)`);
    queries.push({
      where: `${dashboard.title} / variable $${variable.name}`,
      expr: labelValues[1],
      kind: 'variable',
      label: labelValues[2],
      composeOnly: false,
    });
  }
  return queries;
}

/** Replaces Grafana's variables; `vars` gives the template variables' values (regexes). */
export function substitute(expr: string, vars: Record<string, string>, range = '5m'): string {
  return expr
    .replaceAll('$__rate_interval', '20s')
    .replaceAll('$__interval', '5s')
    .replaceAll('$__range', range)
    .replace(/\$(\w+)/g, (whole, name: string) => vars[name] ?? whole);
}
