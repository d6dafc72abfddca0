// Roque's Grafana dashboards, as code: stack/grafana/dashboards/*.json are written from here
// (`node dist/stack/grafana/write-dashboards.js`), and a test keeps the two equal.
// Every query reads the recording rules of stack/prometheus/rules/golden-signals.yml or the
// app's and k6's own series; every datasource reference is the provisioned uid.

/** The uid stack/grafana/provisioning/datasources/prometheus.yml gives the datasource. */
export const DATASOURCE_UID = 'roque-prometheus';
const datasource = { type: 'prometheus', uid: DATASOURCE_UID } as const;

/** Marks panels whose series only exist under compose (node-exporter, cAdvisor). */
export const COMPOSE_ONLY = 'Compose only:';

const k6 = 'testid=~"$testid", phase=~"$phase"';
const app = 'job="target-app"';

interface Query {
  expr: string;
  legend: string;
  /** One value over the dashboard's range (bar gauges, stats, tables) instead of a series. */
  instant?: boolean;
}

interface PanelSpec {
  title: string;
  description?: string;
  unit: string;
  queries: Query[];
  type?: 'timeseries' | 'bargauge' | 'stat' | 'table';
  width?: number;
  height?: number;
}

interface Section {
  title: string;
  panels: PanelSpec[];
}

function panel(spec: PanelSpec, id: number, gridPos: { x: number; y: number; w: number; h: number }) {
  const type = spec.type ?? 'timeseries';
  return {
    id,
    type,
    title: spec.title,
    description: spec.description ?? '',
    datasource,
    gridPos,
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        ...(type === 'timeseries' ? { custom: { lineWidth: 2, fillOpacity: 5, showPoints: 'never', spanNulls: false } } : {}),
      },
      overrides: [],
    },
    options:
      type === 'timeseries'
        ? { legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max'] }, tooltip: { mode: 'multi' } }
        : type === 'table'
          ? { showHeader: true }
          : { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, orientation: 'horizontal', displayMode: 'gradient' },
    ...(type === 'table' ? { transformations: [{ id: 'merge', options: {} }, { id: 'organize', options: { excludeByName: { Time: true } } }] } : {}),
    targets: spec.queries.map((q, i) => ({
      refId: String.fromCharCode(65 + i),
      datasource,
      expr: q.expr,
      legendFormat: q.legend,
      range: !q.instant,
      instant: Boolean(q.instant),
      ...(type === 'table' ? { format: 'table' } : {}),
    })),
  };
}

