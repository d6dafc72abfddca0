// Stage 1, plan: the experiment file read and checked, its phases laid out, the load split
// across k6 processes, and the run's folder claimed (one run at a time per reports folder).
// Nothing has started yet; every failure here is bad input (exit 2).
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadExperiment } from '../experiment/load';
import { planExperiment, type ExperimentPlan } from '../experiment/plan';
import type { Experiment } from '../experiment/schema';
import { asSetupError, RunSetupError } from './exit-codes';
import { splitLoad, type LoadRunner } from './load-split';
import { RunLock, RunLockedError } from './run-lock';

export interface PlanInput {
  file: string;
  quick: boolean;
  reportsDir: string;
  /** k6 processes the load is split across (default 1). */
  runners?: number;
  /** App replicas to start locally; more than one needs a local start. */
  replicas?: number;
  /** Whether a target was given on the command line (`--target`, `--prometheus`). */
  targetGiven: boolean;
}

export interface RunPlan {
  startedAt: number;
  experiment: Experiment;
  plan: ExperimentPlan;
  loadRunners: LoadRunner[];
  runId: string;
  /** reports/<run-id>/, and its k6/ folder, created. */
  runDir: string;
  k6Dir: string;
  /** The reports folder's lock, held until the run ends. */
  lock: RunLock;
}

export function planStage(input: PlanInput): RunPlan {
  const startedAt = Date.now();
  const experiment = loadExperiment(input.file);
  const plan = planExperiment(experiment, input.quick);
  const loadRunners = asSetupError(() => splitLoad(input.runners ?? 1));
  if ((input.replicas ?? 1) > 1 && (input.targetGiven || experiment.target))
    throw new RunSetupError(
      '--replicas starts the app locally: it cannot be used with a given target (--target / --prometheus)',
    );
  const runId = `${new Date(startedAt).toISOString().replace(/[-:]/g, '').replace(/\..*/, '')}-${experiment.name}-${randomBytes(2).toString('hex')}`;
  const runDir = resolve(input.reportsDir, runId);
  const k6Dir = join(runDir, 'k6');
  const lock = claimReportsFolder(input.reportsDir, runId);
  mkdirSync(k6Dir, { recursive: true });
  return { startedAt, experiment, plan, loadRunners, runId, runDir, k6Dir, lock };
}

/** Creates the reports folder and takes its lock; either failing is a setup error with the fix in it. */
function claimReportsFolder(reportsDir: string, runId: string): RunLock {
  try {
    mkdirSync(reportsDir, { recursive: true });
    return RunLock.acquire(reportsDir, runId);
  } catch (error) {
    if (error instanceof RunLockedError) throw new RunSetupError(error.message);
    const { code, message } = error as NodeJS.ErrnoException;
    throw new RunSetupError(
      `the reports folder ${reportsDir} cannot be written (${code ?? message}); choose another with --reports`,
    );
  }
}
