// Roque's three Grafana dashboards, typed with @grafana/grafana-foundation-sdk. One definition,
// two renderings: stack/grafana/dashboards/*.json for Grafana (write-json.ts, kept equal by a
// test) and reports/<run-id>/dashboards/*.html for every run (run-pages.ts). Metric, rule and
// label names come from the contract; thresholds from the alert rules they draw.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import * as common from '@grafana/grafana-foundation-sdk/common';
import * as sdk from '@grafana/grafana-foundation-sdk/dashboard';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';
import { parse } from 'yaml';
import { K6_METRICS, K6_TAGS, LABELS, METRICS, NODE_METRICS, RULES } from '../contract/metrics';
import { REPO_ROOT } from '../tools';

export type Dashboard = sdk.Dashboard;
export type Panel = sdk.Panel;

/** The uid stack/grafana/provisioning/datasources/prometheus.yml gives the datasource. */
export const DATASOURCE_UID = 'roque-prometheus';
const datasource: sdk.DataSourceRef = { type: 'prometheus', uid: DATASOURCE_UID };

/** Marks panels whose series only exist under compose (node-exporter, cAdvisor). */
export const COMPOSE_ONLY = 'Compose only:';

/** The alert rules whose thresholds the panels draw. */
export const ALERT_RULES_FILE = join(REPO_ROOT, 'stack', 'prometheus', 'rules', 'golden-signals.yml');

/** `expr: <series> > <number>` of an alert rule: the line its panel draws. */
export function alertThreshold(alert: string, file = ALERT_RULES_FILE): number {
  const rules = (
    parse(readFileSync(file, 'utf8')) as { groups: { rules: { alert?: string; expr: string }[] }[] }
  ).groups.flatMap((g) => g.rules);
  const rule = rules.find((r) => r.alert === alert);
  const value = rule && /\s>\s*([\d.]+)\s*$/.exec(rule.expr.trim());
  if (!value) throw new Error(`${file}: alert ${alert} is missing or not "<expr> > <number>"`);
  return Number(value[1]);
}

const k6 = `${K6_TAGS.testid}=~"$testid", ${K6_TAGS.phase}=~"$phase"`;
const testidOnly = `${K6_TAGS.testid}=~"$testid"`;
const app = 'job="target-app"';

interface Query {
  expr: string;
  legend: string;
  /** A table column's own unit (the panel's otherwise). */
  unit?: string;
}

type PanelKind = 'timeseries' | 'bargauge' | 'stat' | 'table';

interface PanelSpec {
  title: string;
  description?: string;
  unit: string;
  queries: Query[];
  kind?: PanelKind;
  width?: number;
  height?: number;
  /** Drawn as a dashed red line (timeseries) or the bar colour past it (bar gauges). */
  threshold?: { value: number; alert: string };
}

interface Section {
  title: string;
  panels: PanelSpec[];
}

/** Grafana's query letters: A, B, C… */
const refId = (i: number) => String.fromCharCode(65 + i);

function target(q: Query, i: number, kind: PanelKind) {
  const instant = kind !== 'timeseries';
  const builder = new prometheus.DataqueryBuilder()
    .refId(refId(i))
    .datasource(datasource)
    .expr(q.expr)
    .legendFormat(q.legend);
  // Bar gauges, stats and tables show one value over the dashboard's range.
  if (instant) builder.instant();
  else builder.range();
  if (kind === 'table') builder.format(prometheus.PromQueryFormat.Table);
  return builder;
}

function thresholds(spec: PanelSpec) {
  const steps: sdk.Threshold[] = [{ value: null, color: 'green' }];
  if (spec.threshold) steps.push({ value: spec.threshold.value, color: 'red' });
  return new sdk.ThresholdsConfigBuilder().mode(sdk.ThresholdsMode.Absolute).steps(steps);
}

/** What every panel builder of the SDK has in common. */
interface PanelBuilder<T> {
  id(id: number): T;
  title(title: string): T;
  description(description: string): T;
  datasource(ref: sdk.DataSourceRef): T;
  unit(unit: string): T;
  span(width: number): T;
  height(height: number): T;
  thresholds(config: sdk.ThresholdsConfigBuilder): T;
  withTarget(query: prometheus.DataqueryBuilder): T;
}

