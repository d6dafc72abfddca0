// `roque matrix` (and `roque run --repeat N`): every experiment of the library, N times
// each, on one stack, then the coverage matrix in reports/<matrix-id>/matrix.{json,md,html}.
// The stack (app, Prometheus with Roque's and/or the user's rules, blackbox exporter) starts
// once, unless --target/--prometheus give one; each run gets it as its target. Between runs
// the stack settles: the last run's traffic has left the rate windows and no alert is
// pending or firing, so a run never inherits the previous one's alerts.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { loadExperiment } from '../experiment/load';
import { planExperiment } from '../experiment/plan';
import { pointLatestAt } from '../report/write-report';
import { startLocalTarget } from '../runner/local-target';
import { PrometheusClient } from '../runner/prometheus';
import { runExperiment, RunSetupError } from '../runner/run-experiment';
import { METRICS } from '../contract/metrics';
import { REPO_ROOT } from '../tools';
import { buildMatrix, type MatrixResult, type MatrixRun } from './matrix';
import { matrixHtml } from './matrix-html';
import { matrixMarkdown } from './matrix-md';
import { alertRules, checkRuleFiles } from './rule-files';

export const LIBRARY_DIR = join(REPO_ROOT, 'chaos', 'experiments');
/**
 * Not in the default matrix: false-claim.yaml shows what a failed check looks like (its claims
 * are false on purpose); flask-seed.yaml tests a user's service behind the fault proxy on a
 * stack of its own (its own e2e test runs it), not the dice app the matrix's stack watches;
 * one-sick-replica.yaml needs three replicas of its own (chaos/runner/distributed.e2e-spec.ts
 * runs it), where the matrix's stack has one; slo-burn.yaml needs a Prometheus of its own with
 * slo.yml loaded, whose 1 h window holds only that run (slo-burn.e2e-spec.ts runs it).
 */
const NOT_IN_DEFAULT_MATRIX = ['false-claim.yaml', 'flask-seed.yaml', 'one-sick-replica.yaml', 'slo-burn.yaml'];
/**
 * Roque's rule files the matrix's shared Prometheus leaves out: the SLO burn-rate alerts read
 * 5 m to 3 d windows, which on one Prometheus that lives through every run carry the earlier
 * runs' faults into later baselines (and no short run can fire them honestly; README).
 */
export const NOT_IN_MATRIX_RULES = ['slo.yml'];
/** Longest wait for the stack to settle between runs. */
const SETTLE_TIMEOUT_MS = 120_000;

export interface MatrixOptions {
  /** Experiment files; empty: the whole library. */
  files: string[];
  repeat: number;
  quick: boolean;
  /** The user's rule files (checked with promtool first). */
  rules: string[];
  /** Load only the user's rules, not Roque's. */
  rulesOnly: boolean;
  reportsDir: string;
  target?: string;
  prometheus?: string;
  adminToken?: string;
  /** Where progress lines go (default stderr). */
  log?: (line: string) => void;
}

export interface MatrixOutcome {
  matrix: MatrixResult;
  dir: string;
  exitCode: number;
}

/** The library: chaos/experiments/*.yaml, but NOT_IN_DEFAULT_MATRIX. */
export function libraryFiles(): string[] {
  return readdirSync(LIBRARY_DIR)
    .filter((f) => f.endsWith('.yaml') && !NOT_IN_DEFAULT_MATRIX.includes(f))
    .sort()
    .map((f) => join(LIBRARY_DIR, f));
}

