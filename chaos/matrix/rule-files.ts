// The user's own Prometheus rule files (`--rules FILE`): checked with promtool before
// anything starts, and read for what the matrix shows of each alert (its `for`, the
// shortest rate window it reads, the golden signal it is labelled with).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, tools } from '../tools';

/** Roque's own rule files, the ones the local Prometheus loads unless --rules-only. */
export const ROQUE_RULES_DIR = join(REPO_ROOT, 'stack', 'prometheus', 'rules');

/** A rule file promtool refused, or one that is missing: exit 2, naming file and line. */
export class RuleFileError extends Error {}

/** Checks every file with `promtool check rules`; returns their absolute paths. */
export function checkRuleFiles(files: string[]): string[] {
  return files.map((file) => {
    const path = resolve(file);
    const shown = relative(process.cwd(), path) || path;
    if (!existsSync(path)) throw new RuleFileError(`${shown}: no such rule file`);
    try {
      execFileSync(tools().promtool, ['check', 'rules', path], { encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      const { stdout = '', stderr = '', message } = error as { stdout?: string; stderr?: string; message: string };
      throw new RuleFileError(`${shown}:${firstProblem(`${stdout}\n${stderr}`, path) ?? ` promtool: ${message}`}`);
    }
    return path;
  });
}

/** promtool's first complaint as `line: message` ("5:15: group …" or "yaml: … line 6: …"). */
function firstProblem(output: string, path: string): string | null {
  const lines = output
    .split('\n')
    .map((l) => l.replace(`${path}: `, '').trim())
    .filter((l) => l && !/^(Checking|FAILED:)/.test(l));
  if (!lines.length) return null;
  const text = lines.join(' ');
  const position = /^(\d+):\d+: (.*)$/.exec(lines[0]);
  if (position) return `${position[1]}: ${position[2]}`;
  const yamlLine = /line (\d+): (.*)$/.exec(text);
  return yamlLine ? `${yamlLine[1]}: ${yamlLine[2]}` : ` ${text}`;
}

export interface AlertRule {
  alert: string;
  /** Its `for`, seconds (0 when absent). */
  forSeconds: number;
  /** The shortest range window it reads, directly or through recording rules of the same files; null: none (a gauge). */
  windowSeconds: number | null;
  /** Its `signal` label (latency, errors, traffic, saturation, availability, injected), else its `slo` label, else null. */
  signal: string | null;
  file: string;
}

const PROM_UNIT_SECONDS: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 604_800,
  y: 31_536_000,
};

/** A Prometheus duration ("20s", "1h30m", "3d"), in seconds. */
export function promDurationSeconds(text: string): number {
  const parts = [...text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== text)
    throw new Error(`"${text}" is not a Prometheus duration`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * PROM_UNIT_SECONDS[unit], 0);
}

interface RuleNode {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}

/** Every alert of the rule files the local Prometheus loads: Roque's (unless `roque` is false; but `skip`) and the user's. */
export function alertRules(userFiles: string[], roque = true, skip: string[] = []): AlertRule[] {
  const own = roque ? readdirSync(ROQUE_RULES_DIR).filter((f) => /\.ya?ml$/.test(f) && !skip.includes(f)) : [];
  const files = [...own.map((f) => join(ROQUE_RULES_DIR, f)), ...userFiles];
  const rules = files.flatMap((file) =>
    ((parse(readFileSync(file, 'utf8')) as { groups?: { rules?: RuleNode[] }[] } | null)?.groups ?? []).flatMap((g) =>
      (g.rules ?? []).map((rule) => ({ rule, file })),
    ),
  );
  const recorded = new Map(rules.filter(({ rule }) => rule.record).map(({ rule }) => [rule.record!, rule.expr]));
  const windowOf = (expr: string, seen: Set<string>): number | null => {
    const windows = [...expr.matchAll(/\[((?:\d+(?:ms|s|m|h|d|w|y))+)(?::[^\]]*)?\]/g)].map((m) =>
      promDurationSeconds(m[1]),
    );
    for (const [name, inner] of recorded) {
      if (
        !seen.has(name) &&
        new RegExp(`(^|[^A-Za-z0-9_:])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_:])`).test(expr)
      ) {
        const w = windowOf(inner, new Set([...seen, name]));
        if (w !== null) windows.push(w);
      }
    }
    return windows.length ? Math.min(...windows) : null;
  };
  return rules
    .filter(({ rule }) => rule.alert)
    .map(({ rule, file }) => ({
      alert: rule.alert!,
      forSeconds: rule.for ? promDurationSeconds(rule.for) : 0,
      windowSeconds: windowOf(rule.expr, new Set()),
      signal: rule.labels?.signal ?? rule.labels?.slo ?? null,
      file,
    }));
}
