// `roque run <experiment.yaml>`: one experiment, ending in a verdict table and a report.
// Exit codes (shared/CONTRACT.md): 0 every check held, 1 a check failed or the run was
// aborted by a condition, 2 bad input or a stack that could not start; 130/143 after
// SIGINT/SIGTERM (the report is still written, status `aborted`).
import { relative } from 'node:path';
import Table from 'cli-table3';
import type { Command } from 'commander';
import pc from 'picocolors';
import { ExperimentError } from '../experiment/load';
import { runExperiment } from '../runner/run-experiment';
import type { RunResult } from '../report/result-schema';
import { REPO_ROOT } from '../tools';

interface RunFlags {
  quick?: boolean;
  target?: string;
  prometheus?: string;
  adminToken?: string;
  upstream?: string;
  reports: string;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .argument('<experiment>', 'experiment file, e.g. chaos/experiments/golden-signals.yaml')
    .description('run an experiment: load, faults, alerts watched, statistical verdict, report in reports/<run-id>/')
    .option('--quick', 'shorten every phase, for CI (also ROQUE_QUICK=1)')
    .option('--target <url>', 'app base URL (loopback); with --prometheus, use a running stack instead of starting one')
    .option('--prometheus <url>', 'Prometheus base URL (loopback)')
    .option('--admin-token <token>', 'admin API token of the target (env CHAOS_ADMIN_TOKEN)')
    .option('--upstream <url>', 'your service (loopback): the experiment runs against it behind the fault proxy (see "Test your own service")')
    .option('--reports <dir>', 'where run folders are written', `${REPO_ROOT}/reports`)
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = await run(file, flags);
    });
}

async function run(file: string, flags: RunFlags): Promise<number> {
  if (flags.upstream && (flags.target || flags.prometheus)) {
    console.error('roque run: --upstream starts the fault proxy and a local Prometheus; it does not go with --target or --prometheus');
    return 2;
  }
  try {
    const { result, runDir, exitCode } = await runExperiment({
      file,
      quick: Boolean(flags.quick) || ['1', 'true', 'yes'].includes((process.env.ROQUE_QUICK ?? '').toLowerCase()),
      target: flags.target,
      prometheus: flags.prometheus,
      adminToken: flags.adminToken,
      upstream: flags.upstream,
      reportsDir: flags.reports,
    });
    console.log(verdictTable(result));
    const where = relative(process.cwd(), runDir) || runDir;
    console.log(`report: ${where}/report.html · ${where}/result.json · ${where}/summary.md · ${where}/junit.xml`);
    return exitCode;
  } catch (error) {
    if (error instanceof ExperimentError) {
      console.error(`roque run: invalid experiment:\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
      return 2;
    }
    console.error(`roque run: ${(error as Error).message}`);
    return 2;
  }
}

function verdictTable(result: RunResult): string {
  const colour = { passed: pc.green, failed: pc.red, aborted: pc.yellow }[result.status];
  const table = new Table({ head: ['', 'check', 'expected', 'observed'].map((h) => pc.bold(h)), wordWrap: true, colWidths: [8, 40, 34, 60], style: { head: [], border: [] } });
  for (const c of result.checks) table.push([c.passed ? pc.green('held') : pc.red('FAILED'), c.name, c.expected, c.observed]);
  const held = result.checks.filter((c) => c.passed).length;
  const heading = `${colour(pc.bold(result.status.toUpperCase()))} ${result.experiment.name}: ${held}/${result.checks.length} checks held in ${result.wallSeconds.toFixed(0)} s`;
  return `\n${heading}${result.abortReason ? ` (${result.abortReason})` : ''}\n${table.toString()}`;
}
