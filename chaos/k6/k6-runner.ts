// Runs one k6 scenario with Roque's settings: the part `roque k6 run` and the experiment
// runner share.
//
//   const result = await runK6({
//     scenario: 'chaos',                        // a file of scenarios/ (bundled on demand)
//     env: { BASE_URL: app.url, CHAOS_ADMIN_TOKEN: app.adminToken, TIMELINE: JSON.stringify(phases) },
//     testid: 'exp-42',                         // tags every sample: --tag testid=exp-42
//     summaryDir: 'reports/exp-42/k6',          // created; handleSummary writes summary.json,
//                                               // junit.xml, summary.txt there
//     rawOutputFile: 'reports/exp-42/k6/requests.json.gz', // optional: every sample (--out json=,
//                                               // or csv= for *.csv / *.csv.gz)
//     prometheusUrl: stack.prometheusUrl,       // optional: remote write, see remoteWriteEnv
//     webDashboardExport: 'reports/exp-42/k6/k6-dashboard.html', // optional: k6's own HTML report
//     onLine: (line, stream) => log(line),      // optional: k6's output, line by line
//     signal: controller.signal,                // optional: abort = SIGINT (k6 still runs teardown)
//   });
//   result.exitCode      // k6's own: 0 ok, 99 thresholds failed, … (k6ExitMeaning)
//   result.summaryFile   // <summaryDir>/summary.json, or null when k6 wrote none
//   result.rawFile       // rawOutputFile, or null
//
// BASE_URL (default http://127.0.0.1:8080), every BASE_URLS entry and the Prometheus URL must be
// loopback addresses.
// Script settings (BASE_URL, RATE, DURATION, TIMELINE, PHASE_THRESHOLDS…) reach k6 as
// environment variables, never as arguments, so the admin token stays out of `ps`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { spawnProcess } from '../local/processes';
import { assertLoopback } from '../local/network';
import { REPO_ROOT, tools } from '../tools';

export const SCENARIOS_DIR = join(REPO_ROOT, 'scenarios');
export const BUNDLES_DIR = join(REPO_ROOT, 'dist', 'scenarios');
const BUILD_SCRIPT = join(REPO_ROOT, 'webpack-free-build.mjs');
/** Sources every bundle depends on: the scenarios, their library and the fault vocabulary. */
const BUNDLE_SOURCES = [SCENARIOS_DIR, join(REPO_ROOT, 'chaos', 'contract')];
const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

/** Trend statistics remote-written as gauges (k6_http_req_duration_p99, …) for the dashboards. */
export const REMOTE_WRITE_TREND_STATS = 'p(50),p(90),p(95),p(99),avg,min,max';

export interface K6RunOptions {
  /** A scenario name: a file directly in scenarios/ without `.ts` (smoke, chaos, …). */
  scenario: string;
  /** Settings for the script (see scenarios/lib/settings.ts), passed as environment. */
  env?: Record<string, string>;
  /** Tags every sample and names the run in the summary. */
  testid: string;
  /** More tags for every sample (`--tag k=v`). */
  tags?: Record<string, string>;
  /** Created if missing; handleSummary writes summary.json, junit.xml and summary.txt here. */
  summaryDir: string;
  /** Every sample, one per line: JSON (`.json`, `.json.gz`) or CSV (`.csv`, `.csv.gz`). */
  rawOutputFile?: string;
  /** Base URL of a Prometheus with the remote-write receiver on (http://127.0.0.1:9090). */
  prometheusUrl?: string;
  /** Remote-write trends as native histograms instead of the trend-stat gauges (see README). */
  nativeHistograms?: boolean;
  /** k6's web dashboard exported as one HTML file at the end of the run (see webDashboardEnv). */
  webDashboardExport?: string;
  /** k6's progress bar (off by default: it is noise in logs). */
  progress?: boolean;
  /** Appended to `k6 run` before the script. */
  extraArgs?: string[];
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Called once k6 runs, with its process id. */
  onStart?: (pid: number) => void;
  /** Aborting sends SIGINT (k6 stops the load and still runs teardown), SIGKILL 30 s later. */
  signal?: AbortSignal;
}

export interface K6RunResult {
  /** k6's exit code; 128 + signal number when it died of a signal. */
  exitCode: number;
  meaning: string;
  summaryFile: string | null;
  rawFile: string | null;
  /** webDashboardExport when k6 wrote it (it needs at least one aggregation period of load). */
  webDashboardFile: string | null;
}

export interface K6Invocation {
  command: string;
  args: string[];
  /** Added to the environment k6 inherits. */
  env: Record<string, string>;
}

