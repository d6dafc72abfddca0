// Renders stack/prometheus/prometheus.yml (written for compose) into the local launcher's
// copy: loopback addresses, absolute rule paths (Roque's, the user's, or both), the app's
// targets and probe URLs from file_sd files, and without the jobs only compose has.
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

interface RelabelConfig {
  target_label?: string;
  replacement?: string;
  [key: string]: unknown;
}

interface ScrapeConfig {
  job_name: string;
  relabel_configs?: RelabelConfig[];
  static_configs?: { targets: string[] }[];
  file_sd_configs?: { files: string[]; refresh_interval?: string }[];
  [key: string]: unknown;
}

interface PrometheusConfig {
  rule_files?: string[];
  alerting?: unknown;
  scrape_configs: ScrapeConfig[];
  [key: string]: unknown;
}

export interface LocalAddresses {
  /** host:port Prometheus itself listens on. */
  prometheus: string;
  /** host:port of Alertmanager, or null when none runs: alerting and its scrape go. */
  alertmanager: string | null;
  /** Absolute path of the file_sd file that lists the app's targets. */
  targetsFile: string;
  /** host:port of a user's service behind the fault proxy, scraped as job `upstream` (its own /metrics). */
  upstream?: string[];
  /** host:port of the blackbox exporter, or null when none runs: the probe job goes. */
  blackbox: string | null;
  /** Absolute path of the file_sd file that lists the probe URLs (writeProbeTargets). */
  probesFile: string;
}

/** Which rule files Prometheus loads: Roque's (`rules/*.yml`) unless `roque` is false, and the user's. */
export interface RuleSelection {
  roque: boolean;
  /** Names of Roque's rule files to leave out (e.g. `slo.yml`). */
  skip?: string[];
  /** Absolute paths of the user's rule files (`--rules`). */
  extra: string[];
}

const staticTarget = (job: ScrapeConfig, address: string): ScrapeConfig => ({
  ...job,
  static_configs: [{ targets: [address] }],
});

/** Roque's rule files as absolute paths: the globs as they are, or, to leave some out, the files they match. */
function roqueRuleFiles(patterns: string[], canonicalPath: string, skip: string[]): string[] {
  const absolute = patterns.map((file) => resolve(dirname(canonicalPath), file));
  if (!skip.length) return absolute;
  return absolute.flatMap((pattern) => {
    if (!basename(pattern).includes('*')) return skip.includes(basename(pattern)) ? [] : [pattern];
    const matcher = new RegExp(
      `^${basename(pattern)
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')}$`,
    );
    return readdirSync(dirname(pattern))
      .filter((file) => matcher.test(file) && !skip.includes(file))
      .sort()
      .map((file) => resolve(dirname(pattern), file));
  });
}

/** Returns the local configuration as YAML text; `canonicalPath` resolves the rule files. */
export function renderPrometheusConfig(
  canonicalText: string,
  canonicalPath: string,
  local: LocalAddresses,
  rules: RuleSelection = { roque: true, extra: [] },
): string {
  const config = parse(canonicalText) as PrometheusConfig;
  const { alertmanager, blackbox } = local;
  // Jobs that exist locally, and how they are reached there; the others are compose-only.
  const localJobs: Record<string, ((job: ScrapeConfig) => ScrapeConfig) | null> = {
    'target-app': ({ static_configs: _compose, ...job }) => ({
      ...job,
      file_sd_configs: [{ files: [local.targetsFile], refresh_interval: '5s' }],
    }),
    'target-app-probes': blackbox
      ? ({ static_configs: _compose, ...job }) => ({
          ...job,
          file_sd_configs: [{ files: [local.probesFile], refresh_interval: '5s' }],
          relabel_configs: (job.relabel_configs ?? []).map((r) =>
            r.target_label === '__address__' ? { ...r, replacement: blackbox } : r,
          ),
        })
      : null,
    prometheus: (job) => staticTarget(job, local.prometheus),
    alertmanager: alertmanager ? (job) => staticTarget(job, alertmanager) : null,
  };
  const rendered: PrometheusConfig = {
    ...config,
    rule_files: [
      ...(rules.roque ? roqueRuleFiles(config.rule_files ?? [], canonicalPath, rules.skip ?? []) : []),
      ...rules.extra,
    ],
    scrape_configs: [
      ...config.scrape_configs.flatMap((job) => {
        const toLocal = localJobs[job.job_name];
        return toLocal ? [toLocal(job)] : [];
      }),
      ...(local.upstream?.length
        ? [{ job_name: 'upstream', metrics_path: '/metrics', static_configs: [{ targets: local.upstream }] }]
        : []),
    ],
  };
  if (alertmanager) {
    rendered.alerting = { alertmanagers: [{ static_configs: [{ targets: [alertmanager] }] }] };
  } else {
    delete rendered.alerting;
  }
  return `# Rendered by chaos/stack from ${canonicalPath}; edit that file, not this one.\n${stringify(rendered)}`;
}

/**
 * The flags of the features Roque uses, by Prometheus' major version (from `prometheus
 * --version`): the remote-write receiver (k6's results) and exemplar storage (trace ids on
 * the request histogram) on both; v3 adds the OTLP receiver and has native histograms on
 * (their 2.x feature flag is a no-op there); 2.x needs native histograms by feature flag.
 */
export function prometheusFeatureFlags(versionText: string): string[] {
  const major = Number(/version (\d+)\./.exec(versionText)?.[1] ?? 2);
  return major >= 3
    ? ['--web.enable-remote-write-receiver', '--web.enable-otlp-receiver', '--enable-feature=exemplar-storage']
    : ['--web.enable-remote-write-receiver', '--enable-feature=native-histograms,exemplar-storage'];
}

/**
 * Points the `target-app` job at `targets` (host:port each). Prometheus watches the file and
 * picks the change up within seconds, without a restart. Written by rename, so Prometheus
 * never reads half a file.
 */
export function writeTargets(targetsFile: string, targets: string[]): void {
  const groups = targets.length > 0 ? [{ targets, labels: {} }] : [];
  writeFileSync(`${targetsFile}.tmp`, `${JSON.stringify(groups, null, 2)}\n`);
  renameSync(`${targetsFile}.tmp`, targetsFile);
}

/** The health endpoints the blackbox exporter probes on each app target, labelled by probe. */
export const PROBED_ENDPOINTS = { readiness: '/health/ready', liveness: '/health/live' } as const;

/** Points the probe job at the health endpoints of `targets` (host:port each), like writeTargets. */
export function writeProbeTargets(probesFile: string, targets: string[]): void {
  const groups = targets.length
    ? Object.entries(PROBED_ENDPOINTS).map(([probe, path]) => ({
        targets: targets.map((t) => `http://${t}${path}`),
        labels: { probe },
      }))
    : [];
  writeFileSync(`${probesFile}.tmp`, `${JSON.stringify(groups, null, 2)}\n`);
  renameSync(`${probesFile}.tmp`, probesFile);
}
