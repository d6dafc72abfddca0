// Every PromQL expression a dashboard runs (panels, annotations, template variables), with
// Grafana's variables replaced, so tests can send them to a real Prometheus.
import { COMPOSE_ONLY } from './dashboards';

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

interface Target {
  expr?: string;
  instant?: boolean;
}
interface Panel {
  title: string;
  description?: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  title: string;
  panels: Panel[];
  annotations: { list: { name: string; expr?: string }[] };
  templating: { list: { name: string; query: { query: string } | string }[] };
}

/** Grafana's `label_values(<selector>, <label>)`: not PromQL; the selector is. */
const LABEL_VALUES = /^label_values\((.*),\s*(\w+)\)$/;

export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  const visit = (panel: Panel) => {
    for (const target of panel.targets ?? []) {
      if (target.expr === undefined) continue;
      queries.push({
        where: `${dashboard.title} / panel "${panel.title}"`,
        expr: target.expr,
        kind: target.instant ? 'instant' : 'range',
        composeOnly: (panel.description ?? '').startsWith(COMPOSE_ONLY),
      });
    }
    (panel.panels ?? []).forEach(visit);
  };
  dashboard.panels.forEach(visit);
  for (const annotation of dashboard.annotations.list) {
    if (annotation.expr) {
      queries.push({ where: `${dashboard.title} / annotation "${annotation.name}"`, expr: annotation.expr, kind: 'range', composeOnly: false });
    }
  }
  for (const variable of dashboard.templating.list) {
    const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
    const labelValues = LABEL_VALUES.exec(query);
    if (!labelValues) throw new Error(`${dashboard.title}: variable $${variable.name} is not label_values(selector, label)`);
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