function panel(spec: PanelSpec, id: number) {
  const kind = spec.kind ?? 'timeseries';
  const description = [spec.description, spec.threshold && `Red line: alert ${spec.threshold.alert} fires above it.`]
    .filter(Boolean)
    .join(' ');
  const withBasics = <T extends PanelBuilder<T>>(b: T): T => {
    b.id(id)
      .title(spec.title)
      .description(description)
      .datasource(datasource)
      .unit(spec.unit)
      .thresholds(thresholds(spec));
    b.span(spec.width ?? 12).height(spec.height ?? 8);
    spec.queries.forEach((q, i) => b.withTarget(target(q, i, kind)));
    return b;
  };
  const lastValue = new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false).fields('');
  switch (kind) {
    case 'timeseries':
      return withBasics(new timeseries.PanelBuilder())
        .lineWidth(2)
        .fillOpacity(5)
        .showPoints(common.VisibilityMode.Never)
        .spanNulls(false)
        .thresholdsStyle(
          new common.GraphThresholdsStyleConfigBuilder().mode(
            spec.threshold ? common.GraphThresholdsStyleMode.Dashed : common.GraphThresholdsStyleMode.Off,
          ),
        )
        .legend(
          new common.VizLegendOptionsBuilder()
            .displayMode(common.LegendDisplayMode.Table)
            .placement(common.LegendPlacement.Bottom)
            .showLegend(true)
            .calcs(['mean', 'max']),
        )
        .tooltip(
          new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.None),
        );
    case 'bargauge':
      return withBasics(new bargauge.PanelBuilder())
        .reduceOptions(lastValue)
        .orientation(common.VizOrientation.Horizontal)
        .displayMode(common.BarGaugeDisplayMode.Gradient);
    case 'stat':
      return withBasics(new stat.PanelBuilder()).reduceOptions(lastValue).orientation(common.VizOrientation.Horizontal);
    case 'table': {
      const builder = withBasics(new table.PanelBuilder())
        .showHeader(true)
        .transformations([
          { id: 'merge', options: {} },
          { id: 'organize', options: { excludeByName: { Time: true } } },
        ]);
      // One column per query after the merge, named and given its unit by an override.
      spec.queries.forEach((q, i) =>
        builder.overrideByQuery(refId(i), [
          { id: 'displayName', value: q.legend },
          { id: 'unit', value: q.unit ?? spec.unit },
        ]),
      );
      return builder;
    }
  }
}

const variable = (name: string, label: string, query: string, multi: boolean) =>
  new sdk.QueryVariableBuilder(name)
    .label(label)
    .datasource(datasource)
    .query(query)
    .refresh(sdk.VariableRefresh.OnTimeRangeChanged) // new runs appear without a reload
    .sort(sdk.VariableSort.AlphabeticalAsc)
    .multi(multi)
    .includeAll(true)
    .allValue('.*')
    .current({ text: 'All', value: '$__all' });

/**
 * A Prometheus annotation. titleFormat, textFormat and tagKeys are read by Grafana's
 * Prometheus datasource; the SDK's AnnotationQuery does not model them, so they are added
 * after build() (the type-check test allows exactly these).
 */
export interface PrometheusAnnotation extends sdk.AnnotationQuery {
  step: string;
  titleFormat: string;
  textFormat: string;
  tagKeys: string;
  useValueForTime: boolean;
}

const annotation = (
  name: string,
  expr: string,
  titleFormat: string,
  textFormat: string,
  tagKeys: string,
  iconColor: string,
): PrometheusAnnotation => ({
  ...new sdk.AnnotationQueryBuilder()
    .name(name)
    .datasource(datasource)
    .enable(true)
    .iconColor(iconColor)
    .expr(expr)
    .build(),
  step: '5s',
  titleFormat,
  textFormat,
  tagKeys,
  useValueForTime: false,
});

/** Shaded red on every timeseries: while a fault was active. */
export const FAULT_WINDOWS = 'Fault windows';
/** Shaded blue: while a k6 phase was sending requests. */
export const PHASE_WINDOWS = 'k6 phases';

