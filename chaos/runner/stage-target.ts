// Stage 2, target: the app and Prometheus the run loads and watches. A given pair is checked;
// `--upstream` puts the user's service behind the fault proxy; otherwise the app and
// Prometheus start on loopback (built first on a fresh clone). Every failure is a
// RunSetupError (exit 2).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Experiment } from '../experiment/schema';
import { assertLoopback, waitForHttp } from '../local/network';
import type { RuleSelection } from '../stack/prometheus-config';
import { REPO_ROOT } from '../tools';
import { asSetupError, RunSetupError } from './exit-codes';
import type { Journal } from './journal';
import { startLocalTarget } from './local-target';
import type { Progress } from './progress';
import { PrometheusClient } from './prometheus';
import { prepareUpstreamTarget } from './upstream-target';

export interface Target {
  /** The app the admin API is called on (the first replica). */
  app: string;
  /** Every replica the load is spread over; [app] for one. */
  replicas: string[];
  prometheus: PrometheusClient;
  adminToken: string;
  startedLocally: boolean;
  /** Calls `onLost` if a process started here dies before stop(). */
  watch(onLost: (reason: string) => void): void;
  stop(): Promise<void>;
}

export interface TargetInput {
  experiment: Experiment;
  experimentFile: string;
  /** The app's base URL and Prometheus, given (`--target`, `--prometheus`), with the admin token. */
  given: { app?: string; prometheus?: string; adminToken?: string };
  /** A service on loopback to put behind the fault proxy (`--upstream`). */
  upstream?: string;
  /** App replicas to start locally (default: the experiment's load.replicas, else 1). */
  replicas?: number;
  rules?: RuleSelection;
  journal: Journal;
  progress: Progress;
}

/** The target, or null when `signal` aborts first; a target that comes up after that is stopped at once. */
export async function targetStage(input: TargetInput, signal: AbortSignal): Promise<Target | null> {
  const preparing = prepareTarget(input);
  const target = await untilAborted(preparing, signal);
  if (!target)
    void preparing.then(
      (late) => late.stop(),
      () => {},
    );
  return target;
}

function prepareTarget(input: TargetInput): Promise<Target> {
  const { experiment, given } = input;
  if (input.upstream || experiment.upstream)
    return prepareUpstreamTarget(
      experiment.upstream,
      { upstreamUrl: input.upstream, experimentFile: input.experimentFile },
      input.journal,
      input.progress,
    ).catch((error: Error) => {
      throw new RunSetupError(error.message);
    });
  const app = given.app ?? experiment.target?.app;
  const prometheus = given.prometheus ?? experiment.target?.prometheus;
  if (app || prometheus)
    return checkGivenTarget(app, prometheus, given.adminToken ?? experiment.target?.adminToken, input);
  return startTargetHere(input);
}

/** A running app and Prometheus: both given, on loopback, ready and healthy. */
async function checkGivenTarget(
  app: string | undefined,
  prometheusUrl: string | undefined,
  token: string | undefined,
  { journal }: TargetInput,
): Promise<Target> {
  if (!app || !prometheusUrl)
    throw new RunSetupError(
      'give both the target app and Prometheus (--target and --prometheus, or ROQUE_TARGET_URL and ROQUE_PROMETHEUS_URL), or neither to start them locally',
    );
  const adminToken = token ?? process.env.CHAOS_ADMIN_TOKEN;
  if (!adminToken) throw new RunSetupError('the admin token is missing: set CHAOS_ADMIN_TOKEN');
  const prometheus = asSetupError(() => new PrometheusClient(prometheusUrl));
  asSetupError(() => assertLoopback(app, 'target'));
  await prometheus.assertReady().catch((error: Error) => {
    throw new RunSetupError(error.message);
  });
  await waitForHttp(`${app.replace(/\/$/, '')}/health`, { timeoutMs: 5_000 }).catch((error: Error) => {
    throw new RunSetupError(`target app is not healthy: ${error.message}`);
  });
  journal.write('target.given', { app, prometheus: prometheus.url });
  return {
    app,
    replicas: [app],
    prometheus,
    adminToken,
    startedLocally: false,
    watch: () => {},
    stop: async () => {},
  };
}

/** The app (its replicas, and Redis for more than one) and Prometheus, started on loopback. */
async function startTargetHere({
  experiment,
  replicas: asked,
  rules,
  journal,
  progress,
}: TargetInput): Promise<Target> {
  buildIfNeeded(progress);
  // An experiment's own load.replicas is for a local start; a given stack has its own replicas.
  const replicas = asked ?? experiment.load.replicas ?? 1;
  progress.message(
    `roque: starting ${replicas > 1 ? `${replicas} app replicas, Redis` : 'the app'} and Prometheus on loopback…`,
  );
  const local = await startLocalTarget({ replicas, rules, dataDirPrefix: 'roque-stack-' }).catch((error: Error) => {
    throw new RunSetupError(`the local stack could not start: ${error.message}`);
  });
  const [first] = local.apps;
  journal.write('target.started', {
    app: first.url,
    ...(replicas > 1 ? { replicas: local.apps.map((a) => a.url), redis: local.redis!.url } : {}),
    prometheus: local.stack.prometheusUrl,
    dataDir: local.dataDir,
    pids: {
      app: first.child.pid,
      ...(replicas > 1 ? { replicas: local.apps.map((a) => a.child.pid), redis: local.redis!.child.pid } : {}),
      prometheus: local.stack.pids.prometheus,
    },
  });
  return {
    app: first.url,
    replicas: local.apps.map((a) => a.url),
    prometheus: local.prometheus,
    adminToken: local.adminToken,
    startedLocally: true,
    watch: local.watch,
    stop: local.stop,
  };
}

/** Builds dist/ when the app is missing from it (a fresh clone); k6 bundles are checked by runK6. */
function buildIfNeeded(progress: Progress): void {
  if (existsSync(join(REPO_ROOT, 'dist', 'target-app', 'src', 'main.js'))) return;
  progress.message('roque: building…');
  const build = spawnSync(process.execPath, [join(REPO_ROOT, 'webpack-free-build.mjs')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new RunSetupError(`the build failed:\n${build.stdout}${build.stderr}`);
}

/** `work`'s result, or null when `signal` aborts first (`work` is then left to fail on its own). */
async function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | null> {
  if (signal.aborted) return null;
  let onAbort!: () => void;
  const aborted = new Promise<null>((resolve) => {
    onAbort = () => resolve(null);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    work.catch(() => {});
  }
}
