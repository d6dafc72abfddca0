// The options every `roque` command spells the same way, each with its environment variable.
// A command adds the ones it takes (`command.addOption(targetOption())`) and reads them with
// `command.opts<CommonOptions>()`; `applyFlagEnv` (a hook in main.ts) reads ROQUE_JSON=0 as off.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { REPO_ROOT } from '../tools';

/** What the shared options hold once parsed (each command takes only some of them). */
export interface CommonOptions {
  target?: string;
  prometheus?: string;
  reports?: string;
  json?: boolean;
  quiet?: boolean;
}

export const ENV = {
  target: 'ROQUE_TARGET_URL',
  prometheus: 'ROQUE_PROMETHEUS_URL',
  reports: 'ROQUE_REPORTS_DIR',
  json: 'ROQUE_JSON',
  quiet: 'ROQUE_QUIET',
  adminToken: 'CHAOS_ADMIN_TOKEN',
} as const;

export const DEFAULT_TARGET_URL = 'http://127.0.0.1:8080';
export const DEFAULT_REPORTS_DIR = join(REPO_ROOT, 'reports');

/** The app's base URL; `description` says what the command does with it. */
export const targetOption = (description = 'the app base URL (loopback)'): Option =>
  new Option('--target <url>', description).env(ENV.target);

export const prometheusOption = (description = 'Prometheus base URL (loopback)'): Option =>
  new Option('--prometheus <url>', description).env(ENV.prometheus);

export const reportsOption = (description = 'where reports are written'): Option =>
  new Option('--reports <dir>', description).env(ENV.reports).default(DEFAULT_REPORTS_DIR, 'reports/');

export const jsonOption = (): Option => new Option('--json', 'print JSON on stdout instead of tables').env(ENV.json);

export const quietOption = (): Option =>
  new Option('-q, --quiet', 'print nothing but errors; the exit code tells').env(ENV.quiet);

/** A parser for a whole number from 1 to `max`. */
export const countFrom1To =
  (max: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new InvalidArgumentError(`"${value}" is not a whole number from 1 to ${max}`);
    return n;
  };

/** A parser for a comma-separated list of names, each one of `known`: "--suite a,b". */
export const oneOrMoreOf =
  (what: string, known: readonly string[]) =>
  (value: string): string[] => {
    const names = value
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean);
    const unknown = names.filter((name) => !known.includes(name));
    if (names.length === 0 || unknown.length > 0)
      throw new InvalidArgumentError(
        `${names.length === 0 ? `no ${what} named` : `unknown ${what} ${unknown.map((n) => `"${n}"`).join(', ')}`}; known: ${known.join(', ')}`,
      );
    return names;
  };

/** k6 processes a run's load is split across (execution segments). */
export const runnersOption = (max: number): Option =>
  new Option('--runners <n>', 'split the load across N k6 processes (execution segments, as the k6-operator does)')
    .env('ROQUE_RUNNERS')
    .argParser(countFrom1To(max));

/** App replicas a command starts locally, sharing faults through Redis. */
export const replicasOption = (max: number): Option =>
  new Option(
    '--replicas <m>',
    'start M app replicas sharing faults through a local Redis; the load is spread over them',
  )
    .env('ROQUE_REPLICAS')
    .argParser(countFrom1To(max));

/**
 * The admin token, from CHAOS_ADMIN_TOKEN. The flag is hidden and kept only for scripts that
 * pass it (a token on a command line ends up in shell history and `ps`).
 */
export const adminTokenOption = (flags = '--admin-token <token>'): Option =>
  new Option(flags, 'admin API token').env(ENV.adminToken).hideHelp();

/** Help text for the commands that talk to the admin API. */
export const ADMIN_TOKEN_HELP = `\nThe admin token comes from ${ENV.adminToken}.`;

/**
 * Keeps an older spelling of `option` working, hidden from help: `--base-url X` sets `--target`.
 * `env`, when given, is the older spelling's variable; the option's own variable wins over it.
 */
export function addLegacyAlias(command: Command, flags: string, option: Option, env?: string): Command {
  const alias = new Option(flags, `old spelling of ${option.long}`).hideHelp();
  if (env) alias.env(env);
  command.addOption(alias);
  const key = option.attributeName();
  command.on(`option:${alias.name()}`, (value: string) => command.setOptionValueWithSource(key, value, 'cli'));
  command.on(`optionEnv:${alias.name()}`, (value: string) => {
    if (command.getOptionValueSource(key) === 'default' || command.getOptionValue(key) === undefined) {
      command.setOptionValueWithSource(key, value, 'env');
    }
  });
  return command;
}

const OFF = new Set(['', '0', 'false', 'no', 'off']);

/**
 * Commander turns a boolean option on whenever its variable is set, whatever the value; here a
 * variable set to 0/false/no/off (or empty) leaves the flag off. main.ts runs it before every
 * action, for the action's command and the commands above it.
 */
export function applyFlagEnv(command: Command): void {
  for (const option of command.options) {
    if (!option.envVar || !option.isBoolean() || option.negate) continue;
    const key = option.attributeName();
    if (command.getOptionValueSource(key) !== 'env') continue;
    if (OFF.has((process.env[option.envVar] ?? '').trim().toLowerCase()))
      command.setOptionValueWithSource(key, false, 'env');
  }
}

/** The version in package.json. */
export function roqueVersion(): string {
  return (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