const faultWindows = annotation(
  FAULT_WINDOWS,
  `sum by (${LABELS.faultType}, ${LABELS.faultId}) (${METRICS.faultActive}) > 0`,
  '{{type}} fault',
  `fault {{fault_id}} active (${METRICS.faultActive})`,
  LABELS.faultType,
  'red',
);
const phaseWindows = annotation(
  PHASE_WINDOWS,
  `${RULES.phaseActive}{${testidOnly}}`,
  'phase {{phase}}',
  'k6 test {{testid}} sending requests in phase {{phase}}',
  `${K6_TAGS.phase},${K6_TAGS.testid}`,
  'blue',
);

function dashboard(
  uid: string,
  title: string,
  description: string,
  sections: Section[],
  annotations: PrometheusAnnotation[],
): Dashboard {
  const builder = new sdk.DashboardBuilder(title)
    .uid(uid)
    .description(description)
    .tags(['roque'])
    .editable()
    .version(1)
    .refresh('5s')
    .time({ from: 'now-15m', to: 'now' })
    .timezone('browser')
    .timepicker(new sdk.TimePickerBuilder().refreshIntervals(['5s', '10s', '30s', '1m', '5m']))
    .tooltip(sdk.DashboardCursorSync.Crosshair)
    .link(
      new sdk.DashboardLinkBuilder('Roque').type(sdk.DashboardLinkType.Dashboards).tags(['roque']).asDropdown(false),
    )
    .withVariable(variable('testid', 'k6 test id', `label_values(${K6_METRICS.reqs}, ${K6_TAGS.testid})`, false))
    .withVariable(
      variable('phase', 'phase', `label_values(${K6_METRICS.reqs}{${testidOnly}}, ${K6_TAGS.phase})`, true),
    );
  let id = 1;
  for (const section of sections) {
    builder.withRow(new sdk.RowBuilder(section.title).id(id++));
    for (const spec of section.panels) builder.withPanel(panel(spec, id++));
  }
  const built = builder.build();
  // The SDK gives every variable an interval variable's fields; Grafana 12.1's schema has none on a query variable.
  for (const v of built.templating?.list ?? [])
    for (const field of ['auto', 'auto_min', 'auto_count'] as const) delete v[field];
  built.annotations = {
    list: [
      new sdk.AnnotationQueryBuilder()
        .builtIn(1)
        .name('Annotations & Alerts')
        .type('dashboard')
        .datasource({ type: 'grafana', uid: '-- Grafana --' })
        .enable(true)
        .hide(true)
        .iconColor('rgba(0, 211, 255, 1)')
        .build(),
      ...annotations,
    ],
  };
  return built;
}

// --- Golden Signals: injected vs observed -----------------------------------------------

const latencyAlert = { alert: 'RoqueHighLatency', value: alertThreshold('RoqueHighLatency') };
const errorAlert = { alert: 'RoqueHighErrorRate', value: alertThreshold('RoqueHighErrorRate') };
const k6ErrorAlert = { alert: 'RoqueK6HighFailureRate', value: alertThreshold('RoqueK6HighFailureRate') };

