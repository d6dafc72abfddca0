// k6 runs of the bench scripts in bench/k6/, pinned to the load core. The command line comes
// from chaos/k6's k6Invocation (loopback check, tags, raw output, remote-write settings), so
// the benchmarks drive k6 exactly as `roque k6 run` does; only the script and the pinning differ.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { k6Invocation, type K6RunOptions } from '../../chaos/k6/k6-runner';
import { spawnProcess } from '../../chaos/local/processes';
import { K6_CSV_ENV } from '../../chaos/runner/raw-results';
import { REPO_ROOT } from '../../chaos/tools';

/** The server runs on core 0 and k6 on core 1, so load generation does not steal the server's CPU. */
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;
export const SERVER_CORE = ['taskset', '-c', String(SERVER_CPU)];
export const LOAD_CORE = ['taskset', '-c', String(LOAD_CPU)];

export const BENCH_K6_DIR = join(REPO_ROOT, 'bench', 'k6');

export interface BenchK6Options extends Omit<K6RunOptions, 'scenario' | 'summaryDir'> {
  /** A file of bench/k6/. */
  script: string;
  /** Hard stop: k6 is killed after this long (every load is bounded). */
  timeoutMs: number;
}

export interface BenchK6Result {
  exitCode: number;
  /** k6's end-of-test summary (handleSummary writes it to SUMMARY_FILE), or null. */
  summary: K6Summary | null;
  /** k6's output, for error messages (remote-write errors show up here). */
  output: string;
}

export interface K6Summary {
  metrics: Record<string, { values: Record<string, number> }>;
}

export async function runBenchK6(options: BenchK6Options): Promise<BenchK6Result> {
  const dir = mkdtempSync(join(tmpdir(), 'roque-bench-k6-'));
  const summaryFile = join(dir, 'summary.json');
  try {
    const invocation = k6Invocation(
      { ...options, scenario: options.script, summaryDir: dir },
      join(BENCH_K6_DIR, options.script),
    );
    const [command, ...args] = [...LOAD_CORE, invocation.command, ...invocation.args];
    const k6 = spawnProcess('k6', [command, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...K6_CSV_ENV, ...invocation.env, SUMMARY_FILE: summaryFile },
      output: { keepChars: 20_000 },
    });
    const { child } = k6;
    const killer = setTimeout(() => void k6.stop('SIGKILL'), options.timeoutMs);
    // Aborting stops the load early; k6 still writes its summary on SIGINT.
    const interrupt = () => void k6.stop('SIGINT', options.timeoutMs);
    options.signal?.addEventListener('abort', interrupt, { once: true });
    const exitCode = await new Promise<number>((resolve, reject) => {
      child.once('error', (error) => reject(new Error(`could not start k6 (${invocation.command}): ${error.message}`)));
      child.once('close', (code) => resolve(code ?? 137));
    });
    clearTimeout(killer);
    options.signal?.removeEventListener('abort', interrupt);
    const summary = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, 'utf8')) as K6Summary) : null;
    return { exitCode, summary, output: k6.output() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A summary metric's value, 0 when k6 never emitted the metric (no dropped iterations, no failures). */
export function summaryValue(summary: K6Summary, metric: string, stat: string): number {
  return summary.metrics[metric]?.values[stat] ?? 0;
}
