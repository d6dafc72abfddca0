// `roque run <experiment.yaml>`: one experiment, ending in a verdict table and a report.
// Exit codes (shared/CONTRACT.md): 0 every check held, 1 a check failed or the run was
// aborted by a condition, 2 bad input or a stack that could not start; 130/143 after
// SIGINT/SIGTERM (the report is still written, status `aborted`).
import { relative } from 'node:path';
import Table from 'cli-table3';
import type { Command } from 'commander';
import pc from 'picocolors';
import { ExperimentError } from '../experiment/load';
import { checkRuleFiles, RuleFileError } from '../matrix/rule-files';
import { runExperiment } from '../runner/run-experiment';
import type { RunResult } from '../report/result-schema';
import { REPO_ROOT } from '../tools';
import { collect, isQuick, matrix } from './matrix.command';

interface RunFlags {
  quick?: boolean;
  target?: string;
  prometheus?: string;
  adminToken?: string;
  reports: string;
  rules: string[];
  rulesOnly?: boolean;
  repeat: string;
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
    .option('--reports <dir>', 'where run folders are written', `${REPO_ROOT}/reports`)
    .option('--rules <file>', "a Prometheus rule file of yours, loaded beside Roque's (repeatable)", collect, [])
    .option('--rules-only', "load only the --rules files, not Roque's")
    .option('--repeat <n>', 'run it N times on one stack: time to detect as a distribution (writes the coverage matrix)', '1')
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = flags.repeat === '1' ? await run(file, flags) : await matrix([file], flags, 'roque run');
    });
}

async function run(file: string, flags: RunFlags): Promise<number> {
  try {
    if (flags.rulesOnly && !flags.rules.length) throw new Error('--rules-only needs at least one --rules FILE');
    const userRules = checkRuleFiles(flags.rules);
    if (userRules.length && (flags.target || flags.prometheus)) {
      throw new Error('--rules loads rule files into the local Prometheus; with --target/--prometheus, load them into that Prometheus instead');
    }
    const { result, runDir, exitCode } = await runExperiment({
      file,
      quick: isQuick(flags.quick),
      rules: { roque: !flags.rulesOnly, extra: userRules },
      target: flags.target,
      prometheus: flags.prometheus,
      adminToken: flags.adminToken,
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
    if (error instanceof RuleFileError) {
      console.error(`roque run: bad rule file: ${error.message}`);
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