const goldenSignals = dashboard(
  'roque-golden-signals',
  'Roque · Golden Signals: injected vs observed',
  'What the fault engine injected (chaos_*), what the server measured (its request histogram) and what k6 saw (remote write), on one time axis. Red regions: faults; blue: k6 phases.',
  [
    {
      title: 'Latency',
      panels: [
        {
          title: 'p95: injected delay vs server vs client',
          description: `Injected: ${METRICS.injectedDelay} (delayed requests only). Server: ${METRICS.httpServerDuration}. Client: k6 http_req_duration, cumulative within each phase, slowest k6 series.`,
          unit: 's',
          threshold: latencyAlert,
          queries: [
            { expr: `max(${RULES.injectedDelayP95})`, legend: 'injected delay p95' },
            { expr: `max(${RULES.serverP95}{${app}})`, legend: 'server p95' },
            { expr: `${RULES.k6DurationP95}{${k6}}`, legend: 'client p95 ({{phase}})' },
          ],
        },
        {
          title: 'Server latency percentiles',
          unit: 's',
          threshold: latencyAlert,
          queries: [
            { expr: `${RULES.serverP50}{${app}}`, legend: 'server p50' },
            { expr: `${RULES.serverP95}{${app}}`, legend: 'server p95' },
            { expr: `${RULES.serverP99}{${app}}`, legend: 'server p99' },
          ],
        },
      ],
    },
    {
      title: 'Errors',
      panels: [
        {
          title: 'Error ratio: injected vs server 5xx vs k6 http_req_failed',
          description:
            'Injected: requests an error or abort fault made fail, per request served. Server: 5xx share. Client: k6 http_req_failed, which also counts resets and timeouts.',
          unit: 'percentunit',
          threshold: errorAlert,
          queries: [
            { expr: `max(${RULES.injectedErrorsRatio})`, legend: 'injected' },
            { expr: `max(${RULES.server5xxRatio}{${app}})`, legend: 'server 5xx' },
            { expr: `${RULES.k6FailedRatio}{${k6}}`, legend: 'k6 http_req_failed ({{phase}})' },
          ],
        },
        {
          title: 'Injections by fault type',
          unit: 'reqps',
          queries: [{ expr: `sum by (${LABELS.faultType}) (${RULES.injectionsRateByType})`, legend: '{{type}}' }],
        },
      ],
    },
    {
      title: 'Traffic',
      panels: [
        {
          title: 'Request rate: server vs client',
          unit: 'reqps',
          queries: [
            { expr: `sum(${RULES.serverRate}{${app}})`, legend: 'server' },
            { expr: `${RULES.k6Rate}{${k6}}`, legend: 'client ({{phase}})' },
          ],
        },
        {
          title: 'Server requests by route and status',
          unit: 'reqps',
          queries: [
            {
              expr: `sum by (${LABELS.route}, ${LABELS.status}) (rate(${METRICS.httpServerDuration}_count{${app}}[$__rate_interval]))`,
              legend: `{{${LABELS.route}}} {{${LABELS.status}}}`,
            },
          ],
        },
      ],
    },
    {
      title: 'Saturation',
      panels: [
        {
          title: 'Event-loop lag p99',
          unit: 's',
          width: 8,
          queries: [{ expr: `${NODE_METRICS.eventLoopLagP99}{${app}}`, legend: '{{instance}}' }],
        },
        {
          title: 'CPU',
          unit: 'percentunit',
          width: 8,
          description: 'Share of one core used by the app process.',
          queries: [{ expr: `rate(${NODE_METRICS.cpuSeconds}{${app}}[$__rate_interval])`, legend: '{{instance}}' }],
        },
        {
          title: 'Memory',
          unit: 'bytes',
          width: 8,
          queries: [
            { expr: `${NODE_METRICS.heapUsed}{${app}}`, legend: 'heap used {{instance}}' },
            { expr: `${NODE_METRICS.residentMemory}{${app}}`, legend: 'resident {{instance}}' },
          ],
        },
        {
          title: 'Active faults by type',
          unit: 'short',
          width: 24,
          height: 5,
          queries: [{ expr: RULES.faultsActiveByType, legend: '{{type}}' }],
        },
      ],
    },
    {
      title: 'Host and containers (compose only)',
      panels: [
        {
          title: 'Host CPU busy',
          description: `${COMPOSE_ONLY} node-exporter.`,
          unit: 'percentunit',
          width: 6,
          queries: [{ expr: '1 - avg(rate(node_cpu_seconds_total{mode="idle"}[$__rate_interval]))', legend: 'host' }],
        },
        {
          title: 'Host memory available',
          description: `${COMPOSE_ONLY} node-exporter.`,
          unit: 'bytes',
          width: 6,
          queries: [{ expr: 'node_memory_MemAvailable_bytes', legend: 'available' }],
        },
        {
          title: 'Container CPU',
          description: `${COMPOSE_ONLY} cAdvisor.`,
          unit: 'percentunit',
          width: 6,
          queries: [
            {
              expr: 'sum by (name) (rate(container_cpu_usage_seconds_total{name!=""}[$__rate_interval]))',
              legend: '{{name}}',
            },
          ],
        },
        {
          title: 'Container memory',
          description: `${COMPOSE_ONLY} cAdvisor.`,
          unit: 'bytes',
          width: 6,
          queries: [{ expr: 'sum by (name) (container_memory_working_set_bytes{name!=""})', legend: '{{name}}' }],
        },
      ],
    },
  ],
  [faultWindows, phaseWindows],
);

