// The local stack: Prometheus (3.16 built by setup, else Debian's 2.42), Alertmanager and the
// blackbox exporter where installed, run as processes on 127.0.0.1 with the repository's
// configuration and their own data folder.
//
//   const stack = await startStack({ dataDir, appTargets: ['127.0.0.1:8080'] });
//   stack.prometheusUrl                 // http://127.0.0.1:9090, ready (GET /-/ready is 200)
//   stack.alertmanagerUrl               // http://127.0.0.1:9093, or null when not installed
//   stack.setTargets(['127.0.0.1:4242']) // re-points the target-app job, no restart
//   await stack.stop()                  // both processes gone when it resolves
//
// Options: prometheusPort (default 9090), alertmanagerPort (default 9093; null: do not
// start it), blackboxPort (default: a free port; null: do not start it), rules (Roque's
// rule files, the user's, or both), readyTimeoutMs (default 10 s), detached (processes outlive this one; for
// `roque stack up`, which records their PIDs with `upDetached` below).
// A taken port fails before anything is spawned, with a PortBusyError naming the port.
// Prometheus runs with the remote-write receiver (k6 results), native histograms, exemplar
// storage, the OTLP receiver on v3 (prometheusFeatureFlags) and the out-of-order window of
// stack/prometheus/prometheus.yml. Logs: <dataDir>/*.log.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../local/network';
import { REPO_ROOT, tools } from '../tools';
import {
  prometheusFeatureFlags,
  renderPrometheusConfig,
  writeProbeTargets,
  writeTargets,
  type RuleSelection,
} from './prometheus-config';
import {
  assertPortFree,
  isRunning,
  spawnProcess,
  stopPid,
  waitUntilReady,
  type ManagedProcess,
} from '../local/processes';

export { PortBusyError } from '../local/processes';

export const DEFAULT_PORTS = { prometheus: 9090, alertmanager: 9093 } as const;
/** Where `roque stack up` keeps data, logs and state.json (git-ignored). */
export const DEFAULT_DATA_DIR = join(REPO_ROOT, '.roque', 'stack');
const CANONICAL_CONFIG = join(REPO_ROOT, 'stack', 'prometheus', 'prometheus.yml');
const ALERTMANAGER_CONFIG = join(REPO_ROOT, 'stack', 'alertmanager', 'alertmanager.yml');
const BLACKBOX_CONFIG = join(REPO_ROOT, 'stack', 'blackbox', 'blackbox.yml');

export interface StartStackOptions {
  dataDir: string;
  /** host:port of each app instance to scrape as job `target-app`. */
  appTargets?: string[];
  /** host:port of a user's service behind the fault proxy, scraped as job `upstream`. */
  upstreamTargets?: string[];
  prometheusPort?: number;
  /** null: no Alertmanager even if installed. */
  alertmanagerPort?: number | null;
  /** null: no blackbox exporter (and no health probes) even if installed. */
  blackboxPort?: number | null;
  /** Default: Roque's rules only. */
  rules?: RuleSelection;
  readyTimeoutMs?: number;
  detached?: boolean;
}

export interface Stack {
  prometheusUrl: string;
  alertmanagerUrl: string | null;
  /** The blackbox exporter probing the app's health endpoints, or null when not installed. */
  blackboxUrl: string | null;
  dataDir: string;
  pids: { prometheus: number; alertmanager: number | null; blackbox: number | null };
  setTargets(targets: string[]): void;
  stop(): Promise<void>;
}

const targetsFileOf = (dataDir: string) => join(dataDir, 'targets', 'target-app.json');
const probesFileOf = (dataDir: string) => join(dataDir, 'targets', 'target-app-probes.json');

function versionOf(binary: string): string {
  try {
    return execFileSync(binary, ['--version'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    });
  } catch {
    return ''; // waitUntilReady reports a missing or broken binary with its own message
  }
}

/** Re-points the target-app job (and its health probes) of the stack using `dataDir`, e.g. one `roque stack up` started. */
export function setTargets(dataDir: string, targets: string[]): void {
  writeTargets(targetsFileOf(dataDir), targets);
  writeProbeTargets(probesFileOf(dataDir), targets);
}