/** Lays sections out as collapsible-free rows on Grafana's 24-column grid. */
function layout(sections: Section[]) {
  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const section of sections) {
    panels.push({ id: id++, type: 'row', title: section.title, collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const spec of section.panels) {
      const w = spec.width ?? 12;
      const h = spec.height ?? 8;
      if (x + w > 24) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      panels.push(panel(spec, id++, { x, y, w, h }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return panels;
}

const variable = (name: string, label: string, query: string, multi: boolean) => ({
  name,
  label,
  type: 'query',
  datasource,
  query: { query, refId: `${name}-values` },
  definition: query,
  refresh: 2, // on time range change: new runs appear without a reload
  sort: 1,
  multi,
  includeAll: true,
  allValue: '.*',
  current: { text: 'All', value: '$__all' },
  options: [],
});

const templating = {
  list: [
    variable('testid', 'k6 test id', 'label_values(k6_http_reqs_total, testid)', false),
    variable('phase', 'phase', 'label_values(k6_http_reqs_total{testid=~"$testid"}, phase)', true),
  ],
};

const annotation = (name: string, expr: string, titleFormat: string, textFormat: string, tagKeys: string, iconColor: string) => ({
  name,
  datasource,
  enable: true,
  iconColor,
  expr,
  step: '5s',
  titleFormat,
  textFormat,
  tagKeys,
  useValueForTime: false,
});

const faultWindows = annotation(
  'Fault windows',
  'sum by (type, fault_id) (chaos_fault_active) > 0',
  '{{type}} fault',
  'fault {{fault_id}} active (chaos_fault_active)',
  'type',
  'red',
);
const phaseWindows = annotation(
  'k6 phases',
  'testid_phase:k6_phase_active:bool{testid=~"$testid"}',
  'phase {{phase}}',
  'k6 test {{testid}} sending requests in phase {{phase}}',
  'phase,testid',
  'blue',
);

function dashboard(uid: string, title: string, description: string, sections: Section[], annotations: unknown[]) {
  return {
    uid,
    title,
    description,
    tags: ['roque'],
    editable: true,
    schemaVersion: 39,
    version: 1,
    refresh: '5s',
    time: { from: 'now-15m', to: 'now' },
    timepicker: { refresh_intervals: ['5s', '10s', '30s', '1m', '5m'] },
    graphTooltip: 1,
    links: [{ title: 'Roque', type: 'dashboards', tags: ['roque'], asDropdown: false }],
    annotations: { list: [{ builtIn: 1, name: 'Annotations & Alerts', type: 'dashboard', datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)' }, ...annotations] },
    templating,
    panels: layout(sections),
  };
}

// --- Golden Signals: injected vs observed -----------------------------------------------

const saturation: PanelSpec[] = [
  { title: 'Event-loop lag p99', unit: 's', width: 8, queries: [{ expr: `nodejs_eventloop_lag_p99_seconds{${app}}`, legend: '{{instance}}' }] },
  { title: 'CPU', unit: 'percentunit', width: 8, description: 'Share of one core used by the app process.', queries: [{ expr: `rate(process_cpu_seconds_total{${app}}[$__rate_interval])`, legend: '{{instance}}' }] },
  {
    title: 'Memory',
    unit: 'bytes',
    width: 8,
    queries: [
      { expr: `nodejs_heap_size_used_bytes{${app}}`, legend: 'heap used {{instance}}' },
      { expr: `process_resident_memory_bytes{${app}}`, legend: 'resident {{instance}}' },
    ],
  },
];

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
          description: 'Injected: chaos_injected_delay_seconds (delayed requests only). Server: http_server_request_duration_seconds. Client: k6 http_req_duration, cumulative within each phase, slowest k6 series.',
          unit: 's',
          queries: [
            { expr: 'max(job:chaos_injected_delay_seconds:p95_rate20s)', legend: 'injected delay p95' },
            { expr: `max(job:http_server_request_duration_seconds:p95_rate20s{${app}})`, legend: 'server p95' },
            { expr: `testid_phase:k6_http_req_duration_p95:max{${k6}}`, legend: 'client p95 ({{phase}})' },
          ],
        },
        {
          title: 'Server latency percentiles',
          unit: 's',
          queries: ['p50', 'p95', 'p99'].map((p) => ({ expr: `job:http_server_request_duration_seconds:${p}_rate20s{${app}}`, legend: `server ${p}` })),
        },
      ],
    },
    {
      title: 'Errors',
      panels: [
        {
          title: 'Error ratio: injected vs server 5xx vs k6 http_req_failed',
          description: 'Injected: requests an error or abort fault made fail, per request served. Server: 5xx share. Client: k6 http_req_failed, which also counts resets and timeouts.',
          unit: 'percentunit',
          queries: [
            { expr: 'max(job:chaos_injected_errors:ratio_rate20s)', legend: 'injected' },
            { expr: `max(job:http_server_requests_5xx:ratio_rate20s{${app}})`, legend: 'server 5xx' },
            { expr: `testid_phase:k6_http_req_failed:ratio_rate20s{${k6}}`, legend: 'k6 http_req_failed ({{phase}})' },
          ],
        },
        {
          title: 'Injections by fault type',
          unit: 'reqps',
          queries: [{ expr: 'sum by (type) (job_type:chaos_injections:rate20s)', legend: '{{type}}' }],
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
            { expr: `sum(job:http_server_requests:rate20s{${app}})`, legend: 'server' },
            { expr: `testid_phase:k6_http_reqs:rate20s{${k6}}`, legend: 'client ({{phase}})' },
          ],
        },
        {
          title: 'Server requests by route and status',
          unit: 'reqps',
          queries: [
            {
              expr: `sum by (http_route, http_response_status_code) (rate(http_server_request_duration_seconds_count{${app}}[$__rate_interval]))`,
              legend: '{{http_route}} {{http_response_status_code}}',
            },
          ],
        },
      ],
    },
    {
      title: 'Saturation',
      panels: [
        ...saturation,
        { title: 'Active faults by type', unit: 'short', width: 24, height: 5, queries: [{ expr: 'type:chaos_fault_active:sum', legend: '{{type}}' }] },
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
          queries: [{ expr: 'sum by (name) (rate(container_cpu_usage_seconds_total{name!=""}[$__rate_interval]))', legend: '{{name}}' }],
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
const perPhase = (record: string) => `avg by (phase) (avg_over_time(${record}{${k6}}[$__range]))`;
/** An app series during a phase: the phase indicator times the series, averaged over the range. */
const appPerPhase = (expr: string) =>
  `avg by (phase) (avg_over_time((testid_phase:k6_phase_active:bool{${k6}} * on () group_left () ${expr})[$__range:5s]))`;

const bars = (title: string, unit: string, queries: Query[], description?: string): PanelSpec => ({
  title,
  unit,
  description,
  type: 'bargauge',
  width: 12,
  queries: queries.map((q) => ({ ...q, instant: true })),
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
            { expr: perPhase('testid_phase:chaos_injected_delay_seconds:p95_rate20s'), legend: '{{phase}} · injected delay' },
            { expr: perPhase('testid_phase:http_server_request_duration_seconds:p95_rate20s'), legend: '{{phase}} · server' },
            { expr: `max by (phase) (last_over_time(testid_phase:k6_http_req_duration_p95:max{${k6}}[$__range]))`, legend: '{{phase}} · client' },
          ],
          'Server and injected: mean of the 20 s p95 over the phase. Client: k6 p95 of the whole phase.',
        ),
        bars('Error ratio per phase', 'percentunit', [
          { expr: perPhase('testid_phase:chaos_injected_errors:ratio_rate20s'), legend: '{{phase}} · injected' },
          { expr: perPhase('testid_phase:http_server_requests_5xx:ratio_rate20s'), legend: '{{phase}} · server 5xx' },
          { expr: perPhase('testid_phase:k6_http_req_failed:ratio_rate20s'), legend: '{{phase}} · k6 http_req_failed' },
        ]),
        bars('Request rate per phase', 'reqps', [
          { expr: perPhase('testid_phase:http_server_requests:rate20s'), legend: '{{phase}} · server' },
          { expr: perPhase('testid_phase:k6_http_reqs:rate20s'), legend: '{{phase}} · client' },
        ]),
        bars('Saturation per phase', 'percentunit', [
          { expr: appPerPhase(`max(rate(process_cpu_seconds_total{${app}}[20s]))`), legend: '{{phase}} · CPU' },
        ]),
        bars('Event-loop lag p99 per phase', 's', [
          { expr: appPerPhase(`max(nodejs_eventloop_lag_p99_seconds{${app}})`), legend: '{{phase}} · event-loop lag p99' },
        ]),
        bars('Heap used per phase', 'bytes', [
          { expr: appPerPhase(`max(nodejs_heap_size_used_bytes{${app}})`), legend: '{{phase}} · heap used' },
        ]),
      ],
    },
    {
      title: 'Over time, by phase',
      panels: [
        {
          title: 'Server p95 by phase',
          unit: 's',
          queries: [{ expr: `testid_phase:http_server_request_duration_seconds:p95_rate20s{${k6}}`, legend: '{{phase}}' }],
        },
        {
          title: 'Server 5xx ratio by phase',
          unit: 'percentunit',
          queries: [{ expr: `testid_phase:http_server_requests_5xx:ratio_rate20s{${k6}}`, legend: '{{phase}}' }],
        },
      ],
    },
  ],
  [faultWindows, phaseWindows],
);