export class UnknownScenarioError extends Error {}

/** Scenario names: the .ts files directly in scenarios/ (lib/ holds the shared code). */
export function knownScenarios(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((f) => f.endsWith('.ts') && !/\.(e2e-)?spec\.ts$|\.d\.ts$/.test(f))
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

/** The bundle of `scenario`; throws UnknownScenarioError naming the known ones. */
export function scenarioBundle(scenario: string): string {
  const known = knownScenarios();
  if (!known.includes(scenario)) {
    throw new UnknownScenarioError(`unknown scenario "${scenario}"; known: ${known.join(', ')}`);
  }
  return join(BUNDLES_DIR, `${scenario}.js`);
}

/** Builds the bundles when one is missing or older than a source; returns whether it built. */
export function ensureBundles(): boolean {
  const bundles = knownScenarios().map((s) => join(BUNDLES_DIR, `${s}.js`));
  const oldestBundle = Math.min(...bundles.map((b) => (existsSync(b) ? statSync(b).mtimeMs : 0)));
  const newestSource = Math.max(...BUNDLE_SOURCES.map(newestMtime));
  if (oldestBundle >= newestSource) return false;
  const build = spawnSync(process.execPath, [BUILD_SCRIPT, '--only', 'scenarios'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`building the scenarios failed:\n${build.stdout}${build.stderr}`);
  return true;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.ts'))
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** Environment for k6's Prometheus remote-write output. */
export function remoteWriteEnv(prometheusUrl: string, nativeHistograms = false): Record<string, string> {
  const url = assertLoopback(prometheusUrl, 'Prometheus URL');
  const writeUrl = url.pathname === '/' ? new URL('/api/v1/write', url).href : url.href;
  return {
    K6_PROMETHEUS_RW_SERVER_URL: writeUrl,
    K6_PROMETHEUS_RW_TREND_STATS: REMOTE_WRITE_TREND_STATS,
    // A series that ends (a phase's scenario stops) is marked stale at once instead of lingering
    // 5 min. Not with native histograms: k6 2.2 re-sends each histogram's last sample with its
    // stale marker, and Prometheus 2.42 rejects that copy as out of order, once per series.
    K6_PROMETHEUS_RW_STALE_MARKERS: String(!nativeHistograms),
  };
}

/**
 * Environment for k6's web dashboard, kept only as its HTML export. Its server listens on an
 * ephemeral loopback port: k6 2.2 has no way to turn it off (K6_WEB_DASHBOARD_PORT=-1, measured,
 * still listens, on every interface, at a random port).
 */
export function webDashboardEnv(exportFile: string): Record<string, string> {
  return {
    K6_WEB_DASHBOARD: 'true',
    K6_WEB_DASHBOARD_HOST: '127.0.0.1',
    K6_WEB_DASHBOARD_PORT: '0',
    K6_WEB_DASHBOARD_OPEN: 'false',
    // One snapshot per Prometheus scrape interval; the default 10 s leaves a short phase with one point.
    K6_WEB_DASHBOARD_PERIOD: '5s',
    K6_WEB_DASHBOARD_EXPORT: resolve(exportFile),
  };
}

/** `-e NAME=value` / `--env NAME=value` settings among arguments for `k6 run` (they win over the environment). */
export function k6ArgEnv(args: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const joined = /^(?:-e(.+)|--env=(.+))$/.exec(args[i]);
    const setting = joined ? (joined[1] ?? joined[2]) : ['-e', '--env'].includes(args[i]) ? args[++i] : undefined;
    const eq = setting?.indexOf('=') ?? -1;
    if (setting && eq > 0) env[setting.slice(0, eq)] = setting.slice(eq + 1);
  }
  return env;
}

/** The `k6 run` command line for `options`, without running anything. */
export function k6Invocation(options: K6RunOptions, bundle: string): K6Invocation {
  const baseUrl = options.env?.BASE_URL ?? process.env.BASE_URL ?? DEFAULT_BASE_URL;
  assertLoopback(baseUrl, 'BASE_URL');
  for (const url of (options.env?.BASE_URLS ?? process.env.BASE_URLS)?.split(',') ?? [])
    assertLoopback(url.trim(), 'BASE_URLS');
  // `roque k6 run smoke -- -e BASE_URL=…` is held to the same rule.
  const argBaseUrl = k6ArgEnv(options.extraArgs ?? []).BASE_URL;
  if (argBaseUrl !== undefined) assertLoopback(argBaseUrl, 'BASE_URL (-e)');
  const args = ['run', '--no-usage-report'];
  if (!options.progress) args.push('--quiet');
  for (const [name, value] of Object.entries({ ...options.tags, testid: options.testid }))
    args.push('--tag', `${name}=${value}`);
  if (options.rawOutputFile)
    args.push('--out', `${rawOutputKind(options.rawOutputFile)}=${resolve(options.rawOutputFile)}`);
  if (options.prometheusUrl) args.push('--out', 'experimental-prometheus-rw');
  // k6 v2's feature flag (K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM is its legacy alias).
  if (options.nativeHistograms) args.push('--features', 'native-histograms');
  args.push(...(options.extraArgs ?? []), bundle);
  return {
    command: tools().k6,
    args,
    env: {
      ...options.env,
      BASE_URL: baseUrl,
      TESTID: options.testid,
      SUMMARY_DIR: resolve(options.summaryDir),
      ...(options.prometheusUrl ? remoteWriteEnv(options.prometheusUrl, options.nativeHistograms) : {}),
      ...(options.webDashboardExport ? webDashboardEnv(options.webDashboardExport) : {}),
    },
  };
}

function rawOutputKind(file: string): 'json' | 'csv' {
  const ext = extname(file.replace(/\.gz$/, ''));
  if (ext === '.json') return 'json';
  if (ext === '.csv') return 'csv';
  throw new Error(`raw output file "${file}" must end in .json, .json.gz, .csv or .csv.gz`);
}

export async function runK6(options: K6RunOptions): Promise<K6RunResult> {
  const bundle = scenarioBundle(options.scenario);
  const invocation = k6Invocation(options, bundle);
  ensureBundles();
  mkdirSync(options.summaryDir, { recursive: true });
  // Its own process group: a terminal's Ctrl-C reaches k6 once, through `signal`, not twice
  // (a second SIGINT makes k6 quit without teardown).
  const k6 = spawnProcess('k6', [invocation.command, ...invocation.args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...invocation.env },
    output: 'pipe',
  });
  const { child } = k6;
  if (child.pid !== undefined) options.onStart?.(child.pid);
  for (const stream of ['stdout', 'stderr'] as const) {
    createInterface({ input: child[stream]! }).on('line', (line) => options.onLine?.(line, stream));
  }
  const interrupt = () => void k6.stop('SIGINT', 30_000);
  if (options.signal?.aborted) interrupt();
  else options.signal?.addEventListener('abort', interrupt, { once: true });
  const exitCode = await new Promise<number>((done, fail) => {
    child.once('error', (error) =>
      fail(new Error(`could not start k6 (${invocation.command}): ${error.message}; run \`npm run setup\``)),
    );
    child.once('close', (code, signal) => done(code ?? 128 + (signal ? signalNumber(signal) : 0)));
  });
  options.signal?.removeEventListener('abort', interrupt);
  const summaryFile = join(resolve(options.summaryDir), 'summary.json');
  return {
    exitCode,
    meaning: k6ExitMeaning(exitCode),
    summaryFile: existsSync(summaryFile) ? summaryFile : null,
    rawFile: options.rawOutputFile && existsSync(options.rawOutputFile) ? resolve(options.rawOutputFile) : null,
    webDashboardFile:
      options.webDashboardExport && existsSync(options.webDashboardExport) ? resolve(options.webDashboardExport) : null,
  };
}

function signalNumber(signal: NodeJS.Signals): number {
  return { SIGINT: 2, SIGKILL: 9, SIGTERM: 15 }[signal as string] ?? 0;
}

/** k6's exit codes (go.k6.io/k6/v2 errext/exitcodes). */
export const K6_EXIT_CODES: Record<number, string> = {
  0: 'passed',
  97: 'cloud test run failed',
  98: 'could not follow the cloud test run',
  99: 'thresholds failed',
  100: 'setup() timed out',
  101: 'teardown() timed out',
  102: 'timed out',
  103: 'stopped through the REST API',
  104: 'invalid configuration',
  105: 'aborted by a signal (e.g. SIGINT)',
  106: 'could not start the REST API',
  107: 'script exception (bad settings or a bug in the script)',
  108: 'aborted by the script (exec.test.abort, e.g. target down)',
  109: 'k6 panicked',
  110: 'marked as failed by the script (exec.test.fail)',
};

export function k6ExitMeaning(code: number): string {
  if (code in K6_EXIT_CODES) return K6_EXIT_CODES[code];
  if (code > 128) return `killed by signal ${code - 128}`;
  return `k6 failed (exit code ${code})`;
}