export async function startStack(options: StartStackOptions): Promise<Stack> {
  const { dataDir, appTargets = [], readyTimeoutMs = 10_000, detached = false } = options;
  const found = tools();
  const prometheusPort = options.prometheusPort ?? DEFAULT_PORTS.prometheus;
  const alertmanagerPort =
    options.alertmanagerPort === null || !found.alertmanager
      ? null
      : (options.alertmanagerPort ?? DEFAULT_PORTS.alertmanager);

  await assertPortFree(
    'Prometheus',
    prometheusPort,
    '--prometheus-port or ROQUE_PROMETHEUS_PORT (startStack: prometheusPort)',
  );
  if (alertmanagerPort !== null) {
    await assertPortFree(
      'Alertmanager',
      alertmanagerPort,
      '--alertmanager-port or ROQUE_ALERTMANAGER_PORT (startStack: alertmanagerPort)',
    );
  }
  // Nobody but this Prometheus talks to the exporter, so any free port will do.
  const blackboxPort =
    options.blackboxPort === null || !found.blackboxExporter ? null : (options.blackboxPort ?? (await freePort()));

  mkdirSync(join(dataDir, 'targets'), { recursive: true });
  const configFile = join(dataDir, 'prometheus.yml');
  const prometheusAddress = `127.0.0.1:${prometheusPort}`;
  const alertmanagerAddress = alertmanagerPort === null ? null : `127.0.0.1:${alertmanagerPort}`;
  const blackboxAddress = blackboxPort === null ? null : `127.0.0.1:${blackboxPort}`;
  writeFileSync(
    configFile,
    renderPrometheusConfig(
      readFileSync(CANONICAL_CONFIG, 'utf8'),
      CANONICAL_CONFIG,
      {
        prometheus: prometheusAddress,
        alertmanager: alertmanagerAddress,
        targetsFile: targetsFileOf(dataDir),
        blackbox: blackboxAddress,
        probesFile: probesFileOf(dataDir),
        upstream: options.upstreamTargets,
      },
      options.rules,
    ),
  );
  setTargets(dataDir, appTargets);

  const services: ManagedProcess[] = [
    spawnProcess(
      'prometheus',
      [
        found.prometheus,
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dataDir, 'prometheus-data')}`,
        `--web.listen-address=${prometheusAddress}`,
        '--web.enable-lifecycle',
        ...prometheusFeatureFlags(versionOf(found.prometheus)),
      ],
      { output: { logFile: join(dataDir, 'prometheus.log') }, outlive: detached },
    ),
  ];
  if (found.alertmanager && alertmanagerAddress) {
    services.push(
      spawnProcess(
        'alertmanager',
        [
          found.alertmanager,
          `--config.file=${ALERTMANAGER_CONFIG}`,
          `--storage.path=${join(dataDir, 'alertmanager-data')}`,
          `--web.listen-address=${alertmanagerAddress}`,
          // Empty: no cluster gossip, which would otherwise listen on every interface.
          '--cluster.listen-address=',
        ],
        { output: { logFile: join(dataDir, 'alertmanager.log') }, outlive: detached },
      ),
    );
  }
  if (found.blackboxExporter && blackboxAddress) {
    // A copy in the data folder: the folder on its command line tells the process apart (isOurs).
    const blackboxConfig = join(dataDir, 'blackbox.yml');
    copyFileSync(BLACKBOX_CONFIG, blackboxConfig);
    services.push(
      spawnProcess(
        'blackbox-exporter',
        [found.blackboxExporter, `--config.file=${blackboxConfig}`, `--web.listen-address=${blackboxAddress}`],
        { output: { logFile: join(dataDir, 'blackbox-exporter.log') }, outlive: detached },
      ),
    );
  }
  const stop = async () => {
    await Promise.all(services.map((service) => service.stop()));
  };

  const urls = services.map(
    (service) =>
      `http://${{ prometheus: prometheusAddress, alertmanager: alertmanagerAddress, 'blackbox-exporter': blackboxAddress }[service.name]}`,
  );
  try {
    await Promise.all(services.map((service, i) => waitUntilReady(service, `${urls[i]}/-/ready`, readyTimeoutMs)));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    prometheusUrl: `http://${prometheusAddress}`,
    alertmanagerUrl: alertmanagerAddress && `http://${alertmanagerAddress}`,
    blackboxUrl: blackboxAddress && `http://${blackboxAddress}`,
    dataDir,
    pids: {
      prometheus: services[0].child.pid!,
      alertmanager: services.find((service) => service.name === 'alertmanager')?.child.pid ?? null,
      blackbox: services.find((service) => service.name === 'blackbox-exporter')?.child.pid ?? null,
    },
    setTargets: (targets) => setTargets(dataDir, targets),
    stop,
  };
}