// --- k6 results per test id -------------------------------------------------------------

const total = (selector: string) => `sum(max_over_time(k6_http_reqs_total{${selector}}[$__range]))`;
const stat = (title: string, unit: string, expr: string, description?: string): PanelSpec => ({
  title,
  unit,
  description,
  type: 'stat',
  width: 6,
  height: 4,
  queries: [{ expr, legend: title, instant: true }],
});

const k6Results = dashboard(
  'roque-k6-results',
  'Roque · k6 results',
  'One k6 run (testid) as remote-written by `k6 run -o experimental-prometheus-rw`. Trend stats (p50/p95/p99) are cumulative within each phase.',
  [
    {
      title: 'Summary',
      panels: [
        stat('Requests', 'short', total(k6)),
        stat('Failed share', 'percentunit', `(sum(max_over_time(k6_http_reqs_total{${k6}, expected_response="false"}[$__range])) or vector(0)) / ${total(k6)}`),
        stat('Checks passed', 'percentunit', `avg(last_over_time(k6_checks_rate{${k6}}[$__range]))`),
        stat(
          'Dropped iterations',
          'short',
          'sum(max_over_time(k6_dropped_iterations_total{testid=~"$testid"}[$__range])) or vector(0)',
          'Iterations the open-model executor could not start in time: a slow service, or too few VUs. Read the percentiles next to it.',
        ),
        {
          title: 'Per phase',
          unit: 'none',
          type: 'table',
          width: 24,
          height: 6,
          queries: [
            { expr: `sum by (phase) (max_over_time(k6_http_reqs_total{${k6}}[$__range]))`, legend: 'requests', instant: true },
            { expr: perPhase('testid_phase:k6_http_req_failed:ratio_rate20s'), legend: 'failed share', instant: true },
            ...['p50', 'p95', 'p99'].map((p) => ({
              expr: `max by (phase) (last_over_time(testid_phase:k6_http_req_duration_${p}:max{${k6}}[$__range]))`,
              legend: `${p} (s)`,
              instant: true,
            })),
          ],
        },
      ],
    },
    {
      title: 'Over time',
      panels: [
        { title: 'Request rate by phase', unit: 'reqps', queries: [{ expr: `testid_phase:k6_http_reqs:rate20s{${k6}}`, legend: '{{phase}}' }] },
        { title: 'http_req_failed by phase', unit: 'percentunit', queries: [{ expr: `testid_phase:k6_http_req_failed:ratio_rate20s{${k6}}`, legend: '{{phase}}' }] },
        {
          title: 'http_req_duration by phase',
          unit: 's',
          queries: ['p50', 'p95', 'p99'].map((p) => ({ expr: `testid_phase:k6_http_req_duration_${p}:max{${k6}}`, legend: `{{phase}} ${p}` })),
        },
        {
          title: 'VUs',
          unit: 'short',
          queries: [
            { expr: 'max by (testid) (k6_vus{testid=~"$testid"})', legend: 'vus {{testid}}' },
            { expr: 'max by (testid) (k6_vus_max{testid=~"$testid"})', legend: 'vus_max {{testid}}' },
          ],
        },
        {
          title: 'Iterations and data',
          unit: 'short',
          queries: [
            { expr: `sum by (phase) (rate(k6_iterations_total{${k6}}[$__rate_interval]))`, legend: 'iterations/s {{phase}}' },
            { expr: `sum by (phase) (rate(k6_data_received_total{${k6}}[$__rate_interval]))`, legend: 'bytes received/s {{phase}}' },
          ],
        },
      ],
    },
  ],
  [phaseWindows],
);

/** File name (under stack/grafana/dashboards/) → dashboard. */
export const DASHBOARDS: Record<string, unknown> = {
  'golden-signals.json': goldenSignals,
  'baseline-vs-degraded.json': baselineVsDegraded,
  'k6-results.json': k6Results,
};
