// Where every suite's figures go: bench/results/<date>.{md,json} (or <date>-quick.* for a
// --quick smoke, so a smoke never overwrites real figures). A suite's section replaces the
// same suite's section from an earlier run that day and keeps the others, so the suites can
// be run one at a time (a throughput run on a quiet machine, the rest on another).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, tools } from '../../chaos/tools';

export const SUITES = ['throughput', 'fidelity', 'detection', 'harness'] as const;
export type SuiteName = (typeof SUITES)[number];

export interface SuiteResult {
  /** When the suite ran (ISO). */
  ranAt: string;
  /** The settings in words, printed under the section's heading. */
  settings: string;
  /** The section's markdown body (tables and notes), without the heading. */
  markdown: string;
  /** Every figure, for machines. */
  data: unknown;
}

interface ResultsFile {
  date: string;
  machine: Machine;
  suites: Partial<Record<SuiteName, SuiteResult>>;
}

export interface Machine {
  cores: number;
  cpu: string;
  node: string;
  k6: string;
}

export function machine(): Machine {
  return {
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.versions.node,
    k6: spawnSync(tools().k6, ['version'], { encoding: 'utf8' }).stdout.trim(),
  };
}

export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

/** Merges `suite`'s result into today's files and rewrites the markdown from them; returns the md path. */
export function writeSuiteResult(suite: SuiteName, result: SuiteResult, quick: boolean): string {
  const date = new Date().toISOString().slice(0, 10);
  const base = join(RESULTS_DIR, `${date}${quick ? '-quick' : ''}`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const previous = existsSync(`${base}.json`)
    ? (JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Partial<ResultsFile>)
    : {};
  const file: ResultsFile = { date, machine: machine(), suites: { ...(previous.suites ?? {}), [suite]: result } };
  writeFileSync(`${base}.json`, `${JSON.stringify(file, null, 2)}\n`);
  writeFileSync(`${base}.md`, renderMarkdown(file, quick));
  return `${base}.md`;
}

function renderMarkdown(file: ResultsFile, quick: boolean): string {
  const m = file.machine;
  const lines = [
    `# Benchmarks ${file.date}${quick ? ' (quick smoke: short runs, figures not for comparison)' : ''}`,
    '',
    `Machine: **${m.cores} cores** (${m.cpu}), Node ${m.node}, ${m.k6}. Everything on loopback; ` +
      'servers pinned to core 0 and k6 to core 1 with taskset. Reproduce: `npm run bench` ' +
      '(`-- --suite fidelity` for one suite, `-- --quick` for a smoke).',
  ];
  for (const suite of SUITES) {
    const result = file.suites[suite];
    if (!result) continue;
    lines.push(
      '',
      `## ${suite}`,
      '',
      `Ran ${result.ranAt.slice(0, 16).replace('T', ' ')} UTC. Settings: ${result.settings}`,
      '',
      result.markdown.trim(),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Resident memory of `pid` from /proc, in MB. */
export function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** A fixed-decimals number, or – when there is none. */
export function fixed(x: number | null | undefined, digits = 2): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time `pid` has used so far (utime + stime from /proc/<pid>/stat), in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ: 100 on every Linux that matters (getconf CLK_TCK). */
const CLOCK_TICKS_PER_SECOND = 100;
