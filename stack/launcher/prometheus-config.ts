// Renders stack/prometheus/prometheus.yml (written for compose) into the local launcher's
// copy: loopback addresses, absolute rule paths, the app's targets from a file_sd file,
// and without the jobs only compose has.
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse, stringify } from 'yaml';

interface ScrapeConfig {
  job_name: string;
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
  /** Absolute paths of more rule files (the user's), loaded beside Roque's. */
  extraRuleFiles?: string[];
}

const staticTarget = (job: ScrapeConfig, address: string): ScrapeConfig => ({
  ...job,
  static_configs: [{ targets: [address] }],
});

/** Returns the local configuration as YAML text; `canonicalPath` resolves the rule files. */
export function renderPrometheusConfig(canonicalText: string, canonicalPath: string, local: LocalAddresses): string {
  const config = parse(canonicalText) as PrometheusConfig;
  const { alertmanager } = local;
  // Jobs that exist locally, and how they are reached there; the others are compose-only.
  const localJobs: Record<string, ((job: ScrapeConfig) => ScrapeConfig) | null> = {
    'target-app': ({ static_configs: _compose, ...job }) => ({
      ...job,
      file_sd_configs: [{ files: [local.targetsFile], refresh_interval: '5s' }],
    }),
    prometheus: (job) => staticTarget(job, local.prometheus),
    alertmanager: alertmanager ? (job) => staticTarget(job, alertmanager) : null,
  };
  const rendered: PrometheusConfig = {
    ...config,
    rule_files: [...(config.rule_files ?? []).map((file) => resolve(dirname(canonicalPath), file)), ...(local.extraRuleFiles ?? [])],
    scrape_configs: [
      ...config.scrape_configs.flatMap((job) => {
        const toLocal = localJobs[job.job_name];
        return toLocal ? [toLocal(job)] : [];
      }),
      ...(local.upstream?.length ? [{ job_name: 'upstream', metrics_path: '/metrics', static_configs: [{ targets: local.upstream }] }] : []),
    ],
  };
  if (alertmanager) {
    rendered.alerting = { alertmanagers: [{ static_configs: [{ targets: [alertmanager] }] }] };
  } else {
    delete rendered.alerting;
  }
  return `# Rendered by stack/launcher from ${canonicalPath}; edit that file, not this one.\n${stringify(rendered)}`;
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
