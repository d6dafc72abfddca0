// `roque matrix` (and `roque run --repeat N`): every experiment of the library, N times
// each, then the coverage matrix in reports/<matrix-id>/matrix.{json,md,html}.
// Most runs share one stack (app, Prometheus with Roque's and/or the user's rules, blackbox
// exporter), started once unless --target/--prometheus give one. Between them the stack
// settles: the last run's traffic has left the rate windows and no alert is pending or
// firing, so a run never inherits the previous one's alerts. An experiment that needs a stack
// of its own (ownStackReason) gets one started for its run alone, as `roque run` would.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { loadExperiment } from '../experiment/load';
import { planExperiment } from '../experiment/plan';
import type { Experiment } from '../experiment/schema';
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
 * are false on purpose); flask-seed.yaml tests the seed's Flask app behind the fault proxy
 * (its own e2e test runs it), not the dice app whose alerts the matrix covers.
 */
const NOT_IN_DEFAULT_MATRIX = ['false-claim.yaml', 'flask-seed.yaml'];
/**
 * Roque's rule files the shared Prometheus leaves out: the SLO burn-rate alerts read 5 m to
 * 3 d windows, which on one Prometheus that lives through every run carry the earlier runs'
 * faults into later baselines. slo-burn.yaml fires them on a stack of its own (`stack: own`).
 */
export const NOT_IN_SHARED_RULES = ['slo.yml'];
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

/** Why an experiment cannot run on the matrix's shared stack (one dice app), or null when it can. */
export function ownStackReason(experiment: Experiment): string | null {
  if (experiment.stack === 'own') return 'stack: own';
  if ((experiment.load.replicas ?? 1) > 1) return `${experiment.load.replicas} replicas`;
  if (experiment.upstream) return 'a service behind the fault proxy';
  return null;
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
  const given = Boolean(options.target || options.prometheus);
  // Every file is checked before anything starts: a typo in the last one must not waste the others' runs.
  const planned = files.map((file) => {
    const plan = planExperiment(loadExperiment(file), options.quick);
    return { file, plan, ownStack: ownStackReason(plan.experiment) };
  });
  // A given stack is the only one there is: an experiment that needs its own cannot run there.
  const leftOut = given ? planned.filter((p) => p.ownStack) : [];
  if (leftOut.length && options.files.length) {
    const { file, ownStack } = leftOut[0];
    throw new RunSetupError(
      `${relative(process.cwd(), file)} needs a stack of its own (${ownStack}); roque matrix starts one locally, not with --target/--prometheus`,
    );
  }
  for (const { plan, ownStack } of leftOut)
    log(`roque matrix: leaving out ${plan.experiment.name}: it needs a stack of its own (${ownStack})`);
  const plans = planned.filter((p) => !leftOut.includes(p));
  if (!plans.length) throw new RunSetupError('no experiment left to run');
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
  const stack = plans.some((p) => !p.ownStack) ? await sharedStack(options, userRules, log) : null;
  const runs: MatrixRun[] = [];
  let sharedRuns = 0;
  try {
    for (let repeat = 1; repeat <= options.repeat; repeat++) {
      for (const { file, plan, ownStack } of plans) {
        if (interrupted !== null) break;
        if (stack && !ownStack && sharedRuns++) await settle(stack.prometheus, log);
        log(
          `roque matrix: ${plan.experiment.name}, repeat ${repeat}/${options.repeat} (run ${runs.length + 1} of ${plans.length * options.repeat})${ownStack ? `, on a stack of its own (${ownStack})` : ''}`,
        );
        try {
          const where =
            stack && !ownStack
              ? { target: stack.app, prometheus: stack.prometheus.url, adminToken: stack.adminToken }
              : { rules: { roque: !options.rulesOnly, extra: userRules } };
          const outcome = await runExperiment({
            file,
            quick: options.quick,
            reportsDir: options.reportsDir,
            ...where,
          });
          runs.push({
            file,
            plan,
            repeat,
            result: outcome.result,
            error: outcome.result.abortReason,
            link: relative(dir, outcome.runDir),
            ownStack,
          });
          if (outcome.exitCode === 130 || outcome.exitCode === 143) interrupted ??= outcome.exitCode;
        } catch (error) {
          log(`roque matrix: ${plan.experiment.name} did not run: ${(error as Error).message}`);
          runs.push({ file, plan, repeat, result: null, error: (error as Error).message, link: null, ownStack });
        }
      }
    }
  } finally {
    await stack?.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }

  const finishedAt = Date.now();
  // The rule files no Prometheus of this matrix loaded: the shared one's skips, unless a stack of its own loaded them.
  const skipped = !given && !options.rulesOnly && !plans.some((p) => p.ownStack) ? NOT_IN_SHARED_RULES : [];
  const matrix = buildMatrix(runs, alertRules(userRules, !options.rulesOnly, skipped), {
    id,
    quick: options.quick,
    repeat: options.repeat,
    startedAt: new Date(startedAt).toISOString(),
    finishedAt: new Date(finishedAt).toISOString(),
    wallSeconds: (finishedAt - startedAt) / 1000,
    rules: {
      roque: !options.rulesOnly,
      skipped,
      user: userRules.map((f) => relative(REPO_ROOT, f) || basename(f)),
    },
    leftOut: leftOut.map(({ plan, ownStack }) => ({ experiment: plan.experiment.name, reason: ownStack! })),
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
    rules: { roque: !options.rulesOnly, skip: NOT_IN_SHARED_RULES, extra: userRules },
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