export async function runMatrix(options: MatrixOptions): Promise<MatrixOutcome> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const startedAt = Date.now();
  if (!Number.isInteger(options.repeat) || options.repeat < 1)
    throw new RunSetupError(`--repeat must be a whole number of at least 1 (got ${options.repeat})`);
  if (options.rulesOnly && !options.rules.length)
    throw new RunSetupError('--rules-only needs at least one --rules FILE');
  const userRules = checkRuleFiles(options.rules);
  if (userRules.length && (options.target || options.prometheus)) {
    throw new RunSetupError(
      '--rules loads rule files into the local Prometheus; with --target/--prometheus, load them into that Prometheus instead',
    );
  }
  const files = (options.files.length ? options.files : libraryFiles()).map((f) => resolve(f));
  // Every file is checked before anything starts: a typo in the last one must not waste the others' runs.
  const plans = files.map((file) => ({ file, plan: planExperiment(loadExperiment(file), options.quick) }));
  const id = `${new Date(startedAt).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-matrix-${randomBytes(2).toString('hex')}`;
  const dir = resolve(options.reportsDir, id);
  mkdirSync(dir, { recursive: true });

  let interrupted: number | null = null;
  const onSignal = (code: number) => () => {
    interrupted ??= code;
  };
  const onSigint = onSignal(130);
  const onSigterm = onSignal(143);
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const stack = await sharedStack(options, userRules, log);
  const runs: MatrixRun[] = [];
  try {
    for (let repeat = 1; repeat <= options.repeat; repeat++) {
      for (const { file, plan } of plans) {
        if (interrupted !== null) break;
        if (runs.length) await settle(stack.prometheus, log);
        log(
          `roque matrix: ${plan.experiment.name}, repeat ${repeat}/${options.repeat} (run ${runs.length + 1} of ${plans.length * options.repeat})`,
        );
        try {
          const outcome = await runExperiment({
            file,
            quick: options.quick,
            target: stack.app,
            prometheus: stack.prometheus.url,
            adminToken: stack.adminToken,
            reportsDir: options.reportsDir,
          });
          runs.push({
            file,
            plan,
            repeat,
            result: outcome.result,
            error: outcome.result.abortReason,
            link: relative(dir, outcome.runDir),
          });
          if (outcome.exitCode === 130 || outcome.exitCode === 143) interrupted ??= outcome.exitCode;
        } catch (error) {
          log(`roque matrix: ${plan.experiment.name} did not run: ${(error as Error).message}`);
          runs.push({ file, plan, repeat, result: null, error: (error as Error).message, link: null });
        }
      }
    }
  } finally {
    await stack.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }

  const finishedAt = Date.now();
  const local = !options.target;
  const matrix = buildMatrix(runs, alertRules(userRules, !options.rulesOnly, local ? NOT_IN_MATRIX_RULES : []), {
    id,
    quick: options.quick,
    repeat: options.repeat,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    wallSeconds: (finishedAt - startedAt) / 1000,
    rules: {
      roque: !options.rulesOnly,
      skipped: local && !options.rulesOnly ? NOT_IN_MATRIX_RULES : [],
      user: userRules.map((f) => relative(REPO_ROOT, f) || basename(f)),
    },
  });
  writeFileSync(join(dir, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
  writeFileSync(join(dir, 'matrix.md'), matrixMarkdown(matrix));
  writeFileSync(join(dir, 'matrix.html'), matrixHtml(matrix));
  pointLatestAt(dir);
  return { matrix, dir, exitCode: interrupted ?? (matrix.passed ? 0 : 1) };
}

interface SharedStack {
  app: string;
  prometheus: PrometheusClient;
  adminToken: string;
  stop(): Promise<void>;
}

/** The given target, or the app and the local stack started once for every run. */
async function sharedStack(
  options: MatrixOptions,
  userRules: string[],
  log: (line: string) => void,
): Promise<SharedStack> {
  if (options.target || options.prometheus) {
    if (!options.target || !options.prometheus)
      throw new RunSetupError('give both --target and --prometheus, or neither to start them locally');
    const adminToken = options.adminToken ?? process.env.CHAOS_ADMIN_TOKEN;
    if (!adminToken) throw new RunSetupError('the admin token is missing: pass --admin-token or set CHAOS_ADMIN_TOKEN');
    return {
      app: options.target,
      prometheus: new PrometheusClient(options.prometheus),
      adminToken,
      stop: async () => {},
    };
  }
  log('roque matrix: starting the app, Prometheus and the blackbox exporter on loopback…');
  const local = await startLocalTarget({
    replicas: 1,
    rules: { roque: !options.rulesOnly, skip: NOT_IN_MATRIX_RULES, extra: userRules },
    dataDirPrefix: 'roque-matrix-',
  }).catch((error: Error) => {
    throw new RunSetupError(`the local stack could not start: ${error.message}`);
  });
  return { app: local.apps[0].url, prometheus: local.prometheus, adminToken: local.adminToken, stop: local.stop };
}

/** Waits until the app serves no traffic in the last 20 s and Prometheus has no pending or firing alert. */
async function settle(prometheus: PrometheusClient, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  const busy = async () => {
    const rate = await prometheus
      .scalar(`sum(rate(${METRICS.httpServerDuration}_count[20s]))`, Date.now())
      .catch(() => null);
    const alerts = await prometheus.alerts().catch(() => []);
    return (rate ?? 0) > 0 || alerts.length > 0 ? alerts.map((a) => `${a.labels.alertname} (${a.state})`) : null;
  };
  let waiting = await busy();
  if (waiting) log(`roque matrix: letting the stack settle (${waiting.join(', ') || 'traffic in the last 20 s'})…`);
  while (waiting && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1_000));
    waiting = await busy();
  }
  if (waiting)
    log(
      `roque matrix: the stack did not settle within ${SETTLE_TIMEOUT_MS / 1000} s (${waiting.join(', ')}); going on`,
    );
}
