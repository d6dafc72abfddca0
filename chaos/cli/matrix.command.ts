// `roque matrix [experiment…]`: the coverage matrix over the experiment library (or the
// files given), N repeats each, on one stack. Exit codes: 0 every expected detection held
// in every repeat, 1 one did not, 2 bad input (an experiment, a rule file promtool refuses)
// or a stack that could not start; 130/143 after SIGINT/SIGTERM (the matrix of the runs so far is written).
import { relative } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { ExperimentError } from '../experiment/load';
import { matrixMarkdown } from '../matrix/matrix-md';
import { RuleFileError } from '../matrix/rule-files';
import { runMatrix, type MatrixOptions } from '../matrix/run-matrix';
import { REPO_ROOT } from '../tools';

export interface MatrixFlags {
  repeat: string;
  quick?: boolean;
  rules: string[];
  rulesOnly?: boolean;
  target?: string;
  prometheus?: string;
  adminToken?: string;
  reports: string;
}

export const collect = (value: string, previous: string[]) => [...previous, value];

export const isQuick = (flag: boolean | undefined) =>
  Boolean(flag) || ['1', 'true', 'yes'].includes((process.env.ROQUE_QUICK ?? '').toLowerCase());

export function registerMatrixCommand(program: Command): void {
  program
    .command('matrix')
    .argument('[experiments...]', 'experiment files (default: chaos/experiments/*.yaml but false-claim.yaml)')
    .description(
      'the coverage matrix: every experiment N times on one stack; fault type × alert, fired/expected, time to detect; reports/<id>/matrix.{html,md,json}',
    )
    .option('--repeat <n>', 'runs of each experiment', '1')
    .option('--quick', 'shorten every phase, for CI (also ROQUE_QUICK=1)')
    .option('--rules <file>', "a Prometheus rule file of yours, loaded beside Roque's (repeatable)", collect, [])
    .option('--rules-only', "load only the --rules files, not Roque's")
    .option('--target <url>', 'app base URL (loopback); with --prometheus, use a running stack')
    .option('--prometheus <url>', 'Prometheus base URL (loopback)')
    .option('--admin-token <token>', 'admin API token of the target (env CHAOS_ADMIN_TOKEN)')
    .option('--reports <dir>', 'where the matrix and run folders are written', `${REPO_ROOT}/reports`)
    .action(async (files: string[], flags: MatrixFlags) => {
      process.exitCode = await matrix(files, flags, 'roque matrix');
    });
}

/** Runs the matrix and prints its table; shared with `roque run --repeat N`. */
export async function matrix(files: string[], flags: MatrixFlags, command: string): Promise<number> {
  const repeat = Number(flags.repeat);
  const options: MatrixOptions = {
    files,
    repeat,
    quick: isQuick(flags.quick),
    rules: flags.rules,
    rulesOnly: Boolean(flags.rulesOnly),
    reportsDir: flags.reports,
    target: flags.target,
    prometheus: flags.prometheus,
    adminToken: flags.adminToken,
  };
  try {
    const { matrix: result, dir, exitCode } = await runMatrix(options);
    console.log(`\n${matrixMarkdown(result)}`);
    if (result.failures.length) console.log(pc.red(`${command}: did not hold: ${result.failures.join('; ')}`));
    const where = relative(process.cwd(), dir) || dir;
    console.log(`matrix: ${where}/matrix.html · ${where}/matrix.md · ${where}/matrix.json`);
    return exitCode;
  } catch (error) {
    if (error instanceof ExperimentError) {
      console.error(`${command}: invalid experiment:\n${error.problems.map((p) => `  ${p}`).join('\n')}`);
    } else if (error instanceof RuleFileError) {
      console.error(`${command}: bad rule file: ${error.message}`);
    } else {
      console.error(`${command}: ${(error as Error).message}`);
    }
    return 2;
  }
}
