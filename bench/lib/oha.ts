// The throughput suite's open-model generator: oha (Rust, built by setup --bench), pinned to the
// load core. At a fixed rate with --latency-correction it times each request from when it was
// due, not from when a connection was free (wrk2's fix for coordinated omission), so a server
// that stalls is charged for the requests it made wait. k6's constant arrival rate is the same
// model, but k6 on one core sends about 7k req/s; oha held 25k against bare node:http.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { foundTools } from '../../chaos/tools';
import { runLoadGenerator } from './load-generator';

export interface OhaResult {
  /** Requests per second oha sent. */
  sentRps: number;
  requests: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  /** Share of requests that failed: a status outside 2xx, or a connection error. */
  failedShare: number;
}

interface OhaJson {
  summary: { requestsPerSec: number };
  latencyPercentiles: Record<string, number | null>;
  statusCodeDistribution: Record<string, number>;
  errorDistribution: Record<string, number>;
}

/** The oha setup built, or a message saying how to get it. */
export function ohaPath(): string {
  const path = foundTools().oha;
  if (!path || !existsSync(path))
    throw new Error('oha is not installed: run `node chaos/setup/setup.mjs --bench` (builds oha 1.16.0 with cargo)');
  return path;
}

/** Reads `oha --output-format json`. */
export function parseOha(output: string): OhaResult {
  const report = JSON.parse(output) as OhaJson;
  const statuses = Object.entries(report.statusCodeDistribution);
  const connectionErrors = Object.values(report.errorDistribution).reduce((n, count) => n + count, 0);
  const requests = statuses.reduce((n, [, count]) => n + count, 0) + connectionErrors;
  const failed = statuses.reduce((n, [code, count]) => (code.startsWith('2') ? n : n + count), 0) + connectionErrors;
  const ms = (key: string) => {
    const seconds = report.latencyPercentiles[key];
    if (typeof seconds !== 'number') throw new Error(`oha: no ${key} latency in its report`);
    return seconds * 1000;
  };
  return {
    sentRps: report.summary.requestsPerSec,
    requests,
    p50Ms: ms('p50'),
    p99Ms: ms('p99'),
    p999Ms: ms('p99.9'),
    failedShare: requests ? failed / requests : 0,
  };
}

/** Sends GET `url` at `rate`/s for `seconds` over `connections` connections, open model. */
export async function runOha(url: string, rate: number, seconds: number, connections = 32): Promise<OhaResult> {
  const argv = [
    ohaPath(),
    '--no-tui',
    '--output-format',
    'json',
    '-z',
    `${seconds}s`,
    '-c',
    String(connections),
    '-q',
    String(rate),
    '--latency-correction',
    url,
  ];
  return parseOha(await runLoadGenerator('oha', argv, seconds));
}

/** `oha --version`, e.g. `oha 1.16.0`. */
export function ohaVersion(): string {
  return spawnSync(ohaPath(), ['--version'], { encoding: 'utf8' }).stdout.trim();
}