// --- Baseline vs degraded: the same signals, one bar per phase ---------------------------

/** Server or injected signal during a phase: mean over the range of its phase-attributed series. */
const perPhase = (record: string) => `avg by (${K6_TAGS.phase}) (avg_over_time(${record}{${k6}}[$__range]))`;
/** An app series during a phase: the phase indicator times the series, averaged over the range. */
const appPerPhase = (expr: string) =>
  `avg by (${K6_TAGS.phase}) (avg_over_time((${RULES.phaseActive}{${k6}} * on () group_left () ${expr})[$__range:5s]))`;
const clientP95PerPhase = `max by (${K6_TAGS.phase}) (last_over_time(${RULES.k6DurationP95}{${k6}}[$__range]))`;

const bars = (title: string, unit: string, queries: Query[], extra: Partial<PanelSpec> = {}): PanelSpec => ({
  title,
  unit,
  kind: 'bargauge',
  width: 12,
  queries,
  ...extra,
});

const baselineVsDegraded = dashboard(
  'roque-baseline-vs-degraded',
  'Roque · Baseline vs degraded',
  'Each Golden Signal per k6 phase over the selected time range: injected, server and client side by side. Server and injected series are attributed to the phase that was sending requests (testid_phase:* recording rules).',
  [
    {
      title: 'Per phase',
      panels: [
        bars(
          'Latency p95 per phase',
          's',
          [
            { expr: perPhase(RULES.phaseInjectedDelayP95), legend: '{{phase}} · injected delay' },
            { expr: perPhase(RULES.phaseServerP95), legend: '{{phase}} · server' },
            { expr: clientP95PerPhase, legend: '{{phase}} · client' },
          ],
          {
            description: 'Server and injected: mean of the 20 s p95 over the phase. Client: k6 p95 of the whole phase.',
            threshold: latencyAlert,
          },
        ),
        bars(
          'Error ratio per phase',
          'percentunit',
          [
            { expr: perPhase(RULES.phaseInjectedErrorsRatio), legend: '{{phase}} · injected' },
            { expr: perPhase(RULES.phaseServer5xxRatio), legend: '{{phase}} · server 5xx' },
            { expr: perPhase(RULES.k6FailedRatio), legend: '{{phase}} · k6 http_req_failed' },
          ],
          { threshold: errorAlert },
        ),
        bars('Request rate per phase', 'reqps', [
          { expr: perPhase(RULES.phaseServerRate), legend: '{{phase}} · server' },
          { expr: perPhase(RULES.k6Rate), legend: '{{phase}} · client' },
        ]),
        bars('Saturation per phase', 'percentunit', [
          { expr: appPerPhase(`max(rate(${NODE_METRICS.cpuSeconds}{${app}}[20s]))`), legend: '{{phase}} · CPU' },
        ]),
        bars('Event-loop lag p99 per phase', 's', [
          {
            expr: appPerPhase(`max(${NODE_METRICS.eventLoopLagP99}{${app}})`),
            legend: '{{phase}} · event-loop lag p99',
          },
        ]),
        bars('Heap used per phase', 'bytes', [
          { expr: appPerPhase(`max(${NODE_METRICS.heapUsed}{${app}})`), legend: '{{phase}} · heap used' },
        ]),
      ],
    },
    {
      title: 'Over time, by phase',
      panels: [
        {
          title: 'Server p95 by phase',
          unit: 's',
          threshold: latencyAlert,
          queries: [{ expr: `${RULES.phaseServerP95}{${k6}}`, legend: '{{phase}}' }],
        },
        {
          title: 'Server 5xx ratio by phase',
          unit: 'percentunit',
          threshold: errorAlert,
          queries: [{ expr: `${RULES.phaseServer5xxRatio}{${k6}}`, legend: '{{phase}}' }],
        },
      ],
    },
  ],
  [faultWindows, phaseWindows],
);

// --- k6 results per test id -------------------------------------------------------------

const total = (selector: string) => `sum(max_over_time(${K6_METRICS.reqs}{${selector}}[$__range]))`;
const statPanel = (title: string, unit: string, expr: string, description?: string): PanelSpec => ({
  title,
  unit,
  description,
  kind: 'stat',
  width: 6,
  height: 4,
  queries: [{ expr, legend: title }],
});

