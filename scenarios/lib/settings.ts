// Everything a run can be told through the environment (`k6 run -e NAME=value`, or the
// process environment), parsed once in the init context so bad input stops k6 before any load.
import { testidProblem } from '../../chaos/contract/metrics';
import { parseSeconds } from './duration';

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

export interface Settings {
  /** BASE_URL: the dice service, without a trailing slash (also the admin API's). */
  baseUrl: string;
  /** BASE_URLS: comma-separated replicas the load is spread over, round-robin; default [baseUrl]. */
  baseUrls: string[];
  /** FAULT_SWITCH=off: this k6 instance never switches faults (another runner of a split load does). */
  faultSwitch: boolean;
  /** CHAOS_ADMIN_TOKEN: bearer token of the admin API (only `chaos` needs it). */
  adminToken?: string;
  /** RATE: iterations (requests) per second at the profile's peak. */
  rate?: number;
  /** DURATION: the profile's length, seconds. */
  durationSeconds?: number;
  /** TESTID: tags every sample, so Prometheus can tell runs apart. */
  testid?: string;
  /** SUMMARY_DIR: where handleSummary writes summary.json, junit.xml and summary.txt. */
  summaryDir?: string;
  /** MAX_LATENCY_MS: the slowest latency expected, for sizing VUs by Little's law. */
  maxLatencyMs?: number;
  /** LATENCY_P50_MS / LATENCY_P95_MS: what a healthy phase must stay under. */
  p50BudgetMs?: number;
  p95BudgetMs?: number;
  /** PHASE_THRESHOLDS=off: report per-phase figures but never fail on them. */
  phaseThresholds: boolean;
  /** TIMELINE: the chaos timeline as JSON (see timeline.ts). */
  timeline?: string;
}

type Env = Record<string, string | undefined>;

export function readSettings(env: Env): Settings {
  const text = (name: string) => (env[name] ?? '').trim() || undefined;
  const base = baseUrl(text('BASE_URL') ?? DEFAULT_BASE_URL);
  return {
    baseUrl: base,
    baseUrls: text('BASE_URLS')
      ?.split(',')
      .map((url) => baseUrl(url.trim())) ?? [base],
    faultSwitch: onOff(env, 'FAULT_SWITCH', true),
    adminToken: text('CHAOS_ADMIN_TOKEN'),
    rate: positiveNumber(env, 'RATE'),
    durationSeconds: text('DURATION') === undefined ? undefined : parseSeconds(text('DURATION')!, 'DURATION'),
    testid: testid(text('TESTID')),
    summaryDir: text('SUMMARY_DIR')?.replace(/\/+$/, ''),
    maxLatencyMs: positiveNumber(env, 'MAX_LATENCY_MS'),
    p50BudgetMs: positiveNumber(env, 'LATENCY_P50_MS'),
    p95BudgetMs: positiveNumber(env, 'LATENCY_P95_MS'),
    phaseThresholds: onOff(env, 'PHASE_THRESHOLDS', true),
    timeline: text('TIMELINE'),
  };
}

function baseUrl(value: string): string {
  if (!/^https?:\/\/[^/\s]+(\/\S*)?$/.test(value)) {
    throw new Error(`BASE_URL must be an http(s) URL like ${DEFAULT_BASE_URL} (got "${value}")`);
  }
  return value.replace(/\/+$/, '');
}

function testid(value: string | undefined): string | undefined {
  const problem = value === undefined ? null : testidProblem(value);
  if (problem) throw new Error(problem);
  return value;
}

function positiveNumber(env: Env, name: string): number | undefined {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
  return value;
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (['on', 'true', '1', 'yes'].includes(raw)) return true;
  if (['off', 'false', '0', 'no'].includes(raw)) return false;
  throw new Error(`${name} must be "on" or "off" (got "${env[name]}")`);
}
