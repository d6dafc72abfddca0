// `roque run <experiment.yaml>`: one experiment, ending in a verdict table and a report.
// Exit codes (docs/contract.md, runner/exit-codes.ts): 0 every check held, 1 a check
// failed, an abort condition stopped the run or the final kill switch failed, 2 bad input,
// a stack that could not start or a run whose evidence is incomplete (aborted);
// 130/143/129 after SIGINT/SIGTERM/SIGHUP (the report is still written, status `aborted`).
import { relative } from 'node:path';
import Table from 'cli-table3';
import { Option, type Command } from 'commander';
import pc from 'picocolors';
import { ExperimentError } from '../experiment/load';
import { EXIT, exitCodeOf } from '../runner/exit-codes';
import { MAX_RUNNERS } from '../runner/load-split';
import { MAX_LOCAL_REPLICAS } from '../experiment/schema';
import { runExperiment } from '../runner/run-experiment';
import type { RunResult } from '../report/result-schema';
import {
  ADMIN_TOKEN_HELP,
  adminTokenOption,
  jsonOption,
  prometheusOption,
  quietOption,
  replicasOption,
  reportsOption,
  runnersOption,
  targetOption,
  type CommonOptions,
} from './options';
import { checkRuleFiles, RuleFileError } from '../matrix/rule-files';
import { collect, matrix } from './matrix.command';

interface RunFlags extends CommonOptions {
  quick?: boolean;
  adminToken?: string;
  upstream?: string;
  reports: string;
  /** commander's --no-dashboards sets it false. */
  dashboards: boolean;
  rules: string[];
  rulesOnly?: boolean;
  repeat: string;
  runners?: number;
  replicas?: number;
}

/** Where the live progress goes under --quiet: nowhere. */
const SILENT = { isTTY: false, write: () => true };

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .argument('<experiment>', 'experiment file, e.g. chaos/experiments/golden-signals.yaml')
    .description('run an experiment: load, faults, alerts watched, statistical verdict, report in reports/<run-id>/')
    .addOption(new Option('--quick', 'shorten every phase, for CI').env('ROQUE_QUICK'))
    .addOption(targetOption('app base URL (loopback); with --prometheus, use a running stack instead of starting one'))
    .addOption(prometheusOption())
    .addOption(reportsOption('where run folders are written'))
    .addOption(jsonOption())
    .addOption(quietOption())
    .addOption(adminTokenOption())
    .addOption(runnersOption(MAX_RUNNERS))
    .addOption(replicasOption(MAX_LOCAL_REPLICAS))
    .addHelpText('after', `${ADMIN_TOKEN_HELP} Only a given target needs it; a local one gets its own.`)
    .option(
      '--no-dashboards',
      "skip the dashboard pages (reports/<run-id>/dashboards/) and k6's web dashboard, for speed",
    )
    .option(
      '--upstream <url>',
      'your service (loopback): the experiment runs against it behind the fault proxy (see "Test your own service")',
    )
    .option('--rules <file>', "a Prometheus rule file of yours, loaded beside Roque's (repeatable)", collect, [])
    .option('--rules-only', "load only the --rules files, not Roque's")
    .option(
      '--repeat <n>',
      'run it N times on one stack: time to detect as a distribution (writes the coverage matrix)',
      '1',
    )
    .action(async (file: string, flags: RunFlags) => {
      process.exitCode = flags.repeat === '1' ? await run(file, flags) : await matrix([file], flags, 'roque run');
    });
}

async function run(file: string, flags: RunFlags): Promise<number> {
  if (flags.upstream && (flags.target || flags.prometheus)) {
    console.error(
      'roque run: --upstream starts the fault proxy and a local Prometheus; it does not go with --target or --prometheus',
    );
    return 2;
  }
  try {
    if (flags.rulesOnly && !flags.rules.length) throw new Error('--rules-only needs at least one --rules FILE');
    const userRules = checkRuleFiles(flags.rules);
    if (userRules.length && (flags.target || flags.prometheus)) {
      throw new Error(
        '--rules loads rule files into the local Prometheus; with --target/--prometheus, load them into that Prometheus instead',
      );
    }
    const { result, runDir, exitCode } = await runExperiment({
      file,
      quick: Boolean(flags.quick),
      rules: { roque: !flags.rulesOnly, extra: userRules },
      target: flags.target,
      prometheus: flags.prometheus,
      adminToken: flags.adminToken,
      upstream: flags.upstream,
      reportsDir: flags.reports,
      progressOut: flags.quiet ? SILENT : process.stderr,
      dashboards: flags.dashboards,
      runners: flags.runners,
      replicas: flags.replicas,
    });
    if (flags.json) console.log(JSON.stringify(result, null, 2));
    else if (!flags.quiet) {
      console.log(verdictTable(result));
      const where = relative(process.cwd(), runDir) || runDir;
      console.log(`report: ${where}/report.html · ${where}/result.json · ${where}/summary.md · ${where}/junit.xml`);
      if (result.files.dashboards?.length)
        console.log(`dashboards: ${result.files.dashboards.map((page) => `${where}/${page}`).join(' · ')}`);
    }
    return exitCode;
  } catch (error) {
    if (error instanceof ExperimentError) {
      console.error(`roque run: invalid experiment:\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
      return EXIT.badInput;
    }
    if (error instanceof RuleFileError) {
      console.error(`roque run: bad rule file: ${error.message}`);
      return EXIT.badInput;
    }
    console.error(`roque run: ${(error as Error).message}`);
    return exitCodeOf(error);
  }
}

function verdictTable(result: RunResult): string {
  const colour = { passed: pc.green, failed: pc.red, aborted: pc.yellow }[result.status];
  const table = new Table({
    head: ['', 'check', 'expected', 'observed'].map((h) => pc.bold(h)),
    wordWrap: true,
    colWidths: [8, 40, 34, 60],
    style: { head: [], border: [] },
  });
  for (const c of result.checks)
    table.push([c.passed ? pc.green('held') : pc.red('FAILED'), c.name, c.expected, c.observed]);
  const held = result.checks.filter((c) => c.passed).length;
  const heading = `${colour(pc.bold(result.status.toUpperCase()))} ${result.experiment.name}: ${held}/${result.checks.length} checks held in ${result.wallSeconds.toFixed(0)} s`;
  const killSwitch =
    result.killSwitch && !result.killSwitch.cleared
      ? `\n${pc.red(`the final kill switch failed (${result.killSwitch.error}): faults may still be active`)}`
      : '';
  return `\n${heading}${result.abortReason ? ` (${result.abortReason})` : ''}${killSwitch}\n${table.toString()}`;
}