const k6Results = dashboard(
  'roque-k6-results',
  'Roque · k6 results',
  'One k6 run (testid) as remote-written by `k6 run -o experimental-prometheus-rw`. Trend stats (p50/p95/p99) are cumulative within each phase.',
  [
    {
      title: 'Summary',
      panels: [
        statPanel('Requests', 'short', total(k6)),
        statPanel(
          'Failed share',
          'percentunit',
          `(sum(max_over_time(${K6_METRICS.reqs}{${k6}, expected_response="false"}[$__range])) or vector(0)) / ${total(k6)}`,
        ),
        statPanel('Checks passed', 'percentunit', `avg(last_over_time(${K6_METRICS.checksRate}{${k6}}[$__range]))`),
        statPanel(
          'Dropped iterations',
          'short',
          `sum(max_over_time(${K6_METRICS.droppedIterations}{${testidOnly}}[$__range])) or vector(0)`,
          'Iterations the open-model executor could not start in time: a slow service, or too few VUs. Read the percentiles next to it.',
        ),
        {
          title: 'Per phase',
          unit: 'none',
          kind: 'table',
          width: 24,
          height: 6,
          queries: [
            {
              expr: `sum by (${K6_TAGS.phase}) (max_over_time(${K6_METRICS.reqs}{${k6}}[$__range]))`,
              legend: 'requests',
              unit: 'short',
            },
            { expr: perPhase(RULES.k6FailedRatio), legend: 'failed share', unit: 'percentunit' },
            ...(['p50', 'p95', 'p99'] as const).map((p) => ({
              expr: `max by (${K6_TAGS.phase}) (last_over_time(${{ p50: RULES.k6DurationP50, p95: RULES.k6DurationP95, p99: RULES.k6DurationP99 }[p]}{${k6}}[$__range]))`,
              legend: p,
              unit: 's',
            })),
          ],
        },
      ],
    },
    {
      title: 'Over time',
      panels: [
        {
          title: 'Request rate by phase',
          unit: 'reqps',
          queries: [{ expr: `${RULES.k6Rate}{${k6}}`, legend: '{{phase}}' }],
        },
        {
          title: 'http_req_failed by phase',
          unit: 'percentunit',
          threshold: k6ErrorAlert,
          queries: [{ expr: `${RULES.k6FailedRatio}{${k6}}`, legend: '{{phase}}' }],
        },
        {
          title: 'http_req_duration by phase',
          unit: 's',
          queries: [
            { expr: `${RULES.k6DurationP50}{${k6}}`, legend: '{{phase}} p50' },
            { expr: `${RULES.k6DurationP95}{${k6}}`, legend: '{{phase}} p95' },
            { expr: `${RULES.k6DurationP99}{${k6}}`, legend: '{{phase}} p99' },
          ],
        },
        {
          title: 'VUs',
          unit: 'short',
          queries: [
            { expr: `max by (${K6_TAGS.testid}) (${K6_METRICS.vus}{${testidOnly}})`, legend: 'vus {{testid}}' },
            { expr: `max by (${K6_TAGS.testid}) (${K6_METRICS.vusMax}{${testidOnly}})`, legend: 'vus_max {{testid}}' },
          ],
        },
        {
          title: 'Iterations and data',
          unit: 'short',
          queries: [
            {
              expr: `sum by (${K6_TAGS.phase}) (rate(${K6_METRICS.iterations}{${k6}}[$__rate_interval]))`,
              legend: 'iterations/s {{phase}}',
            },
            {
              expr: `sum by (${K6_TAGS.phase}) (rate(${K6_METRICS.dataReceived}{${k6}}[$__rate_interval]))`,
              legend: 'bytes received/s {{phase}}',
            },
          ],
        },
      ],
    },
  ],
  [phaseWindows],
);

/** Dashboard name (stack/grafana/dashboards/<name>.json, reports/<run>/dashboards/<name>.html) → dashboard. */
export const DASHBOARDS = {
  'golden-signals': goldenSignals,
  'baseline-vs-degraded': baselineVsDegraded,
  'k6-results': k6Results,
} satisfies Record<string, Dashboard>;

export type DashboardName = keyof typeof DASHBOARDS;