// --- `roque stack up|down|status`: detached processes, remembered in state.json ---------

export interface StackState {
  startedAt: string;
  dataDir: string;
  prometheus: { pid: number; url: string };
  alertmanager: { pid: number; url: string } | null;
  /** Absent in states written before the exporter was part of the stack. */
  blackbox?: { pid: number; url: string } | null;
}

export interface ServiceStatus {
  name: 'prometheus' | 'alertmanager' | 'blackbox-exporter';
  pid: number;
  url: string;
  running: boolean;
  ready: boolean;
}

const stateFileOf = (dataDir: string) => join(dataDir, 'state.json');

export function readState(dataDir: string): StackState | null {
  const file = stateFileOf(dataDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as StackState) : null;
}

const servicesOf = (state: StackState) =>
  [
    { name: 'prometheus' as const, ...state.prometheus },
    state.alertmanager && { name: 'alertmanager' as const, ...state.alertmanager },
    state.blackbox && { name: 'blackbox-exporter' as const, ...state.blackbox },
  ].filter((s) => !!s);

/** The data folder is on every command line the stack spawns: it tells our processes apart. */
const isOurs = (pid: number, state: StackState) => isRunning(pid, state.dataDir);

/**
 * Starts the stack detached and records it. When a recorded stack still runs, it is kept and
 * only re-pointed at `appTargets`.
 */
export async function upDetached(
  options: Omit<StartStackOptions, 'detached'>,
): Promise<{ state: StackState; started: boolean }> {
  const previous = readState(options.dataDir);
  if (previous && servicesOf(previous).every((s) => isOurs(s.pid, previous))) {
    setTargets(options.dataDir, options.appTargets ?? []);
    return { state: previous, started: false };
  }
  if (previous) await downDetached(options.dataDir);
  const stack = await startStack({ ...options, detached: true });
  const state: StackState = {
    startedAt: new Date().toISOString(),
    dataDir: options.dataDir,
    prometheus: { pid: stack.pids.prometheus, url: stack.prometheusUrl },
    alertmanager:
      stack.pids.alertmanager && stack.alertmanagerUrl
        ? { pid: stack.pids.alertmanager, url: stack.alertmanagerUrl }
        : null,
    blackbox: stack.pids.blackbox && stack.blackboxUrl ? { pid: stack.pids.blackbox, url: stack.blackboxUrl } : null,
  };
  writeFileSync(stateFileOf(options.dataDir), `${JSON.stringify(state, null, 2)}\n`);
  return { state, started: true };
}

/** Stops what `upDetached` recorded and forgets it; returns the names of what it stopped. */
export async function downDetached(dataDir: string): Promise<string[]> {
  const state = readState(dataDir);
  if (!state) return [];
  const running = servicesOf(state).filter((s) => isOurs(s.pid, state));
  await Promise.all(running.map((s) => stopPid(s.pid, state.dataDir)));
  rmSync(stateFileOf(dataDir), { force: true });
  return running.map((s) => s.name);
}

export async function statusDetached(dataDir: string): Promise<ServiceStatus[]> {
  const state = readState(dataDir);
  if (!state) return [];
  return Promise.all(
    servicesOf(state).map(async (s) => {
      const running = isOurs(s.pid, state);
      const ready =
        running &&
        (await fetch(`${s.url}/-/ready`, { signal: AbortSignal.timeout(2_000) }).then(
          (res) => res.ok,
          () => false,
        ));
      return { name: s.name, pid: s.pid, url: s.url, running, ready };
    }),
  );
}
