// `roque k6 run|inspect|list`: the k6 scenarios of scenarios/ with the project's settings.
// `run` exits with k6's own code (0 passed, 99 thresholds failed, 108 target down, …);
// 2 for bad input (unknown scenario, non-loopback URL) before k6 starts.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Command, type CommanderError, InvalidArgumentError } from 'commander';
import { testidProblem } from '../contract/metrics';
import { ensureBundles, k6ArgEnv, knownScenarios, runK6, scenarioBundle } from '../k6/k6-runner';
import { faultsCleared, guardFaults } from '../local/watchdog';
import { EXIT } from '../runner/exit-codes';
import { tools } from '../tools';
import {
  addLegacyAlias,
  DEFAULT_TARGET_URL,
  jsonOption,
  prometheusOption,
  quietOption,
  reportsOption,
  targetOption,
  type CommonOptions,
} from './options';

interface RunOptions extends CommonOptions {
  rate?: string;
  duration?: string;
  target: string;
  reports: string;
  testid?: string;
  summaryDir?: string;
  timeline?: string;
  raw?: string;
  nativeHistograms?: boolean;
  phaseThresholds: boolean;
  progress?: boolean;
}

/** Checked before anything is made: the testid names a folder (reports/k6/<testid>). */
const testid = (value: string): string => {
  const problem = testidProblem(value, '--testid');
  if (problem) throw new InvalidArgumentError(problem);
  return value;
};

const positive = (value: string): string => {
  if (!(Number(value) > 0)) throw new InvalidArgumentError(`"${value}" is not a positive number`);
  return value;
};

export function registerK6Command(program: Command): void {
  const k6 = program
    .command('k6')
    .description(`k6 scenarios (${knownScenarios().join(', ')}) run with Roque's settings`)
    .exitOverride(exitOnUsageError);

  const target = targetOption('the dice service').default(DEFAULT_TARGET_URL);
  const prometheus = prometheusOption('remote-write results to this Prometheus');
  const run = k6
    .command('run')
    .argument('<scenario>', 'a scenario of scenarios/ (see `roque k6 list`)')
    .argument('[k6Args...]', 'after `--`: more arguments for `k6 run`')
    .description("run a scenario against a loopback target; exits with k6's code")
    .option('--rate <n>', 'iterations per second at the peak (env RATE)', positive)
    .option('--duration <d>', 'profile length, e.g. 90s, 5m (env DURATION; chaos: use the timeline)')
    .addOption(target)
    .option('--testid <id>', 'tags every sample (default <scenario>-<time>)', testid)
    .addOption(prometheus)
    .option('--native-histograms', 'remote-write trends as native histograms instead of p50…p99 gauges')
    .addOption(reportsOption())
    .option('--summary-dir <dir>', 'summary.json, junit.xml, summary.txt (default <reports>/k6/<testid>)')
    .option('--timeline <json|file>', 'chaos: the phases as JSON, or a file holding it (env TIMELINE)')
    .option('--raw <file>', 'every sample to a .json[.gz] or .csv[.gz] file')
    .option('--no-phase-thresholds', 'report per-phase figures without failing on them')
    .option('--progress', "show k6's progress lines")
    .addOption(quietOption())
    .action(async (scenario: string, k6Args: string[], options: RunOptions) => {
      scenarioBundle(scenario); // unknown names fail here, before anything is built
      const testid = options.testid ?? `${scenario}-${new Date().toISOString().replace(/[-:]/g, '').slice(0, 15)}`;
      const summaryDir = options.summaryDir ?? join(options.reports, 'k6', testid);
      const env: Record<string, string> = {
        BASE_URL: options.target,
        PHASE_THRESHOLDS: options.phaseThresholds ? 'on' : 'off',
      };
      if (options.rate) env.RATE = options.rate;
      if (options.duration) env.DURATION = options.duration;
      if (options.timeline)
        env.TIMELINE = existsSync(options.timeline) ? readFileSync(options.timeline, 'utf8') : options.timeline;

      // One Ctrl-C (or SIGTERM, SIGHUP) stops the load; k6 still runs teardown() (the chaos
      // kill switch) and the summary. If this process dies instead, its watchdog clears them.
      const interrupt = new AbortController();
      const onSignal = () => interrupt.abort();
      const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      for (const signal of signals) process.on(signal, onSignal);
      const adminToken = process.env.CHAOS_ADMIN_TOKEN;
      const faultTarget = k6ArgEnv(k6Args).BASE_URL ?? options.target;
      if (adminToken) guardFaults(faultTarget, adminToken);
      const result = await runK6({
        scenario,
        env,
        testid,
        summaryDir,
        rawOutputFile: options.raw,
        prometheusUrl: options.prometheus,
        nativeHistograms: options.nativeHistograms,
        progress: options.progress,
        extraArgs: k6Args,
        signal: interrupt.signal,
        // --quiet keeps k6's stderr (its errors) and drops the rest.
        onLine: (line, stream) => {
          if (stream === 'stderr') console.error(line);
          else if (!options.quiet) console.log(line);
        },
      });
      for (const signal of signals) process.off(signal, onSignal);
      if (adminToken) faultsCleared(faultTarget);
      if (!options.quiet) {
        console.error(
          `roque k6: ${scenario} ${result.exitCode === 0 ? 'passed' : `exit ${result.exitCode}: ${result.meaning}`}`,
        );
        if (result.summaryFile) console.error(`roque k6: summary in ${summaryDir}`);
      }
      process.exitCode = result.exitCode;
    });
  // The spellings before the shared vocabulary; the CI workflows of users may still pass them.
  addLegacyAlias(run, '--base-url <url>', target, 'BASE_URL');
  addLegacyAlias(run, '--prometheus-url <url>', prometheus);

  k6.command('inspect')
    .argument('<scenario>', 'a scenario of scenarios/')
    .description("print the scenario's resolved k6 options (k6 inspect)")
    .action((scenario: string) => {
      const bundle = scenarioBundle(scenario);
      ensureBundles();
      const res = spawnSync(tools().k6, ['inspect', bundle], { stdio: 'inherit' });
      process.exitCode = res.status ?? 1;
    });

  k6.command('list')
    .description('the known scenarios')
    .addOption(jsonOption())
    .action((options: CommonOptions) =>
      console.log(options.json ? JSON.stringify({ scenarios: knownScenarios() }) : knownScenarios().join('\n')),
    );
}

/** Commander's own usage errors are bad input (exit 2); help exits 0. */
function exitOnUsageError(error: CommanderError): never {
  process.exit(error.exitCode === 0 ? EXIT.passed : EXIT.badInput);
}
